"""OSPF monitoring on the lab (issue 18, point 5): FRR's AgentX sub-agents (Debian `frr-snmp`)
feed OSPF-MIB into each device's snmpd (lab/frr.py, lab/snmp.py); the SNMP exporter's `ospf`
module reads every planned adjacency Full (8); an uplink fault makes OspfNeighborDown fire in a
real Prometheus (Debian's, generated config, 3 s intervals: monitoring/stack.py) and resolve after
`fault clear`. Uses the shared session lab when it runs OSPF (the default).
Run as root: `GOVOPS_LAB_PREFIX=tn .venv/bin/pytest -q tests/lab/routing/test_ospf_monitoring.py`.
"""

from __future__ import annotations

import json
import shutil

import pytest
from prometheus_client.parser import text_string_to_metric_families

from govops.sot import load_inventory
from govops.sot.routing import plan_ospf
from lab.lifecycle import lab_igp
from monitoring.dashboards import OUT, panel_queries
from monitoring.stack import MonitoringStack, wait_for
from tests.lab.labctl import lab_cli

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(not shutil.which("prometheus"), reason="Debian prometheus needed"),
]
UPLINK = "core-1:GigabitEthernet0/1/1"  # core-1 -- fy-agg-1 (Fenyi is dual-homed: core-2 is the other uplink)
DOWN = 'ALERTS{{alertname="OspfNeighborDown",alertstate="firing",device="{device}",ospfNbrRtrId="{rid}"}}'


@pytest.fixture(scope="module")
def stack(lab, tmp_path_factory):
    inv = load_inventory(lab.inventory)
    if lab_igp(inv) != "ospf":
        pytest.skip("the shared lab runs static routes (GOVOPS_LAB_IGP=static)")
    s = MonitoringStack(lab, tmp_path_factory.mktemp("ospf-monitoring"))
    with s:
        s.start(inv, {"snmp": []}, interval=3.0, alert_for={"OspfNeighborDown": "3s", "Ospfv3NeighborDown": "3s"})
        s.wait_until_up(inv, timeout=90)
        yield s, inv
    assert not s.procs  # every process we started is stopped


def planned(inv, name: str) -> set[str]:
    return {str(inv.devices[far.device].router_id) for _, _, far in inv.links_of(name)}


def neighbour_states(s, name: str) -> dict[str, float]:
    """ospfNbrRtrId -> ospfNbrState, from the exporter's `ospf` module (one real SNMP scrape)."""
    text = s.curl(f"http://{s.ports['snmp']}/snmp?target={name}&module=ospf&auth=v3")
    return {sample.labels["ospfNbrRtrId"]: sample.value for fam in text_string_to_metric_families(text)
            if fam.name == "ospfNbrState" for sample in fam.samples}


def test_every_planned_adjacency_is_full_in_the_ospf_module(stack):
    s, inv = stack
    for name in inv.devices:
        want = {rid: 8.0 for rid in planned(inv, name)}
        got = wait_for(f"{name}: every planned OSPF neighbour Full over SNMP",
                       lambda n=name, w=want: (st := neighbour_states(s, n)) == w and st, timeout=30)
        assert got == want, name


def test_uplink_fault_fires_ospf_neighbor_down_and_clear_resolves_it(stack):
    s, inv = stack
    core, agg = (inv.devices[n] for n in ("core-1", "fy-agg-1"))
    total = sum(len(planned(inv, n)) for n in inv.devices)
    wait_for("every adjacency Full in Prometheus",
             lambda: len(s.query('ospfNbrState{job="snmp_ospf"} == 8')) == total, timeout=30)
    assert not s.query('ALERTS{alertname="OspfNeighborDown"}')
    # The NOC dashboard's adjacencies-per-tier panel has a line for every tier of the lab.
    board = json.loads((OUT / "noc-overview.json").read_text())
    expr = next(e for t, e in panel_queries(board) if t.startswith("OSPF neighbours Full") and "ospfNbrState" in e)
    assert {r["metric"]["tier"] for r in s.query(expr)} == {d.role for d in inv.devices.values()}
    alerts = [DOWN.format(device="core-1", rid=agg.router_id), DOWN.format(device="fy-agg-1", rid=core.router_id)]
    try:
        lab_cli("fault", "link", UPLINK, "down", prefix=s.lab.prefix)
        for expr in alerts:
            wait_for(f"{expr} in Prometheus", lambda e=expr: s.query(e), timeout=30)
        # Only that link's two ends: Fenyi's other uplink (core-2) and every other adjacency stay Full.
        firing = s.query('ALERTS{alertname="OspfNeighborDown",alertstate="firing"}')
        assert {(a["metric"]["device"], a["metric"]["ospfNbrRtrId"]) for a in firing} == {
            ("core-1", str(agg.router_id)), ("fy-agg-1", str(core.router_id))}, firing
        # Alertmanager's key for a dead router's DeviceUnreachable to inhibit these (alertmanager.yml)
        assert all(a["metric"].get("ospf_router_id") == a["metric"]["ospfNbrRtrId"] for a in firing), firing
    finally:
        lab_cli("fault", "clear", prefix=s.lab.prefix)
    wait_for("OspfNeighborDown resolved after `fault clear`",
             lambda: not s.query('ALERTS{alertname="OspfNeighborDown"}'), timeout=40)
    from tests.lab.routing.test_ospf import wait_uplink_ospf3_full

    wait_uplink_ospf3_full(s.lab.prefix, timeout=40)  # leave the lab as found: OSPFv3 on the uplink too


def test_ospf_mib_comes_back_after_snmpd_restarts(stack):
    """snmpd starts after FRR and the `snmp` fault restarts it: the sub-agents reconnect by themselves,
    within a few of lab/frr.py's AGENTX_PING_S (2 s) and a scrape (net-snmp's default interval is 15 s,
    longer than this test waits)."""
    s, inv = stack
    want = {rid: 8.0 for rid in planned(inv, "ys-agg-1")}
    try:
        lab_cli("fault", "snmp", "ys-agg-1", "stop", prefix=s.lab.prefix)
    finally:
        lab_cli("fault", "snmp", "ys-agg-1", "start", prefix=s.lab.prefix)
    wait_for("ys-agg-1's OSPF neighbours over SNMP again", lambda: neighbour_states(s, "ys-agg-1") == want, timeout=12)


def test_ospfv3_neighbour_full_with_router_id_and_interface(stack):
    """OSPFv3 on one link (the upgrade's, or turned on by hand as tests/lab/routing/test_ospf.py does
    and taken back off when the lab is not upgraded): OSPFV3-MIB through ospf6d's sub-agent gives the neighbour Full with its router id and
    the vendor's ifName."""
    from concurrent.futures import ThreadPoolExecutor

    from pyroute2 import netns

    from network import session
    from tests.lab.routing.test_ospf import V3, _v3_lines

    s, inv = stack

    def cli(name: str, lines: list[str] | None = None, show: str = "") -> str:
        netns.setns(s.lab.mgmt_netns)
        conn = session.open_session(inv.devices[name], session.SessionOptions(known_hosts=s.lab.known_hosts))
        try:
            return conn.send_config_set(lines, cmd_verify=False, read_timeout=60) if lines else \
                conn.send_command(show, read_timeout=60)
        finally:
            conn.disconnect()

    def v3_states() -> list[tuple[dict, float]]:
        text = s.curl(f"http://{s.ports['snmp']}/snmp?target=ys-lf-acc-1&module=ospf&auth=v3")
        return [(x.labels, x.value) for fam in text_string_to_metric_families(text)
                if fam.name == "ospfv3NbrState" for x in fam.samples]

    with ThreadPoolExecutor(max_workers=1) as pool:
        def call(*args):  # noqa: ANN002, ANN202
            return pool.submit(cli, *args).result(timeout=120)

        before = {name: call(name, None, "display current-configuration") for name in V3}
        # In the full suite the upgrade has brought OSPFv3 (tests/lab/order.py): read that one, never
        # type over it (the undo would take the upgrade's OSPFv3 off). Alone: on by hand, then off.
        by_hand = not any("\nospfv3 " in f"\n{text}" for text in before.values())
        timers = {name: (plan_ospf(inv)[name].hello, plan_ospf(inv)[name].dead) for name in V3}
        try:
            for name in V3 if by_hand else ():
                call(name, _v3_lines(before[name], name, undo=False, timers=timers[name]))
            got = wait_for("ys-lf-acc-1's OSPFv3 neighbour Full over SNMP",
                           lambda: [r for r in v3_states() if r[1] == 8], timeout=40)
        finally:
            for name in V3 if by_hand else ():
                call(name, _v3_lines(before[name], name, undo=True, timers=timers[name]))
    (labels, _), = got
    assert labels["ospfv3NbrRtrId"] == V3["ys-agg-1"][3] and labels["ifName"] == V3["ys-lf-acc-1"][0], labels
    assert labels["ospfv3NbrAddress"].startswith("fe80::"), labels
