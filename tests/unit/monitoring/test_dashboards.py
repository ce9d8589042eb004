"""Grafana dashboards: generated JSON is committed, every panel has valid PromQL."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from monitoring.dashboards import DASHBOARDS, OUT, panel_queries, render


def queries():
    return [(name, title, expr) for name in DASHBOARDS
            for title, expr in panel_queries(json.loads((OUT / f"{name}.json").read_text()))]


def concrete(expr: str) -> str:
    """Template variables → a regex that matches everything (they are only used in =~ matchers)."""
    return expr.replace("$device", ".+").replace("$interface", ".+")


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_committed_json_matches_generator(name):
    assert (OUT / f"{name}.json").read_text() == render(name), "run `python -m monitoring.dashboards`"


def test_every_panel_has_a_query():
    for name in DASHBOARDS:
        d = json.loads((OUT / f"{name}.json").read_text())
        panels = [p for p in d["panels"] if p.get("type") != "row"]
        assert panels and all(p.get("targets") for p in panels), name
    assert len(queries()) >= 25


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian prometheus) not installed")
def test_every_panel_query_parses(tmp_path):
    # promtool has no "check expression"; a recording rule per query makes it parse each one.
    rules = [{"record": f"dashboard:q{i}", "expr": concrete(expr)} for i, (_, _, expr) in enumerate(queries())]
    f = tmp_path / "panels.yml"
    f.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    proc = subprocess.run(["promtool", "check", "rules", str(f)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cloud_dr_board_shows_every_database_dr_metric_in_its_row():
    d = json.loads((OUT / "cloud-dr.json").read_text())
    titles = [p.get("title") for p in d["panels"]]
    row = titles.index("Databases: replication, backups, restore tests")
    exprs = " ".join(t["expr"] for p in d["panels"][row + 1:] for t in p.get("targets") or [])
    for metric in ("govops_dr_replication_lag_seconds", "govops_dr_rpo_seconds", "govops_dr_replication_lag_bytes",
                   "govops_dr_backup_last_success_timestamp_seconds", "govops_dr_backup_max_age_seconds",
                   "govops_dr_restore_test_success", "govops_dr_archive_failures_total",
                   "govops_dr_archive_last_failure_timestamp_seconds", "by (replication)"):
        assert metric in exprs, metric
