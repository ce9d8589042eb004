"""Backup age and restore-test result: pgbackrest lines in the DR status file -> exporter metrics."""

from __future__ import annotations

import json

from prometheus_client.registry import CollectorRegistry

from govops.sot import load_inventory
from monitoring.migration.collector import MigrationCollector
from monitoring.migration.dr import read_backups, read_status
from tests.paths import ROOT

INV = load_inventory(ROOT / "inventories" / "lab")


def test_backup_lines_give_age_policy_and_the_newest_restore_test_without_disturbing_replication(tmp_path):
    path = tmp_path / "dr-status.jsonl"
    repl = {"system": "data-exchange", "observed_at": "2026-12-04T10:00:00+00:00", "replication": "async-remote",
            "primary_data_ts": "2026-12-04T10:00:00+00:00", "replica_data_ts": "2026-12-04T09:59:58+00:00",
            "lag_bytes": 16384, "source": "pg_stat_replication"}
    base = {"system": "data-exchange", "source": "pgbackrest", "repository_host": "cloud-remote-1"}
    path.write_text("\n".join(json.dumps(x) for x in [
        repl,
        {**base, "observed_at": "2026-12-04T10:01:00+00:00", "backup_type": "full",
         "backup_stop": "2026-12-04T10:00:30+00:00"},
        {**base, "observed_at": "2026-12-04T10:02:00+00:00", "restore_test_ok": True},
        {**base, "observed_at": "2026-12-04T10:03:00+00:00", "restore_test_ok": False},
    ]) + "\n")
    (st,) = read_status(path, INV)  # backup lines are not replication lines
    assert st.lag_seconds == 2 and st.replication == "async-remote"
    (b,) = read_backups(path, INV)
    assert b.last_backup == 1796378430.0 and b.restore_test_ok is False  # the newest test wins
    assert b.policy_max_age == 86400 + 3600  # tier 5: daily full (govops/cloud/dr.py) + 1 h
    reg = CollectorRegistry(auto_describe=False)
    reg.register(MigrationCollector(INV, None, path))
    got = {(s.name, s.labels.get("system")): s.value for m in reg.collect() for s in m.samples}
    assert got[("govops_dr_restore_test_success", "data-exchange")] == 0
    assert got[("govops_dr_backup_last_success_timestamp_seconds", "data-exchange")] == 1796378430.0
    assert got[("govops_dr_backup_max_age_seconds", "data-exchange")] == 90000
    assert got[("govops_dr_replication_lag_bytes", "data-exchange")] == 16384


def test_archiver_lines_give_failures_and_the_last_failure_and_success_of_the_newest_reading(tmp_path):
    path = tmp_path / "dr-status.jsonl"
    base = {"system": "data-exchange", "source": "pgbackrest", "repository_host": "cloud-remote-1",
            "database_host": "cloud-prod-1", "archive_archived_count": 12, "archive_last_failed_wal": None}
    path.write_text("\n".join(json.dumps(x) for x in [
        {**base, "observed_at": "2026-12-04T10:00:00+00:00", "archive_failed_count": 0,
         "archive_last_failed": None, "archive_last_archived": "2026-12-04T09:59:00+00:00"},
        # later: the repository host stopped answering, archive-push fails
        {**base, "observed_at": "2026-12-04T10:05:00+00:00", "archive_failed_count": 3,
         "archive_last_failed": "2026-12-04T10:04:30+00:00", "archive_last_archived": "2026-12-04T10:00:00+00:00",
         "archive_last_failed_wal": "000000010000000000000007"},
    ]) + "\n")
    assert read_status(path, INV) == []  # archive lines are not replication lines
    (b,) = read_backups(path, INV)
    assert b.archive == {"failed_count": 3, "last_failed": 1796378670.0, "last_archived": 1796378400.0}
    assert b.last_backup is None and b.restore_test_ok is None
    reg = CollectorRegistry(auto_describe=False)
    reg.register(MigrationCollector(INV, None, path))
    got = {(s.name, s.labels.get("system")): s.value for m in reg.collect() for s in m.samples}
    assert got[("govops_dr_archive_failures_total", "data-exchange")] == 3
    assert got[("govops_dr_archive_last_failure_timestamp_seconds", "data-exchange")] == 1796378670.0
    assert got[("govops_dr_archive_last_success_timestamp_seconds", "data-exchange")] == 1796378400.0
