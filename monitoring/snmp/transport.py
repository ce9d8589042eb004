"""SNMP transport: multi-column GETBULK walks and GETs with pysnmp 7's asyncio API, numeric OIDs only.

v2c goes through pysnmp's lightweight v1arch (`SnmpDispatcher`: no SNMP engine, MP or USM
layers, about half the CPU per PDU); v3 authPriv needs the v3arch `SnmpEngine`. Both are
created lazily, one per event loop, and reused: an engine builds its own MIB tree (~2 MiB,
~50 ms CPU) and both are bound to the loop they were first used on (lextudio/pysnmp#237).

Requests carry plain (OID tuple, Null) pairs and responses are read with `lookupMib=False`,
so no MIB resolution happens on either side. A walk puts every requested column in one
GETBULK (as `snmptable` and snmp_exporter do), which cuts PDUs ~4x against one walk per
column; what remains is pyasn1's BER decoding of the responses (see bench/snmp_exporter).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import pysnmp.hlapi.v1arch.asyncio as v1
import pysnmp.hlapi.v3arch.asyncio as v3
from pyasn1.type.univ import Null
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

log = logging.getLogger(__name__)

Oid = tuple[int, ...]
Table = dict[Oid, dict[Oid, object]]  # column OID → {index suffix → value}

# Request timeouts are checked on this tick (pysnmp's default is 0.5 s, coarser than the
# sub-second per-target timeouts the lab and tests use).
TIMER_RESOLUTION = 0.1


@dataclass(frozen=True)
class Credentials:
    """SNMPv2c (community) or SNMPv3 authPriv SHA/AES (user + keys)."""

    version: int  # 2 or 3
    community: str = ""
    user: str = ""
    auth_key: str = field(default="", repr=False)
    priv_key: str = field(default="", repr=False)

    def auth_data(self):
        if self.version == 3:
            return v3.UsmUserData(self.user, self.auth_key, self.priv_key,
                                  authProtocol=v3.usmHMACSHAAuthProtocol, privProtocol=v3.usmAesCfb128Protocol)
        return v1.CommunityData(self.community, mpModel=1)


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int = 161
    timeout: float = 2.0  # per request
    retries: int = 1
    max_repetitions: int = 25


class SnmpError(Exception):
    """The agent did not answer usefully: timeout, authentication/decryption failure, PDU error."""


@dataclass
class WalkStats:
    pdus: int = 0  # responses received (snmp_exporter's snmp_scrape_pdus_returned counts varbinds)
    varbinds: int = 0


def parse_oid(text: str) -> Oid:
    return tuple(int(p) for p in text.strip(".").split("."))


def _is_exception(value) -> bool:
    return isinstance(value, (NoSuchObject, NoSuchInstance, EndOfMibView, Null))


class SnmpClient:
    """Walks and GETs against many agents concurrently from one event loop."""

    def __init__(self) -> None:
        self._engines: dict[int, v3.SnmpEngine] = {}
        self._dispatchers: dict[int, v1.SnmpDispatcher] = {}
        self._targets: dict[tuple, object] = {}

    def _engine(self) -> v3.SnmpEngine:
        key = id(asyncio.get_running_loop())
        if key not in self._engines:
            self._engines[key] = v3.SnmpEngine()
        return self._engines[key]

    def _dispatcher(self) -> v1.SnmpDispatcher:
        key = id(asyncio.get_running_loop())
        if key not in self._dispatchers:
            d = v1.SnmpDispatcher()
            d.transport_dispatcher.set_timer_resolution(TIMER_RESOLUTION)
            self._dispatchers[key] = d
        return self._dispatchers[key]

    async def _target(self, api, ep: Endpoint):
        # Cached: create() resolves the address with loop.getaddrinfo, i.e. a hop through the
        # default thread pool that costs milliseconds of wall time per request on a busy loop.
        key = (id(asyncio.get_running_loop()), api.__name__, ep)
        if key not in self._targets:
            cls = api.Udp6TransportTarget if ":" in ep.host else api.UdpTransportTarget
            self._targets[key] = await cls.create((ep.host, ep.port), timeout=ep.timeout, retries=ep.retries)
        return self._targets[key]

    async def _request(self, ep: Endpoint, creds: Credentials, oids: list[Oid], bulk: bool):
        """One GET or GETBULK; the response's (OID tuple, value) pairs in wire order."""
        var_binds = [(o, Null()) for o in oids]
        if creds.version == 3:
            api = v3
            head = (self._engine(), creds.auth_data(), await self._target(v3, ep), v3.ContextData())
        else:
            api = v1
            head = (self._dispatcher(), creds.auth_data(), await self._target(v1, ep))
        if bulk:
            reply = await api.bulk_cmd(*head, 0, ep.max_repetitions, *var_binds, lookupMib=False)
        else:
            reply = await api.get_cmd(*head, *var_binds, lookupMib=False)
        err_ind, err_status, err_index, rows = reply
        if err_ind:
            raise SnmpError(str(err_ind))
        if err_status:
            raise SnmpError(f"{err_status.prettyPrint()} at index {err_index}")
        return [(name.asTuple(), value) for name, value in rows]

    async def walk_columns(self, ep: Endpoint, creds: Credentials, columns: list[Oid], stats: WalkStats) -> Table:
        """Every (index suffix → value) under each of `columns`, all walked in the same GETBULKs.

        Each response holds up to max_repetitions rows of the still-open columns in request
        order; a column closes when its OIDs leave its subtree, at endOfMibView, or if the
        agent stops making progress. An absent subtree gives {}. Raises SnmpError.
        """
        table: Table = {c: {} for c in columns}
        cursor: dict[Oid, Oid] = {c: c for c in columns}
        while cursor:
            open_cols = list(cursor)
            n = len(open_cols)
            rows = await self._request(ep, creds, [cursor[c] for c in open_cols], bulk=True)
            stats.pdus += 1
            closed: set[Oid] = set()
            advanced: set[Oid] = set()
            for i, (oid, value) in enumerate(rows):
                col = open_cols[i % n]
                if col in closed:
                    continue
                if (oid[:len(col)] != col or oid <= cursor[col] or isinstance(value, EndOfMibView)):
                    closed.add(col)
                    continue
                cursor[col] = oid
                advanced.add(col)
                if not _is_exception(value):
                    stats.varbinds += 1
                    table[col][oid[len(col):]] = value
            for col in open_cols:
                if col in closed or col not in advanced:  # an empty answer would loop forever
                    del cursor[col]
        return table

    async def walk(self, ep: Endpoint, creds: Credentials, oid: Oid, stats: WalkStats) -> list[tuple[Oid, object]]:
        """All (full OID, value) under one subtree; an absent subtree gives []. Raises SnmpError."""
        rows = (await self.walk_columns(ep, creds, [oid], stats))[oid]
        return [(oid + suffix, value) for suffix, value in rows.items()]

    async def get(self, ep: Endpoint, creds: Credentials, oids: list[Oid], stats: WalkStats) -> dict[Oid, object]:
        """Scalar GETs batched max_repetitions OIDs per PDU (as snmp_exporter does)."""
        result: dict[Oid, object] = {}
        step = max(1, ep.max_repetitions)
        for i in range(0, len(oids), step):
            rows = await self._request(ep, creds, oids[i:i + step], bulk=False)
            stats.pdus += 1
            for name, value in rows:
                if not _is_exception(value):
                    stats.varbinds += 1
                    result[name] = value
        return result
