"""Migration progress and DR lag/RPO from the catalogue, the journal and the DR status file."""

from __future__ import annotations

import json
import shutil

import pytest
from prometheus_client import generate_latest
from prometheus_client.registry import CollectorRegistry

from govops.sot import load_inventory
from monitoring.lint import promtool_findings
from monitoring.migration.collector import MigrationCollector
from monitoring.textfile import TextfileCollector
from tests.paths import ROOT


def values(collector):
    reg = CollectorRegistry(auto_describe=False)
    reg.register(collector)
    return reg, {(m.name, tuple(sorted(s.labels.items()))): s.value for m in reg.collect() for s in m.samples}


@pytest.fixture
def files(tmp_path):
    journal = tmp_path / "journal.jsonl"
    journal.write_text("\n".join([
        json.dumps({"ts": "2026-11-01T10:00:00+08:00", "system": "doc-exchange", "step": "copy", "outcome": "ok"}),
        "not json",
        json.dumps({"time": "2026-11-02T10:00:00+08:00", "system": "doc-exchange", "step": "cutover", "outcome": "ok"}),
        json.dumps({"ts": "2026-11-03T10:00:00+08:00", "system": "data-exchange", "step": "copy", "outcome": "failed"}),
    ]) + "\n")
    dr = tmp_path / "dr.jsonl"
    dr.write_text("\n".join([
        json.dumps({"system": "gov-portal", "observed_at": "2026-11-29T02:00:00+00:00",
                    "primary_data_ts": "2026-11-29T02:00:00+00:00", "replica_data_ts": "2026-11-29T01:50:00+00:00"}),
        json.dumps({"system": "data-exchange", "observed_at": "2026-11-29T02:00:00+00:00", "rpo_seconds": 900,
                    "primary_data_ts": "2026-11-29T02:00:00+00:00", "replica_data_ts": "2026-11-29T01:59:00+00:00"}),
        # tier 6: the async Fenyi copy 10 min behind, the sync same-city mirror 2 s behind
        json.dumps({"system": "police-intel", "observed_at": "2026-11-29T02:00:00+00:00",
                    "replication": "async-remote",
                    "primary_data_ts": "2026-11-29T02:00:00+00:00", "replica_data_ts": "2026-11-29T01:50:00+00:00"}),
        json.dumps({"system": "police-intel", "observed_at": "2026-11-29T02:00:00+00:00",
                    "replication": "sync-same-city",
                    "primary_data_ts": "2026-11-29T02:00:00+00:00", "replica_data_ts": "2026-11-29T01:59:58+00:00"}),
        json.dumps({"system": "police-intel", "replication": "carrier-pigeon", "observed_at": "2026-11-29T02:00:00+00:00",
                    "primary_data_ts": "2026-11-29T02:00:00+00:00", "replica_data_ts": "2026-11-29T01:00:00+00:00"}),
    ]) + "\n")
    return journal, dr


def test_progress_counts_catalogue_and_journal_cutovers(files):
    inv = load_inventory(ROOT / "inventories" / "lab")
    _, v = values(MigrationCollector(inv, *files))
    # gov-office: gov-portal (cloud in the catalogue) + doc-exchange (journal cutover ok) of 2.
    assert v[("govops_migration_progress_ratio", (("department", "gov-office"),))] == 1.0
    assert v[("govops_migration_progress_ratio", (("department", "bdc"),))] == 0.0
    assert ("govops_migration_systems", (("department", "psb"),)) not in v  # classified: never counted
    assert v[("govops_migration_in_progress", (("department", "bdc"), ("system", "data-exchange")))] == 1
    assert v[("govops_migration_in_progress", (("department", "gov-office"), ("system", "doc-exchange")))] == 0
    assert v[("govops_migration_target_ratio", ())] == 0.9
    # the last step's time comes from `time` (govops journals) or legacy `ts`, so MigrationStalled can see it
    doc = (("department", "gov-office"), ("system", "doc-exchange"))
    last = {k: val for k, val in v.items() if k[0].startswith("govops_migration_last_step")}
    assert last[(next(iter(last))[0], doc)] == 1793584800.0  # 2026-11-02T10:00:00+08:00


def test_dr_lag_and_rpo_from_tier_or_line(files):
    from govops.cloud.dr import TIERS

    inv = load_inventory(ROOT / "inventories" / "lab")
    reg, v = values(MigrationCollector(inv, *files))
    # no `replication` in the line: an async remote replica (what data timestamps can measure)
    portal = (("department", "gov-office"), ("replication", "async-remote"), ("system", "gov-portal"))
    assert v[("govops_dr_replication_lag_seconds", portal)] == 600
    assert v[("govops_dr_rpo_seconds", portal)] == TIERS[4].rpo_s == 86400  # dr_tier 4: "hours - 1 d"
    assert v[("govops_dr_rpo_compliant", portal)] == 1
    dx = (("department", "bdc"), ("replication", "async-remote"), ("system", "data-exchange"))
    assert v[("govops_dr_rpo_seconds", dx)] == 900 and v[("govops_dr_rpo_compliant", dx)] == 1
    if shutil.which("promtool"):
        assert promtool_findings(generate_latest(reg)) == []


def test_tier_6_async_replica_is_held_to_its_own_promise_and_the_sync_mirror_to_zero(files):
    """Level 6 promises RPO 0: the synchronous same-city mirror keeps it (any lag is a breach); the
    asynchronous Fenyi copy cannot, and is held to the async promise (30 min), not to 0."""
    inv = load_inventory(ROOT / "inventories" / "lab")
    _, v = values(MigrationCollector(inv, *files))
    remote = (("department", "psb"), ("replication", "async-remote"), ("system", "police-intel"))
    same_city = (("department", "psb"), ("replication", "sync-same-city"), ("system", "police-intel"))
    assert v[("govops_dr_rpo_seconds", remote)] == 1800 and v[("govops_dr_rpo_compliant", remote)] == 1
    assert v[("govops_dr_rpo_seconds", same_city)] == 0 and v[("govops_dr_rpo_compliant", same_city)] == 0
    assert not any(k[1] and ("replication", "carrier-pigeon") in k[1] for k in v)  # unknown kind: skipped


def test_missing_files_give_catalogue_only(tmp_path):
    inv = load_inventory(ROOT / "inventories" / "lab")
    _, v = values(MigrationCollector(inv, tmp_path / "nope", tmp_path / "nope2"))
    assert v[("govops_migration_systems_migrated", (("department", "gov-office"),))] == 1
    assert not any(k[0].startswith("govops_dr_") for k in v)


def test_textfile_collector_reads_drift_metrics(tmp_path):
    (tmp_path / "drift.prom").write_text('# TYPE govops_net_drift gauge\ngovops_net_drift{device="core-1"} 1\n'
                                         "# TYPE govops_net_drift_devices gauge\ngovops_net_drift_devices 1\n")
    (tmp_path / "broken.prom").write_text("this is { not metrics\n")
    _, v = values(TextfileCollector(tmp_path))
    assert v[("govops_net_drift", (("device", "core-1"),))] == 1
    assert v[("govops_net_drift_devices", ())] == 1
    assert v[("govops_textfile_errors", ())] == 1
