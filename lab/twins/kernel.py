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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyroute2 import IPRoute, netns
from pyroute2.netlink.exceptions import NetlinkError

from lab.twins.model import DeviceConfig

log = logging.getLogger(__name__)

RTPROT_STATIC = 4  # routes the twin installs carry this protocol, so it never touches others
IFA_F_NODAD = 0x02  # the CLI address is usable at once, as on the device (no tentative phase)
IP_FREEBIND = 15


def vrf_device(name: str) -> str:
    """Kernel name of the VRF device for a VPN instance (15 bytes at most)."""
    return ("vpn-" + name)[:15]


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
    protocol: str  # Direct, Static
    table: int


@dataclass
class KernelState:
    links: dict[str, LinkState] = field(default_factory=dict)
    routes: list[RouteState] = field(default_factory=list)
    neighbours6: list[dict[str, Any]] = field(default_factory=list)


class KernelNamespace:
    """One device namespace: a worker thread inside it and the operations the twin needs."""

    def __init__(self, name: str, mgmt_interface: str = "mgmt0") -> None:
        self.name = name
        self.mgmt_interface = mgmt_interface
        self.vrf_supported = True
        self._pool = ThreadPoolExecutor(max_workers=1, initializer=netns.setns, initargs=(name,),
                                        thread_name_prefix=f"ns-{name}")

    async def run(self, func, *args):  # noqa: ANN001, ANN201 - thin executor hop
        return await asyncio.get_running_loop().run_in_executor(self._pool, func, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ---- listening sockets -------------------------------------------------------------
    async def listen_socket(self, address: str, port: int) -> socket.socket:
        return await self.run(_listen_socket, address, port)

    # ---- apply ---------------------------------------------------------------------------
    async def reconcile(self, cfg: DeviceConfig) -> list[str]:
        """Make the namespace match ``cfg``; returns warnings (e.g. a route whose next hop is down)."""
        warnings, vrf_ok = await self.run(_reconcile, cfg, self.vrf_supported)
        self.vrf_supported = vrf_ok
        return warnings

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


def _reconcile(cfg: DeviceConfig, vrf_supported: bool) -> tuple[list[str], bool]:
    warnings: list[str] = []
    _sysctl("net/ipv4/ip_forward", "1")
    _sysctl("net/ipv6/conf/all/forwarding", "1")
    with IPRoute() as ipr:
        vrf_index: dict[str, int] = {}
        if cfg.vpns and vrf_supported:
            for vpn in cfg.vpns.values():
                dev = vrf_device(vpn.name)
                found = ipr.link_lookup(ifname=dev)
                if not found:
                    try:
                        ipr.link("add", ifname=dev, kind="vrf", vrf_table=vpn.table)
                    except NetlinkError as exc:
                        # Some kernels (CI sandboxes) ship without the vrf module: keep the model,
                        # route in the main table, and say so once.
                        log.warning("no VRF support in this kernel (%s); VPN instances are model-only", exc)
                        vrf_supported = False
                        break
                    found = ipr.link_lookup(ifname=dev)
                ipr.link("set", index=found[0], state="up")
                vrf_index[vpn.name] = found[0]
        if vrf_supported:
            wanted = {vrf_device(v) for v in cfg.vpns}
            for link in ipr.get_links():
                info = link.get("IFLA_LINKINFO")
                kind = info.get("IFLA_INFO_KIND") if info else None
                if kind == "vrf" and link.get("ifname", "").startswith("vpn-") and link.get("ifname") not in wanted:
                    ipr.link("del", index=link["index"])
        for intf in cfg.interfaces.values():
            found = ipr.link_lookup(ifname=intf.kernel)
            if not found:
                warnings.append(f"{intf.name}: kernel interface {intf.kernel} missing")
                continue
            index = found[0]
            master = vrf_index.get(intf.vpn, 0) if intf.vpn else 0
            link = ipr.get_links(index)[0]
            if (link.get("IFLA_MASTER") or 0) != master:
                ipr.link("set", index=index, master=master)
            # VRP5 needs the global ``ipv6`` switch too; other dialects keep it on (see Dialect.prepare).
            ipv6_on = intf.ipv6_enabled and cfg.ipv6_global
            _sysctl(f"net/ipv6/conf/{intf.kernel}/keep_addr_on_down", "1")
            _sysctl(f"net/ipv6/conf/{intf.kernel}/disable_ipv6", "0" if ipv6_on else "1")
            _sync_addresses(ipr, index, intf.ipv4, intf.ipv6 if ipv6_on else [])
            ipr.link("set", index=index, state="down" if intf.shutdown else "up")
        warnings += _sync_routes(ipr, cfg, vrf_supported)
    return warnings, vrf_supported


def _sync_addresses(ipr: IPRoute, index: int, ipv4: list[str], ipv6: list[str]) -> None:
    wanted = {str(ipaddress.ip_interface(a)) for a in ipv4 + ipv6}
    present = set()
    for msg in ipr.get_addr(index=index):
        addr = ipaddress.ip_interface(f"{msg.get('IFA_ADDRESS')}/{msg['prefixlen']}")
        if addr.version == 6 and addr.ip.is_link_local:
            continue
        if str(addr) not in wanted:
            ipr.addr("del", index=index, address=str(addr.ip), prefixlen=addr.network.prefixlen)
        else:
            present.add(str(addr))
    # Primary first, so the kernel's primary IPv4 matches the vendor's (secondary ones after).
    for text in ipv4 + ipv6:
        addr = ipaddress.ip_interface(text)
        if str(addr) in present:
            continue
        kwargs: dict[str, Any] = {"index": index, "address": str(addr.ip), "prefixlen": addr.network.prefixlen}
        if addr.version == 6:
            kwargs["flags"] = IFA_F_NODAD
        try:
            ipr.addr("add", **kwargs)
        except NetlinkError as exc:
            log.warning("address %s: %s", addr, exc)


def _route_key(family: int, dst: str, gateway: str, table: int) -> tuple[int, str, str, int]:
    return family, str(ipaddress.ip_network(dst, strict=False)), str(ipaddress.ip_address(gateway)), table


def _sync_routes(ipr: IPRoute, cfg: DeviceConfig, vrf_supported: bool) -> list[str]:
    warnings = []
    wanted = {}
    for route in cfg.routes:
        table = cfg.vpns[route.vpn].table if route.vpn and vrf_supported and route.vpn in cfg.vpns else 254
        wanted[_route_key(route.family, route.prefix, route.nexthop, table)] = route
    present = set()
    for family in (socket.AF_INET, socket.AF_INET6):
        for msg in ipr.route("dump", family=family):
            if msg["proto"] != RTPROT_STATIC:
                continue
            fam = 4 if family == socket.AF_INET else 6
            dst = f"{msg.get('RTA_DST') or ('0.0.0.0' if fam == 4 else '::')}/{msg['dst_len']}"
            gateway = msg.get("RTA_GATEWAY")
            table = msg.get("RTA_TABLE") or msg["table"]
            if gateway is None:
                continue
            key = _route_key(fam, dst, gateway, table)
            if key in wanted:
                present.add(key)
            else:
                ipr.route("del", dst=key[1], gateway=key[2], table=table, proto=RTPROT_STATIC)
    for key, route in wanted.items():
        if key in present:
            continue
        try:
            ipr.route("add", dst=key[1], gateway=key[2], table=key[3], proto=RTPROT_STATIC)
        except NetlinkError as exc:
            # A real device keeps such a route configured but inactive; so do we.
            warnings.append(f"route {route.prefix} via {route.nexthop} inactive: {exc.args[-1]}")
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
                state.routes.append(
                    RouteState(
                        family=fam,
                        prefix=str(ipaddress.ip_network(prefix, strict=False)),
                        gateway=msg.get("RTA_GATEWAY") or "",
                        interface=names.get(msg.get("RTA_OIF"), ""),
                        protocol="Static" if msg["proto"] == RTPROT_STATIC else "Direct",
                        table=table,
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


async def ping(namespace: str, target: str, count: int = 5, timeout: float = 2.0) -> list[PingReply | None]:
    """Real ICMP/ICMPv6 echo from the namespace; one entry per probe, None when it timed out."""
    family = "-6" if ipaddress.ip_address(target).version == 6 else "-4"
    proc = await asyncio.create_subprocess_exec(
        "ip", "netns", "exec", namespace, "ping", family, "-n", "-c", str(count), "-i", "0.2",
        "-W", str(int(timeout)), target,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await proc.communicate()
    replies: dict[int, PingReply] = {}
    for m in re.finditer(r"icmp_seq=(\d+) ttl=(\d+) time=([\d.]+)", out.decode()):
        replies[int(m.group(1))] = PingReply(int(m.group(1)), int(m.group(2)), float(m.group(3)))
    return [replies.get(seq) for seq in range(1, count + 1)]
