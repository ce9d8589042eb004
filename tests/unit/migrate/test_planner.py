"""The wave planner on a hand-made catalogue whose correct plan is worked out by hand below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from govops.migrate.planner import PlanError, WaveLimits, load_catalogue, plan_inventory, plan_waves
from govops.sot import InventoryError, load_inventory

HERE = Path(__file__).parent
CATALOGUE = HERE / "catalogue.yml"
# Small limits so capacity matters: waves hold 2, 3, 3... systems and 1000, 1500, 2000... GB.
LIMITS = WaveLimits(start_systems=2, step_systems=1, max_systems=3, start_data_gb=1000, step_data_gb=500,
                    max_data_gb=2000)
A, B = "Sat 22:00-Sun 06:00", "Sun 02:00-05:00"

# Worked by hand. Ease: mail 85, base 75, uses-cloud 65, hr 60, portal 60, archive 55, gis 40, erp 10.
# wave 1 (A): mail, base — easiest; full at 2 systems.
# wave 2 (B): uses-cloud, hr — B's window differs from wave 1; uses-cloud's dependencies stay put.
# wave 3 (A): portal (after base, wave 1), archive (wave 1 full).
# wave 4 (B): gis — 310 + 1500 GB would exceed wave 2's 1500 GB.
# wave 5 (A): erp — after portal (wave 3); alone, since 2500 GB exceeds every wave's limit.
EXPECTED = [(1, A, ["mail", "base"]), (2, B, ["uses-cloud", "hr"]), (3, A, ["portal", "archive"]),
            (4, B, ["gis"]), (5, A, ["erp"])]


def plan(systems=None, previous=None):
    departments, loaded = load_catalogue(CATALOGUE)
    return plan_waves(systems or loaded, departments, LIMITS, previous, source=str(CATALOGUE))


def waves(p):
    return [(w.number, w.window, w.systems) for w in p.waves]


def edited(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(CATALOGUE.read_text())
    edit({s["id"]: s for s in data["systems"]}, data)
    path = tmp_path / "catalogue.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def test_known_catalogue_gives_exactly_the_hand_worked_plan():
    p = plan()
    assert waves(p) == EXPECTED
    strategies = {sid: v["strategy"] for sid, v in p.systems.items()}
    assert strategies == {"mail": "rehost", "base": "rehost", "portal": "rehost", "archive": "rehost",
                          "hr": "rehost", "uses-cloud": "rehost", "gis": "replatform", "erp": "refactor",
                          "oldweb": "retire", "cloudy": "done", "keepme": "retain"}
    assert p.excluded == {"secret": "classified (涉密): never on the cloud"}
    assert "stays on-prem" in " ".join(p.systems["uses-cloud"]["notes"])
    assert "wave of its own" in " ".join(p.systems["erp"]["notes"])
    # 90% KPI: 11 non-classified - 1 retired = 10 in scope; 1 on cloud now, 9 after the plan.
    assert p.kpi()["on_cloud"] == 1 and p.kpi()["after_plan"] == 9 and p.kpi()["in_scope"] == 10


def test_every_wave_respects_dependencies_windows_and_capacity():
    p = plan()
    departments, systems = load_catalogue(CATALOGUE)
    for w in p.waves:
        assert {departments[systems[s].department].downtime_window for s in w.systems} == {w.window}
        assert len(w.systems) <= LIMITS.systems(w.number)
        for sid in w.systems:
            for dep in systems[sid].depends_on:
                if p.wave_of(dep) is not None:
                    assert p.wave_of(dep) < w.number, f"{sid} before its dependency {dep}"


def test_dependency_cycle_is_an_error_naming_the_cycle(tmp_path):
    path = edited(tmp_path, lambda s, d: s["base"].update(depends_on=["erp"]))
    departments, systems = load_catalogue(path)
    with pytest.raises(PlanError) as exc:
        plan_waves(systems, departments, LIMITS, source=str(path))
    assert [(p.file, p.key, p.message) for p in exc.value.problems] == [
        (str(path), "systems[1].depends_on", "dependency cycle: base -> erp -> portal -> base")]


def test_unknown_dependency_names_file_and_entry(tmp_path):
    path = edited(tmp_path, lambda s, d: s["hr"].update(depends_on=["payroll"]))
    departments, systems = load_catalogue(path)
    with pytest.raises(PlanError) as exc:
        plan_waves(systems, departments, LIMITS, source=str(path))
    assert str(exc.value.problems[0]) == f"{path}: systems[7].depends_on[0]: hr: depends on unknown system 'payroll'"


def test_classified_system_marked_for_migration_is_an_error(tmp_path):
    path = edited(tmp_path, lambda s, d: s["secret"].update(target="cloud"))
    departments, systems = load_catalogue(path)
    with pytest.raises(PlanError) as exc:
        plan_waves(systems, departments, LIMITS, source=str(path))
    (problem,) = exc.value.problems
    assert (problem.file, problem.key) == (str(path), "systems[10].target")
    assert "secret: classified" in problem.message and "never migrated" in problem.message


def test_errors_come_all_at_once(tmp_path):
    def edit(s, d):
        s["hr"]["depends_on"] = ["payroll"]
        s["secret"]["target"] = "cloud"
    departments, systems = load_catalogue(edited(tmp_path, edit))
    with pytest.raises(PlanError) as exc:
        plan_waves(systems, departments, LIMITS)
    assert len(exc.value.problems) == 2


def test_replan_after_one_change_moves_only_what_must_move(tmp_path):
    before = json.loads(json.dumps(plan().to_data()))  # as read back from plan.json
    # hr now depends on archive (wave 3): hr must leave wave 2; nothing else has to move.
    _, systems = load_catalogue(edited(tmp_path, lambda s, d: s["hr"].update(depends_on=["archive"])))
    after = plan(systems, previous=before)
    assert after.moves == [{"system": "hr", "from": 2, "to": 4, "why": "a dependency is now in wave 3"}]
    assert waves(after) == [(1, A, ["mail", "base"]), (2, B, ["uses-cloud"]), (3, A, ["portal", "archive"]),
                            (4, B, ["hr", "gis"]), (5, A, ["erp"])]


def test_replan_unchanged_catalogue_moves_nothing_and_ease_changes_do_not_reshuffle(tmp_path):
    before = plan().to_data()
    assert plan(previous=before).moves == []
    # mail becomes the hardest system: a fresh plan would push it back, the stable plan keeps it in wave 1.
    _, systems = load_catalogue(edited(tmp_path, lambda s, d: s["mail"].update(complexity=4, status="planned")))
    stable = plan(systems, previous=before)
    assert [(n, w, sorted(s)) for n, w, s in waves(stable)] == [(n, w, sorted(s)) for n, w, s in EXPECTED]
    assert stable.moves == []
    assert plan(systems).wave_of("mail") == 3  # what a fresh plan would have done


def test_new_system_fills_free_capacity_without_moving_others(tmp_path):
    before = plan().to_data()

    def add(s, d):
        d["systems"].append({**s["mail"], "id": "newbie", "department": "dept-b", "data_gb": 20})
    _, systems = load_catalogue(edited(tmp_path, add))
    after = plan(systems, previous=before)
    assert after.moves == [{"system": "newbie", "from": None, "to": 2, "why": "new to the plan"}]


def test_department_window_change_moves_its_systems(tmp_path):
    before = plan().to_data()
    path = edited(tmp_path, lambda s, d: d["departments"][1].update(downtime_window=A))
    departments, systems = load_catalogue(path)
    after = plan_waves(systems, departments, LIMITS, before)
    moved = {m["system"] for m in after.moves}
    assert moved == {"uses-cloud", "hr", "gis"}
    assert all(w.window == A for w in after.waves)


def test_lab_and_city_inventories_plan_and_replan_stably():
    for name in ("lab", "xinyu"):
        inv = load_inventory(Path("inventories") / name)
        p = plan_inventory(inv)
        assert not set(p.excluded) & {s for w in p.waves for s in w.systems}
        assert plan_inventory(inv, previous=p.to_data()).moves == []


def test_inventory_errors_name_the_catalogue_file(lab_copy):
    cat = lab_copy / "group_vars" / "all" / "catalogue.yml"
    cat.write_text(cat.read_text().replace("depends_on: [data-exchange]", "depends_on: [payroll]"))
    with pytest.raises(InventoryError) as exc:
        load_inventory(lab_copy)
    assert any("catalogue.yml" in p.file and "payroll" in p.message for p in exc.value.problems)


def test_cli_writes_plan_and_runbooks(tmp_path, capsys):
    import argparse

    from govops.migrate.cli import add_cli
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["migrate", "plan", "--catalogue", str(CATALOGUE), "--out", str(tmp_path),
                              "--start-systems", "2", "--step-systems", "1", "--max-systems", "3",
                              "--start-data-gb", "1000", "--step-data-gb", "500", "--max-data-gb", "2000",
                              "--runbooks", str(tmp_path / "rb"), "--json"])
    assert args.func(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert [w["systems"] for w in data["waves"]] == [s for _, _, s in EXPECTED]  # default limits would differ
    assert (tmp_path / "migration-plan.md").read_text().count("## Wave") == len(data["waves"])
    runbooks = sorted(p.stem for p in (tmp_path / "rb").glob("*.md"))
    assert runbooks == sorted(s for w in data["waves"] for s in w["systems"])
    assert "playbooks/migrate_system.yml -e system=erp" in (tmp_path / "rb" / "erp.md").read_text()
    # A bad catalogue: exit 2, problems on stderr, nothing written.
    bad = edited(tmp_path, lambda s, d: s["hr"].update(depends_on=["payroll"]))
    args = parser.parse_args(["migrate", "plan", "--catalogue", str(bad), "--out", str(tmp_path / "bad")])
    assert args.func(args) == 2
    assert "payroll" in capsys.readouterr().err and not (tmp_path / "bad").exists()


def test_runbooks_follow_the_plan_and_hand_written_pages_are_kept(tmp_path):
    from govops.migrate.render import write_runbooks

    _, systems = load_catalogue(CATALOGUE)
    out = tmp_path / "migrations"
    written, removed = write_runbooks(plan(), systems, out, "catalogue.yml")
    assert sorted(p.stem for p in written) == sorted(s for _, _, ss in EXPECTED for s in ss) and not removed
    assert write_runbooks(plan(), systems, out, "catalogue.yml") == ([], [])  # unchanged: nothing rewritten
    (out / "notes.md").write_text("# hand-written\n")
    # erp is retired from the catalogue: its generated runbook goes, the hand-written page stays.
    moved = {**systems, "erp": systems["erp"].model_copy(update={"status": "retire", "target": "on_prem"})}
    written, removed = write_runbooks(plan(moved), moved, out, "catalogue.yml")
    assert [p.name for p in removed] == ["erp.md"] and (out / "notes.md").exists()
    assert "| wave | 3 (cutover window Sat 22:00-Sun 06:00) |" in (out / "portal.md").read_text()


def test_govops_cli_runs_the_room_once_registered(capsys):
    import govops.cli

    assert govops.cli.main(["migrate", "plan", "-i", "inventories/lab"]) == 0
    out = capsys.readouterr().out
    assert "wave  1" in out and "data-exchange" in out and "police-intel" not in out
