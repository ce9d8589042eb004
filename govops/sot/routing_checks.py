"""Checks of the OSPF design: the mistakes that keep an adjacency down or an area cut off.

Each names the file and key to fix: an area mismatch across a link (OSPF drops hellos whose area
differs: RFC 2328 section 10.5), a router id used twice (adjacencies flap, LSAs fight), and a
non-backbone area with no border router into area 0 (its routes never reach the rest: RFC 2328 3.1).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection

from .model import Inventory, SiteKind
from .problems import Problem
from .routing import BACKBONE, device_area, interface_area, plan_ospf

Locate = Callable[[str, str | None], tuple[str, str]]


def check_routing(inv: Inventory, files: dict[str, str], locate: Locate,
                  known_sites: Collection[str] = ()) -> list[Problem]:
    """`known_sites`: sites that exist, even if invalid (their problem is reported already: no cascade)."""
    design = inv.routing.ospf if inv.routing else None
    if design is None:
        return []
    file = files.get("routing", "")
    links_file = files.get("links", "")
    out: list[Problem] = []
    for site_id, area in design.areas.items():
        site = inv.sites.get(site_id)
        if site is None and site_id in known_sites:
            continue
        if site is None or site.kind == SiteKind.township:
            out.append(Problem(file, f"routing.ospf.areas.{site_id}",
                               f"{site_id!r} is not a county or city site; expected a site id of kind county or city"))
        elif site.kind == SiteKind.city and area != BACKBONE:
            out.append(Problem(file, f"routing.ospf.areas.{site_id}",
                               f"the city core must be in the backbone 0.0.0.0, found {area}"))
    if design.dead <= design.hello:
        out.append(Problem(file, "routing.ospf.dead", f"dead interval {design.dead}s must exceed hello {design.hello}s"))

    for name, dev in inv.devices.items():
        area = device_area(inv, design, dev)
        if area is None and dev.site not in inv.sites:
            continue  # an unknown site is reported by the device checks
        if area is None:
            out.append(Problem(file, "routing.ospf.areas",
                               f"no OSPF area for device {name!r} (site {dev.site!r}); expected its county "
                               "under routing.ospf.areas or `ospf_area` on the device"))
        elif dev.role == "core" and area != BACKBONE:
            out.append(Problem(*locate(name, "ospf_area" if dev.ospf_area else "site"),
                               f"core device {name!r} is in area {area}; expected the backbone 0.0.0.0"))

    for name, dev in inv.devices.items():
        # Reported by length only: the key is a secret (RFC 2328 D.3: the MD5 key is 16 bytes).
        if dev.ospf_auth_key and len(dev.ospf_auth_key.encode()) > 16:
            out.append(Problem(*locate(name, "ospf_auth_key"), f"the OSPF MD5 key is {len(dev.ospf_auth_key.encode())} "
                                                                "bytes; expected at most 16 (RFC 2328 appendix D.3)"))

    seen: dict[ipaddress.IPv4Address, str] = {}
    for name in sorted(inv.devices):
        rid = inv.devices[name].router_id
        if rid in seen:
            var = "ospf_router_id" if inv.devices[name].ospf_router_id else "loopback_ipv4"
            out.append(Problem(*locate(name, var), f"duplicate OSPF router id {rid} (also {seen[rid]}); "
                                                   "expected a router id unique in the extranet"))
        else:
            seen[rid] = name

    for i, link in enumerate(inv.links):
        a, b = inv.devices.get(link.a.device), inv.devices.get(link.b.device)
        if a is None or b is None:
            continue  # reported by the link checks
        area_a, area_b = interface_area(inv, design, a, b), interface_area(inv, design, b, a)
        if area_a is not None and area_b is not None and area_a != area_b:
            out.append(Problem(links_file, f"links[{i}]",
                               f"OSPF area mismatch across the link: {link.a} is in area {area_a}, {link.b} in "
                               f"area {area_b}; expected one area on both ends"))

    plan = plan_ospf(inv)
    touching = {a for d in plan.values() if BACKBONE in d.areas() for a in d.areas()}
    by_area = {area: site for site, area in design.areas.items()}
    for area in sorted({a for d in plan.values() for a in d.areas()} - touching - {BACKBONE}):
        where = by_area.get(area)
        key = f"routing.ospf.areas.{where}" if where else "routing.ospf.areas"
        members = sorted(n for n, d in plan.items() if d.area == area)
        out.append(Problem(file, key, f"area {area} ({', '.join(members)}) does not touch the backbone 0.0.0.0: "
                                      "expected a link from one of its devices to a core device"))
    return out
