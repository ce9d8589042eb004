"""Semantic checks across the whole inventory. Each returns problems; none stops early."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection, Mapping
from itertools import combinations
from typing import Any

from .model import PLATFORMS, ROLES, Classification, Inventory, Location, SiteKind
from .platforms import valid_interface
from .problems import Problem
from .routing_checks import check_routing

Locate = Callable[[str, str | None], tuple[str, str]]


class Known:
    """Whether a name refers to something: present in the model, or present but invalid (its own problem
    is already reported, so a reference to it is not reported again as "unknown")."""

    def __init__(self, present: Collection[str], failed: Collection[str] = ()):
        self.present, self.failed = present, failed

    def __contains__(self, name: object) -> bool:
        return name in self.present or name in self.failed or "*" in self.failed


def check_inventory(inv: Inventory, sections: dict[str, tuple[str, Any]], locate: Locate,
                    failed: Mapping[str, Collection[str]] | None = None) -> list[Problem]:
    failed = failed or {}
    known = {section: Known(getattr(inv, section), failed.get(section, ()))
             for section in ("devices", "hosts", "sites", "centres", "departments", "systems")}
    problems: list[Problem] = []
    files = {k: v[0] for k, v in sections.items()}
    problems += _check_devices(inv, locate, known)
    problems += _check_addresses(inv, files, locate)
    problems += _check_links(inv, files.get("links", ""), locate, known)
    problems += _check_sites_and_centres(inv, files, known, _positions(sections, "sites"), _positions(sections, "centres"))
    problems += _check_hosts(inv, locate, known)
    problems += _check_catalogue(inv, files.get("systems", ""), known, _positions(sections, "systems"))
    index = _positions(sections, "private_networks", "department")
    problems += _check_private_networks(inv, files.get("private_networks", ""), locate, index, known)
    problems += check_routing(inv, files, locate, known["sites"])
    return problems


def _positions(sections: dict[str, tuple[str, Any]], name: str, field: str = "id") -> dict[Any, int]:
    """Where each entry of a section list sits in its file (the first, if an id is repeated), so keys
    stay right when an entry before it was rejected."""
    raw = sections.get(name, ("", []))[1]
    out: dict[Any, int] = {}
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(item, dict) and isinstance(item.get(field), str):
            out.setdefault(item[field], i)
    return out


def _check_devices(inv: Inventory, locate: Locate, known: dict[str, Known]) -> list[Problem]:
    out = []
    for name, dev in inv.devices.items():
        if dev.platform not in PLATFORMS:
            out.append(Problem(*locate(name, "platform"),
                               f"unknown platform {dev.platform!r}; expected one of {', '.join(PLATFORMS)}"))
        if dev.role not in ROLES:
            out.append(Problem(*locate(name, "role"), f"unknown role {dev.role!r}; expected one of {', '.join(ROLES)}"))
        if dev.site not in known["sites"]:
            out.append(Problem(*locate(name, "site"), f"unknown site {dev.site!r}; expected a site id from `sites`"))
        for i, seg in enumerate(dev.segments):
            out += _check_ifname(dev.platform, seg.interface, *locate(name, "segments"), f"[{i}].interface")
    return out


def _check_ifname(platform: str, ifname: str, file: str, key: str, suffix: str) -> list[Problem]:
    # Only the vendor's naming matters here: how the lab fits a name into the kernel is the lab's concern.
    if platform in PLATFORMS and not valid_interface(platform, ifname):
        return [Problem(file, key + suffix, f"unknown interface {ifname!r} for platform {platform}")]
    return []


def _check_addresses(inv: Inventory, files: dict[str, str], locate: Locate) -> list[Problem]:
    out = []
    blocks = inv.city.ipv4_blocks
    city_file = files.get("city", "")
    for (na, a), (nb, b) in combinations(blocks.model_dump().items(), 2):
        if a.overlaps(b):
            out.append(Problem(city_file, f"city.ipv4_blocks.{nb}", f"overlaps ipv4_blocks.{na} ({a})"))
    lab_v4 = ipaddress.ip_network("198.18.0.0/15")
    for name, block in blocks.model_dump().items():
        if not block.subnet_of(lab_v4):
            out.append(Problem(city_file, f"city.ipv4_blocks.{name}", f"{block} is outside 198.18.0.0/15"))
    if not inv.city.ipv6_allocation.subnet_of(ipaddress.ip_network("2001:db8::/32")):
        out.append(Problem(city_file, "city.ipv6_allocation", "expected a prefix inside 2001:db8::/32"))
    if inv.city.ipv6_allocation.prefixlen != 40:
        out.append(Problem(city_file, "city.ipv6_allocation", f"expected a /40, found /{inv.city.ipv6_allocation.prefixlen}"))

    seen: dict[ipaddress.IPv4Address, str] = {}
    for kind, var, block, items in (
        ("management", "ansible_host", blocks.management,
         [(n, d.mgmt_ipv4) for n, d in inv.devices.items()] + [(n, h.mgmt_ipv4) for n, h in inv.hosts.items()]),
        ("loopback", "loopback_ipv4", blocks.loopbacks, [(n, d.loopback_ipv4) for n, d in inv.devices.items()]),
    ):
        for name, addr in items:
            file, key = locate(name, var)
            if addr not in block:
                out.append(Problem(file, key, f"{kind} address {addr} is outside its block {block}"))
            if addr in seen:
                out.append(Problem(file, key, f"duplicate address {addr} (also used by {seen[addr]})"))
            seen[addr] = name

    prefixes: list[tuple[ipaddress.IPv4Network, str, str]] = []
    for i, link in enumerate(inv.links):
        key = f"links[{i}].ipv4"
        if not link.ipv4.subnet_of(blocks.links):
            out.append(Problem(files.get("links", ""), key, f"link prefix {link.ipv4} is outside its block {blocks.links}"))
        if link.ipv4.prefixlen not in (30, 31):
            out.append(Problem(files.get("links", ""), key, f"expected a /31 (or /30), found /{link.ipv4.prefixlen}"))
        prefixes.append((link.ipv4, files.get("links", ""), key))
    for name, dev in inv.devices.items():
        for i, seg in enumerate(dev.segments):
            file, key = locate(name, "segments")
            if not seg.ipv4.network.subnet_of(blocks.segments):
                out.append(Problem(file, f"{key}[{i}].ipv4", f"segment {seg.ipv4.network} is outside its block {blocks.segments}"))
            prefixes.append((seg.ipv4.network, file, f"{key}[{i}].ipv4"))
    prefixes.sort(key=lambda p: (p[0].network_address, p[0].prefixlen))
    for (pa, _, ka), (pb, fb, kb) in zip(prefixes, prefixes[1:], strict=False):
        if pa.overlaps(pb):
            out.append(Problem(fb, kb, f"prefix {pb} overlaps {pa} ({ka})"))
    return out


def _check_links(inv: Inventory, file: str, locate: Locate, known: dict[str, Known]) -> list[Problem]:
    out = []
    used: dict[tuple[str, str], str] = {}
    for name, dev in inv.devices.items():
        for i, seg in enumerate(dev.segments):
            used[(name, seg.interface)] = f"{locate(name, 'segments')[1]}[{i}]"
    for i, link in enumerate(inv.links):
        for side, end in (("a", link.a), ("b", link.b)):
            key = f"links[{i}].{side}"
            dev = inv.devices.get(end.device)
            if dev is None:
                if end.device not in known["devices"]:
                    out.append(Problem(file, key, f"link to unknown device {end.device!r}"))
                continue
            out += _check_ifname(dev.platform, end.interface, file, key, "")
            if (end.device, end.interface) in used:
                out.append(Problem(file, key, f"interface {end} is used twice (also by {used[(end.device, end.interface)]})"))
            used[(end.device, end.interface)] = key
        if link.a.device == link.b.device:
            out.append(Problem(file, f"links[{i}]", f"both ends are on {link.a.device}"))
    return out


def _check_sites_and_centres(inv: Inventory, files: dict[str, str], known: dict[str, Known],
                             site_index: dict[Any, int], centre_index: dict[Any, int]) -> list[Problem]:
    out = []
    sites_file = files.get("sites", "")
    parent_kind = {SiteKind.county: {SiteKind.city}, SiteKind.township: {SiteKind.county}, SiteKind.city: set()}
    for site in inv.sites.values():
        i = site_index.get(site.id, "?")
        if site.parent is None and site.kind != SiteKind.city:
            out.append(Problem(sites_file, f"sites[{i}].parent", f"missing: a {site.kind} needs a parent site"))
        elif site.parent is not None:
            parent = inv.sites.get(site.parent)
            if parent is None and site.parent in known["sites"]:
                pass  # the parent's own entry is invalid and already reported
            elif parent is None:
                out.append(Problem(sites_file, f"sites[{i}].parent", f"unknown site {site.parent!r}"))
            elif parent.kind not in parent_kind[site.kind]:
                out.append(Problem(sites_file, f"sites[{i}].parent",
                                   f"a {site.kind} belongs to a {'/'.join(parent_kind[site.kind]) or 'nothing'}, "
                                   f"found {parent.kind} {parent.id!r}"))
    for centre in inv.centres.values():
        if centre.site not in known["sites"]:
            out.append(Problem(files.get("centres", ""), f"centres[{centre_index.get(centre.id, '?')}].site",
                               f"unknown site {centre.site!r}"))
    return out


def _check_hosts(inv: Inventory, locate: Locate, known: dict[str, Known]) -> list[Problem]:
    out = []
    for name, host in inv.hosts.items():
        if host.site and host.site not in known["sites"]:
            out.append(Problem(*locate(name, "site"), f"unknown site {host.site!r}"))
        if host.centre and host.centre not in known["centres"]:
            out.append(Problem(*locate(name, "centre"), f"unknown centre {host.centre!r}"))
        if host.department and host.department not in known["departments"]:
            out.append(Problem(*locate(name, "department"), f"unknown department {host.department!r}"))
        if not (host.site or host.centre):
            out.append(Problem(*locate(name, "site"), "missing: a host needs a `site` or a `centre`"))
        up = host.uplink
        if up is None:
            continue
        file, key = locate(name, "uplink")
        dev = inv.devices.get(up.device)
        seg = next((s for s in dev.segments if s.interface == up.interface), None) if dev else None
        if dev is None:
            if up.device not in known["devices"]:
                out.append(Problem(file, f"{key}.device", f"unknown device {up.device!r}"))
        elif seg is None:
            out.append(Problem(file, f"{key}.interface", f"{up.device} has no segment on {up.interface!r}"))
        elif up.ipv4.network != seg.ipv4.network or up.ipv4.ip == seg.ipv4.ip:
            out.append(Problem(file, f"{key}.ipv4", f"expected an address in {seg.ipv4.network} other than the gateway {seg.ipv4.ip}"))
    return out


def _check_catalogue(inv: Inventory, systems_file: str, known: dict[str, Known], index: dict[Any, int]) -> list[Problem]:
    out = []
    for sid, system in inv.systems.items():
        key = f"systems[{index.get(sid, '?')}]"
        if system.department not in known["departments"]:
            out.append(Problem(systems_file, f"{key}.department", f"unknown department {system.department!r}"))
        for j, dep in enumerate(system.depends_on):
            if dep not in known["systems"]:
                out.append(Problem(systems_file, f"{key}.depends_on[{j}]", f"dependency on unknown system {dep!r}"))
        if system.classification == Classification.classified and Location.cloud in (system.location, system.target):
            out.append(Problem(systems_file, f"{key}.target" if system.target == Location.cloud else f"{key}.location",
                               f"classified (涉密) system {sid!r} cannot be placed in the cloud; expected on_prem"))
    for cycle in dependency_cycles({s: [d for d in v.depends_on if d in inv.systems] for s, v in inv.systems.items()}):
        first = cycle[0]
        out.append(Problem(systems_file, f"systems[{index.get(first, '?')}].depends_on",
                           "dependency cycle: " + " -> ".join([*cycle, first])))
    return out


def dependency_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each elementary cycle found by depth-first search, reported once, starting at its smallest id."""
    cycles: set[tuple[str, ...]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cyc = stack[stack.index(nxt):]
                i = cyc.index(min(cyc))
                cycles.add(tuple(cyc[i:] + cyc[:i]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return [list(c) for c in sorted(cycles)]


def _check_private_networks(inv: Inventory, file: str, locate: Locate, index: dict[Any, int],
                            known: dict[str, Known]) -> list[Problem]:
    """Departments' private networks: known department and devices, valid free interfaces, unique
    VPN name/RD/table, a transit between exactly the two devices when the sites span two."""
    out: list[Problem] = []
    used: dict[tuple[str, str], str] = {}
    for name, dev in inv.devices.items():
        for i, seg in enumerate(dev.segments):
            used[(name, seg.interface)] = f"{locate(name, 'segments')[1]}[{i}]"
    for i, link in enumerate(inv.links):
        used[(link.a.device, link.a.interface)] = used[(link.b.device, link.b.interface)] = f"links[{i}]"
    seen: dict[str, dict] = {"name": {}, "rd": {}, "table": {}}

    def port(dev_name: str, ifname: str, key: str) -> None:
        dev = inv.devices.get(dev_name)
        if dev is None:
            if dev_name not in known["devices"]:
                out.append(Problem(file, f"{key}.device", f"unknown device {dev_name!r}; expected an extranet device"))
            return
        out.extend(_check_ifname(dev.platform, ifname, file, f"{key}.interface", ""))
        if (dev_name, ifname) in used:
            out.append(Problem(file, f"{key}.interface",
                               f"interface {dev_name}:{ifname} is already used by {used[(dev_name, ifname)]}"))
        used[(dev_name, ifname)] = key

    for net in inv.private_networks.values():
        key = f"private_networks[{index.get(net.department, '?')}]"  # its place in the file
        if net.department not in known["departments"]:
            out.append(Problem(file, f"{key}.department", f"unknown department {net.department!r}"))
        for attr in ("name", "rd", "table"):
            value = getattr(net.vpn, attr)
            if value in seen[attr]:
                out.append(Problem(file, f"{key}.vpn.{attr}", f"{value!r} is already used by {seen[attr][value]}"))
            seen[attr][value] = f"{key}.vpn"
        if len(net.sites) < 2:
            out.append(Problem(file, f"{key}.sites", "expected at least two sites (a private network links sites)"))
        names: set[str] = set()
        prefixes: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = []
        for s, site in enumerate(net.sites):
            skey = f"{key}.sites[{s}]"
            if site.name in names:
                out.append(Problem(file, f"{skey}.name", f"duplicate site name {site.name!r}"))
            names.add(site.name)
            port(site.device, site.interface, skey)
            for fam in ("ipv4", "ipv6"):
                addr = getattr(site, fam)
                if addr.ip == addr.network.network_address or addr.network.num_addresses < 4:
                    out.append(Problem(file, f"{skey}.{fam}", f"expected a gateway address in a subnet with room "
                                                              f"for the site's hosts, found {addr}"))
                for other, okey in prefixes:
                    if other.version == addr.version and other.overlaps(addr.network):
                        out.append(Problem(file, f"{skey}.{fam}", f"prefix {addr.network} overlaps {other} ({okey})"))
                prefixes.append((addr.network, f"{skey}.{fam}"))
        devices = net.devices()
        if len(devices) > 2:
            out.append(Problem(file, f"{key}.sites", f"sites span {len(devices)} devices ({', '.join(devices)}); "
                                                     "expected the city core and one county device at most"))
        elif len(devices) == 2:
            t = net.transit
            if t is None:
                out.append(Problem(file, f"{key}.transit",
                                   f"missing: sites on {devices[0]} and {devices[1]} need a transit between them"))
            else:
                if {t.a.device, t.b.device} != set(devices):
                    out.append(Problem(file, f"{key}.transit", f"expected a transit between {devices[0]} and "
                                                               f"{devices[1]}, found {t.a.device}--{t.b.device}"))
                for side, end in (("a", t.a), ("b", t.b)):
                    port(end.device, end.interface, f"{key}.transit.{side}")
                if t.ipv4.prefixlen != 31:
                    out.append(Problem(file, f"{key}.transit.ipv4", f"expected a /31, found {t.ipv4}"))
                if t.ipv6.prefixlen != 127:
                    out.append(Problem(file, f"{key}.transit.ipv6", f"expected a /127, found {t.ipv6}"))
    return out
