"""Per-device IPv6 readiness: the plan's addresses vs the live IP-MIB ipAddressTable.

Planned addresses of a device are its loopback and its ends of every planned link /127.
A device is dual-stack when every planned address is present on it (extra addresses are fine).
The ICMPv6 probe of the loopback is optional: from the management namespace a loopback is
reachable only once routing carries IPv6, so a failed ping is reported, never an error.
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass

from monitoring.snmp.mapping import IP_ADDRESS_IF_INDEX, ipv6_addresses
from monitoring.snmp.transport import Credentials, Endpoint, SnmpClient, SnmpError, WalkStats


@dataclass(frozen=True)
class DeviceReadiness:
    device: str
    site: str
    tier: str
    platform: str
    county: str
    planned: int
    present: int
    probe_ok: bool
    loopback_reachable: bool | None  # None when the probe is disabled

    @property
    def dual_stack(self) -> bool:
        return self.probe_ok and self.planned > 0 and self.present == self.planned


def planned_addresses(inv, plan, device: str) -> set[ipaddress.IPv6Address]:
    out = set()
    if device in plan.loopbacks:
        out.add(plan.loopbacks[device].ip)
    for link in inv.links:
        if link.key not in plan.links:
            continue
        a, b = plan.link_addresses(link)
        if link.a.device == device:
            out.add(a.ip)
        if link.b.device == device:
            out.add(b.ip)
    return out


def county_of(inv, site: str) -> str:
    """The county-level site above `site` (or the city itself for city-level devices)."""
    s = inv.sites.get(site)
    while s is not None and s.parent is not None and inv.sites[s.parent].parent is not None:
        s = inv.sites[s.parent]
    return s.id if s else site


async def ping6(address: str, timeout: float = 1.0) -> bool:
    proc = await asyncio.create_subprocess_exec("ping", "-6", "-c", "1", "-W", str(max(1, int(timeout))), address,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    return await proc.wait() == 0


async def probe_device(client: SnmpClient, inv, plan, dev, endpoint: Endpoint, creds: Credentials,
                       ping: bool) -> DeviceReadiness:
    planned = planned_addresses(inv, plan, dev.name)
    try:
        rows = await client.walk(endpoint, creds, IP_ADDRESS_IF_INDEX, WalkStats())
        n = len(IP_ADDRESS_IF_INDEX)
        live = {addr for _, addr in ipv6_addresses({name[n:]: v for name, v in rows})}
        probe_ok = True
    except SnmpError:
        live, probe_ok = set(), False
    reach = None
    if ping and dev.name in plan.loopbacks:
        reach = await ping6(str(plan.loopbacks[dev.name].ip))
    return DeviceReadiness(dev.name, dev.site, dev.role, dev.platform, county_of(inv, dev.site),
                           len(planned), len(planned & live), probe_ok, reach)
