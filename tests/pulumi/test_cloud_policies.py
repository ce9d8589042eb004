"""Each policy trips on a violating input with a message an engineer can act on."""

from __future__ import annotations

import copy

from govops.cloud import policies
from govops.cloud.mocks import Declared
from govops.sot.model import CentreRole

ROLES = {"xyj-prod": CentreRole.production, "xyj-dr": CentreRole.same_city_dr, "fenyi-dr": CentreRole.remote_dr}
META = {"department": "bdc", "classification": "non_classified", "tier": "5", "owner": "a@xinyu.example"}


def res(typ, name, inputs, provider="xyj-prod.bdc"):
    return Declared(urn=f"urn:pulumi:t::p::{typ}::{name}", type=typ, name=name, custom=True, inputs=inputs,
                    parent=None, provider=provider)


def rule(name, port, prefix, **extra):
    return res(policies.RULE, name, {"direction": "ingress", "ethertype": "IPv6", "protocol": "tcp",
                                     "portRangeMin": port, "portRangeMax": port, "remoteIpPrefix": prefix, **extra})


def test_ssh_from_anywhere_is_refused_and_named():
    [msg] = policies.management_port_exposure(rule("x-in-ssh", 22, "::/0"))
    assert "x-in-ssh" in msg and "22 (ssh)" in msg and "::/0" in msg
    [msg] = policies.management_port_exposure(rule("x-rdp", None, "0.0.0.0/0", portRangeMin=3380, portRangeMax=3390))
    assert "3389 (rdp)" in msg
    # no source at all is "anywhere" too
    assert policies.management_port_exposure(rule("x-any", 161, None, protocol="udp"))


def test_management_port_from_ops_prefix_and_web_from_anywhere_pass():
    assert policies.management_port_exposure(rule("ok-ssh", 22, "2001:db8:4600:ff::/64")) == []
    assert policies.management_port_exposure(rule("ok-web", 443, "::/0")) == []


def test_missing_metadata_names_resource_and_keys():
    net = res(policies.NETWORK, "n1", {"tags": ["department=bdc", "tier=5"]})
    [msg] = policies.missing_metadata(net)
    assert "n1" in msg and "classification, owner" in msg
    vol = res(policies.VOLUME, "v1", {"metadata": {**META, "owner": " "}})
    assert "owner" in policies.missing_metadata(vol)[0]
    assert policies.missing_metadata(res(policies.VOLUME, "v2", {"metadata": META})) == []


def test_single_stack_network_trips_dual_stack():
    net = res(policies.NETWORK, "t-net", {"name": "t-net", "tags": []})
    v4 = res(policies.SUBNET, "t-net-v4", {"name": "t-net-v4", "ipVersion": 4})
    [msg] = policies.subnets_not_dual_stack([net, v4])
    assert "t-net" in msg and "no IPv6" in msg
    v6 = res(policies.SUBNET, "t-net-v6", {"name": "t-net-v6", "ipVersion": 6})
    [msg] = policies.subnets_not_dual_stack([net, v4, v6])
    assert "ipv6_ra_mode" in msg
    v6.inputs |= {"ipv6RaMode": "dhcpv6-stateful", "ipv6AddressMode": "dhcpv6-stateful"}
    assert policies.subnets_not_dual_stack([net, v4, v6]) == []


def volume(name, provider, role, **meta):
    return res(policies.VOLUME, name, {"metadata": {**META, "role": role, "system": "s1", **meta}, "size": 20,
                                       "volumeType": "replicated-sync+async"}, provider)


def test_tier_5_without_its_same_city_replica_trips():
    primary = volume("s1-data", "xyj-prod.bdc", "primary")
    remote = volume("s1-replica-fenyi-dr", "fenyi-dr.bdc", "replica", replica_of="s1", replication="async-remote")
    [msg] = policies.replicas_not_as_promised([primary, remote], ROLES)
    assert "s1" in msg and "sync-same-city" in msg and "same_city_dr" in msg


def test_replica_in_the_wrong_centre_trips():
    primary = volume("s1-data", "xyj-prod.bdc", "primary")
    same = volume("s1-replica-a", "fenyi-dr.bdc", "replica", replica_of="s1", replication="sync-same-city")
    remote = volume("s1-replica-b", "fenyi-dr.bdc", "replica", replica_of="s1", replication="async-remote")
    msgs = policies.replicas_not_as_promised([primary, same, remote], ROLES)
    assert any("s1-replica-a" in m and "expected a same_city_dr centre" in m for m in msgs)


def test_replica_the_tier_does_not_promise_trips():
    primary = volume("s1-data", "xyj-prod.bdc", "primary", tier="2")
    primary.inputs["volumeType"] = "standard"
    extra = volume("s1-replica", "fenyi-dr.bdc", "replica", replica_of="s1", replication="async-remote")
    [msg] = policies.replicas_not_as_promised([primary, extra], ROLES)
    assert "does not call for" in msg


def test_quota_beyond_capacity_trips_with_totals():
    quotas = [res(policies.COMPUTE_QUOTA, f"xyj-dr-d{i}-compute", {"cores": 600, "ram": 1024 * 10}, "xyj-dr")
              for i in range(2)]
    [msg] = policies.quotas_beyond_capacity(quotas, {"xyj-dr": {"vcpu": 1000, "ram_gb": 4096, "storage_tb": 1}})
    assert "xyj-dr" in msg and "1200 vcpu" in msg and "1000" in msg


def test_policies_trip_on_the_real_program_once_broken(lab):
    inv, _, decl = lab
    resources = copy.deepcopy(decl.resources)
    # drop the same-city replica of the tier-5 system and widen a web rule to SSH
    resources = [r for r in resources if r.name != "data-exchange-replica-xyj-dr"]
    web = next(r for r in resources if r.name == "gov-portal-in-tcp443-ipv6")
    web.inputs |= {"portRangeMin": 22, "portRangeMax": 443}
    found = policies.check_all(resources, *policies.inventory_facts(inv))
    assert found["dr-replicas-as-tier-promises"] == [
        "system data-exchange (tier 5) has no sync-same-city replica in the same_city_dr centre, "
        "which its tier promises"]
    assert len(found["no-management-port-from-anywhere"]) == 1
    assert "gov-portal-in-tcp443-ipv6" in found["no-management-port-from-anywhere"][0]
