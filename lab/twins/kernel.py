"""The kernel of a device's network namespace, driven with pyroute2.

All work runs on one thread per namespace that has entered it with ``setns``, so netlink
sockets, ``/proc/sys/net`` and listening sockets opened there belong to the device, while the
rest of the twin process stays in the root namespace. ``reconcile`` makes the kernel match a
model: it is idempotent, so the same call serves startup, every change, commit and rollback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyroute2 import IPRoute, netns
from pyroute2.netlink.exceptions import NetlinkError
from pyroute2.netlink.rtnl.marshal import MarshalRtnl

from lab.twins.model import DeviceConfig

log = logging.getLogger(__name__)

RTPROT_STATIC = 4  # routes the twin installs carry this protocol, so it never touches others
RTPROT_OSPF = 188  # routes FRR's zebra installs for ospfd/ospf6d (lab/frr.py): the twin never writes them
RTPROT_VPN = 250  # the twin's VPN connected routes and table terminators (a number no daemon uses)
IFA_F_NODAD = 0x02  # the CLI address is usable at once, as on the device (no tentative phase)
IFA_F_NOPREFIXROUTE = 0x200  # VPN-bound addresses: the connected route goes to the VPN table only
VPN_RULE_PREF = 900  # every `ip rule` the twin owns has this priority (ahead of main at 32766)
RTN_UNICAST, RTN_UNREACHABLE = 1, 7
UNREACHABLE_METRIC = 0xFF000000
IP_FREEBIND = 15
RTMGRP_LINK, RTM_NEWLINK, IFF_RUNNING = 0x1, 16, 0x40
PROTOCOLS = {RTPROT_STATIC: "Static", RTPROT_OSPF: "OSPF"}
RESYNC_ATTEMPTS = 5  # after a link comes up: routes whose next hop does not resolve yet are retried


@dataclass
class LinkState:
    name: str
    admin_up: bool
    oper_up: bool
    mac: str
    mtu: int
    link_local: str = ""


@dataclass
class RouteState:
    family: int
    prefix: str
    gateway: str
    interface: str
    protocol: str  # Direct, Static, OSPF
    table: int
    metric: int = 0  # the route's cost (FRR installs the OSPF cost as the kernel metric)
    path: str = ""  # an OSPF route's path type from FRR: IA intra-area, IE inter-area, E1/E2 external


@dataclass
class KernelState:
    links: dict[str, LinkState] = field(default_factory=dict)
    routes: list[RouteState] = field(default_factory=list)
    neighbours6: list[dict[str, Any]] = field(default_factory=list)


class KernelNamespace:
    """One device namespace: a worker thread inside it and the operations the twin needs.

    A router's RIB keeps its configured static routes and reinstalls them when their next hop
    becomes reachable again; the kernel instead deletes the routes of an interface set down
    (IPv4 and IPv6 alike) and never brings them back. So a second thread in the namespace
    watches link events, and when an interface comes up (e.g. `lab fault link … up`, `clear`)
    re-applies the running configuration's routes on the worker thread (``_resync_routes``)."""

    def __init__(self, name: str, mgmt_interface: str = "mgmt0") -> None:
        self.name = name
        self.mgmt_interface = mgmt_interface
        # flags=0: enter the device's namespace, never create one (pyroute2's default is O_CREAT).
        self._pool = ThreadPoolExecutor(max_workers=1, initializer=netns.setns, initargs=(name, 0),
                                        thread_name_prefix=f"ns-{name}")
        self._running: DeviceConfig | None = None  # the last configuration reconciled
        self._resync_queued = threading.Event()
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch_links, name=f"links-{name}", daemon=True)
        self._watcher.start()

    async def run(self, func, *args):  # noqa: ANN001, ANN201 - thin executor hop
        return await asyncio.get_running_loop().run_in_executor(self._pool, func, *args)

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ---- link events -----------------------------------------------------------------------
    def _watch_links(self) -> None:
        try:
            netns.setns(self.name, 0)
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
            sock.bind((0, RTMGRP_LINK))
        except OSError as exc:
            log.warning("%s: cannot watch link events (%s); routes are not restored after link up", self.name, exc)
            return
        sock.settimeout(1.0)  # wake up to notice close()
        marshal, running = MarshalRtnl(), {}
        with sock:
            while not self._stop.is_set():
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    continue
                except OSError as exc:  # e.g. ENOBUFS after a burst: resync anyway, then go on
                    log.info("%s: link events: %s", self.name, exc)
                    self._queue_resync()
                    continue
                came_up = False
                for msg in marshal.parse(data):
                    if msg["header"]["type"] != RTM_NEWLINK:
                        continue
                    now = bool(msg["flags"] & IFF_RUNNING)
                    came_up |= now and not running.get(msg["index"], False)
                    running[msg["index"]] = now
                if came_up:
                    self._queue_resync()

    def _queue_resync(self) -> None:
        """One resync on the worker thread (after any reconcile in flight); bursts coalesce."""
        if self._running is None or self._stop.is_set() or self._resync_queued.is_set():
            return
        self._resync_queued.set()
        try:
            self._pool.submit(self._resync)
        except RuntimeError:  # pool shut down: the twin is stopping
            pass

    def _resync(self, attempt: int = 1) -> None:
        self._resync_queued.clear()
        if self._running is None:
            return
        warnings = _resync_routes(self._running)
        # A next hop may resolve a moment after the link (IPv6 connected routes come back with
        # the link's addresses): try again briefly, as a RIB reinstalls once the next hop resolves.
        if warnings and attempt < RESYNC_ATTEMPTS and not self._stop.is_set():
            timer = threading.Timer(0.5 * attempt, self._retry, args=(attempt + 1,))
            timer.daemon = True
            timer.start()
            return
        for warning in warnings:
            log.info("%s: after link up: %s", self.name, warning)

    def _retry(self, attempt: int) -> None:
        try:
            self._pool.submit(self._resync, attempt)
        except RuntimeError:  # pool shut down: the twin is stopping
            pass

    # ---- listening sockets -------------------------------------------------------------
    async def listen_socket(self, address: str, port: int) -> socket.socket:
        return await self.run(_listen_socket, address, port)

    # ---- apply ---------------------------------------------------------------------------
    async def reconcile(self, cfg: DeviceConfig) -> list[str]:
        """Make the namespace match ``cfg``; returns warnings (e.g. a route whose next hop is down)."""
        self._running = cfg.copy()  # what a later link-up restores routes from
        return await self.run(_reconcile, cfg)

    async def state(self) -> KernelState:
        return await self.run(_read_state)


def _listen_socket(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # The lab may add the management address after we start; bind anyway.
    sock.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
    sock.bind((address, port))
    sock.listen(64)
    sock.setblocking(False)
    return sock


def _sysctl(path: str, value: str) -> None:
    target = Path("/proc/sys") / path
    try:
        if target.read_text().strip() != value:
            target.write_text(value)
    except OSError as exc:
        log.warning("sysctl %s=%s: %s", path, value, exc)


def _reconcile(cfg: DeviceConfig) -> list[str]:
    warnings: list[str] = []
    _sysctl("net/ipv4/ip_forward", "1")
    _sysctl("net/ipv6/conf/all/forwarding", "1")
    with IPRoute() as ipr:
        for intf in cfg.interfaces.values():
            found = ipr.link_lookup(ifname=intf.kernel)
            if not found:
                warnings.append(f"{intf.name}: kernel interface {intf.kernel} missing")
                continue
            index = found[0]
            # VRP5 needs the global ``ipv6`` switch too; other dialects keep it on (see Dialect.prepare).
            ipv6_on = intf.ipv6_enabled and cfg.ipv6_global
            _sysctl(f"net/ipv6/conf/{intf.kernel}/keep_addr_on_down", "1")
            _sysctl(f"net/ipv6/conf/{intf.kernel}/disable_ipv6", "0" if ipv6_on else "1")
            in_vpn = bool(intf.vpn) and intf.vpn in cfg.vpns
            _sync_addresses(ipr, index, intf.ipv4, intf.ipv6 if ipv6_on else [], noprefixroute=in_vpn)
            ipr.link("set", index=index, state="down" if intf.shutdown else "up")
        _sync_vpn_rules(ipr, cfg)
        _sync_vpn_routes(ipr, cfg)
        warnings += _sync_routes(ipr, cfg)
    return warnings


def _resync_routes(cfg: DeviceConfig) -> list[str]:
    """The routes of ``cfg`` only (static and VPN connected), as after a link came up: links and
    addresses are left as they are, so a link a fault holds down stays down."""
    with IPRoute() as ipr:
        _sync_vpn_routes(ipr, cfg)
        return _sync_routes(ipr, cfg)


# ---- VPN instances as policy routing (this kernel has no `vrf` module; see README) -------------
def _vpn_bindings(cfg: DeviceConfig) -> list[tuple[Any, int]]:
    """(interface, table) for every interface bound to an existing VPN instance."""
    return [(i, cfg.vpns[i.vpn].table) for i in cfg.interfaces.values() if i.vpn and i.vpn in cfg.vpns]


def _wanted_rules(cfg: DeviceConfig) -> set[tuple[int, str, str, int]]:
    """(family, iif, from-prefix, table): packets arriving on a bound interface, and the device's
    own packets sourced from its VPN addresses (replies to a ping of the gateway), use table N."""
    rules = set()
    for intf, table in _vpn_bindings(cfg):
        for fam in (socket.AF_INET, socket.AF_INET6):
            rules.add((fam, intf.kernel, "", table))
        for text in intf.ipv4 + intf.ipv6:
            addr = ipaddress.ip_interface(text)
            fam = socket.AF_INET if addr.version == 4 else socket.AF_INET6
            rules.add((fam, "", f"{addr.ip}/{addr.max_prefixlen}", table))
    return rules


def _sync_set(wanted: set, current: Iterable[tuple], apply: Callable[[str, tuple], None]) -> None:
    """Delete what is there but not wanted, then add what is wanted but not there."""
    present = set()
    for key in current:
        if key in wanted:
            present.add(key)
        else:
            apply("del", key)
    for key in sorted(wanted - present):
        apply("add", key)


def _vpn_rule_keys(ipr: IPRoute) -> Iterator[tuple[int, str, str, int]]:
    for fam in (socket.AF_INET, socket.AF_INET6):
        for msg in ipr.get_rules(family=fam):
            if msg.get("FRA_PRIORITY") != VPN_RULE_PREF:
                continue  # only the twin's own rules (its priority) are touched
            src = msg.get("FRA_SRC")
            yield (fam, msg.get("FRA_IIFNAME") or "", f"{src}/{msg['src_len']}" if src else "",
                   msg.get("FRA_TABLE") or msg["table"])


def _sync_vpn_rules(ipr: IPRoute, cfg: DeviceConfig) -> None:
    _sync_set(_wanted_rules(cfg), _vpn_rule_keys(ipr), lambda op, key: _rule(ipr, op, key))


def _rule(ipr: IPRoute, op: str, key: tuple[int, str, str, int]) -> None:
    fam, iif, src, table = key
    kwargs: dict[str, Any] = {"family": fam, "table": table, "priority": VPN_RULE_PREF, "action": "FR_ACT_TO_TBL"}
    if iif:
        kwargs["iifname"] = iif
    if src:
        net = ipaddress.ip_network(src)
        kwargs.update(src=str(net.network_address), src_len=net.prefixlen)
    try:
        ipr.rule(op, **kwargs)
    except NetlinkError as exc:
        log.warning("ip rule %s %s: %s", op, key, exc)


def _wanted_vpn_routes(ipr: IPRoute, cfg: DeviceConfig) -> set[tuple[int, str, int, int, int]]:
    """(family, dst, table, type, oif): connected routes of bound interfaces in their table, and an
    ``unreachable default`` closing every VPN table so nothing falls through to main."""
    wanted = set()
    for vpn in cfg.vpns.values():
        wanted.add((socket.AF_INET, "0.0.0.0/0", vpn.table, RTN_UNREACHABLE, 0))
        wanted.add((socket.AF_INET6, "::/0", vpn.table, RTN_UNREACHABLE, 0))
    for intf, table in _vpn_bindings(cfg):
        found = ipr.link_lookup(ifname=intf.kernel)
        if not found:
            continue
        ipv6_on = intf.ipv6_enabled and cfg.ipv6_global
        for text in intf.ipv4 + (intf.ipv6 if ipv6_on else []):
            net = ipaddress.ip_interface(text).network
            fam = socket.AF_INET if net.version == 4 else socket.AF_INET6
            wanted.add((fam, str(net), table, RTN_UNICAST, found[0]))
    return wanted


def _vpn_route_keys(ipr: IPRoute) -> Iterator[tuple[int, str, int, int, int]]:
    for fam in (socket.AF_INET, socket.AF_INET6):
        for msg in ipr.route("dump", family=fam):
            if msg["proto"] == RTPROT_VPN:
                yield (fam, _dst(msg, fam), msg.get("RTA_TABLE") or msg["table"], msg["type"], msg.get("RTA_OIF") or 0)


def _sync_vpn_routes(ipr: IPRoute, cfg: DeviceConfig) -> None:
    _sync_set(_wanted_vpn_routes(ipr, cfg), _vpn_route_keys(ipr), lambda op, key: _vpn_route(ipr, op, key))


def _vpn_route(ipr: IPRoute, op: str, key: tuple[int, str, int, int, int]) -> None:
    fam, dst, table, rtype, oif = key
    kwargs: dict[str, Any] = {"family": fam, "dst": dst, "table": table, "type": rtype, "proto": RTPROT_VPN}
    if rtype == RTN_UNREACHABLE:
        kwargs["priority"] = UNREACHABLE_METRIC  # a configured default in the VPN wins over it
    else:
        kwargs.update(oif=oif, scope=253)  # link scope, as the kernel's own connected routes
    try:
        ipr.route(op, **kwargs)
    except NetlinkError as exc:
        log.warning("vpn route %s %s: %s", op, key, exc)


def _dst(msg: Any, fam: int) -> str:
    dst = msg.get("RTA_DST") or ("0.0.0.0" if fam == socket.AF_INET else "::")
    return str(ipaddress.ip_network(f"{dst}/{msg['dst_len']}", strict=False))


def _sync_addresses(ipr: IPRoute, index: int, ipv4: list[str], ipv6: list[str], noprefixroute: bool = False) -> None:
    """Addresses as configured. On a VPN-bound interface they carry ``noprefixroute``: the
    connected route then lives only in the VPN's table (``_sync_vpn_routes``), never in main."""
    wanted = {str(ipaddress.ip_interface(a)) for a in ipv4 + ipv6}
    present = set()
    for msg in ipr.get_addr(index=index):
        addr = ipaddress.ip_interface(f"{msg.get('IFA_ADDRESS')}/{msg['prefixlen']}")
        if addr.version == 6 and addr.ip.is_link_local:
            continue
        flags = msg.get("IFA_FLAGS") or msg["flags"]
        if str(addr) not in wanted or bool(flags & IFA_F_NOPREFIXROUTE) != noprefixroute:
            ipr.addr("del", index=index, address=str(addr.ip), prefixlen=addr.network.prefixlen)
        else:
            present.add(str(addr))
    # Primary first, so the kernel's primary IPv4 matches the vendor's (secondary ones after).
    for text in ipv4 + ipv6:
        addr = ipaddress.ip_interface(text)
        if str(addr) in present:
            continue
        kwargs: dict[str, Any] = {"index": index, "address": str(addr.ip), "prefixlen": addr.network.prefixlen}
        flags = IFA_F_NOPREFIXROUTE if noprefixroute else 0
        if addr.version == 6:
            flags |= IFA_F_NODAD
        if flags:
            kwargs["IFA_FLAGS"] = flags
        try:
            ipr.addr("add", **kwargs)
        except NetlinkError as exc:
            log.warning("address %s: %s", addr, exc)


def _sync_routes(ipr: IPRoute, cfg: DeviceConfig) -> list[str]:
    """Static routes (protocol ``static``). Several next hops for one prefix are one ECMP route
    (RTA_MULTIPATH), as a device installs equal-cost static routes; a route in a VPN instance goes
    to the instance's table."""
    warnings = []
    wanted: dict[tuple[int, str, int], list[str]] = {}
    for route in cfg.routes:
        if route.vpn and route.vpn not in cfg.vpns:
            continue
        table = cfg.vpns[route.vpn].table if route.vpn else 254
        fam = socket.AF_INET if route.family == 4 else socket.AF_INET6
        hops = wanted.setdefault((fam, str(ipaddress.ip_network(route.prefix, strict=False)), table), [])
        gateway = str(ipaddress.ip_address(route.nexthop))
        if gateway not in hops:
            hops.append(gateway)
    present: dict[tuple[int, str, int], set[str]] = {}
    for fam in (socket.AF_INET, socket.AF_INET6):
        for msg in ipr.route("dump", family=fam):
            if msg["proto"] != RTPROT_STATIC:
                continue
            key = (fam, _dst(msg, fam), msg.get("RTA_TABLE") or msg["table"])
            present.setdefault(key, set()).update(_gateways(msg))
    for key, gateways in list(present.items()):
        if gateways - set(wanted.get(key, [])):
            _del_static(ipr, key, gateways)
            del present[key]
    for key, hops in wanted.items():
        have = present.get(key, set())
        missing = [h for h in hops if h not in have]
        if not missing:
            continue
        if have and key[0] == socket.AF_INET6:
            warnings += _append_static(ipr, key, missing)  # keep the live next hops, add the rest
            continue
        if have:
            _del_static(ipr, key, have)  # IPv4 ECMP is one route: rebuild it with every next hop
        warnings += _add_static(ipr, key, hops)
    return warnings


def _gateways(msg: Any) -> set[str]:
    if msg.get("RTA_GATEWAY"):
        return {msg.get("RTA_GATEWAY")}
    return {hop.get("RTA_GATEWAY") for hop in msg.get("RTA_MULTIPATH") or [] if hop.get("RTA_GATEWAY")}


def _del_static(ipr: IPRoute, key: tuple[int, str, int], gateways: set[str]) -> None:
    fam, dst, table = key
    for _ in range(len(gateways) + 1):  # an IPv6 ECMP route is deleted one next hop at a time
        try:
            ipr.route("del", family=fam, dst=dst, table=table, proto=RTPROT_STATIC)
        except NetlinkError:
            return


def _add_static(ipr: IPRoute, key: tuple[int, str, int], hops: list[str]) -> list[str]:
    fam, dst, table = key
    if len(hops) > 1:
        try:
            ipr.route("add", family=fam, dst=dst, table=table, proto=RTPROT_STATIC,
                      multipath=[{"gateway": h} for h in hops])
            return []
        except NetlinkError:
            pass  # a next hop is not reachable now: install those that are, one by one
    warnings = []
    for i, hop in enumerate(hops):
        try:
            ipr.route("add", family=fam, dst=dst, gateway=hop, table=table, proto=RTPROT_STATIC)
        except NetlinkError as exc:
            # A real device keeps such a route configured but inactive; so do we.
            warnings.append(f"route {dst} via {hop} inactive: {exc.args[-1]}")
            continue
        if fam == socket.AF_INET6:
            return warnings + _append_static(ipr, key, hops[i + 1:])
        break  # IPv4: one live next hop now; the next reconcile rebuilds the ECMP route
    return warnings


def _append_static(ipr: IPRoute, key: tuple[int, str, int], hops: list[str]) -> list[str]:
    """IPv6: add next hops to an existing route (``ip -6 route append``), each on its own."""
    fam, dst, table = key
    warnings = []
    for hop in hops:
        try:
            ipr.route("append", family=fam, dst=dst, gateway=hop, table=table, proto=RTPROT_STATIC)
        except NetlinkError as exc:
            warnings.append(f"route {dst} via {hop} inactive: {exc.args[-1]}")
    return warnings


def _read_state() -> KernelState:
    state = KernelState()
    with IPRoute() as ipr:
        names = {}
        for link in ipr.get_links():
            name = link.get("ifname")
            names[link["index"]] = name
            state.links[name] = LinkState(
                name=name,
                admin_up=bool(link["flags"] & 1),
                oper_up=link.get("IFLA_OPERSTATE") in ("UP", "UNKNOWN") and bool(link["flags"] & 1),
                mac=link.get("IFLA_ADDRESS") or "00:00:00:00:00:00",
                mtu=link.get("IFLA_MTU") or 1500,
            )
        for msg in ipr.get_addr(family=socket.AF_INET6):
            addr = ipaddress.IPv6Address(msg.get("IFA_ADDRESS"))
            name = names.get(msg["index"])
            if addr.is_link_local and name in state.links:
                state.links[name].link_local = str(addr)
        for family, fam in ((socket.AF_INET, 4), (socket.AF_INET6, 6)):
            for msg in ipr.route("dump", family=family):
                table = msg.get("RTA_TABLE") or msg["table"]
                if msg["type"] not in (1,):  # unicast only; local/broadcast are not shown
                    continue
                dst = msg.get("RTA_DST") or ("0.0.0.0" if fam == 4 else "::")
                prefix = f"{dst}/{msg['dst_len']}"
                if fam == 6 and ipaddress.IPv6Network(prefix).is_link_local:
                    continue
                if fam == 6 and ipaddress.IPv6Network(prefix).is_multicast:
                    continue
                # An ECMP route is shown once per next hop, as a device's routing table does.
                hops = [(h.get("RTA_GATEWAY") or "", h["oif"]) for h in msg.get("RTA_MULTIPATH") or []]
                for gateway, oif in hops or [(msg.get("RTA_GATEWAY") or "", msg.get("RTA_OIF"))]:
                    state.routes.append(
                        RouteState(
                            family=fam,
                            prefix=str(ipaddress.ip_network(prefix, strict=False)),
                            gateway=gateway,
                            interface=names.get(oif, ""),
                            protocol=PROTOCOLS.get(msg["proto"], "Direct"),
                            table=table,
                            metric=msg.get("RTA_PRIORITY") or 0,
                        )
                    )
        for msg in ipr.get_neighbours(family=socket.AF_INET6):
            if msg.get("NDA_LLADDR") is None:
                continue
            state.neighbours6.append(
                {
                    "address": msg.get("NDA_DST"),
                    "mac": msg.get("NDA_LLADDR"),
                    "interface": names.get(msg["ifindex"], ""),
                    "state": msg["state"],
                }
            )
    return state


@dataclass
class PingReply:
    sequence: int
    ttl: int
    time_ms: float


async def ping(namespace: str, target: str, count: int = 5, timeout: float = 2.0,
               source: str = "") -> list[PingReply | None]:
    """Real ICMP/ICMPv6 echo from the namespace; one entry per probe, None when it timed out.
    ``source`` (an address of a VPN-bound interface) makes the probes use that VPN's table."""
    family = "-6" if ipaddress.ip_address(target).version == 6 else "-4"
    proc = await asyncio.create_subprocess_exec(
        "ip", "netns", "exec", namespace, "ping", family, "-n", "-c", str(count), "-i", "0.2",
        "-W", str(int(timeout)), *(["-I", source] if source else []), target,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await proc.communicate()
    replies: dict[int, PingReply] = {}
    for m in re.finditer(r"icmp_seq=(\d+) ttl=(\d+) time=([\d.]+)", out.decode()):
        replies[int(m.group(1))] = PingReply(int(m.group(1)), int(m.group(2)), float(m.group(3)))
    return [replies.get(seq) for seq in range(1, count + 1)]
