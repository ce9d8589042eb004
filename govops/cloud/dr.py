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
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class DrTier:
    level: int
    name_zh: str
    name_en: str
    rpo: str
    rto: str
    backup: str                       # backup schedule every tier keeps, replicas or not
    replicas: tuple[Replication, ...]

    @property
    def mode(self) -> str:
        """One word for tags and reports: backup-only, async-remote, sync-same-city+async-remote."""
        return "+".join(self.replicas) if self.replicas else "backup-only"


TIERS: dict[int, DrTier] = {t.level: t for t in (
    DrTier(1, "基本支持", "Basic support", "1-7 d", "> 2 d", "weekly full, off-site", ()),
    DrTier(2, "备用场地支持", "Standby site support", "1-7 d", ">= 24 h", "weekly full + daily incremental", ()),
    DrTier(3, "电子传输和部分设备支持", "Electronic transfer, partial equipment", "hours - 1 d", ">= 12 h",
           "daily full", (Replication.async_remote,)),
    DrTier(4, "电子传输及完整设备支持", "Electronic transfer, complete equipment", "hours - 1 d", "hours - 2 d",
           "daily full", (Replication.async_remote,)),
    DrTier(5, "实时数据传输及完整设备支持", "Real-time transfer, complete equipment", "0 - 30 min",
           "minutes - 2 d", "daily full", (Replication.sync_same_city, Replication.async_remote)),
    DrTier(6, "数据零丢失和远程集群支持", "Zero data loss, remote cluster", "0", "minutes",
           "daily full", (Replication.sync_same_city, Replication.async_remote)),
)}


def tier(level: int) -> DrTier:
    """The tier for a catalogue level; KeyError for a level the standard does not define."""
    return TIERS[level]
