"""The split layout: a platform stack per centre, a tenant stack per department, joined by StackReference."""

from __future__ import annotations

import json

import pytest

from govops import cli
from govops.cloud.mocks import MissingStackError, run_program, run_stacks
from govops.cloud.settings import load_stack_settings
from govops.cloud.stacks import StackNameError, parse_stack


@pytest.fixture(scope="module")
def lab_split(lab):
    inv, plan, _ = lab
    return run_stacks(inv, plan, load_stack_settings("lab"), "lab")


def _custom(decl):
    return {(r.type, r.name): r for r in decl.resources if r.custom and not r.type.startswith("pulumi:providers:")}


def test_the_split_declares_exactly_what_the_single_stack_does_with_the_same_urns(lab, lab_split):
    _, _, whole = lab
    parts = {}
    for name, decl in lab_split.items():
        for key, r in _custom(decl).items():
            assert key not in parts, f"{key} declared in two stacks"
            parts[key] = r.urn.replace(f"urn:pulumi:{name}::", "urn:pulumi:lab::")
    assert parts == {key: r.urn for key, r in _custom(whole).items()}   # `pulumi state move` keeps every URN


def test_each_stack_starts_few_providers(lab, lab_split):
    _, _, whole = lab
    counts = {name: len(d.providers) for name, d in lab_split.items()}
    assert all(n == 1 for s, n in counts.items() if ".platform." in s)
    assert max(counts.values()) <= 6 < len(whole.providers)


def test_tenant_stacks_read_the_platform_outputs(lab_split):
    platform = lab_split["lab.platform.xyj-prod"]
    bdc = lab_split["lab.tenant.bdc"]
    assert "organization/govops-cloud/lab.platform.xyj-prod" in bdc.references
    flavors = {f"mock:{r.type}::{r.name}" for r in platform.of_type("compute/flavor:Flavor")}
    pools = {f"mock:{r.type}::{r.name}" for r in platform.of_type("subnetPool:SubnetPool")}
    instances = bdc.of_type("compute/instance:Instance")
    assert instances and all(i.inputs["flavorId"] in flavors for i in instances)
    subnets = [r for r in bdc.of_type("networking/subnet:Subnet") if r.centre == "xyj-prod"]
    assert subnets and all(s.inputs["subnetpoolId"] in pools for s in subnets)


def test_a_tenant_stack_before_its_platform_stack_is_an_error(lab):
    inv, plan, _ = lab
    with pytest.raises(MissingStackError, match="lab.platform.xyj-prod"):
        run_program(inv, plan, load_stack_settings("lab"), stack="lab.tenant.bdc")


def test_stack_names_are_checked_against_the_inventory(lab):
    inv, _, _ = lab
    assert parse_stack("xinyu.tenant.edu").ident == "edu"
    with pytest.raises(StackNameError, match="no department 'nobody'"):
        parse_stack("lab.tenant.nobody", inv)
    with pytest.raises(StackNameError, match="expected <env>"):
        parse_stack("lab.tenants.bdc")


def test_plan_split_and_stacks_commands(monkeypatch, capsys):
    assert cli.main(["cloud", "stacks", "-i", "inventories/lab"]) == 0
    order = capsys.readouterr().out.split()
    assert order[:3] == ["lab.platform.xyj-prod", "lab.platform.xyj-dr", "lab.platform.fenyi-dr"]
    assert all(".tenant." in s for s in order[3:]) and len(order) == 6
    assert cli.main(["cloud", "plan", "-i", "inventories/lab", "--split", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [s["stack"] for s in report["stacks"]] == order
    assert report["max_providers"] <= 6 and not any(s["violations"] for s in report["stacks"])


def test_the_city_splits_into_small_stacks(city):
    inv, plan, whole = city
    stacks = run_stacks(inv, plan, load_stack_settings("xinyu"), "xinyu")
    platforms = [s for s in stacks if ".platform." in s]
    tenants = {s.rsplit(".", 1)[1] for s in stacks if ".tenant." in s}
    assert len(platforms) == len(inv.centres) and tenants <= set(inv.departments) and len(tenants) > 30
    assert max(len(d.providers) for d in stacks.values()) <= 6 < 50 < len(whole.providers)
    assert sum(len(_custom(d)) for d in stacks.values()) == len(_custom(whole))


def test_changed_since_lists_only_the_stacks_a_change_touches(lab_copy, monkeypatch, capsys):
    import subprocess

    import yaml

    def git(*argv):
        subprocess.run(["git", "-C", str(lab_copy), *argv], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.email=t@example", "-c", "user.name=t", "commit", "-qm", "base")
    catalogue = lab_copy / "group_vars" / "all" / "catalogue.yml"
    data = yaml.safe_load(catalogue.read_text())
    portal = next(s for s in data["systems"] if s["id"] == "gov-portal")
    portal["ports"] = [*portal["ports"], 8443]            # one department opens one more port
    catalogue.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert cli.main(["cloud", "stacks", "-i", str(lab_copy), "--env", "lab", "--changed-since", "HEAD"]) == 0
    assert capsys.readouterr().out.split() == [f"lab.tenant.{portal['department']}"]
