"""Disaster-recovery tiers: the one table that says what each catalogue ``dr_tier`` promises.

Levels follow GB/T 20988-2007 Annex A (six levels), kept by GB/T 20988-2025, in force 2026-01-01.
The RPO/RTO columns are the informative annex's commonly cited values (see
shared/reference/cloud-iac.md §4.2): treat them as guidance and confirm against the 2025 text
before publishing them as the project's commitments.

Mapping onto two sites, three centres (两地三中心), a design choice, not a quote of the standard:
- levels 1-2: backups only (weekly / daily), no replica;
- levels 3-4: asynchronous replica in the remote DR centre (Fenyi): "electronic transfer" of key
  data several times a day; RPO of hours is reachable without a synchronous link;
- levels 5-6: synchronous replica in the same-city DR centre (RPO ~0, needs < 5 ms latency, so only
  the same-city pair) *and* an asynchronous replica in Fenyi against a city-wide disaster.

Each tier carries its promise twice, as the text the standard's annex gives (reports, tags) and as
seconds (the upper bound of that text: what a drill or the DR exporter is judged against; a unit
test keeps the two in step). Consumers: the Pulumi program (volume metadata), the DR drill
(govops/migrate/drill.py) and the DR exporter (monitoring/migration/dr.py).

Per replica: the tier's RPO is met by its *best* replica. A level-6 "RPO 0" rests on the
synchronous same-city replica; the asynchronous Fenyi replica of a level-5/6 system cannot be
zero-loss by construction, so it is held to ASYNC_REMOTE_RPO_S (the level-5 bound, 30 min).
`rpo_seconds(replication)` gives the figure for the replica being measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from govops.sot.model import CentreRole


class Replication(StrEnum):
    sync_same_city = "sync-same-city"
    async_remote = "async-remote"


# Which DR centre role carries each kind of replica.
REPLICA_CENTRE_ROLE = {
    Replication.sync_same_city: CentreRole.same_city_dr,
    Replication.async_remote: CentreRole.remote_dr,
}


# What an asynchronous remote replica of a level-5/6 system promises (design choice, see above).
ASYNC_REMOTE_RPO_S = 1800.0


@dataclass(frozen=True)
class DrTier:
    level: int
    name_zh: str
    name_en: str
    rpo: str
    rto: str
    rpo_s: float                      # seconds: upper bound of `rpo`
    rto_s: float                      # seconds: upper bound of `rto`
    backup: str                       # backup schedule every tier keeps, replicas or not
    replicas: tuple[Replication, ...]

    def rpo_seconds(self, replication: Replication | str | None = None) -> float:
        """The RPO (s) one replica kind of this tier must meet; None: the tier's own promise.

        sync-same-city: 0 (synchronous writes lose nothing); async-remote: the tier's RPO, but at
        least ASYNC_REMOTE_RPO_S (levels 5-6 promise less than an async link can keep)."""
        if replication is None:
            return self.rpo_s
        replication = Replication(replication)
        if replication not in self.replicas:
            raise ValueError(f"DR tier {self.level} has no {replication.value} replica "
                             f"(it has: {self.mode})")
        if replication is Replication.sync_same_city:
            return 0.0
        return max(self.rpo_s, ASYNC_REMOTE_RPO_S)

    @property
    def mode(self) -> str:
        """One word for tags and reports: backup-only, async-remote, sync-same-city+async-remote."""
        return "+".join(self.replicas) if self.replicas else "backup-only"


MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
TIERS: dict[int, DrTier] = {t.level: t for t in (
    DrTier(1, "基本支持", "Basic support", "1-7 d", "> 2 d", 7 * DAY, 2 * DAY, "weekly full, off-site", ()),
    DrTier(2, "备用场地支持", "Standby site support", "1-7 d", ">= 24 h", 7 * DAY, DAY,
           "weekly full + daily incremental", ()),
    DrTier(3, "电子传输和部分设备支持", "Electronic transfer, partial equipment", "hours - 1 d", ">= 12 h",
           DAY, 12 * HOUR, "daily full", (Replication.async_remote,)),
    DrTier(4, "电子传输及完整设备支持", "Electronic transfer, complete equipment", "hours - 1 d", "hours - 2 d",
           DAY, 2 * DAY, "daily full", (Replication.async_remote,)),
    DrTier(5, "实时数据传输及完整设备支持", "Real-time transfer, complete equipment", "0 - 30 min",
           "minutes - 2 d", 30 * MINUTE, 2 * DAY, "daily full", (Replication.sync_same_city, Replication.async_remote)),
    # "minutes": read as under an hour
    DrTier(6, "数据零丢失和远程集群支持", "Zero data loss, remote cluster", "0", "minutes", 0.0, HOUR,
           "daily full", (Replication.sync_same_city, Replication.async_remote)),
)}


def tier(level: int) -> DrTier:
    """The tier for a catalogue level; KeyError for a level the standard does not define."""
    return TIERS[level]


UNITS = {"s": 1, "sec": 1, "min": 60, "minutes": 60, "h": 3600, "hours": 3600, "d": 86400}


def promise_seconds(text: str) -> float:
    """Upper bound of an RPO/RTO text in seconds: '0 - 30 min' -> 1800, '0' -> 0, 'minutes' -> 3600.
    The tiers carry their seconds explicitly; this reads the text to check they agree."""
    text = text.strip()
    if text == "0":
        return 0.0
    matches = re.findall(r"(\d+(?:\.\d+)?)\s*(min|minutes|sec|hours|h|d|s)\b", text)
    if matches:
        value, unit = matches[-1]
        return float(value) * UNITS[unit]
    if text.endswith("minutes"):
        return 3600.0  # "minutes": read as under an hour
    raise ValueError(f"cannot read a duration from {text!r}")
