"""Configuration text as blocks: parse, normalise, compare, negate, turn into commands.

VRP, Comware, RGOS and ZXROS all print a running configuration as top-level lines with
indented children, separated by ``#`` (Huawei/H3C) or ``!`` (Cisco-like) lines. Intent
templates render the same shape, so "is the intent in the running config" is a set question.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from govops.vendors import Vendor
from network.masking import MASK, mask_line  # noqa: F401 - MASK is part of this module's API

# Lines that change without a configuration change: clocks, counters, build banners.
VOLATILE = [re.compile(p) for p in (
    r"^\s*!\s*Last configuration (was )?(updated|saved|change)",
    r"^\s*!\s*Time:",
    r"^\s*!\s*(Current|Last) (configuration|config)",
    r"^Building configuration",
    r"^Current configuration\s*:",
    r"^\s*ntp clock-period",
    r"^\s*Info: The max number of VTY users",
)]


@dataclass
class Block:
    header: str
    children: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [self.header] + [" " + c for c in self.children]


# Every function that needs a vendor's syntax (negation, separators, the exit from a sub-view) takes
# its Vendor (govops.vendors.get(platform), or a driver's ``.vendor``): the syntax is the vendor's,
# looked up once by whoever holds the device, never re-derived from a platform string here.


def normalise_text(text: str, vendor: Vendor) -> str:
    """A running config as stored in backups: no CRs, no trailing blanks, no volatile lines, and no
    secrets (masked with the vendor's rules, network/masking.py: both sides of a comparison alike)."""
    out = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if any(p.match(line) for p in VOLATILE):
            continue
        out.append(mask_line(line, vendor.platform))
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return "\n".join(out) + "\n"


def parse(text: str, vendor: Vendor) -> list[Block]:
    """Blocks in order; a repeated header merges into the first block with that header."""
    blocks: list[Block] = []
    by_header: dict[str, Block] = {}
    current: Block | None = None
    opened_indented = False
    for raw in normalise_text(text, vendor).split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(vendor.separator) or stripped in vendor.ending:
            current = None  # a separator closes the block; Comware indents top-level routes after one
            continue
        if line[0].isspace() and current is not None and not opened_indented:
            current.children.append(stripped)
            continue
        key = normalise_line(stripped)
        if key in by_header:
            current = by_header[key]
        else:
            current = Block(stripped)
            by_header[key] = current
            blocks.append(current)
        opened_indented = line[0].isspace()
    return blocks


_IPV6ISH = re.compile(r"^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(/\d+)?$")


def normalise_line(line: str) -> str:
    """Case-folded, single-spaced, IPv6 written the RFC 5952 way (twins print them in capitals)."""
    words = []
    for word in line.split():
        if _IPV6ISH.match(word):
            try:
                word = str(ipaddress.IPv6Interface(word) if "/" in word else ipaddress.IPv6Address(word))
            except ValueError:
                pass
        words.append(word.lower())
    return " ".join(words)


def keyed(blocks: list[Block]) -> set[tuple[str, str]]:
    """(header, child) pairs, normalised; a childless top-level line is (line, "")."""
    out = set()
    for b in blocks:
        h = normalise_line(b.header)
        out.add((h, ""))
        for c in b.children:
            out.add((h, normalise_line(c)))
    return out


def missing(intent: list[Block], running: list[Block]) -> list[Block]:
    """The part of the intent the running config lacks, as blocks to push (header always kept,
    so the push enters the right view)."""
    have = keyed(running)
    out = []
    for b in intent:
        h = normalise_line(b.header)
        kids = [c for c in b.children if (h, normalise_line(c)) not in have]
        if (h, "") not in have or kids:
            out.append(Block(b.header, kids))
    return out


# Views that always exist on the device (you leave them, never delete them) and negations the
# device takes without the value (Comware: ``undo ssh server ipv6 acl``).
SUBVIEWS = ("interface ", "user-interface ", "line ")
# OSPFv3 timers: `undo ospfv3 timer hello|dead` bare is the documented form on VRP and the only one on
# Comware 7 (H3C OSPFv3 command reference); IOS's `no ipv6 ospf hello-interval` likewise.
# OSPFv3 network type: `undo ospfv3 network-type` bare (HPE Comware 7 "ospfv3 network-type"), IOS `no ipv6 ospf network`.
BARE_NEGATION = re.compile(r"^(ssh server ipv6 acl|ospfv3 cost|ospfv3 timer (?:hello|dead)|ospfv3 network-type|"
                           r"ipv6 ospf (?:hello-interval|dead-interval|cost|network))\b")  # the twins take `undo ospfv3 cost` bare


def negate_line(line: str, vendor: Vendor) -> str:
    if line.startswith(vendor.negate):
        return line[len(vendor.negate):]
    bare = BARE_NEGATION.match(line)
    return vendor.negate + (bare.group(1) if bare else line)


def undo_of(pushed: list[Block], running_before: list[Block], vendor: Vendor) -> list[Block]:
    """The commands that take exactly ``pushed`` back out, in reverse order: a block whose header
    was new goes as a whole (``undo acl ipv6 number 3000``); otherwise its new children go."""
    had = keyed(running_before)
    out = []
    for b in reversed(pushed):
        h = normalise_line(b.header)
        if (h, "") not in had and not (b.children and h.startswith(SUBVIEWS)):
            out.append(Block(negate_line(b.header, vendor)))
        elif b.children:
            out.append(Block(b.header, [negate_line(c, vendor) for c in reversed(b.children)]))
    return out


def to_commands(blocks: list[Block], vendor: Vendor) -> list[str]:
    """Config-mode commands: each block's header, its children, and a step back to the global view."""
    cmds = []
    for b in blocks:
        cmds.append(b.header)
        if b.children:
            cmds += b.children
            cmds.append(vendor.exit_view)
    return cmds


def unplanned_ipv6(running: list[Block], intent: list[Block],
                   ignore: tuple[re.Pattern[str], ...] = ()) -> list[str]:
    """Running-config IPv6 lines the intent does not contain (drift rule, part two). ``ignore``:
    the vendor's factory-default lines (``Vendor.drift_ignore``, matched on the normalised line)."""
    want = keyed(intent)

    def unplanned(key: tuple[str, str], line: str) -> bool:
        return "ipv6" in line and key not in want and not any(p.fullmatch(line) for p in ignore)

    out = []
    for b in running:
        h = normalise_line(b.header)
        header_unplanned = unplanned((h, ""), h)
        if header_unplanned:
            out.append(b.header)
        for c in b.children:
            n = normalise_line(c)
            if unplanned((h, n), n) and not header_unplanned:
                out.append(f"{b.header} / {c}")
    return out


def missing_lines(intent: list[Block], running: list[Block]) -> list[str]:
    have = keyed(running)
    out = []
    for b in intent:
        h = normalise_line(b.header)
        if (h, "") not in have:
            out.append(b.header)
        out += [f"{b.header} / {c}" for c in b.children if (h, normalise_line(c)) not in have]
    return out


def canonical_interface(name: str) -> str:
    """``GigabitEthernet 0/1`` == ``gigabitethernet0/1``; ``gei-0/1/0/1`` == ``gei0/1/0/1``."""
    return name.replace(" ", "").replace("-", "").lower()
