"""snmpd per device: vendor names in IF-MIB, kernel counters, v2c and v3 authPriv, IPv4 and IPv6."""

from __future__ import annotations

import re
import time

import pytest

from govops.sot import load_inventory

pytestmark = pytest.mark.lab
IF_NAME = ".1.3.6.1.2.1.31.1.1.1.1"
IF_DESCR = ".1.3.6.1.2.1.2.2.1.2"
IF_HC_IN_OCTETS = ".1.3.6.1.2.1.31.1.1.1.6"
SYS_OBJECT_ID = ".1.3.6.1.2.1.1.2.0"


@pytest.fixture(scope="module")
def inv(lab):
    return load_inventory(lab.inventory)


def walk(lab, inv, device: str, oid: str, v3: bool = False, address: str | None = None) -> dict[int, str]:
    snmp = inv.devices[device].snmp
    auth = (["-v3", "-l", "authPriv", "-u", snmp.v3_user, "-a", "SHA", "-A", snmp.v3_auth_key,
             "-x", "AES", "-X", snmp.v3_priv_key] if v3 else ["-v2c", "-c", snmp.community])
    out = lab.exec_mgmt(["snmpbulkwalk", "-On", "-Oq", *auth, address or lab.mgmt_ipv4(device), oid],
                        env={"MIBS": ""}, timeout=30)
    assert out.returncode == 0, out.stderr
    rows = {}
    for line in out.stdout.splitlines():
        oid_text, _, value = line.partition(" ")
        rows[int(oid_text.rsplit(".", 1)[1])] = value.strip().strip('"')
    return rows


def test_if_mib_shows_vendor_interface_names(lab, inv):
    names = walk(lab, inv, "core-1", IF_NAME)
    assert {"GigabitEthernet0/1/0", "GigabitEthernet0/1/1", "GigabitEthernet0/1/7", "LoopBack0"} <= set(names.values())
    assert not {"ge0-1-0", "lo0"} & set(names.values())
    assert set(walk(lab, inv, "core-1", IF_DESCR).values()) >= {"GigabitEthernet0/1/0"}
    # Ruijie RGOS: ifName is the abbreviation, ifDescr the CLI form (tests/fixtures/real/snmp/ruijie_os).
    ruijie, ruijie_descr = walk(lab, inv, "fy-yq-acc-1", IF_NAME), walk(lab, inv, "fy-yq-acc-1", IF_DESCR)
    index = {v: k for k, v in ruijie_descr.items()}["GigabitEthernet 0/1"]
    assert ruijie[index] == "Gi0/1" and "GigabitEthernet 0/1" not in ruijie.values()


def test_counters_are_the_kernels_and_grow_with_traffic(lab, inv):
    index = {v: k for k, v in walk(lab, inv, "core-1", IF_NAME).items()}["GigabitEthernet0/1/0"]
    before = int(walk(lab, inv, "core-1", IF_HC_IN_OCTETS)[index])
    # 20 pings of 1000 bytes from core-2 arrive on core-1's GigabitEthernet0/1/0
    assert lab.run("core-2", ["ping", "-c", "20", "-i", "0.01", "-s", "1000", "-W", "1", "198.18.8.0"]).returncode == 0
    # snmpd caches interface statistics for a few seconds, as real agents do
    deadline = time.monotonic() + 15
    while (after := int(walk(lab, inv, "core-1", IF_HC_IN_OCTETS)[index])) - before < 20 * 1000:
        assert time.monotonic() < deadline, f"ifHCInOctets went only from {before} to {after}"
        time.sleep(1)


def test_v3_authpriv_and_ipv6_transport(lab, inv):
    names = walk(lab, inv, "ys-agg-1", IF_NAME, v3=True)
    assert "GigabitEthernet1/0/1" in names.values()
    v6 = walk(lab, inv, "ys-agg-1", IF_NAME, address=f"udp6:[{lab.mgmt_ipv6('ys-agg-1')}]")
    assert v6 == names


@pytest.mark.parametrize("device, enterprise", [("core-1", "2011"), ("core-2", "25506"),
                                                ("fy-yq-acc-1", "4881"), ("fy-fyz-acc-1", "3902")])
def test_sys_object_id_is_the_vendors(lab, inv, device, enterprise):
    out = lab.exec_mgmt(["snmpget", "-On", "-Oqv", "-v2c", "-c", inv.devices[device].snmp.community,
                         lab.mgmt_ipv4(device), SYS_OBJECT_ID, ".1.3.6.1.2.1.1.5.0"], env={"MIBS": ""})
    oid, name = out.stdout.split()
    assert re.match(rf"\.1\.3\.6\.1\.4\.1\.{enterprise}\.", oid)
    assert name.strip('"') == device


def test_wrong_community_gets_no_answer(lab):
    out = lab.exec_mgmt(["snmpget", "-v2c", "-c", "not-the-community", "-t", "0.5", "-r", "0",
                         lab.mgmt_ipv4("core-1"), ".1.3.6.1.2.1.1.5.0"], env={"MIBS": ""})
    assert out.returncode != 0 and "Timeout" in out.stderr


def test_every_generated_uplink_ifname_is_what_the_device_agent_reports(lab, inv):
    from monitoring.promconfig import uplinks

    by_device: dict[str, list[str]] = {}
    for u in uplinks(inv):
        by_device.setdefault(u["device"], []).append(u["ifName"])
    for device, names in by_device.items():
        reported = set(walk(lab, inv, device, IF_NAME).values())
        assert set(names) <= reported, f"{device}: govops:uplink:info ifName {names} not in the agent's ifName"
