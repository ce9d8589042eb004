"""A dead router pages the NOC once: its DeviceUnreachable inhibits the OspfNeighborDown and
Ospfv3NeighborDown alerts its neighbours raise about it (issue 18).

`amtool config routes test` evaluates routes only, not inhibit_rules, so this runs Debian's real
Alertmanager (`prometheus-alertmanager`, installed by `make setup`) with the committed configuration
on a localhost port in a temporary folder (no clustering), posts alerts through its v2 API and reads
which are suppressed and by what. The alerts carry the labels the rules give them: the promtool
tests (tests/monitoring/rules_test.yml, ospf_rules_test.yml) check ``ospf_router_id`` is rendered
from the file_sd ``router_id`` (DeviceUnreachable) and from the neighbour's router id (OSPF alerts).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest
import yaml

from tests.paths import ROOT

AM = ROOT / "monitoring" / "alertmanager"
BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
pytestmark = pytest.mark.skipif(BINARY is None, reason="Debian prometheus-alertmanager not installed")
DEAD, ALIVE = "198.18.4.1", "198.18.4.21"  # core-1's and fy-agg-1's router ids (inventories/lab)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(port: int, path: str, body: object | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v2/{path}", data=data,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        text = resp.read()
    return json.loads(text) if text else None


@pytest.fixture(params=["alertmanager.yml", "examples/noc-cn.yml"])
def alertmanager(request, tmp_path) -> Iterator[int]:
    port = _free_port()
    argv = [BINARY, f"--config.file={AM / request.param}", f"--storage.path={tmp_path}",
            f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="]
    log = open(tmp_path / "alertmanager.log", "wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                _api(port, "status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "alertmanager.log").read_text()) from None
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _alert(name: str, **labels: str) -> dict:
    return {"labels": {"alertname": name, "severity": "critical", "department": "noc", **labels},
            "annotations": {"summary": name}}


def _states(port: int, want: int, timeout: float = 10.0) -> dict[tuple[str, str], dict]:
    """(alertname, device) -> status, once every alert is known and inhibition has been judged
    (the inhibitor learns the source alert asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        alerts = _api(port, "alerts")
        got = {(a["labels"]["alertname"], a["labels"]["device"]): a["status"] for a in alerts}
        settled = len(got) == want and all(s["state"] != "unprocessed" for s in got.values())
        if (settled and any(s["inhibitedBy"] for s in got.values())) or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def test_device_down_inhibits_its_neighbours_ospf_alerts_about_it_only(alertmanager):
    dead = _alert("DeviceUnreachable", job="snmp_if_mib", instance="core-1", device="core-1", site="city",
                  router_id=DEAD, ospf_router_id=DEAD)
    about_dead = [
        _alert("OspfNeighborDown", job="snmp_ospf", device="fy-agg-1", site="fenyi", ospfNbrRtrId=DEAD,
               ospfNbrIpAddr="198.18.8.2", ospf_router_id=DEAD),
        _alert("OspfNeighborDown", job="snmp_ospf", device="ys-agg-1", site="yushui", ospfNbrRtrId=DEAD,
               ospfNbrIpAddr="198.18.8.6", ospf_router_id=DEAD),
        _alert("Ospfv3NeighborDown", job="snmp_ospf", device="core-2", site="city", ospfv3NbrRtrId=DEAD,
               ifName="GigabitEthernet1/0/1", ospf_router_id=DEAD),
    ]
    # A neighbour lost by a router that still answers SNMP: a link or protocol fault, paged as usual.
    other = _alert("OspfNeighborDown", job="snmp_ospf", device="fy-fyz-acc-1", site="fenyi-fenyizhen",
                   ospfNbrRtrId=ALIVE, ospfNbrIpAddr="198.18.8.9", ospf_router_id=ALIVE)
    _api(alertmanager, "alerts", [dead, *about_dead, other])
    states = _states(alertmanager, want=5)
    assert states[("DeviceUnreachable", "core-1")]["state"] == "active"
    source = {a["fingerprint"]: a for a in _api(alertmanager, "alerts")
              if a["labels"]["alertname"] == "DeviceUnreachable"}
    for a in about_dead:
        status = states[(a["labels"]["alertname"], a["labels"]["device"])]
        assert status["state"] == "suppressed", (a["labels"], status)
        assert set(status["inhibitedBy"]) == set(source), (a["labels"], status)
    assert states[("OspfNeighborDown", "fy-fyz-acc-1")] == {"state": "active", "inhibitedBy": [],
                                                            "silencedBy": []}


def test_the_rules_give_both_sides_the_inhibition_label():
    """The label the inhibition matches on is really produced: file_sd carries router_id, and the
    rules map it (and the neighbour's router id) to ospf_router_id."""
    from govops.sot import load_inventory
    from monitoring.promconfig import file_sd

    inv = load_inventory(ROOT / "inventories" / "lab")
    if_mib = {e["targets"][0]: e["labels"] for e in file_sd(inv)["snmp_if_mib.json"]}
    assert if_mib["core-1"]["router_id"] == DEAD
    rules = {r.get("alert"): r for f in ("alerts.yml", "ospf.yml")
             for g in yaml.safe_load((ROOT / "monitoring/prometheus/rules" / f).read_text())["groups"] for r in g["rules"]}
    assert rules["DeviceUnreachable"]["labels"]["ospf_router_id"] == "{{ $labels.router_id }}"
    assert rules["OspfNeighborDown"]["labels"]["ospf_router_id"] == "{{ $labels.ospfNbrRtrId }}"
    assert rules["Ospfv3NeighborDown"]["labels"]["ospf_router_id"] == "{{ $labels.ospfv3NbrRtrId }}"
    for name in ("alertmanager.yml", "examples/noc-cn.yml"):
        inhibit = yaml.safe_load((AM / name).read_text())["inhibit_rules"]
        assert any(r.get("equal") == ["ospf_router_id"] and 'alertname="DeviceUnreachable"' in r["source_matchers"]
                   for r in inhibit), name
