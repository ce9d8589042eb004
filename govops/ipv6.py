"""The dual-stack IPv6 address plan, derived from the city's hierarchy and kept stable.

    city /40 ─┬─ infrastructure /48 (index 0): loopbacks /64 (::/64, one /128 each),
              │     links /52 (a /64 reserved per link, the /127 at ::2 used, RFC 6164),
              │     management /64 (:ff::/64)
              ├─ city and county sites /48 (index 1..191) ─ townships /56 (index 1..255);
              │     /56 index 0 of a /48 holds the city's or county's own segments
              └─ cloud centres /48 (index 192..254)
    segments: one /64 per device segment, from its site's /56.

Allocation is stable: the plan is written to <inventory>/ipv6-plan.yml and
re-planning only adds entries at the next free index; it never renumbers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from govops.sot.model import Host, Inventory, Link, SiteKind
from govops.sot.problems import InventoryError, Problem

IPv6Network = ipaddress.IPv6Network
IPv6Interface = ipaddress.IPv6Interface

PLAN_FILE = "ipv6-plan.yml"
SITE_RANGE = range(1, 192)
CENTRE_RANGE = range(192, 255)
TOWNSHIP_RANGE = range(1, 256)
SEGMENT_RANGE = range(0, 256)
LOOPBACK_RANGE = range(1, 2**16)
LINK_RANGE = range(0, 4096)
_SECTIONS = ("sites", "centres", "loopbacks", "links", "segments")
_FIXED = ("infrastructure", "loopback_pool", "link_pool", "management")  # derived from the city; written, not read
_KEY = "all.vars.ipv6_plan"


@dataclass
class Plan:
    city: IPv6Network
    sites: dict[str, IPv6Network] = field(default_factory=dict)
    centres: dict[str, IPv6Network] = field(default_factory=dict)
    loopbacks: dict[str, IPv6Interface] = field(default_factory=dict)
    links: dict[str, IPv6Network] = field(default_factory=dict)
    segments: dict[str, IPv6Network] = field(default_factory=dict)

    # -- fixed blocks -------------------------------------------------------------------
    @property
    def infrastructure(self) -> IPv6Network:
        return _nth(self.city, 48, 0)

    @property
    def loopback_pool(self) -> IPv6Network:
        return _nth(self.infrastructure, 64, 0)

    @property
    def link_pool(self) -> IPv6Network:
        return _nth(self.infrastructure, 52, 1)

    @property
    def management(self) -> IPv6Network:
        return _nth(self.infrastructure, 64, 0xFF)

    # -- derived addresses --------------------------------------------------------------
    def link_addresses(self, link: Link) -> tuple[IPv6Interface, IPv6Interface]:
        """(a end, b end) of a link's /127: ::2 and ::3 of its reserved /64."""
        prefix = self.links[link.key]
        base = prefix.network_address
        return IPv6Interface(f"{base + 2}/127"), IPv6Interface(f"{base + 3}/127")

    def segment_gateway(self, device: str, interface: str) -> IPv6Interface:
        prefix = self.segments[f"{device}:{interface}"]
        return IPv6Interface(f"{prefix.network_address + 1}/64")

    def host_address(self, host: Host) -> IPv6Interface | None:
        """A host's address on its segment: the segment /64 with the host's IPv4 last octet."""
        if host.uplink is None:
            return None
        prefix = self.segments[f"{host.uplink.device}:{host.uplink.interface}"]
        return IPv6Interface(f"{prefix.network_address + int(host.uplink.ipv4.ip) % 256}/64")

    def to_data(self) -> dict:
        return {
            "city": str(self.city),
            "infrastructure": str(self.infrastructure),
            "loopback_pool": str(self.loopback_pool),
            "link_pool": str(self.link_pool),
            "management": str(self.management),
            **{name: {k: str(v) for k, v in sorted(getattr(self, name).items())} for name in _SECTIONS},
        }


def management_ipv6(inv: Inventory, ipv4: ipaddress.IPv4Address | str) -> IPv6Interface:
    """Management IPv6 of a node: the management /64 with the IPv4's last two octets read as
    hex digits (198.18.0.11 -> ...:ff::11, 198.18.1.5 -> ...:ff::1:5), so engineers can read one from the other."""
    o3, o4 = ipaddress.IPv4Address(ipv4).packed[2:]
    mgmt = _nth(_nth(inv.city.ipv6_allocation, 48, 0), 64, 0xFF)
    return IPv6Interface(f"{mgmt.network_address + (int(str(o3), 16) << 16) + int(str(o4), 16)}/64")


def _nth(parent: IPv6Network, prefixlen: int, index: int) -> IPv6Network:
    size = 1 << (128 - prefixlen)
    return IPv6Network((int(parent.network_address) + index * size, prefixlen))


def _index(parent: IPv6Network, child: IPv6Network) -> int:
    return (int(child.network_address) - int(parent.network_address)) >> (128 - child.prefixlen)


# -- planning ----------------------------------------------------------------------------
class PlanError(InventoryError):
    """Exhaustion, or an edited plan that conflicts with the hierarchy."""


def plan_file(inv: Inventory) -> Path:
    return inv.path / PLAN_FILE


def load_plan(inv: Inventory, path: Path | None = None) -> Plan | None:
    """The committed plan of an inventory (None if it has none yet); conflicts raise PlanError."""
    path = path or plan_file(inv)
    if not path.exists():
        return None
    shown = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanError([Problem(shown, "(file)", f"malformed YAML: {exc}")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([Problem(shown, "(file)", f"cannot be read: {getattr(exc, 'strerror', None) or exc}")]) from None
    if data is None:
        raise PlanError([Problem(shown, "(file)", "empty: expected `all: vars: ipv6_plan:` as written by "
                                                  "`govops ipv6 plan --write` (restore it from version control)")])
    body = data
    for part in ("all", "vars", "ipv6_plan"):
        body = body.get(part) if isinstance(body, dict) else None
    if not isinstance(body, dict):
        raise PlanError([Problem(shown, _KEY, "missing: expected the plan mapping here")])
    problems: list[Problem] = []
    try:
        city = _parse(IPv6Network, body.get("city"))
    except ValueError as exc:
        raise PlanError([Problem(shown, f"{_KEY}.city", f"expected the city's IPv6 prefix: {exc}")]) from None
    if city != inv.city.ipv6_allocation:
        problems.append(Problem(shown, f"{_KEY}.city",
                                f"plan is for {city}, the inventory's allocation is {inv.city.ipv6_allocation}"))
    plan = Plan(city=city)
    for name in body:
        if name not in ("city", *_FIXED, *_SECTIONS):
            problems.append(Problem(shown, f"{_KEY}.{name}", f"unknown key; expected city, {', '.join(_FIXED)}, "
                                                             f"{', '.join(_SECTIONS)}"))
    for name in _FIXED:
        if name in body:
            want = getattr(plan, name)
            try:
                ok = _parse(IPv6Network, body[name]) == want
            except ValueError:
                ok = False
            if not ok:
                problems.append(Problem(shown, f"{_KEY}.{name}", f"expected {want} (derived from the city prefix "
                                                                 f"{city}), found {body[name]!r}"))
    for name in _SECTIONS:
        conv = IPv6Interface if name == "loopbacks" else IPv6Network
        table = body.get(name) or {}
        if not isinstance(table, dict):
            problems.append(Problem(shown, f"{_KEY}.{name}", f"expected a mapping of names to IPv6 prefixes, "
                                                             f"found {type(table).__name__}"))
            continue
        for key, value in table.items():
            try:
                getattr(plan, name)[str(key)] = _parse(conv, value)
            except ValueError as exc:
                problems.append(Problem(shown, f"{_KEY}.{name}.{key}", f"expected an IPv6 prefix: {exc}"))
    problems += _conflicts(plan, inv, shown)
    if problems:
        raise PlanError(problems)
    return plan


def _parse(conv, value):
    """An address or prefix from the plan file; ValueError for anything but a well-formed string
    (ipaddress would also take an int, and raise TypeError on a list)."""
    if not isinstance(value, str):
        raise ValueError(f"found {type(value).__name__} {value!r}")
    return conv(value)


def _conflicts(plan: Plan, inv: Inventory, shown: str) -> list[Problem]:
    """Every entry inside the block it belongs to, at its expected size and index, and no two overlapping."""
    out = []
    key = _KEY

    def expect(section: str, name: str, prefix: IPv6Network, parent: IPv6Network, length: int,
               indexes: range | None = None, what: str = "") -> None:
        if prefix.prefixlen != length or not prefix.subnet_of(parent):
            out.append(Problem(shown, f"{key}.{section}.{name}", f"{prefix} should be a /{length} inside {parent}"))
        elif indexes is not None and _index(parent, prefix) not in indexes:
            out.append(Problem(shown, f"{key}.{section}.{name}",
                               f"{prefix} is /{length} number {_index(parent, prefix)} of {parent}; {what} use numbers "
                               f"{indexes.start}..{indexes.stop - 1}"))

    for sid, prefix in plan.sites.items():
        site = inv.sites.get(sid)
        if site and site.kind == SiteKind.township:
            parent = plan.sites.get(site.parent or "")
            if parent is not None:
                expect("sites", sid, prefix, parent, 56, TOWNSHIP_RANGE,
                       "townships (number 0 holds the county's own segments)")
        else:
            expect("sites", sid, prefix, plan.city, 48, SITE_RANGE, "city and county sites")
    for cid, prefix in plan.centres.items():
        expect("centres", cid, prefix, plan.city, 48, CENTRE_RANGE, "cloud centres")
    for dev, addr in plan.loopbacks.items():
        expect("loopbacks", dev, addr.network, plan.loopback_pool, 128, LOOPBACK_RANGE, "loopbacks")
    for lkey, prefix in plan.links.items():
        expect("links", lkey, prefix, plan.link_pool, 64, LINK_RANGE, "links")
    for skey, prefix in plan.segments.items():
        device = inv.devices.get(skey.split(":", 1)[0])
        site = inv.sites.get(device.site) if device else None
        if site is not None and site.id in plan.sites:  # the /56 its segments come from (see plan_ipv6)
            parent = plan.sites[site.id] if site.kind == SiteKind.township else _nth(plan.sites[site.id], 56, 0)
            expect("segments", skey, prefix, parent, 64)
        else:
            expect("segments", skey, prefix, plan.city, 64)
    entries = sorted(((p if isinstance(p, IPv6Network) else p.network, f"{s}.{n}")
                      for s in _SECTIONS for n, p in getattr(plan, s).items()),
                     key=lambda e: (e[0].network_address, e[0].prefixlen))
    # a township /56 inside its county /48 is nesting, not a conflict; same-size overlap is
    for i, (pa, na) in enumerate(entries):
        for pb, nb in entries[i + 1:]:
            if pb.network_address > pa.broadcast_address:
                break
            if pa.prefixlen == pb.prefixlen or (na.startswith("segments") and nb.startswith("segments")):
                out.append(Problem(shown, f"{key}.{nb}", f"{pb} overlaps {na} ({pa})"))
            elif not _may_nest(na, nb, plan, inv):
                out.append(Problem(shown, f"{key}.{nb}", f"{pb} lies inside {na} ({pa}), which it does not belong to"))
    return out


def _may_nest(outer: str, inner: str, plan: Plan, inv: Inventory) -> bool:
    osec, _, oname = outer.partition(".")
    isec, _, iname = inner.partition(".")
    if osec == "sites" and isec == "sites":
        site = inv.sites.get(iname)
        return site is not None and site.parent == oname
    if osec == "sites" and isec == "segments":
        device = inv.devices.get(iname.split(":", 1)[0])
        if device is None:
            return True
        site = inv.sites.get(device.site)
        return device.site == oname or (site is not None and site.parent == oname)
    return False


def plan_ipv6(inv: Inventory, existing: Plan | None = None) -> tuple[Plan, list[str]]:
    """Extend the existing plan with entries for everything new in the inventory.

    Returns the plan and the list of added entries. Existing entries are never changed."""
    plan = existing or Plan(city=inv.city.ipv6_allocation)
    shown = str(plan_file(inv))
    added: list[str] = []
    problems: list[Problem] = []

    def alloc(section: str, name: str, parent: IPv6Network, length: int, indexes: range,
              taken: Iterable[IPv6Network]) -> None:
        table = getattr(plan, section)
        if name in table:
            return
        used = {_index(parent, p) for p in taken if p.prefixlen == length and p.subnet_of(parent)}
        free = next((i for i in indexes if i not in used), None)
        if free is None:
            problems.append(Problem(shown, f"all.vars.ipv6_plan.{section}.{name}",
                                    f"exhausted: no free /{length} left in {parent} ({len(used)} in use)"))
            return
        prefix = _nth(parent, length, free)
        table[name] = IPv6Interface(f"{prefix.network_address}/128") if section == "loopbacks" else prefix
        added.append(f"{section}.{name} = {table[name]}")

    def networks(section: str) -> list[IPv6Network]:
        return [p if isinstance(p, IPv6Network) else p.network for p in getattr(plan, section).values()]

    top = [s for s in inv.sites.values() if s.kind != SiteKind.township]
    for site in top:
        alloc("sites", site.id, plan.city, 48, SITE_RANGE, networks("sites") + networks("centres"))
    for centre in inv.centres.values():
        alloc("centres", centre.id, plan.city, 48, CENTRE_RANGE, networks("sites") + networks("centres"))
    for site in inv.sites.values():
        if site.kind == SiteKind.township and site.parent in plan.sites:
            alloc("sites", site.id, plan.sites[site.parent], 56, TOWNSHIP_RANGE, networks("sites"))
    for name in inv.devices:
        alloc("loopbacks", name, plan.loopback_pool, 128, LOOPBACK_RANGE, networks("loopbacks"))
    for link in inv.links:
        alloc("links", link.key, plan.link_pool, 64, LINK_RANGE, networks("links"))
    for name, dev in inv.devices.items():
        site = inv.sites.get(dev.site)
        if site is None or site.id not in plan.sites:
            continue
        parent = plan.sites[site.id] if site.kind == SiteKind.township else _nth(plan.sites[site.id], 56, 0)
        for seg in dev.segments:
            alloc("segments", f"{name}:{seg.interface}", parent, 64, SEGMENT_RANGE, networks("segments"))
    if problems:
        raise PlanError(problems)
    return plan, added


def missing_entries(plan: Plan, inv: Inventory) -> list[Problem]:
    """What the inventory has that the committed plan lacks (run `govops ipv6 plan --write`)."""
    shown = str(plan_file(inv))
    want = {
        "sites": list(inv.sites),
        "centres": list(inv.centres),
        "loopbacks": list(inv.devices),
        "links": [link.key for link in inv.links],
        "segments": [f"{n}:{s.interface}" for n, d in inv.devices.items() for s in d.segments],
    }
    return [Problem(shown, f"all.vars.ipv6_plan.{section}.{name}",
                    "missing from the plan; run `govops ipv6 plan --write` and commit it")
            for section, names in want.items() for name in names if name not in getattr(plan, section)]


def stale_entries(plan: Plan, inv: Inventory) -> list[str]:
    have = {"sites": inv.sites, "centres": inv.centres, "loopbacks": inv.devices,
            "links": {link.key for link in inv.links},
            "segments": {f"{n}:{s.interface}" for n, d in inv.devices.items() for s in d.segments}}
    return [f"{section}.{name}" for section in _SECTIONS for name in getattr(plan, section) if name not in have[section]]


def require_plan(inv: Inventory) -> Plan:
    """The committed plan, complete for this inventory, or PlanError naming what is missing."""
    plan = load_plan(inv)
    if plan is None:
        raise PlanError([Problem(str(plan_file(inv)), "(file)", "no IPv6 plan; run `govops ipv6 plan --write`")])
    missing = missing_entries(plan, inv)
    if missing:
        raise PlanError(missing)
    return plan


def write_plan(inv: Inventory, plan: Plan, path: Path | None = None) -> Path:
    path = path or plan_file(inv)
    header = ("# IPv6 address plan of this inventory, written by `govops ipv6 plan --write`.\n"
              "# Stable: re-planning only adds entries; never edit an existing one by hand.\n"
              "# It is also a valid Ansible inventory source: playbooks see it as `ipv6_plan`.\n")
    body = yaml.safe_dump({"all": {"vars": {"ipv6_plan": plan.to_data()}}}, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=200)
    tmp = path.with_suffix(".yml.tmp")
    try:
        tmp.write_text(header + "---\n" + body, encoding="utf-8")
        tmp.replace(path)  # atomic: an interrupted write never leaves half a plan
    except OSError as exc:
        if tmp.is_file():
            tmp.unlink(missing_ok=True)
        raise PlanError([Problem(str(path), "(file)", f"cannot write the plan: {exc.strerror or exc} "
                                                      f"({exc.filename or tmp}); nothing was changed")]) from None
    return path


def check_plan(inv: Inventory) -> tuple[list[Problem], list[Problem]]:
    """What `govops validate` says about the committed plan: (problems, notes). Problems are conflicts
    with the hierarchy or a file that cannot be read; notes are entries still to plan (`--write`)."""
    try:
        plan = load_plan(inv)
    except PlanError as exc:
        return exc.problems, []
    if plan is None:
        return [], [Problem(str(plan_file(inv)), "(file)", "no IPv6 plan yet; run `govops ipv6 plan --write` and commit it")]
    return [], missing_entries(plan, inv)


def summary_rows(plan: Plan, inv: Inventory) -> list[dict]:
    """Per city/county area: its prefix, townships, devices, links and segments planned."""
    rows = []
    for site in inv.sites.values():
        if site.kind == SiteKind.township:
            continue
        area = {site.id} | ({s.id for s in inv.sites.values() if s.parent == site.id} if site.kind == SiteKind.county else set())
        devices = [n for n, d in inv.devices.items() if d.site in area]
        links = [lk for lk in inv.links if lk.a.device in devices or lk.b.device in devices]
        rows.append({
            "site": site.id, "name": site.name, "prefix": str(plan.sites.get(site.id, "-")),
            "townships": len(area) - 1, "devices": len(devices), "links": len(links),
            "segments": sum(len(inv.devices[n].segments) for n in devices),
        })
    for centre in inv.centres.values():
        rows.append({"site": centre.id, "name": centre.name, "prefix": str(plan.centres.get(centre.id, "-")),
                     "townships": 0, "devices": 0, "links": 0, "segments": 0})
    return rows
