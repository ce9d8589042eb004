"""Drift covers the routing configuration (issue 18, point 3): a hand edit of OSPF on one twin,
made through its vendor CLI, shows in `govops net drift` for that device; the edit is undone and
the running config checked byte for byte afterwards.

Drift (network/drift.py) judges the rendered dual-stack intent (every intended line present, no
unplanned IPv6 or OSPFv3 line: a missing or changed ``ospfv3 1 area A`` is drift) and the OSPF
(IPv4) configuration of the routing design (network/templates/<platform>/ospf.j2, never pushed):
every designed line present, no OSPF line the design lacks, so a hand-set ``ospf cost 77`` shows
as the designed cost missing and the hand-set one unplanned.

Works on the shared lab before the upgrade (run alone: OSPFv3 is then missing everywhere and
drift says so) and after it (in the full suite tests/lab/network has upgraded the lab first).
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from govops.sot import load_inventory
from lab.state import Lab
from network import session
from tests.paths import ROOT

pytestmark = pytest.mark.lab
BIN = Path(sys.executable).parent
DEVICE, PORT = "fy-agg-1", "GigabitEthernet0/0/1"  # VRP5 aggregation, its uplink to core-1


def drift(lab: Lab) -> dict[str, dict]:
    """`govops net drift --json` as the NOC runs it, from the ops workstation."""
    proc = lab.exec_mgmt([str(BIN / "govops"), "net", "drift", "-i", str(lab.inventory), "--known-hosts",
                          str(lab.known_hosts), "--running-only", "--json"], cwd=ROOT, timeout=300)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1: drift found; 3 would be unknown
    return {r["device"]: r for r in json.loads(proc.stdout)}


def cli(lab: Lab, lines: list[str] | None = None) -> str:
    """Configure `lines` on DEVICE through its CLI, or read its running config."""
    from pyroute2 import netns

    dev = load_inventory(lab.inventory).devices[DEVICE]

    def job() -> str:
        netns.setns(lab.mgmt_netns)
        conn = session.open_session(dev, session.SessionOptions(known_hosts=lab.known_hosts))
        try:
            if lines:
                return conn.send_config_set(lines, cmd_verify=False, read_timeout=60)
            return conn.send_command("display current-configuration", read_timeout=60)
        finally:
            conn.disconnect()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(job).result(timeout=180)


def port_lines(running: str) -> list[str]:
    block = running.split(f"\ninterface {PORT}\n", 1)[1].split("\n#", 1)[0]
    return [line.strip() for line in block.splitlines()]


def ospf2_line(finding: str) -> bool:
    """An OSPF (IPv4) finding: VRP/Comware `ospf …`, IOS-like `router ospf`/`ip ospf …` (not OSPFv3)."""
    last = finding.rsplit(" / ", 1)[-1]
    return last.startswith(("ospf ", "ip ospf ", "router ospf ", "network ")) or finding.startswith(("ospf ", "router ospf "))


def findings(report: dict) -> set[str]:
    return set(report["missing"]) | set(report["unplanned"])


def test_drift_reports_a_missing_ospfv3_interface_statement(lab: Lab) -> None:
    before_cfg = cli(lab)
    v3 = [line for line in port_lines(before_cfg) if line.startswith("ospfv3 1 area ")]
    if v3:  # upgraded lab: drift is clean for this line until the hand edit takes it away
        assert not any("ospfv3" in f for f in findings(drift(lab)[DEVICE])), "OSPFv3 drift before the edit"
        try:
            out = cli(lab, [f"interface {PORT}", f"undo {v3[0]}", "quit"])
            assert "Error" not in out, out
            report = drift(lab)[DEVICE]
        finally:
            cli(lab, [f"interface {PORT}", v3[0], "quit"])
        assert cli(lab) == before_cfg, "the hand edit was not undone byte for byte"
    else:  # lab before the upgrade: the planned OSPFv3 statement is not there, and drift says so
        report = drift(lab)[DEVICE]
    assert report["drift"], report
    assert any(f.startswith(f"interface {PORT} / ospfv3 1 area ") for f in report["missing"]), report["missing"]


def test_drift_reports_an_ospfv2_cost_hand_edit(lab: Lab) -> None:
    before_cfg = cli(lab)
    cost = next(line for line in port_lines(before_cfg) if line.startswith("ospf cost "))
    reports = drift(lab)
    ospf2 = {d: [f for f in findings(r) if ospf2_line(f)] for d, r in reports.items()}
    assert not any(ospf2.values()), f"OSPF (IPv4) drift on the untouched lab: {ospf2}"
    before = findings(reports[DEVICE])
    try:
        out = cli(lab, [f"interface {PORT}", "ospf cost 77", "quit"])
        assert "Error" not in out, out
        assert "ospf cost 77" in port_lines(cli(lab)), "the twin did not take the hand edit"
        after = findings(drift(lab)[DEVICE])
    finally:
        cli(lab, [f"interface {PORT}", cost, "quit"])
        assert cli(lab) == before_cfg, "the hand edit was not undone byte for byte"
    assert f"interface {PORT} / ospf cost 77" in after - before, f"{DEVICE}: `ospf cost 77` on {PORT} not reported"
    assert f"interface {PORT} / {cost}" in after - before, f"{DEVICE}: the designed `{cost}` not missing"

