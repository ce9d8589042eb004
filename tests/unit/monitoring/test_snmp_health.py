"""Vendor health module on real SNMP recordings (tests/fixtures/real/snmp/health/, LibreNMS, GPL-3.0).

The recordings are fed to each module exactly as the transport would hand them over (column
OID → {index → value}); what the NOC would see is asserted: which boards and ports get a
series, their entPhysicalName/port labels and values in the MIB's real units.
"""

from __future__ import annotations

import os
import shutil

import pytest

from monitoring.lint import promtool_findings
from monitoring.snmp.collector import Scraper, StaticCache, Target
from monitoring.snmp.exposition import render
from monitoring.snmp.health import HEALTH_MODULES, RuijieHealth, ZteHealth, uw_to_dbm
from monitoring.snmp.mapping import IF_NAME, MODULES, InterfaceLabels
from monitoring.snmp.transport import Credentials, Endpoint, SnmpClient
from tests.paths import ROOT
from tests.snmp_agents import COMMUNITY, AgentNamespace, run_in_namespace
from tests.snmp_recordings import load, overrides

MIBS = ROOT / "tests" / "fixtures" / "real" / "snmp" / "mibs"


def table_and_scalars(module: str, recording: str) -> tuple[dict, dict]:
    """The recording as the transport hands it to a module: walked columns and GET scalars."""
    mod = MODULES[module]
    rows = load(recording)
    table: dict = {}
    for oid, value in rows.items():
        for col in (*mod.walks, IF_NAME):
            if oid[:len(col)] == col and len(oid) > len(col):
                table.setdefault(col, {})[oid[len(col):]] = value
    return table, {oid: rows[oid] for oid in mod.gets if oid in rows}


def scrape(module: str, recording: str) -> dict[str, list[tuple[dict, float]]]:
    """{family: [(labels, value)]} the module makes of a recording."""
    table, scalars = table_and_scalars(module, recording)
    ifl = InterfaceLabels({IF_NAME: table.get(IF_NAME, {})})
    return {f.name: [(s.labels, s.value) for s in f.samples] for f in MODULES[module].to_metrics(table, scalars, ifl)}


def by(samples, label="entPhysicalName"):
    return {labels[label]: value for labels, value in samples}


def test_every_platform_with_a_health_module_is_registered():
    from monitoring.snmp.mapping import HEALTH_MODULE
    assert set(HEALTH_MODULE) == {"huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros"}
    assert all(HEALTH_MODULE[p] in MODULES for p in HEALTH_MODULE)
    assert {m.name for m in HEALTH_MODULES} <= set(MODULES)


def test_huawei_s5720_only_the_board_with_a_cpu_gets_series_out_of_82_entities():
    fams = scrape("huawei", "huawei_s5720.snmprec")
    # hwEntityStateTable has 82 rows; 81 have hwEntityCpuUsageThreshold 0 and read 0 (no CPU).
    assert fams["govops_health_cpu_usage_percent"] == [
        ({"entPhysicalIndex": "67108873", "entPhysicalName": "MPU Board 0"}, 44)]
    assert by(fams["govops_health_memory_usage_percent"]) == {"MPU Board 0": 9}
    assert by(fams["govops_health_temperature_celsius"]) == {"MPU Board 0": 42}
    assert by(fams["govops_health_temperature_threshold_celsius"]) == {"MPU Board 0": 57}


def test_huawei_vrp5_optical_power_is_microwatts_and_empty_cages_are_skipped():
    fams = scrape("huawei", "huawei_s5720.snmprec")
    rx = by(fams["govops_health_optical_rx_power_dbm"], "port")
    # 53 ports in hwOpticalModuleInfoTable, 3 with a transceiver (-1 = none). 536 µW = -2.71 dBm.
    assert rx == {"XGigabitEthernet0/0/1": -2.71, "XGigabitEthernet0/0/2": -2.19, "XGigabitEthernet0/0/4": -2.4}
    assert by(fams["govops_health_optical_tx_power_dbm"], "port")["XGigabitEthernet0/0/1"] == -2.28
    # Thresholds are dBm x 100 on the same device (MIB text): the reading sits inside them.
    assert by(fams["govops_health_optical_rx_low_threshold_dbm"], "port")["XGigabitEthernet0/0/1"] == -12.69
    assert by(fams["govops_health_optical_rx_high_threshold_dbm"], "port")["XGigabitEthernet0/0/1"] == 2.5
    labels = fams["govops_health_optical_rx_power_dbm"][0][0]
    assert labels == {"index": "67469390", "port": "XGigabitEthernet0/0/1"}


def test_huawei_vrp5_negative_optical_power_is_hundredths_of_dbm_and_zero_without_bias_is_no_module():
    fams = scrape("huawei", "huawei_ar169.snmprec")
    assert by(fams["govops_health_optical_rx_power_dbm"], "port") == {"GigabitEthernet0/0/4": -8.49}
    assert by(fams["govops_health_optical_tx_power_dbm"], "port") == {"GigabitEthernet0/0/4": -5.75}


def test_huawei_vrp8_optical_power_is_hundredths_of_dbm_even_when_positive():
    fams = scrape("huawei", "huawei_ne8000.snmprec")
    tx = by(fams["govops_health_optical_tx_power_dbm"], "port")
    rx = by(fams["govops_health_optical_rx_power_dbm"], "port")
    assert tx["GigabitEthernet0/7/0"] == 2.56  # = hwEntityOpticalMaxTxPower, inside -1.5..4.5 dBm
    assert rx["GigabitEthernet0/7/3"] == -40.0  # laser on, no light received: what RxPowerLow must see
    assert len(rx) == 9


def test_huawei_vrp8_boards_cpu_and_temperatures_of_line_cards_and_power_supplies():
    fams = scrape("huawei", "huawei_ne8000.snmprec")
    assert by(fams["govops_health_cpu_usage_percent"]) == {"NetEngine 8000 M8 frame": 58, "CR81IPU480AS 10": 58}
    assert by(fams["govops_health_temperature_celsius"]) == {
        "CR51LAXFE0 0/7": 49, "CR51LAXFE0 0/8": 57, "CR81IPU480AS 10": 44, "POWER 11": 33, "POWER 12": 37}
    assert by(fams["govops_health_temperature_threshold_celsius"]) == {
        "CR51LAXFE0 0/7": 105, "CR51LAXFE0 0/8": 105, "CR81IPU480AS 10": 90, "POWER 11": 120, "POWER 12": 120}


def test_h3c_boards_are_the_entities_using_memory():
    fams = scrape("h3c", "h3c_hp10508.snmprec")
    cpu = by(fams["govops_health_cpu_usage_percent"])
    assert cpu["Master Board 4"] == 21 and cpu["Board 0"] == 6
    assert len(cpu) == 11 and len(fams["govops_health_memory_usage_percent"]) == 11  # of 322 rows
    temps = by(fams["govops_health_temperature_celsius"])
    assert len(temps) == 27 and temps["sensor 0.13.4"] == 57  # 65535 = no sensor


def test_h3c_temperature_only_from_sensors_and_boards():
    # The A5500 (Comware 5) repeats one reading on all 44 entities, ports and slots included.
    fams = scrape("h3c", "h3c_a5500.snmprec")
    assert by(fams["govops_health_temperature_celsius"]) == {"Board": 38, "Sensor1": 38, "SubCard0": 38}
    assert by(fams["govops_health_cpu_usage_percent"]) == {"Board": 8}


def test_h3c_temperature_threshold_only_where_the_device_has_one():
    fams = scrape("h3c", "h3c_hpe5900.snmprec")
    assert by(fams["govops_health_temperature_celsius"]) == {
        "Board": 42, "SENSOR 1": 42, "SENSOR 2": 36, "SENSOR 3": 35, "SubCard0": 42}
    # 65535 on the boards: no threshold series rather than a 65535 °C one.
    assert by(fams["govops_health_temperature_threshold_celsius"]) == {"SENSOR 1": 65, "SENSOR 2": 65, "SENSOR 3": 67}


def test_h3c_transceiver_power_is_hundredths_of_dbm_labelled_with_ifname():
    fams = scrape("h3c", "h3c_hp10508.snmprec")
    rx = by(fams["govops_health_optical_rx_power_dbm"], "port")
    assert rx["Ten-GigabitEthernet9/0/10"] == -10.05
    assert "Ten-GigabitEthernet9/0/16" not in rx  # 2147483647, no diagnostics
    assert fams["govops_health_optical_rx_power_dbm"][0][0] == {"index": "13", "port": "Ten-GigabitEthernet9/0/10"}


def test_h3c_invalid_power_and_zero_thresholds_give_no_series():
    fams = scrape("h3c", "h3c_hpe5900.snmprec")
    for name in ("govops_health_optical_rx_power_dbm", "govops_health_optical_rx_low_threshold_dbm"):
        assert fams[name] == []


def test_h3c_rx_thresholds_are_tenths_of_microwatts():
    mod = MODULES["h3c"]
    table = {mod.RX: {(7,): -1005}, mod.DIAGNOSTIC: {(7,): 1}, mod.RX_LOW: {(7,): 100}, mod.RX_HIGH: {(7,): 10000}}
    fams = {f.name: f for f in mod.to_metrics(table, {}, InterfaceLabels({IF_NAME: {(7,): b"Ten-GigabitEthernet1/0/7"}}))}
    assert fams["govops_health_optical_rx_low_threshold_dbm"].samples[0].value == -20.0  # 10 µW
    assert fams["govops_health_optical_rx_high_threshold_dbm"].samples[0].value == 0.0  # 1 mW


def test_ruijie_per_node_tables_from_the_mib():
    """unverified: no public RGOS recording has these tables; OIDs and scales from the MIB text."""
    mib = (MIBS / "RUIJIE.excerpt").read_text()
    assert "{ ruijieNodeCPUTotalEntry 4 }" in mib and "returns to 0" in mib
    mod = RuijieHealth()
    table = {mod.CPU_NAME: {(1,): b"slot 1"}, mod.CPU_1MIN: {(1,): 17},
             mod.MEM_NAME: {(1,): b"slot 1"}, mod.MEM_CURRENT: {(1,): 63},
             mod.TEMP_NAME: {(1,): b"CPU", (2,): b"PHY"}, mod.TEMP_CURRENT: {(1,): 48, (2,): 0},
             mod.TEMP_WARNING: {(1,): 85, (2,): 85}}
    fams = {f.name: [(s.labels, s.value) for s in f.samples] for f in mod.to_metrics(table, {}, None)}
    assert fams["govops_health_cpu_usage_percent"] == [({"entPhysicalIndex": "1", "entPhysicalName": "slot 1"}, 17)]
    assert by(fams["govops_health_memory_usage_percent"]) == {"slot 1": 63}
    assert by(fams["govops_health_temperature_celsius"]) == {"CPU": 48}  # 0 = not supported (MIB)
    assert by(fams["govops_health_temperature_threshold_celsius"]) == {"CPU": 85}
    assert mod.CPU_1MIN == (1, 3, 6, 1, 4, 1, 4881, 1, 1, 10, 2, 36, 1, 2, 1, 4)


def test_zte_units_memory_both_readings_and_slot_temperature():
    """unverified: the public ZXR10 recordings hold no ZTE private table; from ZXR10-MIB text."""
    mib = (MIBS / "ZXR10-MIB.excerpt").read_text()
    assert "{ zxr10SystemUnitEntry 12}" in mib and "{ zxr10slotEntry 10 }" in mib
    mod = ZteHealth()
    table = {mod.RUN_STATUS: {(1,): 1, (2,): 0}, mod.CPU_5MIN: {(1,): 12, (2,): 0},
             mod.MEM_SIZE: {(1,): 1073741824, (2,): 1073741824}, mod.MEM_USED: {(1,): 536870912, (2,): 0},
             mod.SLOT_TEMPERATURE: {(1, 1, 3): 41, (1, 1, 4): 0}}
    fams = {f.name: [(s.labels, s.value) for s in f.samples] for f in mod.to_metrics(table, {}, None)}
    assert fams["govops_health_cpu_usage_percent"] == [({"entPhysicalIndex": "1", "entPhysicalName": "unit 1"}, 12)]
    assert by(fams["govops_health_memory_usage_percent"]) == {"unit 1": 50.0}  # octets / bytes (MIB)
    table[mod.MEM_USED] = {(1,): 37}  # what LibreNMS zxr10.yaml expects: a percentage
    fams = {f.name: [(s.labels, s.value) for s in f.samples] for f in mod.to_metrics(table, {}, None)}
    assert by(fams["govops_health_memory_usage_percent"]) == {"unit 1": 37}
    assert by(fams["govops_health_temperature_celsius"]) == {"rack 1 shelf 1 slot 3": 41}
    del table[mod.RUN_STATUS]  # an agent without zxr10SystemUnitRunStatus: every unit counts
    fams = {f.name: [(s.labels, s.value) for s in f.samples] for f in mod.to_metrics(table, {}, None)}
    assert by(fams["govops_health_cpu_usage_percent"]) == {"unit 1": 12, "unit 2": 0}


@pytest.mark.parametrize("module", ["huawei", "h3c", "ruijie", "zte"])
def test_agent_without_the_vendor_mib_gives_empty_families(module):
    fams = list(MODULES[module].to_metrics({}, {}, InterfaceLabels({})))
    assert fams and all(not f.samples for f in fams)


def test_non_numeric_varbind_is_skipped_and_counted_not_raised():
    from monitoring.snmp.mapping import SCRAPE_ERRORS
    mod = MODULES["huawei"]
    table = {mod.CPU: {(9,): b"N/A", (10,): 30}, mod.CPU_THRESHOLD: {(9,): 90, (10,): 90}}
    errors: list = []
    token = SCRAPE_ERRORS.set(errors)
    try:
        fams = {f.name: f for f in mod.to_metrics(table, {}, None)}
    finally:
        SCRAPE_ERRORS.reset(token)
    assert [s.value for s in fams["govops_health_cpu_usage_percent"].samples] == [30]
    assert errors == [".1.3.6.1.4.1.2011.5.25.31.1.1.1.1.5.9=b'N/A'"]


def test_gbk_entity_name_is_decoded():
    mod = MODULES["huawei"]
    name = "主控板 0".encode("gbk")
    table = {mod.CPU: {(9,): 30}, mod.CPU_THRESHOLD: {(9,): 90}, (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 7): {(9,): name}}
    fams = {f.name: f for f in mod.to_metrics(table, {}, None)}
    assert fams["govops_health_cpu_usage_percent"].samples[0].labels["entPhysicalName"] == "主控板 0"


def test_uw_to_dbm():
    assert uw_to_dbm(1000) == 0 and round(uw_to_dbm(536), 2) == -2.71 and uw_to_dbm(0) == -40


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian prometheus) not installed")
@pytest.mark.parametrize(("module", "recording"), [("huawei", "huawei_ne8000.snmprec"),
                                                 ("h3c", "h3c_hp10508.snmprec")])
def test_health_exposition_passes_promtool_check_metrics(module, recording):
    fams = list(MODULES[module].to_metrics(*table_and_scalars(module, recording), InterfaceLabels({})))
    assert sum(len(f.samples) for f in fams) > 10
    assert promtool_findings(render(fams)) == []


def test_rules_and_noc_dashboard_use_only_series_the_module_emits():
    import json
    import re

    from monitoring.dashboards import OUT, panel_queries
    emitted = {f.name for f in MODULES["huawei"].to_metrics({}, {}, None)}
    rules = (ROOT / "monitoring" / "prometheus" / "rules" / "health.yml").read_text()
    board = json.loads((OUT / "noc-overview.json").read_text())
    health_panels = [(t, e) for t, e in panel_queries(board) if "govops_health_" in e]
    assert len(health_panels) >= 8
    used = set(re.findall(r"govops_health_\w+", rules + " ".join(e for _, e in health_panels)))
    assert used and used <= emitted, used - emitted
    titles = [p["title"] for p in board["panels"] if p.get("type") == "row"]
    assert "Device health" in titles


@pytest.mark.lab
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (a network namespace for the agent)")
@pytest.mark.skipif(not shutil.which("snmpd"), reason="net-snmp snmpd needed")
def test_real_agent_serving_the_s5720_recording_scrapes_to_the_same_series():
    """End to end: net-snmp serves the S5720's rows, the exporter's real transport walks them."""
    ns = AgentNamespace("hf-health-unit")
    try:
        ns.create(ipv6=False)
        ns.add_agent("s5720", 1171, overrides=overrides("huawei_s5720.snmprec"))
        got = run_in_namespace("hf-health-unit", _scrape_summary, 1171)
    finally:
        ns.close()
    assert got["snmp_up"] == [({}, 1.0)]
    expected = scrape("huawei", "huawei_s5720.snmprec")
    for name, samples in expected.items():
        assert got[name] == [(labels, float(v)) for labels, v in samples], name
    assert len(got["govops_health_cpu_usage_percent"]) == 1 and len(got["govops_health_optical_rx_power_dbm"]) == 3


async def _scrape_summary(port: int):
    target = Target("s5720", Endpoint("127.0.0.1", port), Credentials(2, community=COMMUNITY))
    fams = await Scraper(SnmpClient(), StaticCache()).scrape(target, [MODULES["huawei"]], 8.0)
    return {f.name: [(dict(s.labels), float(s.value)) for s in f.samples] for f in fams}


