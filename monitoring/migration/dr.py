"""DR replication lag and RPO compliance per system, from a DR status file.

The status file is JSON lines (the DR drill and the replication checks append; the newest
line per system wins)::

    {"system": "gov-portal", "observed_at": "2026-11-29T02:00:00+00:00",
     "primary_data_ts": "2026-11-29T01:59:58+00:00", "replica_data_ts": "2026-11-29T01:59:30+00:00",
     "replication": "async-remote", "rpo_seconds": 300}

Lag is primary_data_ts − replica_data_ts (the replica's newest data vs the primary's); the
newest line per (system, replication) wins. Without `rpo_seconds` the RPO is the promise of the
system's `dr_tier` in govops/cloud/dr.py (the one table: Pulumi, the drill and this exporter)
for that kind of replica.

Which replica: what is measured here is data timestamps on a replica, i.e. an asynchronous copy
(the drill's rsync to Fenyi, storage async mirrors); a synchronous same-city mirror has no lag to
read this way. So a line without `replication` is taken as `async-remote` when the tier has one,
and is compared with the async replica's promise (30 min for levels 5–6), not with level 6's
"RPO 0", which only the synchronous same-city replica keeps and which every async lag would
breach. A `sync-same-city` line is compared with 0: any lag there is a breach.

Backups (govops/migrate/pgbackup.py) write to the same file, lines with `"source": "pgbackrest"`:
`backup_stop` (a finished backup) or `restore_test_ok` (a point-in-time restore test, true/false).
Archive status lines (same source) carry pg_stat_archiver's `archive_failed_count`,
`archive_last_failed` and `archive_last_archived` (ISO times, null: never).
`read_backups` gives per system the newest backup and the newest restore test; the policy age is
the tier's backup schedule (govops/cloud/dr.py `backup`: daily or weekly) plus one hour of slack.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from govops.cloud import dr
from govops.cloud.dr import Replication

log = logging.getLogger(__name__)


def promised_rpo(inv, system: str, replication: str) -> float:
    """The RPO (s) the system's DR tier promises for this replica (see the module docstring)."""
    t = dr.tier(inv.systems[system].dr_tier if system in inv.systems else 1)
    # a replica the tier does not have (levels 1-2 keep backups only): the tier's own RPO
    return t.rpo_seconds(replication if Replication(replication) in t.replicas else None)


@dataclass(frozen=True)
class ReplicaStatus:
    system: str
    replication: str
    lag_seconds: float
    rpo_seconds: float
    observed_at: float
    lag_bytes: float | None = None  # WAL not yet flushed on a database standby (pg_stat_replication)


def read_status(path: Path | None, inv) -> list[ReplicaStatus]:
    if path is None or not Path(path).exists():
        return []
    latest: dict[tuple[str, str], dict] = {}
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if entry.get("source") == BACKUP_SOURCE:
                continue  # a backup line: read_backups
            repl = Replication(entry.get("replication") or Replication.async_remote).value
            latest[(entry["system"], repl)] = entry
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            log.warning("%s:%d: skipped DR status line (%s)", path, n, exc)
    out = []
    for (system, repl), e in sorted(latest.items()):
        try:
            lag = (datetime.fromisoformat(e["primary_data_ts"]) - datetime.fromisoformat(e["replica_data_ts"])).total_seconds()
            observed = datetime.fromisoformat(e["observed_at"]).timestamp()
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("%s: DR status for %s lacks a valid timestamp (%s)", path, system, exc)
            continue
        rpo = e["rpo_seconds"] if "rpo_seconds" in e else promised_rpo(inv, system, repl)
        nbytes = e.get("lag_bytes")
        out.append(ReplicaStatus(system, repl, max(0.0, lag), float(rpo), observed,
                                 float(nbytes) if isinstance(nbytes, int | float) else None))
    return out


BACKUP_SOURCE = "pgbackrest"
BACKUP_SLACK_S = 3600.0  # a daily backup that runs an hour late is not yet a breach


def backup_policy_seconds(inv, system: str) -> float:
    """How old the newest backup may be: the tier's schedule (daily/weekly full) plus slack."""
    t = dr.tier(inv.systems[system].dr_tier if system in inv.systems else 1)
    every = dr.DAY if "daily" in t.backup else 7 * dr.DAY
    return every + BACKUP_SLACK_S


@dataclass(frozen=True)
class BackupStatus:
    system: str
    last_backup: float | None        # unix time the newest backup finished
    policy_max_age: float            # seconds
    restore_test_ok: bool | None     # newest restore test; None: never tested
    restore_tested_at: float | None
    archive: dict | None = None      # newest pg_stat_archiver reading (pgbackup.Backups.archive_status)


def read_backups(path: Path | None, inv) -> list[BackupStatus]:
    if path is None or not Path(path).exists():
        return []
    backups: dict[str, float] = {}
    tests: dict[str, tuple[float, bool]] = {}
    archive: dict[str, tuple[float, dict]] = {}
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        try:
            e = json.loads(line) if line.strip() else {}
            if e.get("source") != BACKUP_SOURCE:
                continue
            system = e["system"]
            if "backup_stop" in e:
                backups[system] = max(backups.get(system, 0.0), datetime.fromisoformat(e["backup_stop"]).timestamp())
            if "restore_test_ok" in e:
                at = datetime.fromisoformat(e["observed_at"]).timestamp()
                if at >= tests.get(system, (0.0, False))[0]:
                    tests[system] = (at, bool(e["restore_test_ok"]))
            if "archive_failed_count" in e:
                at = datetime.fromisoformat(e["observed_at"]).timestamp()
                if at >= archive.get(system, (0.0, {}))[0]:
                    archive[system] = (at, _archiver(e))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            log.warning("%s:%d: skipped backup status line (%s)", path, n, exc)
    return [BackupStatus(s, backups.get(s), backup_policy_seconds(inv, s),
                         tests[s][1] if s in tests else None, tests[s][0] if s in tests else None,
                         archive[s][1] if s in archive else None)
            for s in sorted(set(backups) | set(tests) | set(archive))]


def _archiver(e: dict) -> dict:
    """failed count and the last failure / success as unix times (None: never)."""
    def ts(key: str) -> float | None:
        return datetime.fromisoformat(e[key]).timestamp() if e.get(key) else None
    return {"failed_count": int(e["archive_failed_count"]), "last_failed": ts("archive_last_failed"),
            "last_archived": ts("archive_last_archived")}


def db_families(path: Path | None, inv, department) -> list:
    """Metric families for databases: WAL lag in bytes per standby, backup age inputs and the
    restore test (the migration collector yields them)."""
    from prometheus_client.core import GaugeMetricFamily

    wal = GaugeMetricFamily("govops_dr_replication_lag_bytes", "WAL bytes the primary has that the "
                            "standby has not flushed (pg_stat_replication).", labels=["system", "department", "replication"])
    for st in read_status(path, inv):
        if st.lag_bytes is not None:
            wal.add_metric([st.system, department(st.system), st.replication], st.lag_bytes)
    labels = ["system", "department"]
    last = GaugeMetricFamily("govops_dr_backup_last_success_timestamp_seconds",
                             "When the newest backup finished (pgBackRest stop time).", labels=labels)
    policy = GaugeMetricFamily("govops_dr_backup_max_age_seconds", "How old the newest backup may be (the DR "
                               "tier's backup schedule, govops/cloud/dr.py, plus 1 h).", labels=labels)
    ok = GaugeMetricFamily("govops_dr_restore_test_success", "1 if the newest point-in-time restore test matched "
                           "the reference row count and checksum, 0 if not.", labels=labels)
    tested = GaugeMetricFamily("govops_dr_restore_test_timestamp_seconds", "When the newest restore test ran.",
                               labels=labels)
    from prometheus_client.core import CounterMetricFamily

    failed = CounterMetricFamily("govops_dr_archive_failures", "WAL segments the primary failed to archive "
                                 "(pg_stat_archiver.failed_count, since its stats reset).", labels=labels)
    failed_at = GaugeMetricFamily("govops_dr_archive_last_failure_timestamp_seconds",
                                  "When archiving a WAL segment last failed (pg_stat_archiver.last_failed_time).",
                                  labels=labels)
    archived_at = GaugeMetricFamily("govops_dr_archive_last_success_timestamp_seconds",
                                    "When a WAL segment was last archived (pg_stat_archiver.last_archived_time).",
                                    labels=labels)
    for b in read_backups(path, inv):
        lv = [b.system, department(b.system)]
        if b.archive is not None:
            failed.add_metric(lv, b.archive["failed_count"])
            if b.archive["last_failed"] is not None:
                failed_at.add_metric(lv, b.archive["last_failed"])
            if b.archive["last_archived"] is not None:
                archived_at.add_metric(lv, b.archive["last_archived"])
        policy.add_metric(lv, b.policy_max_age)
        if b.last_backup is not None:
            last.add_metric(lv, b.last_backup)
        if b.restore_test_ok is not None:
            ok.add_metric(lv, int(b.restore_test_ok))
            tested.add_metric(lv, b.restore_tested_at)
    return [wal, last, policy, ok, tested, failed, failed_at, archived_at]
