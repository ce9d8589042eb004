"""Compare a ``pulumi stack export`` with what the program declares (run under mocks).

- missing: declared by the program, absent from the state (``pulumi up`` would create it);
- added: in the state, not declared (created by hand, or removed from the catalogue);
- changed: in both, but an input the program sets has another value in the state.

Only inputs the program sets are compared (providers fill in defaults we do not own). An input
that references another resource (an id) matches when it is that resource's id in the export;
invoke results and secrets are not compared.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .mocks import INVOKED, MOCK_ID, SECRET, STACK_TYPE, Declaration, normalise

Key = tuple[str, str]   # (type token, logical name)


@dataclass
class Change:
    urn: str
    inputs: dict[str, tuple[object, object]]   # key -> (declared, in state)


@dataclass
class DriftReport:
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.added or self.changed)

    def to_data(self) -> dict:
        return {"drift": self.drifted, "missing": self.missing, "added": self.added,
                "changed": [{"urn": c.urn, "inputs": {k: {"declared": d, "state": s} for k, (d, s) in c.inputs.items()}}
                            for c in self.changed]}


class ExportError(ValueError):
    """The file is not a `pulumi stack export` deployment."""


def _key_of_urn(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _ref_key(value: str) -> Key:
    typ, _, name = value.removeprefix(MOCK_ID).rpartition("::")
    return typ, name


def read_export(path: str | Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ExportError(f"{path}: cannot read a JSON stack export: {exc}") from exc
    deployment = data.get("deployment") if isinstance(data, dict) else None
    if not isinstance(deployment, dict) or data.get("version") not in (1, 2, 3):
        raise ExportError(f"{path}: expected `pulumi stack export` output "
                          "({\"version\": 3, \"deployment\": {\"resources\": [...]}})")
    return list(deployment.get("resources") or [])


def compare(decl: Declaration, state: list[dict]) -> DriftReport:
    desired = {(r.type, r.name): r for r in decl.resources}
    actual = {(s["type"], _key_of_urn(s["urn"])): s for s in state if s.get("type") != STACK_TYPE}
    ids = {k: s.get("id") for k, s in actual.items()}
    report = DriftReport()
    for key in sorted(desired.keys() - actual.keys()):
        report.missing.append(desired[key].urn)
    for key in sorted(actual.keys() - desired.keys()):
        report.added.append(actual[key]["urn"])
    for key in sorted(desired.keys() & actual.keys()):
        want, have = desired[key], normalise(actual[key].get("inputs") or {})
        diffs = {k: (v, have.get(k)) for k, v in sorted(want.inputs.items())
                 if not k.startswith("__") and not _matches(v, have.get(k), ids)}
        if diffs:
            report.changed.append(Change(actual[key]["urn"], diffs))
    return report


def _matches(want, have, ids: dict[Key, str | None]) -> bool:
    if isinstance(want, str):
        if want == SECRET or want.startswith(INVOKED):
            return True
        if want.startswith(MOCK_ID):
            ref = _ref_key(want)
            return ref not in ids or ids[ref] == have   # a missing target is reported on its own
        return want == have
    if isinstance(want, dict):
        return isinstance(have, dict) and all(_matches(v, have.get(k), ids) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(have, list) and len(want) == len(have) and all(
            _matches(w, h, ids) for w, h in zip(want, have, strict=True))
    return want == have


# -- fixtures: what a real export of this declaration looks like ---------------------------------
def to_export(decl: Declaration, time: str = "2026-01-01T00:00:00Z") -> dict:
    """A `pulumi stack export` (version 3) of the declaration as if deployed: ids are stable UUIDs,
    references resolved to them. Used for test fixtures and to seed a state review."""
    ids = {(r.type, r.name): str(uuid.uuid5(uuid.NAMESPACE_URL, r.urn)) for r in decl.resources if r.custom}
    urns = {(r.type, r.name): r.urn for r in decl.resources}
    stack_urn = f"urn:pulumi:{decl.stack}::{decl.project}::{STACK_TYPE}::{decl.project}-{decl.stack}"

    def resolve(value):
        if isinstance(value, str) and value.startswith(INVOKED):
            return str(uuid.uuid5(uuid.NAMESPACE_URL, value))
        if isinstance(value, str) and value.startswith(MOCK_ID):
            return ids.get(_ref_key(value), value)
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    providers = {r.name: r for r in decl.resources if r.type.startswith("pulumi:providers:")}
    resources = [{"urn": stack_urn, "custom": False, "type": STACK_TYPE, "inputs": {}, "outputs": {}}]
    for r in sorted(decl.resources, key=lambda r: r.urn):
        entry = {"urn": r.urn, "custom": r.custom, "type": r.type}
        if r.custom:
            inputs = resolve(r.inputs)
            entry |= {"id": ids[(r.type, r.name)], "inputs": inputs, "outputs": {**inputs, "id": ids[(r.type, r.name)]}}
        else:
            entry |= {"inputs": {}, "outputs": {}}
        entry["parent"] = r.parent or stack_urn
        if r.provider:
            p = providers[r.provider]
            entry["provider"] = f"{urns[(p.type, p.name)]}::{ids[(p.type, p.name)]}"
        resources.append(entry)
    return {"version": 3, "deployment": {
        "manifest": {"time": time, "magic": "", "version": "v3.272.0"},
        "secrets_providers": {"type": "passphrase", "state": {"salt": "v1:fixture:no-secrets-here"}},
        "resources": resources}}
