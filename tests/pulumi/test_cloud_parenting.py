"""Tenants and Systems sit under their Centre, and keep their old (stack-root) URNs as aliases."""

from __future__ import annotations


def test_tenants_and_systems_are_children_of_their_centre_with_the_old_urn_as_alias(sample):
    inv, _, decl = sample
    centres = {r.name: r.urn for r in decl.resources if r.type == "govops:cloud:Centre"}
    prod = next(c.id for c in inv.centres.values() if c.role.value == "production")
    components = [r for r in decl.resources if r.type in ("govops:cloud:Tenant", "govops:cloud:System")]
    assert components
    for r in components:
        home = next(c for c in centres if r.name.startswith(f"{c}-")) if r.type.endswith("Tenant") else prod
        assert r.parent == centres[home], r.urn
        assert r.aliases == [f"urn:pulumi:{decl.stack}::{decl.project}::{r.type}::{r.name}"], r.urn
