"""pulumi/policy/__main__.py wires the predicates into a PolicyPack the engine can run.

A real PolicyPack starts a gRPC server and waits for the engine, so the pack's module is run with
PolicyPack captured, and its policies are called the way the engine calls them."""

from __future__ import annotations

import runpy
from types import SimpleNamespace

import pulumi_policy
import pytest
from pulumi_policy import PolicyProviderResource, ResourceValidationArgs, StackValidationArgs

from tests.paths import ROOT


@pytest.fixture(scope="module")
def pack():
    captured = {}

    def capture(**kwargs):
        captured.update(kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(pulumi_policy, "PolicyPack", capture)
    mp.setenv("GOVOPS_INVENTORY", str(ROOT / "inventories" / "lab"))
    try:
        runpy.run_path(str(ROOT / "pulumi" / "policy" / "__main__.py"), run_name="__main__")
    finally:
        mp.undo()
    return {p.name: p for p in captured["policies"]}


def as_policy_resource(r):
    provider = PolicyProviderResource("pulumi:providers:openstack", {}, f"urn::{r.provider}", r.provider) \
        if r.provider else None
    return SimpleNamespace(resource_type=r.type, name=r.name, props=r.inputs, provider=provider, urn=r.urn)


def run_policy(policy, resources):
    violations = []
    if isinstance(policy, pulumi_policy.StackValidationPolicy):
        policy.validate(StackValidationArgs([as_policy_resource(r) for r in resources]), violations.append)
    else:
        for r in resources:
            p = as_policy_resource(r)
            policy.validate(ResourceValidationArgs(r.type, r.inputs, r.urn, r.name, None, p.provider),
                            lambda msg, urn=None: violations.append(msg))
    return violations


def test_the_pack_has_every_policy_mandatory(pack):
    assert set(pack) == {"no-management-port-from-anywhere", "required-metadata", "tenant-subnets-dual-stack",
                         "dr-replicas-as-tier-promises", "quotas-within-capacity",
                         "instances-on-supported-architecture"}


def test_the_lab_program_passes_the_pack(pack, lab):
    _, _, decl = lab
    custom = [r for r in decl.resources if r.custom]
    assert {name: run_policy(p, custom) for name, p in pack.items()} == {name: [] for name in pack}


def test_the_pack_reports_a_missing_replica_and_an_open_ssh_port(pack, lab):
    import copy

    _, _, decl = lab
    custom = copy.deepcopy([r for r in decl.resources if r.custom and r.name != "doc-exchange-replica-fenyi-dr"])
    rule = next(r for r in custom if r.name == "gov-portal-in-tcp80-ipv4")
    rule.inputs |= {"portRangeMin": 22, "portRangeMax": 22}
    [missing] = run_policy(pack["dr-replicas-as-tier-promises"], custom)
    assert "doc-exchange" in missing and "async-remote" in missing
    [ssh] = run_policy(pack["no-management-port-from-anywhere"], custom)
    assert "22 (ssh)" in ssh and "0.0.0.0/0" in ssh
