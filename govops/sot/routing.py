"""The OSPF design derived from the source of truth: which interface of which device is in which area.

One rule, the usual one for a city extranet of three tiers: every device is in its county's area
(the core, at the city site, in the backbone 0.0.0.0), and the core devices are the area border
routers, so a core interface toward a county device is in that county's area. The templates, the
drift check and the lab twin all read this plan; nothing else decides an area.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .model import Device, Inventory, OspfDesign

BACKBONE = ipaddress.IPv4Address("0.0.0.0")


@dataclass(frozen=True)
class OspfInterface:
    """One OSPF-enabled interface of a device."""

    interface: str
    area: ipaddress.IPv4Address
    cost: int
    passive: bool                              # user segments and the loopback: advertised, no hellos
    ipv4: ipaddress.IPv4Interface
    peer: str | None = None                    # the far device of a link


@dataclass(frozen=True)
class OspfDevice:
    device: str
    process: int
    router_id: ipaddress.IPv4Address
    area: ipaddress.IPv4Address                # the device's own area: its loopback and segments
    loopback: ipaddress.IPv4Address
    hello: int
    dead: int
    interfaces: tuple[OspfInterface, ...]

    def areas(self) -> list[ipaddress.IPv4Address]:
        return sorted({self.area, *(i.area for i in self.interfaces)})


def county_of(inv: Inventory, site_id: str) -> str | None:
    """The county (or the city) a site belongs to: townships roll up to their parent."""
    site = inv.sites.get(site_id)
    while site is not None and site.kind == "township":
        site = inv.sites.get(site.parent or "")
    return site.id if site is not None else None


def device_area(inv: Inventory, design: OspfDesign, dev: Device) -> ipaddress.IPv4Address | None:
    if dev.ospf_area is not None:
        return dev.ospf_area
    county = county_of(inv, dev.site)
    return design.areas.get(county) if county else None


def interface_area(inv: Inventory, design: OspfDesign, dev: Device, far: Device) -> ipaddress.IPv4Address | None:
    """The area of `dev`'s interface toward `far`: a core (ABR) takes the far end's area."""
    if dev.role == "core" and far.role != "core":
        return device_area(inv, design, far)
    return device_area(inv, design, dev)


def plan_ospf(inv: Inventory) -> dict[str, OspfDevice]:
    """Every device's OSPF process, or {} when the inventory has no routing design."""
    design = inv.routing.ospf if inv.routing else None
    if design is None:
        return {}
    out: dict[str, OspfDevice] = {}
    for name, dev in inv.devices.items():
        own = device_area(inv, design, dev)
        if own is None:
            continue
        ifaces: list[OspfInterface] = []
        for link, here, there in inv.links_of(name):
            far = inv.devices.get(there.device)
            area = interface_area(inv, design, dev, far) if far else None
            if area is None:
                continue
            addr = link.addresses()[0 if link.a == here else 1]
            ifaces.append(OspfInterface(here.interface, area, link.cost or design.cost, False, addr, there.device))
        for seg in dev.segments:
            ifaces.append(OspfInterface(seg.interface, own, design.cost, True, seg.ipv4))
        out[name] = OspfDevice(name, design.process, dev.router_id, own, dev.loopback_ipv4, design.hello, design.dead, tuple(ifaces))
    return out


def wildcard(net: ipaddress.IPv4Network) -> str:
    """The inverse mask VRP, Comware and IOS-like `network` statements take."""
    return str(ipaddress.IPv4Address(int(net.hostmask)))
