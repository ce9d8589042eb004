"""Policies as plain predicates over declared resources; each returns readable violation messages.

The same functions run in the tests (over what the program registers under mocks) and in the
``pulumi_policy`` pack in ``pulumi/policy/`` (over what the engine is about to create). A resource
is seen as :class:`~govops.cloud.mocks.Declared`-like: ``type``, ``name``, ``inputs`` (the engine's
camelCase property names) and ``centre`` (from its provider's name).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from govops.sot.model import CentreRole

from . import dr
from .components import volume_type_name
from .intent import GIB_PER_TB
from .ports import MANAGEMENT_PORTS

REQUIRED_METADATA = ("department", "classification", "tier", "owner")
# Where each taggable type keeps its metadata: a list of "key=value" tags or a metadata map.
TAGGED = {
    "openstack:identity/project:Project": "tags",
    "openstack:networking/network:Network": "tags",
    "openstack:networking/subnet:Subnet": "tags",
    "openstack:networking/subnetPool:SubnetPool": "tags",
    "openstack:networking/router:Router": "tags",
    "openstack:networking/secGroup:SecGroup": "tags",
    "openstack:networking/port:Port": "tags",
    "openstack:compute/instance:Instance": "metadata",
    "openstack:blockstorage/volume:Volume": "metadata",
}
RULE = "openstack:networking/secGroupRule:SecGroupRule"
NETWORK = "openstack:networking/network:Network"
SUBNET = "openstack:networking/subnet:Subnet"
VOLUME = "openstack:blockstorage/volume:Volume"
INSTANCE = "openstack:compute/instance:Instance"
COMPUTE_QUOTA = "openstack:compute/quotaSetV2:QuotaSetV2"
STORAGE_QUOTA = "openstack:blockstorage/quoteSetV3:QuoteSetV3"


class Resource(Protocol):
    type: str
    name: str
    inputs: dict

    @property
    def centre(self) -> str | None: ...


# -- per resource ------------------------------------------------------------------------------
def management_port_exposure(res: Resource) -> list[str]:
    """An ingress rule from anywhere (0.0.0.0/0, ::/0, or no source at all) must not reach a management port."""
    if res.type != RULE or res.inputs.get("direction") != "ingress":
        return []
    i = res.inputs
    prefix = i.get("remoteIpPrefix") or None
    if prefix is None and (i.get("remoteGroupId") or i.get("remoteAddressGroupId")):
        return []
    if prefix is not None and ipaddress.ip_network(prefix, strict=False).prefixlen != 0:
        return []
    if i.get("protocol") not in (None, "", "tcp", "udp", "sctp", "6", "17", "132"):
        return []
    low, high = i.get("portRangeMin") or 1, i.get("portRangeMax") or 65535
    exposed = [p for p in MANAGEMENT_PORTS if low <= p <= high]
    if not exposed:
        return []
    names = ", ".join(f"{p} ({MANAGEMENT_PORTS[p]})" for p in sorted(exposed)[:5])
    return [f"security group rule {res.name} opens management port(s) {names} to {prefix or 'any source'}; "
            "allow them from the ops management prefixes or the bastion only"]


def missing_metadata(res: Resource) -> list[str]:
    where = TAGGED.get(res.type)
    if where is None:
        return []
    raw = res.inputs.get(where)
    if where == "tags":
        have = dict(t.split("=", 1) for t in (raw or []) if "=" in t)
    else:
        have = dict(raw or {})
    missing = [k for k in REQUIRED_METADATA if not str(have.get(k, "")).strip()]
    if not missing:
        return []
    return [f"{res.type.rsplit(':', 1)[-1]} {res.name} lacks required {where} {', '.join(missing)} "
            f"(every resource carries {', '.join(REQUIRED_METADATA)})"]


def instance_on_unsupported_architecture(res: Resource) -> list[str]:
    """An instance (or a replica's failover) must land on a pool of an architecture its system supports:
    moving x86-only software onto Kunpeng is a rebuild, not a rehost."""
    if res.type not in (INSTANCE, VOLUME):
        return []
    meta = res.inputs.get("metadata") or {}
    arch, supported = meta.get("arch"), [a for a in str(meta.get("arch_supported") or "").split(",") if a]
    if not arch or not supported or arch in supported:
        return []
    what = (f"instance {res.name} would run" if res.type == INSTANCE
            else f"replica {res.name} would fail over")
    return [f"{what} on {arch} in centre {res.centre}, but its system supports {' and '.join(supported)} only: "
            f"give {res.centre} a {supported[0]} pool, or rebuild the system for {arch} and list it in the "
            "catalogue's `arch` (a replatform, planned by `govops migrate plan`)"]


# -- over the whole stack ----------------------------------------------------------------------
def subnets_not_dual_stack(resources: Iterable[Resource]) -> list[str]:
    """Every tenant network (not external) has an IPv4 and an IPv6 subnet, the v6 one with RA and address modes."""
    resources = list(resources)
    nets = {r.name: r for r in resources if r.type == NETWORK and not r.inputs.get("external")}
    subnets: dict[str, list[Resource]] = defaultdict(list)
    names = {r.inputs.get("name"): n for n, r in nets.items()}
    for r in resources:
        if r.type == SUBNET:
            # subnets name their network (`<net>-v4`); ids of new resources are unknown during preview
            owner = names.get(str(r.inputs.get("name", "")).rsplit("-", 1)[0])
            if owner:
                subnets[owner].append(r)
    out = []
    for name in nets:
        versions = {int(s.inputs.get("ipVersion") or 4): s for s in subnets[name]}
        lacking = [f"IPv{v}" for v in (4, 6) if v not in versions]
        if lacking:
            out.append(f"network {name} is not dual-stack: no {' and no '.join(lacking)} subnet")
            continue
        v6 = versions[6].inputs
        if not (v6.get("ipv6RaMode") and v6.get("ipv6AddressMode")):
            out.append(f"network {name}: IPv6 subnet {versions[6].name} lacks ipv6_ra_mode/ipv6_address_mode "
                       "(guests would get no route or no address)")
    return out


def replicas_not_as_promised(resources: Iterable[Resource], centre_roles: dict[str, CentreRole]) -> list[str]:
    """Every primary volume has exactly the replicas its DR tier promises, each in a centre of the right role,
    and its volume type is the replicating one."""
    volumes = [r for r in resources if r.type == VOLUME]
    replicas: dict[str, list[Resource]] = defaultdict(list)
    for v in volumes:
        if v.inputs.get("metadata", {}).get("role") == "replica":
            replicas[v.inputs["metadata"].get("replica_of", "")].append(v)
    out = []
    for v in volumes:
        meta = v.inputs.get("metadata", {})
        if meta.get("role") != "primary":
            continue
        system = meta.get("system", v.name)
        try:
            promised = dr.tier(int(meta.get("tier", 0))).replicas
        except (KeyError, ValueError):
            out.append(f"volume {v.name}: tier {meta.get('tier')!r} is not a GB/T 20988 level")
            continue
        have = {(r.inputs["metadata"].get("replication"), centre_roles.get(r.centre or "")) for r in replicas[system]}
        for repl in promised:
            role = dr.REPLICA_CENTRE_ROLE[repl]
            if (repl.value, role) not in have:
                out.append(f"system {system} (tier {meta.get('tier')}) has no {repl.value} replica in the "
                           f"{role.value} centre, which its tier promises")
        for r in replicas[system]:
            repl = r.inputs["metadata"].get("replication")
            role = centre_roles.get(r.centre or "")
            wanted = next((dr.REPLICA_CENTRE_ROLE[p] for p in promised if p.value == repl), None)
            if wanted is None:
                out.append(f"system {system} (tier {meta.get('tier')}) has a {repl} replica {r.name} its tier "
                           "does not call for")
            elif role != wanted:
                out.append(f"replica {r.name} of {system} is in {r.centre} ({role.value if role else 'unknown'}), "
                           f"expected a {wanted.value} centre")
        if v.inputs.get("volumeType") != volume_type_name(promised):
            out.append(f"volume {v.name}: type {v.inputs.get('volumeType')!r} does not replicate as tier "
                       f"{meta.get('tier')} requires ({volume_type_name(promised)!r})")
    return out


def quotas_beyond_capacity(resources: Iterable[Resource], capacity: dict[str, dict[str, int]]) -> list[str]:
    """Sum of tenant quotas per centre within its capacity (vcpu, ram_gb, storage_tb)."""
    used: dict[str, dict[str, int]] = defaultdict(lambda: {"vcpu": 0, "ram_gb": 0, "storage_tb": 0})
    for r in resources:
        c = r.centre or ""
        if r.type == COMPUTE_QUOTA:
            used[c]["vcpu"] += int(r.inputs.get("cores") or 0)
            used[c]["ram_gb"] += int(r.inputs.get("ram") or 0) // 1024
        elif r.type == STORAGE_QUOTA:
            used[c]["storage_tb"] += int(r.inputs.get("gigabytes") or 0)
    out = []
    for centre, use in sorted(used.items()):
        cap = capacity.get(centre)
        if cap is None:
            out.append(f"quotas declared through an unknown centre {centre!r}")
            continue
        for key, value in use.items():
            limit = cap[key] * GIB_PER_TB if key == "storage_tb" else cap[key]
            if value > limit:
                unit = "GiB of storage" if key == "storage_tb" else key
                out.append(f"centre {centre}: tenant quotas total {value} {unit}, beyond its capacity of {limit}")
    return out


def check_all(resources: Iterable[Resource], centre_roles: dict[str, CentreRole],
              capacity: dict[str, dict[str, int]]) -> dict[str, list[str]]:
    """Every policy over a declaration: policy name -> violations (empty lists when clean)."""
    resources = list(resources)
    return {
        "no-management-port-from-anywhere": [m for r in resources for m in management_port_exposure(r)],
        "required-metadata": [m for r in resources for m in missing_metadata(r)],
        "instances-on-supported-architecture": [m for r in resources for m in instance_on_unsupported_architecture(r)],
        "tenant-subnets-dual-stack": subnets_not_dual_stack(resources),
        "dr-replicas-as-tier-promises": replicas_not_as_promised(resources, centre_roles),
        "quotas-within-capacity": quotas_beyond_capacity(resources, capacity),
    }


def inventory_facts(inv) -> tuple[dict[str, CentreRole], dict[str, dict[str, int]]]:
    """(centre roles, capacities) the stack policies need, from the source of truth."""
    return ({c.id: c.role for c in inv.centres.values()},
            {c.id: c.capacity.model_dump() for c in inv.centres.values()})
