"""The govops policy pack: `pulumi preview --policy-pack pulumi/policy` (works with the DIY backend).

The rules are the plain predicates of govops.cloud.policies, the same the tests run under mocks.
Stack policies need the centres' roles and capacities: they come from the inventory named by
GOVOPS_INVENTORY (default: the xinyu inventory of this checkout).
"""

import os
from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from govops.cloud import policies
from govops.sot import load_inventory

INVENTORY = os.environ.get("GOVOPS_INVENTORY", str(Path(__file__).resolve().parents[2] / "inventories" / "xinyu"))


class _Seen:
    """A policy resource seen the way the predicates expect (type, name, inputs, centre)."""

    def __init__(self, resource_type, name, props, provider):
        self.type, self.name, self.inputs = resource_type, name, dict(props or {})
        self.centre = provider.name.split(".")[0] if provider is not None else None


def _per_resource(predicate):
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation):
        for message in predicate(_Seen(args.resource_type, args.name, args.props, args.provider)):
            report_violation(message)
    return validate


def _stack(check):
    def validate(args: StackValidationArgs, report_violation: ReportViolation):
        roles, capacity = policies.inventory_facts(load_inventory(INVENTORY))
        seen = [_Seen(r.resource_type, r.name, r.props, r.provider) for r in args.resources]
        for message in check(seen, roles, capacity):
            report_violation(message)
    return validate


PolicyPack(
    name="govops-cloud",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(name="no-management-port-from-anywhere",
                                 description="no ingress from 0.0.0.0/0 or ::/0 to 22, 3389, 23, 161, 830, 5900 ...",
                                 validate=_per_resource(policies.management_port_exposure)),
        ResourceValidationPolicy(name="required-metadata",
                                 description="department, classification, tier, owner on every taggable resource",
                                 validate=_per_resource(policies.missing_metadata)),
        ResourceValidationPolicy(name="instances-on-supported-architecture",
                                 description="instances and replica failovers only on pools of an architecture "
                                             "their system supports",
                                 validate=_per_resource(policies.instance_on_unsupported_architecture)),
        StackValidationPolicy(name="tenant-subnets-dual-stack",
                              description="every tenant network has an IPv4 and an IPv6 subnet",
                              validate=_stack(lambda rs, roles, cap: policies.subnets_not_dual_stack(rs))),
        StackValidationPolicy(name="dr-replicas-as-tier-promises",
                              description="same-city and remote replicas exactly as the GB/T 20988 tier promises",
                              validate=_stack(lambda rs, roles, cap: policies.replicas_not_as_promised(rs, roles))),
        StackValidationPolicy(name="quotas-within-capacity",
                              description="tenant quotas per centre within the centre's capacity",
                              validate=_stack(lambda rs, roles, cap: policies.quotas_beyond_capacity(rs, cap))),
    ],
)
