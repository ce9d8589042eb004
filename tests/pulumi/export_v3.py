"""Test exports: what `pulumi stack export` would print for a deployed declaration.

Written the way the Pulumi engine stores state, checked against Pulumi's own JSON Schema
(fixtures/pulumi-schema/, copied from pulumi/pulumi), not by govops' drift code:

- `version: 3`, `deployment.manifest` / `secrets_providers` / `resources[]` (ResourceV3);
- the stack resource first; then every resource with `urn`, `custom`, `type`, `parent` (a URN),
  custom ones with `id`, `inputs`, `outputs`, `provider` (`<provider urn>::<provider id>`),
  `dependencies` and `propertyDependencies` (URNs of the resources an input refers to);
- a bridged (Terraform-based) provider keeps `__defaults` in inputs and computed values such as
  `allTags` and `region` in outputs; provider inputs are strings;
- secrets as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  "ciphertext": "v1:..."}`;
- lists the OpenStack API treats as sets come back in the API's order (shuffled here).
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

from govops.cloud.drift import SET_INPUTS
from govops.cloud.mocks import INVOKED, MOCK_ID, SECRET, STACK_TYPE, Declaration

SCHEMA_DIR = Path(__file__).resolve().parent / "fixtures" / "pulumi-schema"
SIG = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def secret(plaintext: str) -> dict:
    """A secret as the passphrase secrets manager writes it (the ciphertext is opaque to readers)."""
    return {SIG: SECRET_SIG, "ciphertext": "v1:" + uuid.uuid5(uuid.NAMESPACE_OID, plaintext).hex}


def _id(urn: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, urn))


def export(decl: Declaration, seed: int = 20261204, time: str = "2026-12-01T08:00:00Z") -> dict:
    rng = random.Random(seed)
    by_key = {(r.type, r.name): r for r in decl.resources}
    ids = {key: _id(r.urn) for key, r in by_key.items() if r.custom}
    stack_urn = f"urn:pulumi:{decl.stack}::{decl.project}::{STACK_TYPE}::{decl.project}-{decl.stack}"

    def resolve(value, refs: set[str]):
        if isinstance(value, str) and value == SECRET:
            return secret("declared-secret")
        if isinstance(value, str) and value.startswith(INVOKED):
            return _id(value)
        if isinstance(value, str) and value.startswith(MOCK_ID):
            typ, _, name = value.removeprefix(MOCK_ID).rpartition("::")
            target = by_key.get((typ, name))
            if target is not None:
                refs.add(target.urn)
            return ids.get((typ, name), value)
        if isinstance(value, dict):
            return {k: resolve(v, refs) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, refs) for v in value]
        return value

    providers = {r.name: r for r in decl.resources if r.type.startswith("pulumi:providers:")}
    resources: list[dict] = [{"urn": stack_urn, "custom": False, "type": STACK_TYPE, "outputs": {}}]
    for r in decl.resources:
        entry: dict = {"urn": r.urn, "custom": r.custom, "type": r.type, "parent": r.parent or stack_urn}
        if not r.custom:
            entry["outputs"] = {}
            resources.append(entry)
            continue
        deps: dict[str, list[str]] = {}
        inputs = {}
        for key, value in r.inputs.items():
            refs: set[str] = set()
            value = resolve(value, refs)
            if key in SET_INPUTS.get(r.type, ()) and isinstance(value, list):
                rng.shuffle(value)
            inputs[key] = value
            if refs:
                deps[key] = sorted(refs)
        if r.type.startswith("pulumi:providers:"):
            inputs = {k: v if isinstance(v, str | dict) else json.dumps(v) for k, v in inputs.items()}
            inputs["version"] = "5.0.3"
            outputs = dict(inputs)
        else:
            inputs["__defaults"] = []
            outputs = {k: v for k, v in inputs.items() if k != "__defaults"}
            outputs |= {"id": ids[(r.type, r.name)], "region": "RegionOne"}
            if "tags" in inputs:
                outputs["allTags"] = sorted(inputs["tags"])
        entry |= {"id": ids[(r.type, r.name)], "inputs": inputs, "outputs": outputs}
        if r.provider:
            p = providers[r.provider]
            entry["provider"] = f"{p.urn}::{ids[(p.type, p.name)]}"
        if deps:
            entry["dependencies"] = sorted({u for urns in deps.values() for u in urns})
            entry["propertyDependencies"] = deps
        resources.append(entry)
    return {"version": 3, "deployment": {
        "manifest": {"time": time, "magic": "", "version": "v3.200.0"},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:Zm9vYmFyYmF6:v1:AAAAAAAAAAAAAAAA:fixture"}},
        "resources": resources}}


def validate(data: dict) -> None:
    """Raise jsonschema.ValidationError unless `data` is a deployment by Pulumi's own schema."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = [json.loads((SCHEMA_DIR / f).read_text())
               for f in ("deployments.json", "resources.json", "property-values.json")]
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)
    Draft202012Validator(schemas[0], registry=registry).validate(data)
