"""Bad catalogue input is refused before any resource is declared, naming the file and the entry."""

from __future__ import annotations

import pulumi
import pytest
import yaml

from govops import cli, ipv6
from govops.cloud.mocks import ensure_event_loop, run_program
from govops.cloud.program import declare_cloud
from govops.cloud.settings import StackSettings
from govops.cloud.validate import CloudInputError
from govops.sot import InventoryError, load_inventory


def edit(path, fn):
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def run_cli(monkeypatch, capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr()


class Counting(pulumi.runtime.Mocks):
    def __init__(self):
        self.created = []

    def new_resource(self, args):
        self.created.append(args.name)
        return args.name, dict(args.inputs)

    def call(self, args):
        return {}


def assert_nothing_declared(inventory):
    """Even called straight under mocks (no pre-check), the program declares nothing."""
    inv = load_inventory(inventory)
    mocks = Counting()
    ensure_event_loop()
    pulumi.runtime.set_mocks(mocks, project="govops-cloud", stack="broken", preview=False)
    with pytest.raises(CloudInputError):
        declare_cloud(inv, ipv6.require_plan(inv), StackSettings(inventory=str(inventory)))
    assert mocks.created == []


def catalogue(lab_copy):
    return lab_copy / "group_vars" / "all" / "catalogue.yml"


@pytest.mark.parametrize("change, key, words", [
    (lambda d: d["systems"][3].update(target="cloud"), "systems[3].target", "classified"),
    (lambda d: d["systems"][0].update(department="no-such-dept"), "systems[0].department", "unknown department"),
    (lambda d: d["systems"][1].update(dr_tier=7), "systems[1].dr_tier", "7"),
])
def test_sot_level_problems_stop_cloud_plan(lab_copy, monkeypatch, capsys, change, key, words):
    edit(catalogue(lab_copy), change)
    code, out = run_cli(monkeypatch, capsys, "cloud", "plan", "-i", str(lab_copy))
    assert code == 2 and out.out == ""
    assert f"{catalogue(lab_copy)}: {key}:" in out.err.replace("\n", " ")
    assert words in out.err


def test_unknown_size_class_is_refused_before_any_resource(lab_copy, monkeypatch, capsys):
    edit(catalogue(lab_copy), lambda d: d["systems"][2].update(size="jumbo"))
    assert_nothing_declared(lab_copy)
    code, out = run_cli(monkeypatch, capsys, "cloud", "plan", "-i", str(lab_copy))
    assert code == 2
    assert f"{catalogue(lab_copy)}: systems[2].size: unknown size class 'jumbo'" in out.err


def test_quota_beyond_capacity_is_refused_naming_the_centre_entry(lab_copy):
    centres = lab_copy / "group_vars" / "all" / "centres.yml"
    edit(centres, lambda d: d["centres"][2]["capacity"].update(vcpu=10))
    assert_nothing_declared(lab_copy)
    inv = load_inventory(lab_copy)
    with pytest.raises(CloudInputError) as err:
        run_program(inv, ipv6.require_plan(inv), StackSettings(inventory=str(lab_copy)))
    [problem] = err.value.problems
    assert (problem.file, problem.key) == (str(centres), "centres[2].capacity.vcpu")
    assert "fenyi-dr" in problem.message and "capacity of 10" in problem.message and "bdc" in problem.message


def test_classified_system_is_refused_even_if_the_sot_let_it_through(lab):
    inv, plan, _ = lab
    systems = dict(inv.systems)
    systems["police-intel"] = systems["police-intel"].model_copy(update={"target": "cloud"})
    broken = inv.model_copy(update={"systems": systems})
    with pytest.raises(InventoryError) as err:
        run_program(broken, plan, StackSettings(inventory=str(inv.path)))
    assert any(p.key == "systems[3].target" and "涉密" in p.message and p.file.endswith("catalogue.yml")
               for p in err.value.problems)


@pytest.mark.parametrize("update, key, words", [
    ({"dr_tier": 7}, "systems[0].dr_tier", "DR tier 7 does not exist"),
    ({"department": "no-such-dept"}, "systems[0].department", "unknown department 'no-such-dept'"),
    ({"ports": (443, 70000)}, "systems[0].ports[1]", "outside 1-65535"),
])
def test_cloud_checks_hold_even_without_the_sot_checks(lab, update, key, words):
    """The program's own validation does not rely on the loader having run (model_copy skips it)."""
    inv, plan, _ = lab
    systems = dict(inv.systems)
    systems["data-exchange"] = systems["data-exchange"].model_copy(update=update)
    broken = inv.model_copy(update={"systems": systems})
    with pytest.raises(CloudInputError) as err:
        run_program(broken, plan, StackSettings(inventory=str(inv.path)))
    assert any(p.key == key and words in p.message and p.file.endswith("catalogue.yml") for p in err.value.problems)
