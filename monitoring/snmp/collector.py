"""One scrape: walk what the requested modules need (concurrently), map it, add snmp_* metrics.

A scrape has a hard deadline below Prometheus' scrape timeout; a dead agent costs its own
scrape that long and nothing else, because every scrape is a task on the shared loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric

from monitoring.snmp.mapping import STATIC_COLUMNS, InterfaceLabels, Module, Table
from monitoring.snmp.transport import Credentials, Endpoint, SnmpClient, SnmpError, WalkStats

log = logging.getLogger(__name__)

SCRAPES = Counter("govops_snmp_scrapes", "Scrapes by outcome.", ["outcome"])
SCRAPE_SECONDS = Histogram("govops_snmp_scrape_seconds", "Wall time of one /snmp scrape.",
                           buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16))
IN_FLIGHT = Gauge("govops_snmp_scrapes_in_flight", "Scrapes running now.")
CACHE_HITS = Counter("govops_snmp_static_cache_hits", "Scrapes that reused cached ifName/ifDescr/ifAlias/ifHighSpeed.")


@dataclass(frozen=True)
class Target:
    name: str          # what Prometheus asked for (device name or address)
    endpoint: Endpoint
    creds: Credentials


class StaticCache:
    """Static interface columns per (agent, credentials), reused for at most `max_age` seconds."""

    def __init__(self, max_age: float = 300.0):
        self.max_age = max_age
        self._entries: dict[tuple, tuple[float, Table]] = {}

    def get(self, key: tuple) -> Table | None:
        hit = self._entries.get(key)
        if hit and time.monotonic() - hit[0] < self.max_age:
            return hit[1]
        return None

    def put(self, key: tuple, table: Table) -> None:
        self._entries[key] = (time.monotonic(), table)


class Scraper:
    def __init__(self, client: SnmpClient | None = None, cache: StaticCache | None = None):
        self.client = client or SnmpClient()
        self.cache = cache or StaticCache()

    async def _collect(self, target: Target, modules: list[Module], stats: WalkStats) -> list[Metric]:
        walks = sorted({o for m in modules for o in m.walks})
        gets = sorted({o for m in modules for o in m.gets})
        cache_key = (target.endpoint.host, target.endpoint.port, target.creds)
        labelled = any(m.interface_labels for m in modules)
        static = self.cache.get(cache_key) if labelled else None
        if static is not None:
            CACHE_HITS.inc()
        # Stale or missing static columns ride in the same GETBULKs as the counters.
        refresh = [c for c in STATIC_COLUMNS if c not in walks] if labelled and static is None else []
        ep, creds = target.endpoint, target.creds
        jobs = [self.client.walk_columns(ep, creds, walks + refresh, stats)]
        if gets:
            jobs.append(self.client.get(ep, creds, gets, stats))
        results = await asyncio.gather(*jobs)
        table: Table = results[0]
        scalars = results[1] if gets else {}
        if refresh:
            static = {c: table[c] for c in STATIC_COLUMNS if c in table}
            self.cache.put(cache_key, static)
        table = {**(static or {}), **table}
        ifl = InterfaceLabels(static or {})
        return [fam for m in modules for fam in m.to_metrics(table, scalars, ifl)]

    async def scrape(self, target: Target, modules: list[Module], deadline: float) -> list[Metric]:
        """Metric families for one target; never raises for agent trouble (snmp_up says it)."""
        start = time.perf_counter()
        stats = WalkStats()
        IN_FLIGHT.inc()
        try:
            families = await asyncio.wait_for(self._collect(target, modules, stats), deadline)
            up = 1
            SCRAPES.labels("ok").inc()
        except SnmpError as exc:
            log.warning("snmp scrape of %s (%s:%d, v%d) failed: %s", target.name, target.endpoint.host,
                        target.endpoint.port, target.creds.version, exc)
            families, up = [], 0
            SCRAPES.labels("snmp_error").inc()
        except TimeoutError:
            log.warning("snmp scrape of %s (%s:%d) hit the %.1fs deadline", target.name,
                        target.endpoint.host, target.endpoint.port, deadline)
            families, up = [], 0
            SCRAPES.labels("deadline").inc()
        finally:
            IN_FLIGHT.dec()
        elapsed = time.perf_counter() - start
        SCRAPE_SECONDS.observe(elapsed)
        return [*families, *_scrape_metrics(up, elapsed, stats)]


def _scrape_metrics(up: int, elapsed: float, stats: WalkStats) -> list[Metric]:
    fams = [
        ("snmp_up", "1 if the agent answered every walk and get of this scrape, else 0.", up),
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
