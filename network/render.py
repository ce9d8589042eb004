"""Render each device's dual-stack intent (and its undo set) from the SoT and the IPv6 plan.

Python computes *what* a device needs (addresses, static routes along shortest paths, the
management ACL6); one Jinja2 template set per platform says *how* that vendor writes it.
Templates render running-config style text (a header line, indented children), so the same
parser reads the intent, the undo set and a device's running configuration (see config.py).
"""

from __future__ import annotations

import ipaddress
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from govops import ipv6, vendors
from govops.sot import Device, Inventory, Problem
from govops.sot.problems import InventoryError
from govops.sot.routing import plan_ospf, wildcard
from network import config as cfgtext

TEMPLATES = Path(__file__).parent / "templates"
TIERS = ("core", "aggregation", "access")
ACL6_NUMBER = 3000
ACL6_NAME = "GOVOPS-MGMT-V6"


class RenderError(InventoryError):
    """A device the templates cannot render (no template set for its platform, ...)."""


@dataclass(frozen=True)
class Address:
    interface: str
    address: ipaddress.IPv6Interface
    kind: str  # link, segment, loopback
    peer: str = ""  # far end "device:interface" of a link
    peer_address: ipaddress.IPv6Interface | None = None


@dataclass(frozen=True)
class Route:
    prefix: ipaddress.IPv6Network
    nexthop: ipaddress.IPv6Address
    via: str  # the neighbour device the next hop belongs to


@dataclass(frozen=True)
class Ospf3Interface:
    interface: str
    area: str  # dotted, as the CLIs write it
    cost: int
    peer: str = ""  # the far device of a link ("" for the loopback and user segments)
    # OSPFv3's own hello/dead (VRP/Comware `ospfv3 timer`, IOS-like `ipv6 ospf hello-interval`): OSPFv2's
    # timers do not apply to OSPFv3, so the design's are set again; 0 where no hellos are sent.
    hello: int = 0
    dead: int = 0
    # Point-to-point where OSPFv2 is (the design's links): OSPFv3's own network type (VRP/Comware 7 `ospfv3
    # network-type p2p`, IOS-like `ipv6 ospf network point-to-point`); OSPFv2's `ospf network-type p2p`
    # does not reach it and OSPFv3's default on Ethernet is broadcast (HPE 10500 Comware 7 "Configuring
    # the OSPFv3 network type for an interface").
    p2p: bool = False
    # A user segment: in OSPFv3 (its prefix advertised) but silent, as OSPFv2's `silent-interface`;
    # OSPFv3's own (VRP/Comware `silent-interface` in the `ospfv3` view, IOS-like `passive-interface`
    # under `ipv6 router ospf`): OSPFv2's does not make OSPFv3 silent.
    passive: bool = False


@dataclass(frozen=True)
class Ospf3:
    """OSPFv3 beside the extranet's OSPF: same process, router id, areas and costs as IPv4."""

    process: int
    router_id: str
    interfaces: tuple[Ospf3Interface, ...]

    @property
    def neighbours(self) -> list[str]:
        return [i.peer for i in self.interfaces if i.peer]

    @property
    def silent(self) -> list[str]:
        return [i.interface for i in self.interfaces if i.passive]


@dataclass(frozen=True)
class Ospf2Interface:
    """An interface that sends hellos: its per-interface OSPF settings (links, point-to-point)."""

    interface: str
    cost: int


@dataclass(frozen=True)
class Ospf2:
    """The OSPF (IPv4) configuration the design gives a device (govops.sot.routing.plan_ospf), for
    drift only: the upgrade never pushes it. ``md5`` says authentication is on; the key is not here."""

    process: int
    router_id: str
    hello: int
    dead: int
    md5: bool
    areas: dict[str, list[str]]  # dotted area -> its `network ADDRESS WILDCARD` statements
    silent: tuple[str, ...]  # user segments: advertised, no hellos (the loopback sends none anyway)
    interfaces: tuple[Ospf2Interface, ...]


# The design has one MD5 key per device (the vault's ospf_auth_key); the twins and the design use key id 1.
OSPF_MD5_KEY_ID = 1


@dataclass
class Intent:
    device: str
    platform: str
    role: str
    site: str
    addresses: list[Address]
    routes: list[Route]
    mgmt_prefix: ipaddress.IPv6Network
    ospf3: Ospf3 | None = None  # None: static IPv6 routes toward the core (no routing design)
    text: str = ""  # rendered intent, running-config style
    undo_text: str = ""  # rendered full undo set
    blocks: list[cfgtext.Block] = field(default_factory=list)
    # OSPF (IPv4) as designed, in the vendor's syntax: judged by drift, never pushed by the upgrade.
    ospf2: Ospf2 | None = None
    ospf2_text: str = ""
    ospf2_blocks: list[cfgtext.Block] = field(default_factory=list)

    @property
    def loopback(self) -> Address:
        return next(a for a in self.addresses if a.kind == "loopback")


def tier_of(dev: Device) -> int:
    return TIERS.index(dev.role) if dev.role in TIERS else len(TIERS)


def check_renderable(inv: Inventory, devices: list[str] | None = None) -> None:
    """Raise RenderError naming every device whose platform has no template set."""
    problems = []
    for name in devices or list(inv.devices):
        dev = inv.devices[name]
        needed = ("intent.j2", "undo.j2") + (("ospf.j2",) if uses_ospf3(inv) else ())
        if not all((TEMPLATES / dev.platform / t).exists() for t in needed):
            problems.append(Problem(str(inv.path / "hosts.yml"), f"{name}.platform",
                                    f"no templates for platform {dev.platform!r} (have: "
                                    f"{', '.join(sorted(p.name for p in TEMPLATES.iterdir() if p.is_dir()))})"))
    if problems:
        raise RenderError(problems)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    return env


def render_template(platform: str, template: str, context: dict) -> str:
    """``templates/<platform>/<template>`` rendered: every intent (IPv6, private networks) uses this."""
    return _environment().get_template(f"{platform}/{template}").render(context)


def compute_routes(inv: Inventory, plan: ipv6.Plan, name: str) -> list[Route]:
    """Static routes toward the core (see README: access default up; aggregation default via
    both cores plus its townships; core everything via shortest paths)."""
    dev = inv.devices[name]
    my_tier = tier_of(dev)
    neighbours: dict[str, list[tuple[str, ipaddress.IPv6Address]]] = {}
    for d in inv.devices:
        neighbours[d] = []
        for link, here, there in inv.links_of(d):
            a, b = plan.link_addresses(link)
            far = b if here == link.a else a
            neighbours[d].append((there.device, far.ip))
    connected = {a.address.network for a in device_addresses(inv, plan, name)}
    routes: list[Route] = []
    if dev.role in ("access", "aggregation"):
        for peer, addr in neighbours[name]:
            if tier_of(inv.devices[peer]) < my_tier:
                routes.append(Route(ipaddress.IPv6Network("::/0"), addr, peer))
    # Specific routes: core to everything, aggregation to what hangs below it.
    if dev.role == "access":
        return routes

    def allowed(d: str) -> bool:
        return dev.role == "core" or tier_of(inv.devices[d]) > my_tier

    first: dict[str, tuple[str, ipaddress.IPv6Address]] = {}
    queue = deque()
    for peer, addr in neighbours[name]:
        if allowed(peer) and peer not in first:
            first[peer] = (peer, addr)
            queue.append(peer)
    seen = {name, *first}
    while queue:
        d = queue.popleft()
        for peer, _addr in neighbours[d]:
            if peer not in seen and allowed(peer):
                seen.add(peer)
                first[peer] = first[d]
                queue.append(peer)
    order = {d: i for i, d in enumerate(inv.devices)}
    for target in sorted(first, key=lambda d: order[d]):
        hop, addr = first[target]
        prefixes = [a.address.network for a in device_addresses(inv, plan, target)]
        for prefix in prefixes:
            if prefix in connected or any(r.prefix == prefix for r in routes):
                continue
            routes.append(Route(prefix, addr, hop))
    return routes


def uses_ospf3(inv: Inventory) -> bool:
    """OSPFv3 replaces the static IPv6 routes wherever the SoT has a routing design, except in a lab
    told to route statically (GOVOPS_LAB_IGP=static, lab/lifecycle.py): its twins run no FRR."""
    return bool(inv.routing and inv.routing.ospf) and os.environ.get("GOVOPS_LAB_IGP", "") != "static"


def compute_ospf3(inv: Inventory, name: str, addresses: list[Address]) -> Ospf3 | None:
    """The device's OSPFv3 from the IPv4 OSPF plan (govops.sot.routing): every interface that
    carries IPv6 and OSPF gets the IPv4 area and cost, and those that send hellos the design's
    timers; user segments stay silent (passive) as in OSPFv2; the loopback goes in the device's own area."""
    dev4 = plan_ospf(inv).get(name)
    if dev4 is None:
        return None
    by_name = {i.interface: i for i in dev4.interfaces}
    out = []
    for a in addresses:
        if a.kind == "loopback":
            out.append(Ospf3Interface(a.interface, str(dev4.area), 0))
        elif a.interface in by_name:
            o = by_name[a.interface]
            timers = (0, 0) if o.passive else (dev4.hello, dev4.dead)  # as OSPFv2's (compute_ospf2)
            out.append(Ospf3Interface(a.interface, str(o.area), o.cost, o.peer or "", *timers, p2p=not o.passive,
                                     passive=o.passive))
    return Ospf3(dev4.process, str(dev4.router_id), tuple(out))


def compute_ospf2(inv: Inventory, name: str) -> Ospf2 | None:
    """The device's OSPF from the SoT's plan, as lab/topology.py ospf_startup gives it to the twins:
    one `network` per loopback, link and segment in its area, segments silent, links point-to-point
    with their cost, the design's timers and MD5 authentication when the vault holds a key."""
    plan = plan_ospf(inv).get(name)
    if plan is None:
        return None
    areas: dict[str, list[str]] = {str(plan.area): [f"{plan.loopback} 0.0.0.0"]}
    for i in plan.interfaces:
        net = i.ipv4.network
        areas.setdefault(str(i.area), []).append(f"{net.network_address} {wildcard(net)}")
    return Ospf2(plan.process, str(plan.router_id), plan.hello, plan.dead, bool(inv.devices[name].ospf_auth_key),
                 {a: areas[a] for a in sorted(areas, key=ipaddress.IPv4Address)},
                 tuple(i.interface for i in plan.interfaces if i.passive),
                 tuple(Ospf2Interface(i.interface, i.cost) for i in plan.interfaces if not i.passive))


def device_addresses(inv: Inventory, plan: ipv6.Plan, name: str) -> list[Address]:
    dev = inv.devices[name]
    out = [Address(vendors.get(dev.platform).loopback, plan.loopbacks[name], "loopback")]
    for link, here, there in inv.links_of(name):
        a, b = plan.link_addresses(link)
        mine, far = (a, b) if here == link.a else (b, a)
        out.append(Address(here.interface, mine, "link", str(there), far))
    for seg in dev.segments:
        out.append(Address(seg.interface, plan.segment_gateway(name, seg.interface), "segment"))
    return out


def build_intent(inv: Inventory, plan: ipv6.Plan, name: str) -> Intent:
    dev = inv.devices[name]
    check_renderable(inv, [name])
    addresses = device_addresses(inv, plan, name)
    ospf3 = compute_ospf3(inv, name, addresses) if uses_ospf3(inv) else None
    intent = Intent(device=name, platform=dev.platform, role=dev.role, site=dev.site, addresses=addresses,
                    routes=[] if ospf3 else compute_routes(inv, plan, name), mgmt_prefix=plan.management,
                    ospf3=ospf3)
    env = _environment()
    ospf3_of = {i.interface: i for i in ospf3.interfaces} if ospf3 else {}
    vendor = vendors.get(dev.platform)
    context = {"ospf3": ospf3, "ospf3_of": ospf3_of, "device": dev, "vendor": vendor, "intent": intent, "acl_number": ACL6_NUMBER, "acl_name": ACL6_NAME,
               "interfaces": [a for a in intent.addresses if a.kind != "loopback"],
               "loopback": intent.loopback, "routes": intent.routes, "mgmt": plan.management,
               "default": ipaddress.IPv6Network("::/0")}
    intent.text = env.get_template(f"{dev.platform}/intent.j2").render(context)
    intent.undo_text = env.get_template(f"{dev.platform}/undo.j2").render(context)
    intent.blocks = cfgtext.parse(intent.text, vendor)
    intent.ospf2 = compute_ospf2(inv, name) if uses_ospf3(inv) else None  # a static lab runs no OSPF
    if intent.ospf2 is not None:
        # The key never enters the intent: the line carries the mask the running config is read with.
        intent.ospf2_text = env.get_template(f"{dev.platform}/ospf.j2").render(
            ospf=intent.ospf2, key_id=OSPF_MD5_KEY_ID, secret=cfgtext.MASK, vendor=vendor)
        intent.ospf2_blocks = cfgtext.parse(intent.ospf2_text, vendor)
    return intent


def render_all(inv: Inventory, plan: ipv6.Plan | None = None, devices: list[str] | None = None) -> dict[str, Intent]:
    """Every (or the named) device's intent, in tier order; bad input raises before anything renders."""
    plan = plan or ipv6.require_plan(inv)
    names = devices or list(inv.devices)
    unknown = [n for n in names if n not in inv.devices]
    if unknown:
        raise RenderError([Problem(str(inv.path / "hosts.yml"), n, "no such device in the inventory")
                           for n in unknown])
    check_renderable(inv, names)
    order = {d: i for i, d in enumerate(inv.devices)}
    names = sorted(names, key=lambda n: (tier_of(inv.devices[n]), order[n]))
    return {n: build_intent(inv, plan, n) for n in names}
