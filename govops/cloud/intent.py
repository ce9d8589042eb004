"""What the cloud should hold, computed from the source of truth alone (no Pulumi here).

The components declare exactly this; the validator checks it against the centres' capacity
before any resource is declared, and the plan report reads it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from govops.sot.model import Arch, Centre, CentreRole, Department, Inventory, Location, System

from . import dr

PLATFORM = "platform"      # `department` tag of the centre's own shared resources
GIB_PER_TB = 1024
QUOTA_HEADROOM = 1.25      # room to scale out without a quota ticket; counted against capacity


@dataclass(frozen=True)
class SizeClass:
    """A catalogue `size`: flavor of each instance, how many instances (anti-affinity when > 1)."""

    name: str
    vcpus: int
    ram_gb: int
    disk_gb: int
    instances: int


SIZES: dict[str, SizeClass] = {s.name: s for s in (
    SizeClass("small", 2, 4, 40, 1),
    SizeClass("medium", 4, 16, 40, 2),
    SizeClass("large", 8, 32, 80, 2),
    SizeClass("xlarge", 16, 64, 80, 3),
)}
# A tenant with no system yet still gets a working sandbox (its department's first migration).
BASELINE = {"cores": 4, "ram_gb": 8, "instances": 2, "gigabytes": 100, "volumes": 4}


def place_arch(system: System, centre: Centre) -> Arch:
    """The pool a system's instances land on in a centre: its most preferred architecture the centre
    has; when the centre has none of them, the centre's first pool (the policy
    `instances-on-supported-architecture` then refuses the plan, naming both)."""
    return next((a for a in system.arch if a in centre.archs), centre.archs[0])


def on_cloud(system: System) -> bool:
    return Location.cloud in (system.location, system.target)


def data_volume_gb(system: System) -> int:
    """The system's data volume: its data with 50% growth room, at least 20 GiB."""
    return max(20, math.ceil(system.data_gb * 1.5))


@dataclass(frozen=True)
class SystemIntent:
    system: System
    index: int                     # position in the catalogue's `systems` list (for error keys)
    size: SizeClass
    tier: dr.DrTier
    replicas: tuple[tuple[str, dr.Replication], ...]   # (centre id, replication)
    arch: Arch = Arch.x86_64                          # pool in production
    failover_arch: dict[str, Arch] = field(default_factory=dict)   # centre id -> pool it fails over to

    @property
    def vcpus(self) -> int:
        return self.size.vcpus * self.size.instances

    @property
    def ram_gb(self) -> int:
        return self.size.ram_gb * self.size.instances

    @property
    def volume_gb(self) -> int:
        return data_volume_gb(self.system)


@dataclass
class TenantIntent:
    centre: str
    department: Department
    systems: list[SystemIntent] = field(default_factory=list)   # placed here (production)
    replicas: list[SystemIntent] = field(default_factory=list)  # replicated here (DR centres)

    @property
    def tier(self) -> int:
        """The tenant is as critical as its most critical system."""
        return max((s.tier.level for s in self.systems + self.replicas), default=1)

    def need(self) -> dict[str, int]:
        """Resources its systems use; DR tenants reserve the failover compute of their replicas."""
        everything = self.systems + self.replicas
        return {
            "cores": sum(s.vcpus for s in everything),
            "ram_gb": sum(s.ram_gb for s in everything),
            "instances": sum(s.size.instances for s in everything),
            "gigabytes": sum(s.volume_gb for s in everything),
            "volumes": len(everything),
        }

    def quota(self) -> dict[str, int]:
        need = self.need()
        return {k: max(BASELINE[k], math.ceil(v * QUOTA_HEADROOM)) for k, v in need.items()}


@dataclass
class CloudIntent:
    centres: dict[CentreRole, Centre]
    systems: list[SystemIntent]
    tenants: dict[tuple[str, str], TenantIntent]   # (centre id, department id)

    def tenants_in(self, centre: str) -> list[TenantIntent]:
        return [t for (c, _), t in self.tenants.items() if c == centre]

    def quota_use(self, centre: str) -> dict[str, int]:
        """Sum of tenant quotas in a centre, in the units of its capacity (vcpu, ram_gb, storage GiB)."""
        tenants = self.tenants_in(centre)
        return {
            "vcpu": sum(t.quota()["cores"] for t in tenants),
            "ram_gb": sum(t.quota()["ram_gb"] for t in tenants),
            "storage_gb": sum(t.quota()["gigabytes"] for t in tenants),
        }


def metadata(department: str, classification: str, tier: int, owner: str) -> dict[str, str]:
    """The metadata every taggable resource carries (policy `required-metadata`)."""
    return {"department": department, "classification": classification, "tier": str(tier), "owner": owner}


def as_tags(meta: dict[str, str]) -> list[str]:
    """Neutron/Keystone tags are plain strings (Neutron: at most 60 characters each)."""
    return [f"{k}={v}" for k, v in meta.items()]


def build_intent(inv: Inventory) -> CloudIntent:
    """Place every cloud system in production and its replicas per tier. Assumes a validated catalogue."""
    centres = {c.role: c for c in inv.centres.values()}
    prod = centres[CentreRole.production].id
    tenants: dict[tuple[str, str], TenantIntent] = {
        (prod, d.id): TenantIntent(prod, d) for d in inv.departments.values()
    }
    systems = []
    for index, system in enumerate(inv.systems.values()):
        if not on_cloud(system):
            continue
        tier = dr.tier(system.dr_tier)
        replicas = tuple((centres[dr.REPLICA_CENTRE_ROLE[r]].id, r) for r in tier.replicas)
        by_id = {c.id: c for c in centres.values()}
        intent = SystemIntent(system, index, SIZES[system.size], tier, replicas,
                              arch=place_arch(system, centres[CentreRole.production]),
                              failover_arch={cid: place_arch(system, by_id[cid]) for cid, _ in replicas})
        systems.append(intent)
        tenants[(prod, system.department)].systems.append(intent)
        for centre_id, _ in replicas:
            dept = inv.departments[system.department]
            tenants.setdefault((centre_id, dept.id), TenantIntent(centre_id, dept)).replicas.append(intent)
    order = {c.id: i for i, c in enumerate(inv.centres.values())}
    dept_order = {d: i for i, d in enumerate(inv.departments)}
    ordered = dict(sorted(tenants.items(), key=lambda kv: (order[kv[0][0]], dept_order[kv[0][1]])))
    return CloudIntent(centres=centres, systems=systems, tenants=ordered)


@dataclass(frozen=True)
class Transit:
    """Where a centre meets the extranet: the core/aggregation segment its cloud servers uplink to."""

    device: str
    interface: str
    ipv4: object      # ipaddress.IPv4Interface of the device (the gateway)
    ipv6: object      # ipaddress.IPv6Network: the segment's /64 from the plan
    peer_ipv6: object  # ipaddress.IPv6Interface: the device's loopback, the BGP peer


def centre_transit(inv: Inventory, plan, centre_id: str) -> Transit | None:
    for host in inv.hosts.values():
        if host.centre != centre_id or host.uplink is None:
            continue
        dev = inv.devices.get(host.uplink.device)
        seg = next((s for s in dev.segments if s.interface == host.uplink.interface), None) if dev else None
        key = f"{host.uplink.device}:{host.uplink.interface}"
        if seg is None or key not in plan.segments or host.uplink.device not in plan.loopbacks:
            continue
        return Transit(host.uplink.device, host.uplink.interface, seg.ipv4, plan.segments[key],
                       plan.loopbacks[host.uplink.device])
    return None
