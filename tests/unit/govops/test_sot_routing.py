"""The OSPF design in the source of truth: the lab's plan, and each broken design named by file and key."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from govops.sot import load_inventory
from govops.sot.routing import plan_ospf, wildcard
from tests.paths import ROOT
from tests.unit.govops.sot_edits import TIER_KEY, assert_reported, edit_yaml, problems_of

A = ipaddress.IPv4Address


def _hosts(data: dict, tier: str) -> dict:
    return data["all"]["children"]["extranet"]["children"][tier]["hosts"]


def test_lab_plan_core_is_the_border_and_counties_have_their_areas() -> None:
    inv = load_inventory(ROOT / "inventories" / "lab")
    plan = plan_ospf(inv)
    assert set(plan) == set(inv.devices)
    core = plan["core-1"]
    assert core.router_id == A("198.18.4.1") and core.area == A("0.0.0.0") and core.process == 1
    toward = {i.peer: i.area for i in core.interfaces if i.peer}
    assert toward == {"core-2": A("0.0.0.0"), "fy-agg-1": A("0.0.0.1"), "ys-agg-1": A("0.0.0.2")}
    township = plan["ys-lf-acc-1"]
    assert township.area == A("0.0.0.2")
    segment = next(i for i in township.interfaces if i.peer is None)
    assert segment.passive and segment.interface == "GigabitEthernet0/0/8"
    assert all(not i.passive and i.cost == 10 for i in township.interfaces if i.peer)
    assert inv.devices["core-1"].ospf_auth_key == "Lab-Ospf-Md5-26", "the key comes from the vault"
    assert "Lab-Ospf" not in repr(inv.devices["core-1"])
    assert wildcard(ipaddress.IPv4Network("198.18.8.2/31")) == "0.0.0.1"


def test_link_cost_overrides_the_default(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "group_vars/all/topology.yml", lambda d: d["links"][1].update(cost=50))
    plan = plan_ospf(load_inventory(lab_copy))
    assert {i.peer: i.cost for i in plan["core-1"].interfaces if i.peer}["fy-agg-1"] == 50
    assert {i.peer: i.cost for i in plan["fy-agg-1"].interfaces if i.peer}["core-1"] == 50


def test_area_mismatch_across_a_link(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "hosts.yml", lambda d: _hosts(d, "access")["ys-lf-acc-1"].update(ospf_area="0.0.0.1"))
    assert_reported(problems_of(lab_copy), "topology.yml", "links[7]",
                    r"OSPF area mismatch across the link: ys-agg-1:GigabitEthernet1/0/3 is in area 0\.0\.0\.2, "
                    r"ys-lf-acc-1:GigabitEthernet0/0/1 in area 0\.0\.0\.1; expected one area on both ends")


def test_duplicate_router_id(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "hosts.yml", lambda d: _hosts(d, "aggregation")["ys-agg-1"].update(ospf_router_id="198.18.4.21"))
    assert_reported(problems_of(lab_copy), "hosts.yml", TIER_KEY.format(tier="aggregation", host="ys-agg-1") + ".ospf_router_id",
                    r"duplicate OSPF router id 198\.18\.4\.21 \(also fy-agg-1\)")


def test_area_not_touching_the_backbone(lab_copy: Path) -> None:
    # Yushui loses both uplinks to the core: its area is cut off from area 0.
    edit_yaml(lab_copy / "group_vars/all/topology.yml", lambda d: d.update(links=[d["links"][i] for i in (0, 1, 2, 5, 6, 7)]))
    assert_reported(problems_of(lab_copy), "routing.yml", "routing.ospf.areas.yushui",
                    r"area 0\.0\.0\.2 \(ys-agg-1, ys-lf-acc-1\) does not touch the backbone 0\.0\.0\.0")


def test_core_outside_the_backbone_and_unknown_county(lab_copy: Path) -> None:
    def change(d):
        d["routing"]["ospf"]["areas"]["city"] = "0.0.0.9"
        d["routing"]["ospf"]["areas"]["nowhere"] = "0.0.0.7"
        del d["routing"]["ospf"]["areas"]["fenyi"]
    edit_yaml(lab_copy / "group_vars/all/routing.yml", change)
    problems = problems_of(lab_copy)
    assert_reported(problems, "routing.yml", "routing.ospf.areas.city", r"city core must be in the backbone 0\.0\.0\.0, found 0\.0\.0\.9")
    assert_reported(problems, "routing.yml", "routing.ospf.areas.nowhere", r"not a county or city site")
    assert_reported(problems, "routing.yml", "routing.ospf.areas", r"no OSPF area for device 'fy-agg-1' \(site 'fenyi'\)")


def test_malformed_design(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "group_vars/all/routing.yml",
              lambda d: d["routing"]["ospf"].update(process=0, areas={"city": "not-an-area"}, dead=1))
    problems = problems_of(lab_copy)
    assert_reported(problems, "routing.yml", "routing.ospf.process", r"greater than or equal to 1")
    assert_reported(problems, "routing.yml", "routing.ospf.areas.city", r"IPv4")


def test_md5_key_too_long_is_reported_without_the_key(lab_copy: Path) -> None:
    edit_yaml(lab_copy / "group_vars/extranet.yml", lambda d: d.update(ospf_auth_key="x" * 17))
    problems = problems_of(lab_copy)
    assert_reported(problems, "extranet.yml", "ospf_auth_key", r"the OSPF MD5 key is 17 bytes; expected at most 16")
    assert not any("x" * 17 in p for p in problems)
