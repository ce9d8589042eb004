"""IF-MIB naming per vendor, checked against real agents' recordings (tests/fixtures/real/snmp/),
and the generated uplink rules that must join on the ifName those agents report."""

from __future__ import annotations

from pathlib import Path

import pytest

from govops.vendors.snmp_naming import NAMING, if_descr, if_name
from monitoring.promconfig import uplinks

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "real" / "snmp"
IF_DESCR, IF_NAME = "1.3.6.1.2.1.2.2.1.2.", "1.3.6.1.2.1.31.1.1.1.1."


def recording(platform: str) -> dict[int, tuple[str, str]]:
    """ifIndex -> (ifDescr, ifName) from a real snmprec excerpt."""
    descr, name = {}, {}
    for line in (REAL / platform / "if-mib.snmprec").read_text().splitlines():
        oid, _type, value = line.split("|", 2)
        for prefix, into in ((IF_DESCR, descr), (IF_NAME, name)):
            if oid.startswith(prefix):
                into[int(oid[len(prefix):])] = value
    assert descr and descr.keys() == name.keys()
    return {i: (descr[i], name[i]) for i in descr}


@pytest.mark.parametrize("platform", ["ruijie_os", "hp_comware", "huawei"])
def test_if_name_and_descr_match_the_real_agent(platform):
    for _index, (descr, name) in recording(platform).items():
        assert if_descr(platform, descr) == descr
        assert if_name(platform, descr) == name, f"{platform}: ifDescr {descr!r} is ifName {name!r} on real gear"


def test_every_platform_says_where_its_naming_comes_from():
    for n in NAMING.values():
        assert n.source and ("unverified" in n.source) != n.verified


def test_unknown_platform_or_interface_type_is_a_clear_error():
    with pytest.raises(ValueError, match="no IF-MIB naming known for platform 'cisco_ios'"):
        if_name("cisco_ios", "GigabitEthernet0/1")
    with pytest.raises(ValueError, match="ruijie_os: no ifName abbreviation known for interface 'Widget 0/1'"):
        if_name("ruijie_os", "Widget 0/1")


def test_ruijie_uplink_rule_carries_the_ifname_the_agent_reports(lab_inventory):
    ups = {(u["device"], u["interface"]): u for u in uplinks(lab_inventory)}
    ruijie = ups[("fy-yq-acc-1", "GigabitEthernet 0/1")]
    assert ruijie["ifName"] == "Gi0/1"  # real RGOS ifName; the SoT/CLI long form never appears in ifName
    assert ups[("fy-agg-1", "GigabitEthernet0/0/1")]["ifName"] == "GigabitEthernet0/0/1"  # Huawei: long form
    assert ups[("fy-fyz-acc-1", "gei-0/1/0/1")]["ifName"] == "gei-0/1/0/1"


@pytest.fixture(scope="module")
def lab_inventory():
    from govops.sot import load_inventory
    return load_inventory(Path(__file__).resolve().parents[3] / "inventories" / "lab")
