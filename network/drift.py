"""Drift: each running config (normalised) against the device's rendered dual-stack intent.

Rule: every intended line must be present in its section (interface, ACL, global), and no
IPv6 line may be present that the intent does not contain (an unplanned address, route or
ACL), nor an OSPFv3 line (routing configuration; VRP/Comware write it without "ipv6"). IPv4 and other baseline lines are not judged here (they predate the upgrade).
Writes a Prometheus textfile (``govops_net_drift{device,site,tier}`` 0/1,
``govops_net_drift_devices``) for node_exporter's textfile collector. A device whose config could
not be read is not counted as drifted: ``govops_net_drift_unknown`` says so, and its drift series
is absent.
"""

from __future__ import annotations

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
    return DriftReport(intent.device, cfgtext.missing_lines(intent.blocks, running),
                       cfgtext.unplanned_ipv6(running, intent.blocks, vendor.drift_ignore)
                       + unplanned_ospf3(running, intent.blocks))


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
        out += [f"{b.header} / {c}" for c in b.children
                if cfgtext.normalise_line(c).startswith("ospfv3") and (h, cfgtext.normalise_line(c)) not in want]
    return out


def unsaved(intent: Intent, running_text: str, saved_text: str) -> list[str]:
    """Intended lines the running config carries but the saved (startup) config lacks: a change
    that was never saved (VRP5/RGOS/ZXROS) is lost at the next reboot, and running alone hides it."""
    vendor = vendors.get(intent.platform)
    running = cfgtext.parse(running_text, vendor)
    saved = cfgtext.parse(saved_text, vendor)
    have = set(cfgtext.missing_lines(intent.blocks, running))
    return [line for line in cfgtext.missing_lines(intent.blocks, saved) if line not in have]


def diff_lines(report: DriftReport) -> list[str]:
    return ([f"- {line}   (intended, missing)" for line in report.missing]
            + [f"+ {line}   (unplanned IPv6)" for line in report.unplanned]
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
