"""What the lab builds for an inventory: namespaces, links, addresses and baseline routes.

Pure (no side effects), so it is unit-tested without root. `netns.py`, `hosts.py`,
`snmp.py` and the twins config are all driven from one `LabTopology`.
"""

from __future__ import annotations

import ipaddress
from collections import deque
from dataclasses import dataclass, field

from govops import ipv6, vendors
from govops.sot.model import Inventory
from govops.sot.routing import plan_ospf
from lab.ifnames import kernel_name

DEFAULT_PREFIX = "govlab"
# The lab's IGP: "static" (every route a static one, kernel.py) or "ospf" (FRR per device, lab/frr.py,
# from the inventory's routing design). `lab up` takes it from GOVOPS_LAB_IGP.
IGPS = ("static", "ospf")
DEFAULT_IGP = "static"
MGMT_NODE = "mgmt"
MGMT_BRIDGE = "br0"
MGMT_IF = "mgmt0"
HOST_DATA_IF = "eth1"

# The loopback each platform's templates configure (network.render.LOOPBACK says the same):
# VRP and Comware "LoopBack0", Ruijie "Loopback 0", ZTE "loopback1".
LOOPBACK = {"huawei": "LoopBack0", "huawei_vrpv8": "LoopBack0", "hp_comware": "LoopBack0",
            "ruijie_os": "Loopback 0", "zte_zxros": "loopback1"}


@dataclass(frozen=True)
class Veth:
    """A veth pair: `name` in namespace `netns`, `peer` in `peer_netns` (may be the same)."""

    netns: str
    name: str
    peer_netns: str
    peer: str


@dataclass
class Node:
    name: str
    kind: str  # "device" | "host" | "mgmt"
    netns: str
    mgmt_ipv4: ipaddress.IPv4Interface
    mgmt_ipv6: ipaddress.IPv6Interface
    platform: str = ""
    # vendor name -> kernel name (devices only, incl. the loopback)
    interfaces: dict[str, str] = field(default_factory=dict)
    # vendor name -> {"ipv4": "a.b.c.d/len", "description": ..., "shutdown": False}
    startup_interfaces: dict[str, dict] = field(default_factory=dict)
    static_routes_v4: list[dict[str, str]] = field(default_factory=list)
    # hosts: data-plane address on eth1 and its gateway
    data_ipv4: ipaddress.IPv4Interface | None = None
    gateway_ipv4: ipaddress.IPv4Address | None = None
    # devices: the kernel table of each private network's VPN instance (twins' `vpn_tables`)
    vpn_tables: dict[str, int] = field(default_factory=dict)
    # devices, when the lab runs OSPF: the twins' `startup.ospf` block (lab/twins/model.py)
    ospf: dict | None = None


@dataclass
class SiteEndpoint:
    """A department site of a private network: a bare namespace (no sshd) on a device port.

    The port stays unconfigured until the private network is migrated onto the extranet."""

    department: str
    name: str
    netns: str
    device: str
    interface: str
    ipv4: ipaddress.IPv4Interface
    ipv6: ipaddress.IPv6Interface
    gateway_ipv4: ipaddress.IPv4Address
    gateway_ipv6: ipaddress.IPv6Address


@dataclass
class LabTopology:
    prefix: str
    nodes: dict[str, Node]
    veths: list[Veth]
    mgmt_ports: dict[str, str]  # node -> bridge port name in the mgmt namespace
    sites: dict[str, SiteEndpoint] = field(default_factory=dict)  # "<department>/<site>" -> endpoint

    @property
    def mgmt(self) -> Node:
        return self.nodes[MGMT_NODE]

    def devices(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == "device"]

    def hosts(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == "host"]

    def namespaces(self) -> list[str]:
        return [n.netns for n in self.nodes.values()] + [s.netns for s in self.sites.values()]


def site_namespace(prefix: str, department: str, site: str) -> str:
    return f"{prefix}-site-{department}-{site}"


def namespace(prefix: str, node: str) -> str:
    return f"{prefix}-{node}"


def loopback_name(platform: str) -> str:
    return LOOPBACK.get(platform, "LoopBack0")


def build_topology(inv: Inventory, prefix: str = DEFAULT_PREFIX, igp: str = DEFAULT_IGP) -> LabTopology:
    """Everything the lab creates for `inv`, named with `prefix`; with ``igp="ospf"`` the devices
    start with the inventory's OSPF design and no static routes (FRR learns them)."""
    block = inv.city.ipv4_blocks.management

    def mgmt_pair(address: ipaddress.IPv4Address) -> tuple[ipaddress.IPv4Interface, ipaddress.IPv6Interface]:
        return ipaddress.IPv4Interface(f"{address}/{block.prefixlen}"), ipv6.management_ipv6(inv, address)

    nodes: dict[str, Node] = {}
    v4, v6 = mgmt_pair(next(block.hosts()))
    nodes[MGMT_NODE] = Node(MGMT_NODE, "mgmt", namespace(prefix, MGMT_NODE), v4, v6)
    for name, dev in inv.devices.items():
        v4, v6 = mgmt_pair(dev.mgmt_ipv4)
        nodes[name] = Node(name, "device", namespace(prefix, name), v4, v6, platform=dev.platform)
    for name, host in inv.hosts.items():
        v4, v6 = mgmt_pair(host.mgmt_ipv4)
        node = Node(name, "host", namespace(prefix, name), v4, v6)
        if host.uplink is not None:
            node.data_ipv4 = host.uplink.ipv4
            seg = next(s for s in inv.devices[host.uplink.device].segments if s.interface == host.uplink.interface)
            node.gateway_ipv4 = seg.ipv4.ip
        nodes[name] = node

    veths: list[Veth] = []
    # Device interfaces: loopback, links, segments (in that order, as the configs list them).
    for name, dev in inv.devices.items():
        node = nodes[name]
        loop = loopback_name(dev.platform)
        node.interfaces[loop] = kernel_name(loop)
        node.startup_interfaces[loop] = {"ipv4": f"{dev.loopback_ipv4}/32", "description": "router id",
                                         "shutdown": False}
        for link, here, there in inv.links_of(name):
            a, b = link.addresses()
            node.interfaces[here.interface] = kernel_name(here.interface)
            node.startup_interfaces[here.interface] = {"ipv4": str(a if here == link.a else b),
                                                       "description": f"to {there}", "shutdown": False}
        for seg in dev.segments:
            node.interfaces[seg.interface] = kernel_name(seg.interface)
            node.startup_interfaces[seg.interface] = {"ipv4": str(seg.ipv4), "description": seg.name,
                                                      "shutdown": False}
    for link in inv.links:
        veths.append(Veth(nodes[link.a.device].netns, kernel_name(link.a.interface),
                          nodes[link.b.device].netns, kernel_name(link.b.interface)))
    uplinked = {(h.uplink.device, h.uplink.interface): h.name for h in inv.hosts.values() if h.uplink}
    for name, dev in inv.devices.items():
        ns = nodes[name].netns
        # This kernel has no `dummy` driver: a loopback or an empty segment port is a veth whose
        # peer stays in the same namespace (up, so the port is up as on a real device).
        loop = kernel_name(loopback_name(dev.platform))
        veths.append(Veth(ns, loop, ns, _internal_peer(loop)))
        for seg in dev.segments:
            port = kernel_name(seg.interface)
            host = uplinked.get((name, seg.interface))
            if host:
                veths.append(Veth(ns, port, nodes[host].netns, HOST_DATA_IF))
            else:
                veths.append(Veth(ns, port, ns, _internal_peer(port)))
    sites = _private_networks(inv, prefix, nodes, veths)
    mgmt_ports: dict[str, str] = {}
    for i, node in enumerate(n for n in nodes.values() if n.kind != "mgmt"):
        port = node.name if len(node.name) <= 15 else f"m{i}"
        mgmt_ports[node.name] = port
        veths.append(Veth(node.netns, MGMT_IF, nodes[MGMT_NODE].netns, port))
    if igp == "ospf":
        for name, block in ospf_startup(inv).items():
            nodes[name].ospf = block
    else:
        for name, routes in static_routes(inv).items():
            nodes[name].static_routes_v4 = routes
    return LabTopology(prefix, nodes, veths, mgmt_ports, sites)


def _private_networks(inv: Inventory, prefix: str, nodes: dict[str, Node], veths: list[Veth]) -> dict[str, SiteEndpoint]:
    """Site namespaces behind their device ports, and each VPN's transit port pair, all unconfigured
    (the migration configures the device side); the VPN tables the twins should use."""
    sites: dict[str, SiteEndpoint] = {}
    for dept, net in inv.private_networks.items():
        for device in net.devices():
            nodes[device].vpn_tables[net.vpn.name] = net.vpn.table
        for site in net.sites:
            node = nodes[site.device]
            node.interfaces[site.interface] = kernel_name(site.interface)
            ep = SiteEndpoint(dept, site.name, site_namespace(prefix, dept, site.name), site.device, site.interface,
                              site.endpoint_ipv4(), site.endpoint_ipv6(), site.ipv4.ip, site.ipv6.ip)
            sites[f"{dept}/{site.name}"] = ep
            veths.append(Veth(node.netns, kernel_name(site.interface), ep.netns, HOST_DATA_IF))
        if net.transit is not None:
            a, b = net.transit.a, net.transit.b
            for end in (a, b):
                nodes[end.device].interfaces[end.interface] = kernel_name(end.interface)
            veths.append(Veth(nodes[a.device].netns, kernel_name(a.interface),
                              nodes[b.device].netns, kernel_name(b.interface)))
    return sites


def _internal_peer(name: str) -> str:
    # kernel_name() always starts with a letter, so "_" can never collide with a real port
    # (an "x" prefix would: Ten-GigabitEthernet0/0/8 is "xge0-0-8").
    return ("_" + name)[:15]


def ospf_startup(inv: Inventory) -> dict[str, dict]:
    """Per device, the twins' ``startup.ospf`` block from the SoT's plan (govops.sot.routing):
    the loopback and user segments advertised without hellos, links point-to-point with their cost, and
    VRP's `conservative` where the design's dead interval is under its floor (as ospf.j2 writes it)."""
    out = {}
    for name, plan in plan_ospf(inv).items():
        dev = inv.devices[name]
        interfaces = [{"interface": loopback_name(dev.platform), "ipv4": f"{plan.loopback}/32",
                       "area": str(plan.area), "passive": True}]
        interfaces += [{"interface": i.interface, "ipv4": str(i.ipv4), "area": str(i.area), "cost": i.cost,
                        "p2p": not i.passive, "passive": i.passive} for i in plan.interfaces]
        out[name] = {"process": plan.process, "router_id": str(plan.router_id), "hello": plan.hello,
                     "dead": plan.dead, "conservative": plan.dead < vendors.get(dev.platform).ospf_dead_floor,
                     "md5_key": dev.ospf_auth_key, "interfaces": interfaces}
    return out


def static_routes(inv: Inventory) -> dict[str, list[dict[str, str]]]:
    """IPv4 baseline: per device, a static route to every data-plane prefix it is not attached to.

    Next hop is the neighbour on a shortest path (hop count); ties go to the neighbour reached
    through the link listed first in the topology, so the result is stable.
    """
    # Prefix -> devices owning it, in inventory order.
    owners: dict[ipaddress.IPv4Network, list[str]] = {}
    for name, dev in inv.devices.items():
        owners.setdefault(ipaddress.IPv4Network(f"{dev.loopback_ipv4}/32"), []).append(name)
        for seg in dev.segments:
            owners.setdefault(seg.ipv4.network, []).append(name)
    for link in inv.links:
        owners.setdefault(link.ipv4, []).extend([link.a.device, link.b.device])

    routes: dict[str, list[dict[str, str]]] = {}
    for source in inv.devices:
        hops, dist = _first_hops(inv, source)
        out = []
        for prefix, devices in owners.items():
            if source in devices:
                continue
            reachable = [d for d in devices if d in dist]
            if not reachable:
                continue
            target = min(reachable, key=lambda d: dist[d])  # min() keeps the first of equals
            out.append({"prefix": str(prefix), "nexthop": str(hops[target])})
        routes[source] = out
    return routes


def _first_hops(inv: Inventory, source: str) -> tuple[dict[str, ipaddress.IPv4Address], dict[str, int]]:
    """BFS from `source`: for each reachable device, the next-hop address of its first hop."""
    dist = {source: 0}
    hop: dict[str, ipaddress.IPv4Address] = {}
    queue = deque([source])
    while queue:
        here = queue.popleft()
        for link, end, far in inv.links_of(here):
            if far.device in dist:
                continue
            dist[far.device] = dist[here] + 1
            if here == source:
                a, b = link.addresses()
                hop[far.device] = (b if end == link.a else a).ip
            else:
                hop[far.device] = hop[here]
            queue.append(far.device)
    return hop, dist
