"""DR replication lag and RPO compliance per system, from a DR status file.

The status file is JSON lines (the DR drill and the replication checks append; the newest
line per system wins)::

    {"system": "gov-portal", "observed_at": "2026-11-29T02:00:00+00:00",
     "primary_data_ts": "2026-11-29T01:59:58+00:00", "replica_data_ts": "2026-11-29T01:59:30+00:00",
     "rpo_seconds": 300}

Lag is primary_data_ts − replica_data_ts (the replica's newest data vs the primary's). When a
line has no `rpo_seconds` the RPO comes from the system's `dr_tier` (GB/T 20988 levels 1–6) in
RPO_BY_TIER — an assumption to confirm with the DR plan.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

# Seconds. GB/T 20988: level 6 ≈ zero data loss, level 5 near-real-time, level 1–2 daily backups.
RPO_BY_TIER = {6: 60, 5: 300, 4: 3600, 3: 4 * 3600, 2: 86400, 1: 7 * 86400}


@dataclass(frozen=True)
class ReplicaStatus:
    system: str
    lag_seconds: float
    rpo_seconds: float
    observed_at: float


def read_status(path: Path | None, inv) -> list[ReplicaStatus]:
    if path is None or not Path(path).exists():
        return []
    latest: dict[str, dict] = {}
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            latest[entry["system"]] = entry
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            log.warning("%s:%d: skipped DR status line (%s)", path, n, exc)
    out = []
    for system, e in sorted(latest.items()):
        try:
            lag = (datetime.fromisoformat(e["primary_data_ts"]) - datetime.fromisoformat(e["replica_data_ts"])).total_seconds()
            observed = datetime.fromisoformat(e["observed_at"]).timestamp()
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("%s: DR status for %s lacks a valid timestamp (%s)", path, system, exc)
            continue
        tier = inv.systems[system].dr_tier if system in inv.systems else 1
        out.append(ReplicaStatus(system, max(0.0, lag), float(e.get("rpo_seconds", RPO_BY_TIER[tier])), observed))
    return out
