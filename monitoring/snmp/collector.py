"""One scrape: walk what the requested modules need (concurrently), map it, add snmp_* metrics.

A scrape has a hard deadline below Prometheus' scrape timeout; a dead agent costs its own
scrape that long and nothing else, because every scrape is a task on the shared loop.

A value that cannot be read (an agent's `N/A` in a numeric column) is skipped and counted in
`snmp_scrape_errors`; the scrape still answers and `snmp_up` says whether the agent did.
Cached interface labels are dropped when sysUpTime goes backwards (agent restart: ifIndex may
be remapped) or ifTableLastChange moves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric

from monitoring.snmp.mapping import SCRAPE_ERRORS, STATIC_COLUMNS, InterfaceLabels, Module, Table
from monitoring.snmp.transport import Credentials, Endpoint, SnmpClient, SnmpError, WalkStats

log = logging.getLogger(__name__)

SCRAPES = Counter("govops_snmp_scrapes", "Scrapes by outcome.", ["outcome"])
SCRAPE_SECONDS = Histogram("govops_snmp_scrape_seconds", "Wall time of one /snmp scrape.",
                           buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16))
IN_FLIGHT = Gauge("govops_snmp_scrapes_in_flight", "Scrapes running now.")
CACHE_HITS = Counter("govops_snmp_static_cache_hits", "Scrapes that reused cached ifName/ifDescr/ifAlias.")
CACHE_INVALIDATIONS = Counter("govops_snmp_static_cache_invalidations",
                              "Cached interface labels dropped: agent restarted or its ifTable changed.", ["reason"])
SCRAPE_ERRORS_TOTAL = Counter("govops_snmp_scrape_errors", "Values skipped because they could not be read.")

# Walked with the counters (same GETBULKs) to tell whether cached labels are still right.
SYS_UPTIME_COL = (1, 3, 6, 1, 2, 1, 1, 3)
IF_TABLE_LAST_CHANGE_COL = (1, 3, 6, 1, 2, 1, 31, 1, 5)
WARN_EVERY = 600.0  # seconds between warnings about the same target's unreadable values
# A walk of a table with cached labels is cut into one concurrent segment per this many known
# interfaces (at most MAX_SEGMENTS): the agent answers one segment while this process decodes
# another. Small tables stay one segment (each segment costs a round trip to see its end).
SEGMENT_ROWS = 200
MAX_SEGMENTS = 4


def split_points(static: Table, rows_per_segment: int = SEGMENT_ROWS, most: int = MAX_SEGMENTS) -> list:
    """Index suffixes that cut the cached interfaces into equal segments (none for a small table)."""
    indexes = sorted({i for col in static.values() for i in col})
    parts = min(most, len(indexes) // rows_per_segment) if rows_per_segment > 0 else 1
    if parts < 2:
        return []
    return [indexes[len(indexes) * k // parts - 1] for k in range(1, parts)]


@dataclass(frozen=True)
class Target:
    name: str          # what Prometheus asked for (device name or address)
    endpoint: Endpoint
    creds: Credentials


@dataclass
class ScrapeOutcome:
    families: list[Metric]
    up: bool
    reason: str = ""  # why the agent did not answer (no secrets: pysnmp's error indication or the deadline)


def _scalar(column: dict) -> int | None:
    value = column.get((0,))
    return value if isinstance(value, int) else None


@dataclass
class _Entry:
    stored: float
    table: Table
    uptime: int | None       # sysUpTime last seen (updated every scrape)
    last_change: int | None  # ifTableLastChange when the labels were read


class StaticCache:
    """Static interface columns per (agent, credentials), reused for at most `max_age` seconds
    and only while the agent has not restarted nor changed its ifTable."""

    def __init__(self, max_age: float = 300.0):
        self.max_age = max_age
        self._entries: dict[tuple, _Entry] = {}

    def get(self, key: tuple) -> Table | None:
        hit = self._entries.get(key)
        if hit and time.monotonic() - hit.stored < self.max_age:
            return hit.table
        return None

    def put(self, key: tuple, table: Table, uptime: int | None = None, last_change: int | None = None) -> None:
        self._entries[key] = _Entry(time.monotonic(), table, uptime, last_change)

    def still_valid(self, key: tuple, uptime: int | None, last_change: int | None) -> bool:
        """False (and the entry dropped) if the agent restarted or its ifTable changed since."""
        hit = self._entries.get(key)
        if hit is None:
            return False
        reason = None
        if uptime is not None and hit.uptime is not None and uptime < hit.uptime:
            reason = "restart"  # sysUpTime went backwards (or wrapped after 497 days: harmless)
        elif last_change is not None and hit.last_change is not None and last_change != hit.last_change:
            reason = "if_table_change"
        if reason:
            CACHE_INVALIDATIONS.labels(reason).inc()
            del self._entries[key]
            return False
        if uptime is not None:
            hit.uptime = uptime
        return True


class Scraper:
    def __init__(self, client: SnmpClient | None = None, cache: StaticCache | None = None,
                 segment_rows: int = SEGMENT_ROWS):
        self.client = client or SnmpClient()
        self.cache = cache or StaticCache()
        self.segment_rows = segment_rows  # 0: never split walks
        self._warned: dict[str, float] = {}

    async def _collect(self, target: Target, modules: list[Module], stats: WalkStats,
                       errors: list[str]) -> list[Metric]:
        walks = sorted({o for m in modules for o in m.walks})
        gets = sorted({o for m in modules for o in m.gets})
        cache_key = (target.endpoint.host, target.endpoint.port, target.creds)
        labelled = any(m.interface_labels for m in modules)
        static = self.cache.get(cache_key) if labelled else None
        # Stale or missing static columns ride in the same GETBULKs as the counters, and so do
        # sysUpTime and ifTableLastChange, which say whether cached labels still hold.
        refresh = [c for c in STATIC_COLUMNS if c not in walks] if labelled and static is None else []
        checks = [c for c in (SYS_UPTIME_COL, IF_TABLE_LAST_CHANGE_COL) if c not in walks] if labelled else []
        ep, creds = target.endpoint, target.creds
        splits = split_points(static, self.segment_rows) if static is not None else []
        jobs = [self.client.walk_columns(ep, creds, walks + refresh + checks, stats, splits)]
        if gets:
            jobs.append(self.client.get(ep, creds, gets, stats))
        results = await asyncio.gather(*jobs)
        table: Table = results[0]
        scalars = results[1] if gets else {}
        uptime = _scalar(table.get(SYS_UPTIME_COL, {}))
        last_change = _scalar(table.get(IF_TABLE_LAST_CHANGE_COL, {}))
        if static is not None and not self.cache.still_valid(cache_key, uptime, last_change):
            # The counters just walked are indexed by the agent's new ifIndexes: read the labels again.
            table.update(await self.client.walk_columns(ep, creds, list(STATIC_COLUMNS), stats))
            static, refresh = None, list(STATIC_COLUMNS)
        elif static is not None:
            CACHE_HITS.inc()
        extra = sorted({o for m in modules for o in getattr(m, "fallback_walks", lambda _t: ())(table)} - set(table))
        if extra:  # e.g. ifTable octets for an agent without ifXTable
            table.update(await self.client.walk_columns(ep, creds, extra, stats))
        if refresh:
            static = {c: table[c] for c in STATIC_COLUMNS if c in table}
            self.cache.put(cache_key, static, uptime, last_change)
        table = {**(static or {}), **table}
        ifl = InterfaceLabels(static or {})
        families: list[Metric] = []
        token = SCRAPE_ERRORS.set(errors)
        try:
            for m in modules:
                try:
                    families.extend(m.to_metrics(table, scalars, ifl))
                except Exception as exc:  # noqa: BLE001 - one module's bad data must not empty the scrape
                    errors.append(f"module {m.name}: {type(exc).__name__}: {exc}")
        finally:
            SCRAPE_ERRORS.reset(token)
        return families

    def _warn_skipped(self, target: Target, errors: list[str]) -> None:
        SCRAPE_ERRORS_TOTAL.inc(len(errors))
        now = time.monotonic()
        if now - self._warned.get(target.name, -WARN_EVERY) >= WARN_EVERY:
            self._warned[target.name] = now
            log.warning("snmp scrape of %s: skipped %d value(s) that could not be read, e.g. %s "
                        "(counted in snmp_scrape_errors; next warning for this target in %.0fs at the earliest)",
                        target.name, len(errors), errors[0][:200], WARN_EVERY)

    async def scrape(self, target: Target, modules: list[Module], deadline: float) -> list[Metric]:
        """Metric families for one target; never raises for agent trouble (snmp_up says it)."""
        return (await self.scrape_outcome(target, modules, deadline)).families

    async def scrape_outcome(self, target: Target, modules: list[Module], deadline: float) -> ScrapeOutcome:
        """The families plus whether the agent answered and, if not, why (for --failed-scrape=status-500)."""
        start = time.perf_counter()
        stats = WalkStats()
        errors: list[str] = []
        reason = ""
        IN_FLIGHT.inc()
        try:
            families = await asyncio.wait_for(self._collect(target, modules, stats, errors), deadline)
            up = 1
            SCRAPES.labels("ok").inc()
        except SnmpError as exc:
            log.warning("snmp scrape of %s (%s:%d, v%d) failed: %s", target.name, target.endpoint.host,
                        target.endpoint.port, target.creds.version, exc)
            families, up, reason = [], 0, f"SNMP error: {exc}"
            SCRAPES.labels("snmp_error").inc()
        except TimeoutError:
            log.warning("snmp scrape of %s (%s:%d) hit the %.1fs deadline", target.name,
                        target.endpoint.host, target.endpoint.port, deadline)
            families, up, reason = [], 0, f"no complete answer within the {deadline:.1f}s deadline"
            SCRAPES.labels("deadline").inc()
        except Exception as exc:  # noqa: BLE001 - a bug or an unexpected reply still gets an answer
            log.error("snmp scrape of %s failed unexpectedly: %s: %s", target.name, type(exc).__name__, exc)
            families, up, reason = [], 0, f"unexpected {type(exc).__name__}"
            SCRAPES.labels("error").inc()
        finally:
            IN_FLIGHT.dec()
        if errors:
            self._warn_skipped(target, errors)
        elapsed = time.perf_counter() - start
        SCRAPE_SECONDS.observe(elapsed)
        return ScrapeOutcome([*families, *_scrape_metrics(up, elapsed, stats, len(errors))], bool(up), reason)


def _scrape_metrics(up: int, elapsed: float, stats: WalkStats, errors: int = 0) -> list[Metric]:
    fams = [
        ("snmp_up", "1 if the agent answered every walk and get of this scrape, else 0.", up),
        ("snmp_scrape_errors", "Values of this scrape that could not be read (e.g. text in a numeric "
                               "column) and were left out.", errors),
        ("snmp_scrape_duration_seconds", "Total SNMP time of this scrape.", elapsed),
        ("snmp_scrape_pdus_returned", "Variable bindings returned by the agent in this scrape.", stats.varbinds),
        ("snmp_scrape_packets_received", "Response PDUs received in this scrape.", stats.pdus),
    ]
    out = []
    for name, help_text, value in fams:
        g = GaugeMetricFamily(name, help_text)
        g.add_metric([], value)
        out.append(g)
    return out
