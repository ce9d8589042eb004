"""Device output -> rows, with TextFSM: ntc-templates where it has the template, the vendor's own
project templates (govops/vendors/templates/, same format) where it has none. Then the few facts
the change engine needs: which interfaces are up, which IPv4 destinations exist, did a ping answer.
"""

from __future__ import annotations

import io
import ipaddress
from functools import cache
from pathlib import Path

import textfsm
from ntc_templates.parse import parse_output

from govops.vendors.base import Template, Vendor


class ParseError(ValueError):
    """Output the vendor's template cannot read (names platform, command and template)."""


@cache
def _template_text(path: Path) -> str:
    return path.read_text()


def parse(vendor: Vendor, key: str, output: str) -> list[dict[str, object]]:
    """Rows (lower-case keys) from ``output`` of the command ``key`` on ``vendor``."""
    try:
        tpl: Template = vendor.templates[key]
    except KeyError:
        raise ParseError(f"{vendor.platform}: no template for {key!r} "
                         f"(have {', '.join(sorted(vendor.templates))})") from None
    text = output.replace("\r\n", "\n").replace("\r", "\n")
    try:
        if tpl.ntc:
            return parse_output(platform=tpl.ntc, command=tpl.command, data=text)
        fsm = textfsm.TextFSM(io.StringIO(_template_text(tpl.path)))
        return [{k.lower(): v for k, v in row.items()} for row in fsm.ParseTextToDicts(text)]
    except (textfsm.TextFSMError, textfsm.parser.TextFSMTemplateError) as exc:
        where = tpl.path.name if tpl.path else f"ntc-templates {tpl.ntc} {tpl.command!r}"
        raise ParseError(f"{vendor.platform}: `{tpl.command}` output does not parse with {where}: {exc}") from None


def canonical(name: str) -> str:
    """``GigabitEthernet 0/1`` == ``gigabitethernet0/1``; ``gei-0/1/0/1`` == ``gei0/1/0/1``."""
    return name.replace(" ", "").replace("-", "").lower()


def _up(word: object) -> bool:
    # "up", "UP", "up(s)", "UP(s)" are up; "*down", "down", "ADM", "DOWN", "^down" are not.
    return str(word).strip().lower().startswith("up")


# Which columns say "physical" and "protocol" in each template's rows (Comware bridge-mode rows
# carry no protocol column: link state alone).
_STATE_COLUMNS = (("physical", "protocol"), ("link", "protocol"), ("phy", "prot"), ("status", "protocol"))


def interface_states(vendor: Vendor, output: str, key: str = "ip_brief") -> dict[str, bool]:
    """Canonical long interface name -> up (physical and protocol) from ``... interface brief``."""
    states: dict[str, bool] = {}
    for row in parse(vendor, key, output):
        name = vendor.long_name(str(row["interface"]))
        for phy, proto in _STATE_COLUMNS:
            if phy in row:
                p = str(row.get(proto) or "")
                # "--": no link-layer protocol (Comware REG0, bridge-mode rows): physical state alone.
                states[canonical(name)] = _up(row[phy]) and (p in ("", "--") or _up(p))
                break
    return states


def ipv4_routes(vendor: Vendor, output: str) -> set[str]:
    """IPv4 destinations (``a.b.c.d/len``) of the routing table: the baseline a change must keep."""
    out = set()
    for row in parse(vendor, "ipv4_routes", output):
        length = row.get("prefix_length") or ipaddress.IPv4Network(f"0.0.0.0/{row['mask']}").prefixlen
        out.add(f"{row['network']}/{length}")
    return out


def ping_answered(vendor: Vendor, output: str) -> bool:
    rows = parse(vendor, "ping", output)
    return any(int(str(r.get("received") or 0)) > 0 for r in rows)


def ospf3_prefixes(vendor: Vendor, output: str) -> set[str]:
    """IPv6 destinations (``2001:db8::1/128``, compressed, lower case) the routing table holds as
    active OSPFv3 routes, from the ``ospfv3_routes`` command (already filtered to OSPFv3 by the device;
    the IOS table's codes are checked too: O, OI, OE1, ...)."""
    out = set()
    for row in parse(vendor, "ospfv3_routes", output):
        if str(row.get("status") or "Active") != "Active":
            continue  # VRP/Comware list inactive routes under their own status line
        if "protocol" in row and "distance" in row and not str(row["protocol"]).startswith("O"):
            continue  # IOS: a code other than OSPF's
        network = str(row["network"])
        if row.get("prefix_length"):
            network = f"{network}/{row['prefix_length']}"
        out.add(str(ipaddress.IPv6Network(network, strict=False)))
    return out
