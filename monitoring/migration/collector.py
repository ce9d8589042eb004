"""Metric mapping for the migration/DR exporter; files are re-read on every scrape."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily

from monitoring.migration.dr import db_families, read_status
from monitoring.migration.progress import TARGET_RATIO, read_journal, system_progress


class MigrationCollector:
    def __init__(self, inv, journal: Path | None = None, dr_status: Path | None = None):
        self.inv, self.journal, self.dr_status = inv, journal, dr_status

    def _department(self, system: str) -> str:
        s = self.inv.systems.get(system)
        return s.department if s else ""

    def collect(self):
        progress = system_progress(self.inv, read_journal(self.journal))
        total, done = Counter(), Counter()
        for p in progress:
            total[p.department] += 1
            done[p.department] += p.migrated
        t = GaugeMetricFamily("govops_migration_systems", "Non-classified systems in the catalogue.", labels=["department"])
        m = GaugeMetricFamily("govops_migration_systems_migrated", "Non-classified systems on the cloud "
                              "(catalogue location cloud, or journal cutover ok).", labels=["department"])
        r = GaugeMetricFamily("govops_migration_progress_ratio", "Migrated ÷ non-classified systems.", labels=["department"])
        for dept in sorted(total):
            t.add_metric([dept], total[dept])
            m.add_metric([dept], done[dept])
            r.add_metric([dept], done[dept] / total[dept])
        yield from (t, m, r)
        yield GaugeMetricFamily("govops_migration_target_ratio", "The city's migration target (share of "
                                "non-classified systems on the cloud).", value=TARGET_RATIO)
        ip = GaugeMetricFamily("govops_migration_in_progress", "1 if the system has journal steps but no "
                               "successful cutover yet.", labels=["system", "department"])
        last = GaugeMetricFamily("govops_migration_last_step_timestamp_seconds", "Time of the newest journal "
                                 "step of the system.", labels=["system", "department"])
        for p in progress:
            ip.add_metric([p.system, p.department], int(p.in_progress))
            if p.last_step_ts is not None:
                last.add_metric([p.system, p.department], p.last_step_ts)
        yield from (ip, last)
        dr_labels = ["system", "department", "replication"]
        lag = GaugeMetricFamily("govops_dr_replication_lag_seconds", "Primary data time minus replica data time.",
                                labels=dr_labels)
        rpo = GaugeMetricFamily("govops_dr_rpo_seconds", "The RPO this replica must meet (the tier's promise "
                                "for its replication kind, govops/cloud/dr.py).", labels=dr_labels)
        ok = GaugeMetricFamily("govops_dr_rpo_compliant", "1 if replication lag ≤ RPO.", labels=dr_labels)
        seen = GaugeMetricFamily("govops_dr_status_timestamp_seconds", "When the DR status was observed.",
                                 labels=dr_labels)
        for st in read_status(self.dr_status, self.inv):
            labels = [st.system, self._department(st.system), st.replication]
            lag.add_metric(labels, st.lag_seconds)
            rpo.add_metric(labels, st.rpo_seconds)
            ok.add_metric(labels, int(st.lag_seconds <= st.rpo_seconds))
            seen.add_metric(labels, st.observed_at)
        yield from (lag, rpo, ok, seen)
        yield from db_families(self.dr_status, self.inv, self._department)
