"""Metric mapping: SNMP tables (numeric OIDs) → Prometheus metric families. No I/O here.

Naming follows snmp_exporter's generated `if_mib` so community dashboards (11169, 12492)
work: MIB object names in camelCase, labels `ifIndex`, `ifName`, `ifDescr`, `ifAlias`.
MIB Counter32/Counter64 columns are exposed as **untyped** under their MIB name, not as
Prometheus counters: prometheus_client always appends `_total` to a counter family, and
`promtool check metrics` flags a counter without it, so untyped is the one way to keep the
snmp_exporter names and a clean lint. `rate()`/`increase()` work the same on untyped series.

Each module is one small object (`walks`, `gets`, `to_metrics`) registered in `MODULES`;
adding a vendor is one class and one table line.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from prometheus_client.core import GaugeMetricFamily, Metric, UnknownMetricFamily

from monitoring.snmp.health import HEALTH_MODULE_BY_PLATFORM, HEALTH_MODULES

Oid = tuple[int, ...]
Table = dict[Oid, dict[Oid, object]]  # column OID → {index suffix → value}

IF_DESCR: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)
IF_NAME: Oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1)
IF_ALIAS: Oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 18)
IF_HIGH_SPEED: Oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15)
IF_SPEED: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 5)
# Label columns that change only on reconfiguration: cached per target with a bounded age, and
# dropped when the agent restarts or its ifTable changes (collector.py). ifHighSpeed is walked
# every scrape: a port-channel's speed moves with its members without any ifTable change.
STATIC_COLUMNS: tuple[Oid, ...] = (IF_DESCR, IF_NAME, IF_ALIAS)

IF_TABLE = (1, 3, 6, 1, 2, 1, 2, 2, 1)
IF_X_TABLE = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1)


def text(value) -> str:
    """A transport value (bytes, OID tuple, int) as a label value.

    OCTET STRING labels (ifAlias, sysDescr) carry no charset. UTF-8 is tried first (strict: valid
    UTF-8 is almost never a different encoding by accident); Chinese gear commonly stores
    descriptions in GBK, so what is not UTF-8 is read as GB18030 (a superset of GBK and GB2312);
    only bytes that are neither get U+FFFD.
    """
    if isinstance(value, bytes):
        for encoding in ("utf-8", "gb18030"):
            try:
                return value.decode(encoding).rstrip("\x00")
            except UnicodeDecodeError:
                continue
        return value.decode("utf-8", "replace").rstrip("\x00")
    if isinstance(value, tuple):
        return "." + ".".join(map(str, value))
    return str(value)


def number(value) -> float:
    """A numeric varbind as float; ValueError for anything else (an agent's `N/A` OCTET STRING)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bytes):  # some agents send numbers as text; "N/A" is not one
        try:
            return float(value.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            pass
    raise ValueError(f"not a number: {value!r}")


# Values of this scrape that could not be read (set by the collector around to_metrics; every
# scrape runs in its own asyncio task, so each has its own context).
SCRAPE_ERRORS: contextvars.ContextVar[list | None] = contextvars.ContextVar("snmp_scrape_errors", default=None)


def skipped(what: str) -> None:
    """Count one value that was left out of this scrape."""
    errors = SCRAPE_ERRORS.get()
    if errors is not None:
        errors.append(what)


def add_number(fam, labels: list[str], value, column: str = "") -> None:
    """Add a sample unless the value is not a number; such a value is skipped and counted."""
    try:
        fam.add_metric(labels, number(value))
    except ValueError:
        skipped(f"{column or fam.name}{{{','.join(labels)}}}={value!r}")


@dataclass(frozen=True)
class Column:
    name: str
    oid: Oid
    counter: bool
    help: str


class InterfaceLabels:
    """ifIndex → (ifName, ifDescr, ifAlias) labels from the static columns."""

    NAMES = ("ifIndex", "ifName", "ifDescr", "ifAlias")

    def __init__(self, static: Table):
        self.descr = {k[0]: text(v) for k, v in static.get(IF_DESCR, {}).items() if len(k) == 1}
        self.name = {k[0]: text(v) for k, v in static.get(IF_NAME, {}).items() if len(k) == 1}
        self.alias = {k[0]: text(v) for k, v in static.get(IF_ALIAS, {}).items() if len(k) == 1}
        if not self.name:  # an agent without ifXTable (older ZXR10): ifDescr is the only name
            self.name = dict(self.descr)

    def values(self, if_index: int) -> list[str]:
        return [str(if_index), self.name.get(if_index, ""), self.descr.get(if_index, ""),
                self.alias.get(if_index, "")]


def _family(col: Column, labels: Iterable[str]):
    cls = UnknownMetricFamily if col.counter else GaugeMetricFamily
    return cls(col.name, col.help, labels=list(labels))


class Module(Protocol):
    name: str
    walks: tuple[Oid, ...]   # subtrees walked with GETBULK each scrape
    gets: tuple[Oid, ...]    # scalars fetched with GET
    interface_labels: bool   # needs the (cached) ifName/ifDescr/ifAlias columns

    def to_metrics(self, table: Table, scalars: dict[Oid, object], ifl: InterfaceLabels) -> Iterator[Metric]: ...


def _ifc(name: str, table: Oid, col: int, counter: bool, help: str) -> Column:
    return Column(name, table + (col,), counter, help)


class IfMib:
    name = "if_mib"
    interface_labels = True
    columns = (
        _ifc("ifHCInOctets", IF_X_TABLE, 6, True, "Octets received (IF-MIB ifHCInOctets, Counter64)."),
        _ifc("ifHCOutOctets", IF_X_TABLE, 10, True, "Octets sent (IF-MIB ifHCOutOctets, Counter64)."),
        _ifc("ifHCInUcastPkts", IF_X_TABLE, 7, True, "Unicast packets received (Counter64)."),
        _ifc("ifHCOutUcastPkts", IF_X_TABLE, 11, True, "Unicast packets sent (Counter64)."),
        _ifc("ifInErrors", IF_TABLE, 14, True, "Inbound packets with errors (Counter32)."),
        _ifc("ifOutErrors", IF_TABLE, 20, True, "Outbound packets with errors (Counter32)."),
        _ifc("ifInDiscards", IF_TABLE, 13, True, "Inbound packets discarded (Counter32)."),
        _ifc("ifOutDiscards", IF_TABLE, 19, True, "Outbound packets discarded (Counter32)."),
        _ifc("ifOperStatus", IF_TABLE, 8, False, "Operational status: 1 up, 2 down, 3 testing, 5 dormant, 7 lowerLayerDown."),
        _ifc("ifAdminStatus", IF_TABLE, 7, False, "Administrative status: 1 up, 2 down, 3 testing."),
        _ifc("ifMtu", IF_TABLE, 4, False, "Largest packet size in octets."),
    )
    high_speed = Column("ifHighSpeed", IF_HIGH_SPEED, False, "Interface speed in Mbit/s (IF-MIB ifHighSpeed; "
                        "ifSpeed/1e6 from ifTable when the agent has no ifXTable).")
    # ifTable fallback for agents without ifXTable (RFC 2863 made it optional; older ZTE ZXR10
    # lack it): 32-bit octet counters under their own MIB names, and ifSpeed for ifHighSpeed.
    fallback_columns = (
        _ifc("ifInOctets", IF_TABLE, 10, True, "Octets received (IF-MIB ifInOctets, Counter32); only from "
             "agents without ifXTable."),
        _ifc("ifOutOctets", IF_TABLE, 16, True, "Octets sent (IF-MIB ifOutOctets, Counter32); only from "
             "agents without ifXTable."),
    )
    walks = (*(c.oid for c in columns), IF_HIGH_SPEED)
    gets = ()

    def fallback_walks(self, table: Table) -> tuple[Oid, ...]:
        """Columns to walk in a second pass when the first shows the agent has no ifXTable."""
        has_if_table = bool(table.get(IF_TABLE + (8,)))
        has_x_table = any(table.get(c.oid) for c in self.columns if c.oid[:len(IF_X_TABLE)] == IF_X_TABLE)
        if has_if_table and not has_x_table:
            return (*(c.oid for c in self.fallback_columns), IF_SPEED)
        return ()

    def to_metrics(self, table: Table, scalars, ifl: InterfaceLabels) -> Iterator[Metric]:
        for col in self.columns:
            fam = _family(col, InterfaceLabels.NAMES)
            for idx, value in sorted(table.get(col.oid, {}).items()):
                if len(idx) == 1:
                    add_number(fam, ifl.values(idx[0]), value)
            yield fam
        fam = _family(self.high_speed, InterfaceLabels.NAMES)
        if table.get(IF_HIGH_SPEED):
            for idx, value in sorted(table[IF_HIGH_SPEED].items()):
                if len(idx) == 1:
                    add_number(fam, ifl.values(idx[0]), value)
        else:
            for idx, value in sorted(table.get(IF_SPEED, {}).items()):
                if len(idx) == 1:
                    try:
                        fam.add_metric(ifl.values(idx[0]), number(value) / 1e6)
                    except ValueError:
                        skipped(f"ifSpeed.{idx[0]}={value!r}")
        yield fam
        for col in self.fallback_columns:
            if table.get(col.oid):  # only agents without ifXTable: no empty families for the others
                fam = _family(col, InterfaceLabels.NAMES)
                for idx, value in sorted(table[col.oid].items()):
                    if len(idx) == 1:
                        add_number(fam, ifl.values(idx[0]), value)
                yield fam


IP_IF_STATS = (1, 3, 6, 1, 2, 1, 4, 31, 3, 1)  # ipIfStatsEntry, index ipVersion.ifIndex
IP_ADDRESS_IF_INDEX = (1, 3, 6, 1, 2, 1, 4, 34, 1, 3)  # ipAddressIfIndex, index type.len.addr
IPV6 = 2  # InetVersion / InetAddressType ipv6


class Ipv6:
    name = "ipv6"
    interface_labels = True
    columns = (
        Column("ipIfStatsHCInOctets", IP_IF_STATS + (6,), True, "IPv6 octets received on the interface (IP-MIB, ipVersion=2)."),
        Column("ipIfStatsHCOutOctets", IP_IF_STATS + (33,), True, "IPv6 octets sent on the interface (IP-MIB, ipVersion=2)."),
        Column("ipIfStatsHCInReceives", IP_IF_STATS + (4,), True, "IPv6 datagrams received (IP-MIB, ipVersion=2)."),
        Column("ipIfStatsHCOutTransmits", IP_IF_STATS + (31,), True, "IPv6 datagrams sent (IP-MIB, ipVersion=2)."),
    )
    walks = (*(c.oid for c in columns), IP_ADDRESS_IF_INDEX)
    gets = ()

    def to_metrics(self, table: Table, scalars, ifl: InterfaceLabels) -> Iterator[Metric]:
        for col in self.columns:
            fam = _family(col, InterfaceLabels.NAMES)
            for idx, value in sorted(table.get(col.oid, {}).items()):
                if len(idx) == 2 and idx[0] == IPV6:
                    add_number(fam, ifl.values(idx[1]), value)
            yield fam
        counts: dict[int, int] = {}
        for if_index, _addr in ipv6_addresses(table.get(IP_ADDRESS_IF_INDEX, {})):
            counts[if_index] = counts.get(if_index, 0) + 1
        fam = GaugeMetricFamily("ipv6AddressCount", "Global/ULA (non-link-local) IPv6 addresses on the "
                                "interface, from IP-MIB ipAddressTable.", labels=InterfaceLabels.NAMES)
        for if_index in sorted(counts):
            fam.add_metric(ifl.values(if_index), counts[if_index])
        yield fam


def ipv6_addresses(column: dict[Oid, object]) -> Iterator[tuple[int, ipaddress.IPv6Address]]:
    """(ifIndex, address) of every non-link-local IPv6 address in an ipAddressIfIndex walk.

    The index is InetAddressType.InetAddress, the address a length-prefixed octet string:
    2.16.b1…b16 (RFC 4293; net-snmp adds nothing else for global addresses).
    """
    for idx, value in column.items():
        if len(idx) == 18 and idx[0] == IPV6 and idx[1] == 16:
            addr = ipaddress.IPv6Address(bytes(idx[2:]))
            if addr.is_link_local:
                continue
            if not isinstance(value, int):
                skipped(f"ipAddressIfIndex {addr}={value!r}")
                continue
            yield value, addr


SYS = (1, 3, 6, 1, 2, 1, 1)
SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME = SYS + (1, 0), SYS + (2, 0), SYS + (3, 0), SYS + (5, 0)


class System:
    name = "system"
    interface_labels = False
    walks = ()
    gets = (SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME)

    def to_metrics(self, table, scalars: dict[Oid, object], ifl) -> Iterator[Metric]:
        up = GaugeMetricFamily("sysUpTime", "Time since the SNMP agent's network management "
                               "portion was last re-initialised, in hundredths of a second.")
        if SYS_UPTIME in scalars:
            add_number(up, [], scalars[SYS_UPTIME])
        yield up
        info = GaugeMetricFamily("snmp_system_info", "System group: sysName, sysDescr, sysObjectID (always 1).",
                                 labels=["sysName", "sysDescr", "sysObjectID"])
        if SYS_DESCR in scalars or SYS_NAME in scalars:
            info.add_metric([text(scalars.get(SYS_NAME, "")), text(scalars.get(SYS_DESCR, "")),
                             text(scalars.get(SYS_OBJECT_ID, ""))], 1)
        yield info


# OSPF neighbours. OSPF-MIB (RFC 4750) ospfNbrTable = ospf(14).10.1, index ospfNbrIpAddr (4
# octets) . ospfNbrAddressLessIndex; OSPFV3-MIB (RFC 5643) ospfv3NbrTable = ospfv3MIB(191).1.9.1,
# index ospfv3NbrIfIndex . ospfv3NbrIfInstId . ospfv3NbrRtrId (Unsigned32). Both state columns
# are the RFC 2328 neighbour state machine: 1 down, 2 attempt, 3 init, 4 twoWay, 5 exchangeStart,
# 6 exchange, 7 loading, 8 full. Only the columns the NOC needs are walked (index columns are
# read from the index itself, not walked).
OSPF_NBR = (1, 3, 6, 1, 2, 1, 14, 10, 1)
OSPF_NBR_RTR_ID = OSPF_NBR + (3,)
OSPF_NBR_STATE = OSPF_NBR + (6,)
OSPFV3_NBR = (1, 3, 6, 1, 2, 1, 191, 1, 9, 1)
OSPFV3_NBR_ADDRESS = OSPFV3_NBR + (5,)
OSPFV3_NBR_STATE = OSPFV3_NBR + (8,)
OSPF_FULL = 8


def _ipv4(value) -> str:
    """An IpAddress varbind (4 octets) as a dotted quad; anything else as text."""
    if isinstance(value, bytes) and len(value) == 4:
        return str(ipaddress.IPv4Address(value))
    return text(value)


def _inet_address(value) -> str:
    """An InetAddress (RFC 4001: 4 or 16 octets, type in a sibling column) as text."""
    if isinstance(value, bytes) and len(value) in (4, 16):
        return str(ipaddress.ip_address(value))
    return text(value)


class Ospf:
    """Neighbour state per OSPFv2 and OSPFv3 neighbour, with the neighbour's router id."""

    name = "ospf"
    interface_labels = True  # OSPFv3 neighbours are indexed by ifIndex: ifName says which link
    walks = (OSPF_NBR_RTR_ID, OSPF_NBR_STATE, OSPFV3_NBR_ADDRESS, OSPFV3_NBR_STATE)
    gets = ()

    def to_metrics(self, table: Table, scalars, ifl: InterfaceLabels) -> Iterator[Metric]:
        v2 = GaugeMetricFamily("ospfNbrState", "OSPFv2 neighbour state (OSPF-MIB ospfNbrState): 1 down, "
                               "2 attempt, 3 init, 4 twoWay, 5 exchangeStart, 6 exchange, 7 loading, 8 full.",
                               labels=["ospfNbrIpAddr", "ospfNbrAddressLessIndex", "ospfNbrRtrId"])
        rtr = table.get(OSPF_NBR_RTR_ID, {})
        for idx, value in sorted(table.get(OSPF_NBR_STATE, {}).items()):
            if len(idx) != 5:
                skipped(f"ospfNbrState index {idx!r}")
                continue
            address = str(ipaddress.IPv4Address(bytes(idx[:4])))
            add_number(v2, [address, str(idx[4]), _ipv4(rtr.get(idx, b""))], value)
        yield v2
        v3 = GaugeMetricFamily("ospfv3NbrState", "OSPFv3 neighbour state (OSPFV3-MIB ospfv3NbrState): 1 down, "
                               "2 attempt, 3 init, 4 twoWay, 5 exchangeStart, 6 exchange, 7 loading, 8 full.",
                               labels=["ospfv3NbrIfIndex", "ifName", "ospfv3NbrIfInstId", "ospfv3NbrRtrId",
                                       "ospfv3NbrAddress"])
        addresses = table.get(OSPFV3_NBR_ADDRESS, {})
        for idx, value in sorted(table.get(OSPFV3_NBR_STATE, {}).items()):
            if len(idx) != 3 or not 0 <= idx[2] < 2**32:
                skipped(f"ospfv3NbrState index {idx!r}")
                continue
            if_index, inst, router_id = idx
            add_number(v3, [str(if_index), ifl.values(if_index)[1], str(inst), str(ipaddress.IPv4Address(router_id)),
                            _inet_address(addresses.get(idx, b""))], value)
        yield v3


# Vendor health (CPU, memory, temperature per board, optical power): health.py.
MODULES: dict[str, Module] = {m.name: m for m in (IfMib(), Ipv6(), System(), Ospf(), *HEALTH_MODULES)}

# Which vendor health module applies to a SoT platform (used by the Prometheus config generator).
HEALTH_MODULE = dict(HEALTH_MODULE_BY_PLATFORM)
