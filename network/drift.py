"""Drift: each running config (normalised) against the device's rendered intent.

Two intents are judged. The dual-stack intent (what the upgrade pushes): every intended line must
be present in its section (interface, ACL, global), and no IPv6 line may be present that the intent
does not contain (an unplanned address, route or ACL), nor an OSPFv3 line (VRP/Comware write it
without "ipv6"). The OSPF (IPv4) configuration the routing design gives the device (network/render.py
``compute_ospf2``, templates/<platform>/ospf.j2; never pushed, the lab twins start with it): every
line must be present, and an OSPF line the design lacks (a hand-set ``ospf cost 77``, an extra
``network``, a second process) is unplanned. A `network` statement is judged with its area. The MD5
key is judged by key id and mode only: the running config is read masked (network/masking.py), the
intent carries the mask, and the cipher text or key never reaches a report. Other IPv4 and baseline
lines are not judged here (they predate the upgrade).
Writes a Prometheus textfile (``govops_net_drift{device,site,tier}`` 0/1,
``govops_net_drift_devices``) for node_exporter's textfile collector. A device whose config could
not be read is not counted as drifted: ``govops_net_drift_unknown`` says so, and its drift series
is absent.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from govops import vendors
from govops.sot import Inventory
from network import config as cfgtext
from network.render import Intent


@dataclass
class DriftReport:
    device: str
    missing: list[str] = field(default_factory=list)
    unplanned: list[str] = field(default_factory=list)
    error: str = ""
    unsaved: list[str] = field(default_factory=list)  # intended lines running only: lost at reboot

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.unplanned or self.unsaved)

    @property
    def unknown(self) -> bool:
        """The running config could not be read (unreachable, refused): drift is unknown, not found."""
        return bool(self.error)


def compare(intent: Intent, running_text: str) -> DriftReport:
    vendor = vendors.get(intent.platform)
    running = cfgtext.parse(running_text, vendor)
    # Factory-default lines that mention IPv6 (VRP: `undo telnet ipv6 server-source all-interface`)
    # are the vendor's, not an unplanned change: without this drift never comes clean on real gear.
    missing2, unplanned2 = ospf2_drift(intent, running)
    return DriftReport(intent.device, cfgtext.missing_lines(intent.blocks, running) + missing2,
                       cfgtext.unplanned_ipv6(running, intent.blocks, vendor.drift_ignore)
                       + unplanned_ospf3(running, intent.blocks) + unplanned2)


# The MD5 authentication line with its secret value made one token: the running config shows a
# cipher (VRP `cipher %^%#…`, Comware `cipher $c$3$…`, IOS-like `md5 7 …`, or `plain`/no type when
# typed in clear), already masked by cfgtext.parse; drift judges key id and mode, never the value.
_AUTH = (re.compile(r"^(ospf authentication-mode md5 \d+) (?:cipher|plain|simple) \S+$"),
         re.compile(r"^(ip ospf message-digest-key \d+ md5) (?:\d+ )?\S+$"))


_DECIMAL_AREA = re.compile(r"\barea (\d+)(?![\d.])")


def _dotted_area(line: str) -> str:
    """IOS-like CLIs print an area as it was typed (`area 1`), VRP/Comware dotted: one form for both."""
    return _DECIMAL_AREA.sub(lambda m: f"area {ipaddress.IPv4Address(int(m.group(1)))}", line)


def _ospf2_child(line: str) -> bool:
    """An OSPF (IPv4) line inside an interface: VRP/Comware `ospf …` (not `ospfv3`), IOS-like `ip ospf …`."""
    return line.startswith(("ospf ", "ip ospf "))


def _ospf2_process(header: str) -> bool:
    """An OSPF (IPv4) process: VRP/Comware `ospf 1 [router-id X]`, IOS-like `router ospf 1`."""
    return header.startswith(("ospf ", "router ospf "))


def _keyed_ospf2(blocks: list[cfgtext.Block]) -> dict[tuple[str, str], str]:
    """Every OSPF (IPv4) line, normalised -> as it reads in a report. VRP/Comware nest `network`
    under `area`; the parser flattens them, so each `network` is keyed with the area it is in."""
    out: dict[tuple[str, str], str] = {}
    for b in blocks:
        h = cfgtext.normalise_line(b.header)
        if _ospf2_process(h):
            out[(h, "")] = b.header
            area = ""
            for c in b.children:
                n = _dotted_area(cfgtext.normalise_line(c))
                if n.startswith("area "):
                    area = n
                if n.startswith("network ") and area:
                    n, c = f"{area} / {n}", f"{area} / {c}"
                out[(h, n)] = f"{b.header} / {c}"
            continue
        for c in b.children:
            n = _dotted_area(cfgtext.normalise_line(c))
            if _ospf2_child(n):
                for rule in _AUTH:
                    if rule.match(n):  # the value (masked already) is not judged, nor shown
                        n = c = rule.sub(r"\1 " + cfgtext.MASK, n)
                out[(h, n)] = f"{b.header} / {c}"
    return out


def ospf2_drift(intent: Intent, running: list[cfgtext.Block]) -> tuple[list[str], list[str]]:
    """(missing, unplanned) OSPF (IPv4) lines against the routing design; nothing when the device
    has no design (no `routing.ospf` in the SoT, or a lab told to route statically)."""
    if intent.ospf2 is None:
        return [], []
    want, have = _keyed_ospf2(intent.ospf2_blocks), _keyed_ospf2(running)
    return ([line for key, line in want.items() if key not in have],
            [line for key, line in have.items() if key not in want])


def unplanned_ospf3(running: list[cfgtext.Block], intent: list[cfgtext.Block]) -> list[str]:
    """OSPFv3 lines the intent lacks (an `ospfv3 1 area` on a port the design leaves out, a second
    process, a hand-set cost). VRP/Comware write them without "ipv6", so the IPv6 rule misses them;
    the IOS-like `ipv6 ospf`/`ipv6 router ospf` lines are already judged as IPv6 lines."""
    want = cfgtext.keyed(intent)
    out = []
    for b in running:
        h = cfgtext.normalise_line(b.header)
        if h.startswith("ospfv3") and (h, "") not in want:
            out.append(b.header)
            continue
        process = h.startswith(("ospfv3", "ipv6 router ospf"))  # its lines (`silent-interface`) name no ospfv3
        out += [f"{b.header} / {c}" for c in b.children
                if (process or cfgtext.normalise_line(c).startswith("ospfv3")) and (h, cfgtext.normalise_line(c)) not in want]
    return out


def unsaved(intent: Intent, running_text: str, saved_text: str) -> list[str]:
    """Intended lines the running config carries but the saved (startup) config lacks: a change
    that was never saved (VRP5/RGOS/ZXROS) is lost at the next reboot, and running alone hides it."""
    vendor = vendors.get(intent.platform)
    running = cfgtext.parse(running_text, vendor)
    saved = cfgtext.parse(saved_text, vendor)
    have = set(cfgtext.missing_lines(intent.blocks, running)) | set(ospf2_drift(intent, running)[0])
    return [line for line in cfgtext.missing_lines(intent.blocks, saved) + ospf2_drift(intent, saved)[0]
            if line not in have]


def diff_lines(report: DriftReport) -> list[str]:
    return ([f"- {line}   (intended, missing)" for line in report.missing]
            + [f"+ {line}   (unplanned)" for line in report.unplanned]
            + [f"~ {line}   (running, not saved: lost at the next reboot)" for line in report.unsaved]
            + ([f"! {report.error}"] if report.error else []))


def write_metrics(inv: Inventory, reports: list[DriftReport], path: Path) -> Path:
    registry = CollectorRegistry()
    per = Gauge("govops_net_drift", "1 when the device's running config drifted from its intent "
                "(absent when it could not be read)", ["device", "site", "tier"], registry=registry)
    total = Gauge("govops_net_drift_devices", "devices with drift", registry=registry)
    unknown = Gauge("govops_net_drift_unknown", "1 when the device's running config could not be read "
                    "(unreachable, refused): its drift is unknown", ["device", "site", "tier"], registry=registry)
    unknown_total = Gauge("govops_net_drift_unknown_devices", "devices whose drift is unknown", registry=registry)
    for r in reports:
        dev = inv.devices[r.device]
        unknown.labels(r.device, dev.site, dev.role).set(1 if r.unknown else 0)
        if not r.unknown:
            per.labels(r.device, dev.site, dev.role).set(1 if r.drifted else 0)
    total.set(sum(1 for r in reports if r.drifted))
    unknown_total.set(sum(1 for r in reports if r.unknown))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)  # atomic: tmp file + rename
    return path
