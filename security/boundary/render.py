"""The extranet-to-cloud boundary policy as an nftables ruleset, derived from the source of truth.

Who may reach what: every department system that runs in the cloud (catalogue ``location:
cloud``) is reachable from the extranet on its catalogue ports, over IPv4 (the city's segment
block) and IPv6 (the city's allocation, from the IPv6 plan); management SSH only from the
management networks; everything else is dropped, counted and logged (rate-limited).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from govops import ipv6
from govops.sot import Inventory, InventoryError

TEMPLATES = Path(__file__).with_name("templates")
TABLE = "govops_boundary"
LOG_PREFIX = "govops-boundary-drop "
HOOKS = ("forward", "input")


class BoundaryError(ValueError):
    """The policy cannot be derived (unknown centre, no IPv6 plan, no cloud segment)."""


@dataclass(frozen=True)
class Service:
    department: str
    system: str
    name: str
    ports: tuple[int, ...]


def cloud_services(inv: Inventory) -> list[Service]:
    """Systems running in the cloud, by department then system id (stable order, stable diff)."""
    return [Service(s.department, s.id, s.name_en or s.name, tuple(sorted(set(s.ports))))
            for s in sorted(inv.systems.values(), key=lambda s: (s.department, s.id))
            if s.location.value == "cloud" and s.ports]


def production_centre(inv: Inventory) -> str:
    for cid, centre in sorted(inv.centres.items()):
        if centre.role.value == "production":
            return cid
    raise BoundaryError(f"{inv.path}: no centre with role production; give --centre")


def policy_data(inv: Inventory, centre: str | None = None, hook: str = "forward") -> dict:
    if hook not in HOOKS:
        raise BoundaryError(f"hook must be one of {', '.join(HOOKS)}, not {hook!r}")
    centre = centre or production_centre(inv)
    if centre not in inv.centres:
        raise BoundaryError(f"unknown centre {centre!r}; centres: {', '.join(sorted(inv.centres))}")
    try:
        plan = ipv6.require_plan(inv)
    except InventoryError as exc:
        raise BoundaryError(f"the IPv6 plan is needed for the IPv6 rules: {exc}") from exc
    hosts = [h for h in inv.hosts.values() if h.centre == centre and h.uplink is not None]
    cloud_v4 = sorted({h.uplink.ipv4.network for h in hosts})
    cloud_v6 = {plan.centres[centre]} if centre in plan.centres else set()
    cloud_v6 |= {plan.host_address(h).network for h in hosts if f"{h.uplink.device}:{h.uplink.interface}" in plan.segments}
    if not cloud_v4:
        raise BoundaryError(f"centre {centre} has no host with an uplink segment in {inv.path}")
    return {
        "inventory": inv.name,
        "centre": centre,
        "centre_name": inv.centres[centre].name,
        "hook": hook,
        "table": TABLE,
        "log_prefix": LOG_PREFIX,
        "extranet_v4": [inv.city.ipv4_blocks.segments],
        "extranet_v6": [inv.city.ipv6_allocation],
        "cloud_v4": cloud_v4,
        "cloud_v6": sorted(cloud_v6, key=lambda n: (int(n.network_address), n.prefixlen)),
        "mgmt_v4": [inv.city.ipv4_blocks.management],
        "mgmt_v6": [plan.management],
        "services": cloud_services(inv),
    }


def _collapse(nets: list) -> str:
    """nft interval sets reject overlapping elements: merge them first."""
    v4 = [n for n in nets if isinstance(n, ipaddress.IPv4Network)]
    v6 = [n for n in nets if isinstance(n, ipaddress.IPv6Network)]
    merged = list(ipaddress.collapse_addresses(v4)) + list(ipaddress.collapse_addresses(v6))
    return ", ".join(str(n) for n in merged)


def render_boundary(inv: Inventory, centre: str | None = None, hook: str = "forward") -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["nets"] = _collapse
    env.filters["ports"] = lambda ports: ", ".join(str(p) for p in ports)
    return env.get_template("boundary.nft.j2").render(**policy_data(inv, centre, hook))
