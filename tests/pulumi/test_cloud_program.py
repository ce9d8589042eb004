"""What the program declares for the sample inventories, checked on the registered resources."""

from __future__ import annotations

import ipaddress

from govops.cloud import policies
from govops.cloud.intent import on_cloud
from govops.sot.model import CentreRole, Classification

SUBNET = "networking/subnet:Subnet"
MANAGEMENT = {22, 23, 161, 830, 3389, 5900}
# The tier table as the project promises it (GB/T 20988 level -> replicas), written out on purpose.
PROMISED = {1: set(), 2: set(), 3: {"async-remote"}, 4: {"async-remote"},
            5: {"sync-same-city", "async-remote"}, 6: {"sync-same-city", "async-remote"}}
# RPO seconds per (tier, replica kind; None = the tier's own promise), also written out on purpose:
# sync is zero-loss; the async Fenyi copy of a level-5/6 system is held to 30 min, not to 0.
PROMISED_RPO_S = {(3, None): 86400, (3, "async-remote"): 86400, (4, None): 86400, (4, "async-remote"): 86400,
                  (5, None): 1800, (5, "sync-same-city"): 0, (5, "async-remote"): 1800,
                  (6, None): 0, (6, "sync-same-city"): 0, (6, "async-remote"): 1800,
                  (1, None): 604800, (2, None): 604800}


def centre_of(inv, role):
    return next(c.id for c in inv.centres.values() if c.role == role)


def test_every_department_has_a_dual_stack_tenant_in_production(sample):
    inv, _, decl = sample
    prod = centre_of(inv, CentreRole.production)
    for dept in inv.departments:
        project = decl.by_name("identity/project:Project", f"{prod}-{dept}")
        assert project.centre == prod
        net = decl.by_name("networking/network:Network", f"{prod}-{dept}-net")
        assert net.centre == prod and net.provider == f"{prod}.{dept}"   # created inside the tenant
        v4 = decl.by_name(SUBNET, f"{prod}-{dept}-net-v4")
        v6 = decl.by_name(SUBNET, f"{prod}-{dept}-net-v6")
        assert v4.inputs["ipVersion"] == 4 and v6.inputs["ipVersion"] == 6
        assert v4.inputs["networkId"] == v6.inputs["networkId"] == net.id
        assert v6.inputs["ipv6RaMode"] == v6.inputs["ipv6AddressMode"] == "dhcpv6-stateful"


def test_dr_replicas_exist_exactly_as_the_tier_requires_in_the_right_centre(sample):
    inv, _, decl = sample
    prod = centre_of(inv, CentreRole.production)
    where = {"sync-same-city": centre_of(inv, CentreRole.same_city_dr),
             "async-remote": centre_of(inv, CentreRole.remote_dr)}
    volumes = decl.of_type("blockstorage/volume:Volume")
    cloud = [s for s in inv.systems.values() if on_cloud(s)]
    assert cloud, "the sample has systems on the cloud"
    for system in cloud:
        primary = decl.by_name("blockstorage/volume:Volume", f"{system.id}-data")
        assert primary.centre == prod
        replicas = [v for v in volumes if v.inputs["metadata"].get("replica_of") == system.id]
        got = {(v.inputs["metadata"]["replication"], v.centre) for v in replicas}
        assert got == {(mode, where[mode]) for mode in PROMISED[system.dr_tier]}, system.id
        for v in replicas:
            assert v.provider == f"{v.centre}.{system.department}"   # in the department's DR tenant
            assert v.inputs["size"] == primary.inputs["size"]
            # each replica carries its own RPO from the one promise table (govops/cloud/dr.py)
            want = PROMISED_RPO_S[(system.dr_tier, v.inputs["metadata"]["replication"])]
            assert float(v.inputs["metadata"]["rpo_seconds"]) == want, (system.id, v.name)
        assert float(primary.inputs["metadata"]["rpo_seconds"]) == PROMISED_RPO_S[(system.dr_tier, None)]


def test_ipv6_subnets_come_from_their_centres_pool(sample):
    inv, plan, decl = sample
    pools = {p.id: p for p in decl.of_type("networking/subnetPool:SubnetPool")}
    scopes = {s.id: s for s in decl.of_type("networking/addressScope:AddressScope")}
    tenant_v6 = [s for s in decl.of_type(SUBNET) if s.inputs["ipVersion"] == 6 and "cidr" not in s.inputs]
    assert len(tenant_v6) >= len(inv.departments)
    for subnet in tenant_v6:
        pool = pools[subnet.inputs["subnetpoolId"]]
        assert pool.centre == subnet.centre, subnet.name
        assert pool.inputs["prefixes"] == [str(plan.centres[subnet.centre])]
        assert scopes[pool.inputs["addressScopeId"]].centre == subnet.centre
        assert subnet.inputs["prefixLength"] == 64


def test_no_rule_opens_a_management_port_to_anywhere(sample):
    _, _, decl = sample
    rules = decl.of_type("networking/secGroupRule:SecGroupRule")
    assert rules
    for rule in rules:
        i = rule.inputs
        if i["direction"] != "ingress" or i.get("remoteGroupId"):
            continue
        assert i.get("remoteIpPrefix"), f"{rule.name} has no source"
        if ipaddress.ip_network(i["remoteIpPrefix"]).prefixlen == 0:
            low, high = i.get("portRangeMin", 1), i.get("portRangeMax", 65535)
            assert not [p for p in MANAGEMENT if low <= p <= high], rule.name


def test_instances_run_in_production_and_classified_systems_are_absent(sample):
    inv, _, decl = sample
    prod = centre_of(inv, CentreRole.production)
    instances = decl.of_type("compute/instance:Instance")
    assert instances and all(i.centre == prod for i in instances)
    systems = {r.name for r in decl.of_type("govops:cloud:System")}
    assert systems == {s.id for s in inv.systems.values() if on_cloud(s)}
    assert not {s.id for s in inv.systems.values() if s.classification == Classification.classified} & systems


def test_every_policy_passes_on_the_sample(sample):
    inv, _, decl = sample
    assert policies.check_all(decl.resources, *policies.inventory_facts(inv)) == {
        name: [] for name in policies.check_all([], {}, {})}


def test_the_program_is_deterministic(lab, redeclare):
    _, _, again = redeclare("lab")
    assert [(r.urn, r.inputs, r.provider) for r in sorted(again.resources, key=lambda r: r.urn)] == \
        [(r.urn, r.inputs, r.provider) for r in sorted(lab[2].resources, key=lambda r: r.urn)]
