"""SNMP transport: multi-column GETBULK walks and GETs with pysnmp 7's asyncio API, numeric OIDs only.

v2c goes through pysnmp's lightweight v1arch `SnmpDispatcher` (no SNMP engine, MP or USM
layers): pysnmp builds and encodes the request, sends it on its asyncio transport and handles
timeouts and retries; the Response is decoded by `ber.decode_response` instead of pyasn1, which
is ~35x faster and was 85 % of a scrape's CPU (bench/snmp_exporter). A response that reader does
not understand goes through pysnmp's own pyasn1 path. v3 authPriv needs the v3arch `SnmpEngine`
(USM, AES), driven through pysnmp's command generator below hlapi; pysnmp's USM keeps discovery,
time window, HMAC and decryption, and the decrypted ScopedPDU of a Response is read by the same
fast reader (fastusm.py). Dispatcher and engines are created lazily, one per event loop, and
reused: an engine builds its own MIB tree (~2 MiB, ~50 ms CPU) and both are bound to the loop
they were first used on (lextudio/pysnmp#237).

Requests carry plain (OID tuple, Null) pairs, so no MIB resolution happens on either side.
A walk puts every requested column in one
GETBULK (as `snmptable` and snmp_exporter do), which cuts PDUs ~4x against one walk per column.
Values come back as plain Python: int, bytes (OCTET STRING, IpAddress, Opaque), OID tuples;
varbind exceptions and NULL are dropped by the walk and get.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field

import pysnmp.hlapi.v1arch.asyncio as v1
import pysnmp.hlapi.v3arch.asyncio as v3
from prometheus_client import Counter
from pyasn1.type.univ import Null, ObjectIdentifier, OctetString
from pysnmp.entity.rfc3413 import cmdgen
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
from pysnmp.proto import api
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

from monitoring.snmp import ber, fastusm

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


_V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
# RFC 3416 error-status values, for error messages.
ERROR_STATUS = ("noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess", "wrongType",
                "wrongLength", "wrongEncoding", "wrongValue", "noCreation", "inconsistentValue",
                "resourceUnavailable", "commitFailed", "undoFailed", "authorizationError", "notWritable",
                "inconsistentName")
_PYASN1_EXCEPTIONS = ((EndOfMibView, ber.END_OF_MIB_VIEW), (NoSuchInstance, ber.NO_SUCH_INSTANCE),
                      (NoSuchObject, ber.NO_SUCH_OBJECT))


def plain(value):
    """A pysnmp/pyasn1 value as the plain Python value ber.decode_response gives."""
    for cls, marker in _PYASN1_EXCEPTIONS:  # subclasses of Null: test them first
        if isinstance(value, cls):
            return marker
    if isinstance(value, Null):
        return None
    if isinstance(value, ObjectIdentifier):
        return tuple(value)
    if isinstance(value, OctetString):
        return value.asOctets()
    return int(value)


def _is_exception(value) -> bool:
    return value is None or isinstance(value, ber.VarBindException)


BAD_DATAGRAMS = Counter("govops_snmp_bad_datagrams", "Datagrams received from agents that are not SNMP "
                        "responses (garbage, truncated, another protocol): dropped.")
BAD_DATAGRAM_LOG_EVERY = 60.0  # seconds; a target spraying garbage gets one line per interval, not one per datagram


class _BadDatagramLog:
    """One warning per interval for unreadable datagrams, with how many were dropped since."""

    def __init__(self, every: float = BAD_DATAGRAM_LOG_EVERY):
        self.every = every
        self.last = -every
        self.suppressed = 0

    def __call__(self, address, exc: Exception) -> None:
        BAD_DATAGRAMS.inc()
        now = time.monotonic()
        if now - self.last < self.every:
            self.suppressed += 1
            return
        log.warning("dropped an unreadable datagram from %s (%s: %s)%s; counted in govops_snmp_bad_datagrams_total, "
                    "next such warning in %.0fs at the earliest", _address(address), type(exc).__name__,
                    str(exc).splitlines()[0][:160] if str(exc) else "",
                    f" and {self.suppressed} more since the last warning" if self.suppressed else "", self.every)
        self.last, self.suppressed = now, 0


def _address(address) -> str:
    try:
        return f"{address[0]}:{address[1]}"
    except (TypeError, IndexError):
        return str(address)


_bad_datagram = _BadDatagramLog()


class _Dispatcher(v1.SnmpDispatcher):
    """pysnmp's v1arch dispatcher with the fast Response reader in front of its pyasn1 one.

    Overrides pysnmp's `_recv_callback` (pysnmp 7.1; tests/unit/monitoring/test_snmp_ber.py
    checks the hook still exists). The request callback gets a ber.Response, or pysnmp's pyasn1
    PDU when the fallback decoded the message.
    """

    def _recv_callback(self, snmpEngine, transportDomain, transportAddress, wholeMsg):
        try:
            rsp = ber.decode_response(wholeMsg)
        except ber.BerError:
            try:
                return super()._recv_callback(snmpEngine, transportDomain, transportAddress, wholeMsg)
            except Exception as exc:  # noqa: BLE001 - pyasn1/pysnmp refuse it too: not an SNMP response
                # Uncaught, this reaches asyncio's handler: two chained tracebacks per datagram.
                _bad_datagram(transportAddress, exc)
                return b""
        state = self._pendingReqs.pop(rsp.request_id, None)
        if state is not None:  # else a late duplicate of an answered or timed-out request
            self.transport_dispatcher.job_finished(id(self))
            if state["cbFun"]:
                state["cbFun"](self, rsp.request_id, None, rsp, state["cbCtx"])
        return b""


def _v2c_result(future: asyncio.Future, error_indication, rsp) -> None:
    """send_pdu callback: resolve with (error status, error index, plain varbinds)."""
    if future.done():
        return
    if error_indication:
        future.set_exception(SnmpError(str(error_indication)))
    elif isinstance(rsp, ber.Response):
        future.set_result((rsp.error_status, rsp.error_index, rsp.varbinds))
    else:  # pyasn1 PDU from pysnmp's fallback decoder
        rows = [(tuple(name), plain(value)) for name, value in _V2C.apiPDU.get_varbinds(rsp)]
        future.set_result((int(_V2C.apiPDU.get_error_status(rsp)), int(_V2C.apiPDU.get_error_index(rsp)), rows))


_V3_LCD = CommandGeneratorLcdConfigurator()  # hlapi's: USM user and target rows per engine


def _v3_result(_engine, _handle, error_indication, pdu, future: asyncio.Future) -> None:
    """CommandGenerator callback: resolve with (error status, error index, plain varbinds)."""
    if future.done():
        return
    if error_indication:
        future.set_exception(SnmpError(str(error_indication)))
        return
    rows = fastusm.plain_varbinds(pdu)
    if rows is None:  # decoded by pyasn1 (the fast reader declined it)
        rows = [(tuple(name), plain(value)) for name, value in _V2C.apiPDU.get_varbinds(pdu)]
    status = int(_V2C.apiPDU.get_error_status(pdu))
    if not rows and not status:  # as hlapi did: a response without varbinds is an agent fault
        future.set_exception(SnmpError("empty response"))
        return
    # Read raw: pysnmp's get_error_index checks it against the (fast path: empty) varbind list.
    future.set_result((status, int(pdu.getComponentByPosition(2)), rows))


class SnmpClient:
    """Walks and GETs against many agents concurrently from one event loop."""

    def __init__(self) -> None:
        self._engines: dict[tuple, v3.SnmpEngine] = {}
        self._dispatchers: dict[int, _Dispatcher] = {}
        self._targets: dict[tuple, object] = {}

    def _engine(self, creds: Credentials) -> v3.SnmpEngine:
        # One engine per v3 credential set: pysnmp's hlapi caches a USM user by (userName,
        # securityEngineId) only, so a second key set for the same user name on one engine is
        # silently replaced by the first (a wrong key would "work", per-device keys would not).
        key = (id(asyncio.get_running_loop()), creds)
        if key not in self._engines:
            engine = v3.SnmpEngine()
            fastusm.use_fast_usm(engine)
            self._engines[key] = engine
            # The engine's MIB tree (~2 MiB of objects) lives as long as the engine; out of the
            # cyclic GC's generations, full collections stop walking it on every scrape (~8 % of a
            # 500-interface v3 walk's CPU, measured in-process). Acyclic objects frozen with it are
            # still freed by reference counting.
            gc.freeze()
        return self._engines[key]

    def _dispatcher(self) -> _Dispatcher:
        key = id(asyncio.get_running_loop())
        if key not in self._dispatchers:
            d = _Dispatcher()
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
        """One GET or GETBULK; the response's (OID tuple, plain value) pairs in wire order."""
        if creds.version == 3:
            status, index, rows = await self._request_v3(ep, creds, oids, bulk)
        else:
            status, index, rows = await self._request_v2c(ep, creds, oids, bulk)
        if status:
            name = ERROR_STATUS[status] if 0 <= status < len(ERROR_STATUS) else f"error-status {status}"
            raise SnmpError(f"{name} at index {index}")
        return rows

    async def _request_v2c(self, ep: Endpoint, creds: Credentials, oids: list[Oid], bulk: bool):
        if bulk:
            pdu = _V2C.GetBulkRequestPDU()
            _V2C.apiBulkPDU.set_defaults(pdu)
            _V2C.apiBulkPDU.set_max_repetitions(pdu, ep.max_repetitions)
        else:
            pdu = _V2C.GetRequestPDU()
            _V2C.apiPDU.set_defaults(pdu)
        _V2C.apiPDU.set_varbinds(pdu, [(o, _V2C.null) for o in oids])
        future = asyncio.get_running_loop().create_future()
        self._dispatcher().send_pdu(creds.auth_data(), await self._target(v1, ep), pdu,
                                    cbFun=lambda _d, _rid, err, rsp, fut: _v2c_result(fut, err, rsp), cbCtx=future)
        return await future

    async def _request_v3(self, ep: Endpoint, creds: Credentials, oids: list[Oid], bulk: bool):
        # pysnmp's command generator below hlapi (hlapi's callbacks would turn the varbinds into
        # ObjectTypes), so the response PDU reaches us with the fast path's plain varbinds.
        engine = self._engine(creds)
        addr_name, _ = _V3_LCD.configure(engine, creds.auth_data(), await self._target(v3, ep), b"")
        pdu = fastusm.request_pdu(oids, bulk, ep.max_repetitions)
        future = asyncio.get_running_loop().create_future()
        # A generator per request, as hlapi does: its pending requests are keyed by the engine's
        # sendPduHandle, which is only unique within one engine.
        cmdgen.CommandGenerator().send_pdu(engine, addr_name, None, b"", pdu, _v3_result, future)
        return await future

    async def walk_columns(self, ep: Endpoint, creds: Credentials, columns: list[Oid], stats: WalkStats,
                           splits: list[Oid] | tuple = ()) -> Table:
        """Every (index suffix → value) under each of `columns`, all walked in the same GETBULKs.

        Each response holds up to max_repetitions rows of the still-open columns in request
        order; a column closes when its OIDs leave its subtree, at endOfMibView, or if the
        agent stops making progress. An absent subtree gives {}. Raises SnmpError.

        `splits` (index suffixes, ascending) cut every column into segments walked concurrently:
        (start, s1], (s1, s2], ..., (sN, end). The agent prepares one segment's next response
        while this process decodes another's, so a big table's wall time is no longer the sum of
        both sides' (agents such as net-snmp cap a GETBULK response at 100 varbinds, so a
        500-interface walk is ~64 round trips). The result is the same table, in the same order,
        whatever the splits (tested); a split point need not exist in the table.
        """
        if not splits:
            return await self._walk_segment(ep, creds, columns, stats, None, None)
        bounds = [None, *splits, None]
        tasks = [asyncio.ensure_future(self._walk_segment(ep, creds, columns, stats, bounds[i], bounds[i + 1]))
                 for i in range(len(bounds) - 1)]
        try:
            parts = await asyncio.gather(*tasks)
        finally:  # one segment failed (or the scrape's deadline hit): stop the others too
            for t in tasks:
                t.cancel()
        table: Table = {c: {} for c in columns}
        for part in parts:  # segments in OID order: each column's rows stay in walk order
            for c in columns:
                table[c].update(part[c])
        return table

    async def _walk_segment(self, ep: Endpoint, creds: Credentials, columns: list[Oid], stats: WalkStats,
                            after: Oid | None, upto: Oid | None) -> Table:
        """walk_columns' rows with index suffix in (after, upto] (None: open end)."""
        table: Table = {c: {} for c in columns}
        cursor: dict[Oid, Oid] = {c: c + after if after is not None else c for c in columns}
        last: dict[Oid, Oid] | None = {c: c + upto for c in columns} if upto is not None else None
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
                if (oid[:len(col)] != col or oid <= cursor[col] or value is ber.END_OF_MIB_VIEW
                        or (last is not None and oid > last[col])):  # the next segment's row
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
