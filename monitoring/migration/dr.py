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


def read_status(path: Path | None, inv) -> list[ReplicaStatus]:
    if path is None or not Path(path).exists():
        return []
    latest: dict[tuple[str, str], dict] = {}
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
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
        out.append(ReplicaStatus(system, repl, max(0.0, lag), float(rpo), observed))
    return out
