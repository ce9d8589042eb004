"""OSPF neighbour tables: each vendor's template reads its real samples (tests/fixtures/real) field by field."""

from __future__ import annotations

import pytest
import yaml

from govops import vendors
from govops.vendors import parsing
from tests.paths import ROOT

REAL = ROOT / "tests" / "fixtures" / "real"


def rows(platform: str, key: str, sample: str) -> list[dict]:
    return parsing.parse(vendors.get(platform), key, (REAL / platform / sample).read_text())


def test_vrp5_brief_both_layouts() -> None:
    guide = rows("huawei", "ospf_peer", "display_ospf_peer_brief/hcia_lab_guide.raw")
    assert [(r["area"], r["interface"], r["neighbor_id"], r["state"]) for r in guide] == [
        ("0.0.0.0", "GigabitEthernet0/0/0", "10.0.3.3", "Full"), ("0.0.0.0", "GigabitEthernet0/0/1", "10.0.2.2", "Full")]
    assert guide[0]["router_id"] == "10.0.1.1" and guide[0]["process"] == "1"
    tabs = rows("huawei", "ospf_peer", "display_ospf_peer_brief/ensp_switch_capture.raw")
    assert [(r["interface"], r["neighbor_id"]) for r in tabs] == [("Vlanif100", "192.168.10.254")]


def test_vrpv8_brief_with_totals_and_two_areas() -> None:
    doc = rows("huawei_vrpv8", "ospf_peer", "display_ospf_peer_brief/ce6800_doc.raw")
    assert [(r["area"], r["interface"], r["state"]) for r in doc] == [("0.0.0.0", "100GE1/0/7", "Full"),
                                                                     ("0.0.0.1", "100GE1/0/8", "Full")]
    mlag = rows("huawei_vrpv8", "ospf_peer", "display_ospf_peer_brief/ce6800_mlag_doc.raw")
    assert len(mlag) == 3 and mlag[2]["neighbor_id"] == "192.168.1.4" and mlag[0]["router_id"] == "192.168.1.2"


def test_vrpv8_ospfv3_peer() -> None:
    doc = rows("huawei_vrpv8", "ospfv3_peer", "display_ospfv3_peer/ce6800_doc.raw")
    assert [(r["area"], r["neighbor_id"], r["state"], r["interface"]) for r in doc] == [
        ("0.0.0.0", "2.2.2.2", "Full/Backup", "Vlanif100")]
    p2p = rows("huawei_vrpv8", "ospfv3_peer", "display_ospfv3_peer/ce6800_doc_interface.raw")
    assert p2p[0]["state"] == "Full/ -" and p2p[0]["interface"] == "100GE1/0/1"


def test_comware_peer_per_area() -> None:
    two = rows("hp_comware", "ospf_peer", "display_ospf_peer/lab_capture_two_areas.raw")
    assert [(r["area"], r["neighbor_id"], r["address"], r["state"], r["interface"]) for r in two] == [
        ("0.0.0.0", "2.2.2.2", "100.1.1.2", "Full/BDR", "GE0/0"), ("0.0.0.1", "4.4.4.4", "100.3.3.4", "Full/DR", "GE0/1")]
    p2p = rows("hp_comware", "ospf_peer", "display_ospf_peer/lab_capture_p2p.raw")
    assert [r["state"] for r in p2p] == ["Full/ -"] * 3 and p2p[1]["neighbor_id"] == "111.111.111.111"


@pytest.mark.parametrize("platform", ["ruijie_os", "zte_zxros"])
def test_cisco_like_neighbor_table_uses_ntc(platform: str) -> None:
    v = vendors.get(platform)
    assert v.commands["ospf_peer"] == "show ip ospf neighbor" and "ospf_peer" in v.unverified
    text = ("Neighbor ID     Pri   State           Dead Time   Address         Interface\n"
            "10.0.0.1          0   FULL/  -        00:00:32    10.0.1.1        Port-channel1\n")  # ntc-templates tests/cisco_ios/show_ip_ospf_neighbor
    assert parsing.parse(v, "ospf_peer", text)[0]["neighbor_id"] == "10.0.0.1"


@pytest.mark.parametrize("folder", sorted(p for p in REAL.glob("*/display_ospf*") if p.is_dir()), ids=str)
def test_ospf_samples_have_provenance(folder) -> None:
    prov = yaml.safe_load((folder / "PROVENANCE.yml").read_text())
    for raw in folder.glob("*.raw"):
        assert {"source", "licence", "model", "software"} <= set(prov["samples"][raw.name])
