"""Kunpeng (aarch64) and Hygon (x86_64) pools: aggregates, flavors and images per architecture,
placement by what a system supports, the policy that refuses the rest, and the migration strategy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govops import ipv6
from govops.cloud import policies
from govops.cloud.mocks import run_program
from govops.cloud.settings import load_stack_settings
from govops.cloud.validate import CloudInputError
from govops.migrate.planner import plan_inventory
from govops.sot import load_inventory


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def _declare(inventory: Path):
    inv = load_inventory(inventory)
    plan = ipv6.require_plan(inv)
    return inv, run_program(inv, plan, load_stack_settings("lab"), stack="lab")


def test_each_pool_gets_an_aggregate_flavors_and_images_of_its_architecture(lab):
    inv, _, decl = lab
    prod = inv.centres["xyj-prod"]
    aggregates = {r.inputs["name"]: r.inputs for r in decl.of_type("compute/aggregateV2:AggregateV2")
                  if r.centre == "xyj-prod"}
    assert {a: (v["metadata"]["arch"], sorted(v["hosts"])) for a, v in aggregates.items()} == {
        f"xyj-prod-{p.arch}": (p.arch, sorted(p.hosts)) for p in prod.pools}
    flavors = [r.inputs for r in decl.of_type("compute/flavor:Flavor") if r.centre == "xyj-prod"]
    assert {f["name"].rsplit(".", 1)[1] for f in flavors} == {"aarch64", "x86_64"}
    assert all(f["extraSpecs"]["aggregate_instance_extra_specs:arch"] == f["name"].rsplit(".", 1)[1] for f in flavors)
    images = [r.inputs for r in decl.of_type("images/image:Image") if r.centre == "xyj-prod"]
    assert all(i["name"].endswith(i["properties"]["hw_architecture"]) for i in images)


def test_instances_use_the_flavor_and_image_of_the_pool_they_are_placed_on(lab):
    _, _, decl = lab
    by_id = {f"mock:{r.type}::{r.name}": r.inputs for r in decl.resources if r.custom}
    instances = decl.of_type("compute/instance:Instance")
    assert instances
    for r in instances:
        arch = r.inputs["metadata"]["arch"]
        assert arch in r.inputs["metadata"]["arch_supported"].split(",")
        assert by_id[r.inputs["flavorId"]]["name"].endswith(f".{arch}")
        assert by_id[r.inputs["imageId"]]["properties"]["hw_architecture"] == arch
    assert not policies.instance_on_unsupported_architecture(instances[0])


def test_an_x86_only_system_on_an_arm_only_centre_fails_policy_with_a_clear_message(lab_copy):
    def arm_only(data):
        for centre in data["centres"]:
            if centre["id"] == "xyj-prod":
                centre["pools"] = [p for p in centre["pools"] if p["arch"] == "aarch64"]
    _edit(lab_copy / "group_vars" / "all" / "centres.yml", arm_only)
    inv, decl = _declare(lab_copy)
    violations = policies.check_all(decl.resources, *policies.inventory_facts(inv))
    found = violations["instances-on-supported-architecture"]
    x86_only = [s.id for s in inv.systems.values() if list(s.arch) == ["x86_64"]]
    assert found and x86_only
    assert any("would run on aarch64 in centre xyj-prod, but its system supports x86_64 only" in m for m in found)
    assert all("rebuild the system for aarch64" in m for m in found)


def test_the_migration_plan_turns_an_architecture_change_into_a_replatform(lab_copy):
    def rebuilt_for_kunpeng(data):
        for system in data["systems"]:
            if system["id"] == "data-exchange":
                system["arch"] = ["aarch64"]
                system["complexity"] = 2
    path = lab_copy / "group_vars" / "all" / "catalogue.yml"
    before = plan_inventory(load_inventory(lab_copy)).systems["data-exchange"]
    _edit(path, rebuilt_for_kunpeng)
    after = plan_inventory(load_inventory(lab_copy)).systems["data-exchange"]
    assert after["strategy"] == "replatform" and "lands on aarch64" in after["reason"]
    assert any("architecture change x86_64 -> aarch64" in n for n in after["notes"])
    assert not any("architecture change" in n for n in before["notes"])


@pytest.mark.parametrize("change, key, words", [
    (lambda d: d["centres"][0]["pools"].append({"arch": "aarch64", "cpu": "Kunpeng 920"}), "centres[0].pools",
     "two aarch64 pools"),
    (lambda d: d["centres"][1]["pools"][0]["hosts"].append(d["centres"][0]["pools"][0]["hosts"][0]),
     "centres[1].pools[0].hosts", "already in xyj-prod"),
])
def test_bad_pools_are_refused_before_any_resource(lab_copy, change, key, words):
    _edit(lab_copy / "group_vars" / "all" / "centres.yml", change)
    with pytest.raises(CloudInputError) as err:
        _declare(lab_copy)
    assert any(p.key == key and words in p.message for p in err.value.problems), err.value.problems
