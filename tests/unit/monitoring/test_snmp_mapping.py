"""Metric mapping of the SNMP exporter: MIB tables → snmp_exporter-compatible families."""

from __future__ import annotations

import shutil

import pytest

from monitoring.lint import promtool_findings
from monitoring.snmp.collector import _scrape_metrics
from monitoring.snmp.exposition import render
from monitoring.snmp.mapping import (
    IF_ALIAS,
    IF_DESCR,
    IF_HIGH_SPEED,
    IF_NAME,
    IP_ADDRESS_IF_INDEX,
    IP_IF_STATS,
    MODULES,
    SYS_DESCR,
    SYS_NAME,
    SYS_OBJECT_ID,
    SYS_UPTIME,
    InterfaceLabels,
)
from monitoring.snmp.transport import WalkStats

IFX = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)
IFT = (1, 3, 6, 1, 2, 1, 2, 2, 1)

STATIC = {
    IF_DESCR: {(1,): b"lo", (2,): b"GigabitEthernet0/1/0"},
    IF_NAME: {(1,): b"lo", (2,): b"GigabitEthernet0/1/0"},
    IF_ALIAS: {(2,): b'to core-2 "A"'},
    IF_HIGH_SPEED: {(1,): 0, (2,): 1000},
}


def table():
    v6 = (2, 16, 0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
    v6b = (2, 16, 0x20, 0x01, 0x0D, 0xB8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3)
    link_local = (2, 16, 0xFE, 0x80) + (0,) * 11 + (7,)
    v4 = (1, 4, 198, 18, 0, 11)
    return {
        **STATIC,
        IFX + (6,): {(1,): 100, (2,): 2**63 + 5},
        IFT + (14,): {(2,): 7},
        IFT + (8,): {(1,): 1, (2,): 2},
        IP_IF_STATS + (6,): {(1, 2): 10, (2, 2): 99},  # ipVersion 1 is IPv4: ignored
        IP_ADDRESS_IF_INDEX: {v6: 2, v6b: 2, link_local: 2, v4: 2},
    }


def families(module: str, scalars=None):
    return {f.name: f for f in MODULES[module].to_metrics(table(), scalars or {}, InterfaceLabels(STATIC))}


def test_if_mib_uses_snmp_exporter_names_and_interface_labels():
    fams = families("if_mib")
    octets = fams["ifHCInOctets"]
    assert octets.type == "unknown"  # untyped: keeps the MIB name without `_total`
    sample = {s.labels["ifIndex"]: s for s in octets.samples}["2"]
    assert sample.labels == {"ifIndex": "2", "ifName": "GigabitEthernet0/1/0", "ifDescr": "GigabitEthernet0/1/0",
                             "ifAlias": 'to core-2 "A"'}
    assert sample.value == float(2**63 + 5)
    assert {s.labels["ifIndex"]: s.value for s in fams["ifOperStatus"].samples} == {"1": 1, "2": 2}
    assert fams["ifOperStatus"].type == "gauge"
    assert [s.value for s in fams["ifHighSpeed"].samples] == [0, 1000]
    assert [s.value for s in fams["ifInErrors"].samples] == [7]


def test_ipv6_module_keeps_ipv6_rows_and_counts_global_addresses_per_interface():
    fams = families("ipv6")
    assert [(s.labels["ifName"], s.value) for s in fams["ipIfStatsHCInOctets"].samples] == [("GigabitEthernet0/1/0", 99)]
    counts = fams["ipv6AddressCount"].samples
    assert [(s.labels["ifIndex"], s.value) for s in counts] == [("2", 2)]  # link-local and IPv4 not counted


def test_system_module_info_metric():
    scalars = {SYS_UPTIME: 12345, SYS_NAME: b"core-1",
               SYS_DESCR: b"Huawei VRP", SYS_OBJECT_ID: (1, 3, 6, 1, 4, 1, 2011, 2, 62, 2, 9)}
    fams = families("system", scalars)
    assert fams["sysUpTime"].samples[0].value == 12345
    assert fams["snmp_system_info"].samples[0].labels == {
        "sysName": "core-1", "sysDescr": "Huawei VRP", "sysObjectID": ".1.3.6.1.4.1.2011.2.62.2.9"}


@pytest.mark.parametrize("module", ["huawei", "h3c"])
def test_vendor_health_absent_on_agent_gives_no_series(module):
    fams = families(module)
    assert fams and all(not f.samples for f in fams.values())


# Vendor health on real recordings (entPhysicalName labels, zero entities skipped):
# tests/unit/monitoring/test_snmp_health.py.


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian prometheus) not installed")
def test_promtool_check_metrics_is_clean_on_a_full_scrape():
    """Clean apart from camelCase MIB names (monitoring/lint.py says why)."""
    fams = [f for m in ("if_mib", "ipv6", "huawei") for f in families(m).values()]
    fams += list(MODULES["system"].to_metrics({}, {SYS_UPTIME: 1, SYS_NAME: b"x"}, None))
    stats = WalkStats(pdus=3, varbinds=30)
    text = render([*fams, *_scrape_metrics(1, 0.12, stats)])
    assert promtool_findings(text) == []
    assert b"snmp_up 1.0" in text


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian prometheus) not installed")
def test_lint_still_reports_real_problems():
    bad = b"# TYPE govops_thing counter\ngovops_thing 1\n# TYPE ifHCInOctets counter\nifHCInOctets 3\n"
    findings = promtool_findings(bad)
    assert any("govops_thing" in f for f in findings) and any("ifHCInOctets" in f and "_total" in f for f in findings)


def test_octet_string_labels_decode_utf8_then_gb18030():
    from monitoring.snmp.mapping import text

    assert text("上联-核心交换机".encode("gbk")) == "上联-核心交换机"  # GBK from Chinese gear
    assert text("上联-核心".encode()) == "上联-核心"  # UTF-8 stays UTF-8
    assert text(b"GigabitEthernet0/0/1\x00") == "GigabitEthernet0/0/1"


def test_a_value_that_is_not_a_number_is_skipped_and_counted():
    from monitoring.snmp.mapping import IF_TABLE, SCRAPE_ERRORS, InterfaceLabels

    table = {IF_TABLE + (8,): {(1,): 1, (2,): b"N/A", (3,): b" 2"}}
    errors: list[str] = []
    token = SCRAPE_ERRORS.set(errors)
    try:
        fams = {f.name: f for f in MODULES["if_mib"].to_metrics(table, {}, InterfaceLabels({}))}
    finally:
        SCRAPE_ERRORS.reset(token)
    assert [(s.labels["ifIndex"], s.value) for s in fams["ifOperStatus"].samples] == [("1", 1.0), ("3", 2.0)]
    assert len(errors) == 1 and "N/A" in errors[0]
