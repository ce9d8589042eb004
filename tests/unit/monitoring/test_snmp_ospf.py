"""The SNMP exporter's `ospf` module on a real recording of FRR's AgentX sub-agents.

tests/fixtures/real/snmp/ospf/frr-8.4.4_fy-agg-1.snmprec is a walk of ospfNbrTable and
ospfv3NbrTable (see PROVENANCE.md there) from net-snmp 5.9.3 snmpd fed by Debian FRR 8.4.4's
ospfd/ospf6d (`frr-snmp`): four OSPFv2 neighbours Full, one OSPFv3 neighbour Full.
"""

from __future__ import annotations

import ipaddress
import shutil

import pytest

from monitoring.lint import promtool_findings
from monitoring.snmp.exposition import render
from monitoring.snmp.mapping import IF_NAME, MODULES, SCRAPE_ERRORS, InterfaceLabels
from tests.paths import ROOT

RECORDING = ROOT / "tests" / "fixtures" / "real" / "snmp" / "ospf" / "frr-8.4.4_fy-agg-1.snmprec"


def load(path=RECORDING) -> dict[tuple[int, ...], object]:
    """snmpsim rows as the transport hands them over: IpAddress (type 64) and hex strings as bytes."""
    rows: dict[tuple[int, ...], object] = {}
    for line in path.read_text().splitlines():
        oid, kind, value = line.split("|", 2)
        key = tuple(int(p) for p in oid.split("."))
        if kind == "64":
            rows[key] = ipaddress.IPv4Address(value).packed
        elif kind == "4x":
            rows[key] = bytes.fromhex(value)
        else:
            rows[key] = int(value)
    return rows


def table(rows) -> dict:
    out: dict = {}
    for oid, value in rows.items():
        for col in MODULES["ospf"].walks:
            if oid[:len(col)] == col and len(oid) > len(col):
                out.setdefault(col, {})[oid[len(col):]] = value
    return out


def scrape(rows, if_names=None):
    ifl = InterfaceLabels({IF_NAME: {(k,): v for k, v in (if_names or {}).items()}})
    return list(MODULES["ospf"].to_metrics(table(rows), {}, ifl))


def samples(fams, name):
    return [(s.labels, s.value) for f in fams if f.name == name for s in f.samples]


def test_ospfv2_neighbours_with_router_id_and_state():
    got = samples(scrape(load()), "ospfNbrState")
    assert {(lab["ospfNbrIpAddr"], lab["ospfNbrRtrId"]): v for lab, v in got} == {
        ("198.18.8.2", "198.18.4.1"): 8, ("198.18.8.4", "198.18.4.2"): 8,
        ("198.18.8.11", "198.18.4.31"): 8, ("198.18.8.13", "198.18.4.32"): 8}
    assert {lab["ospfNbrAddressLessIndex"] for lab, _ in got} == {"0"}


def test_ospfv3_neighbour_router_id_from_the_index_and_interface_name():
    got = samples(scrape(load(), {2: b"GigabitEthernet0/0/1"}), "ospfv3NbrState")
    assert got == [({"ospfv3NbrIfIndex": "2", "ifName": "GigabitEthernet0/0/1", "ospfv3NbrIfInstId": "0",
                     "ospfv3NbrRtrId": "198.18.4.1", "ospfv3NbrAddress": "fe80::1"}, 8)]


def test_a_neighbour_below_full_keeps_its_state_and_a_bad_value_is_skipped_and_counted():
    rows = load()
    rows[(1, 3, 6, 1, 2, 1, 14, 10, 1, 6, 198, 18, 8, 2, 0)] = 3          # init
    rows[(1, 3, 6, 1, 2, 1, 14, 10, 1, 6, 198, 18, 8, 4, 0)] = b"N/A"     # not a number
    errors: list = []
    token = SCRAPE_ERRORS.set(errors)
    try:
        got = {lab["ospfNbrRtrId"]: v for lab, v in samples(scrape(rows), "ospfNbrState")}
    finally:
        SCRAPE_ERRORS.reset(token)
    assert got["198.18.4.1"] == 3 and "198.18.4.2" not in got and len(errors) == 1


def test_no_ospf_on_the_agent_gives_empty_families():
    fams = scrape({})
    assert [f.name for f in fams] == ["ospfNbrState", "ospfv3NbrState"] and not any(f.samples for f in fams)


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian prometheus) not installed")
def test_exposition_is_promtool_clean():
    assert promtool_findings(render(scrape(load(), {2: b"GigabitEthernet0/0/1"}))) == []
