"""Compare a ``pulumi stack export`` with what the program declares (run under mocks).

- missing: declared by the program, absent from the state (``pulumi up`` would create it);
- added: in the state, not declared (created by hand, or removed from the catalogue);
- changed: in both, but an input the program sets has another value in the state.

Only inputs the program sets are compared (providers fill in defaults we do not own). An input
that references another resource (an id) matches when it is that resource's id in the export;
invoke results and secrets (on either side) are not compared. Lists the provider keeps as sets
are compared without order (``SET_INPUTS``).

The export is what ``pulumi stack export`` writes: Pulumi's deployment schema version 3
(``sdk/go/common/apitype/deployments.json`` in pulumi/pulumi; a copy with provenance is in
``tests/pulumi/fixtures/pulumi-schema/``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .mocks import INVOKED, MOCK_ID, SECRET, STACK_TYPE, Declaration, normalise

Key = tuple[str, str]   # (type token, logical name)

# Inputs the OpenStack provider holds as sets (terraform-provider-openstack schema.TypeSet, which
# pulumi-openstack bridges; checked in that provider's openstack/resource_openstack_*.go at commit
# 27f2612): their order in the state is the API's, not the program's.
SET_INPUTS: dict[str, frozenset[str]] = {
    "openstack:networking/port:Port": frozenset({"securityGroupIds", "allowedAddressPairs", "extraDhcpOptions", "tags"}),
    "openstack:networking/network:Network": frozenset({"segments", "tags", "availabilityZoneHints"}),
    "openstack:networking/subnet:Subnet": frozenset({"allocationPools", "tags"}),
    "openstack:networking/router:Router": frozenset({"tags"}),
    "openstack:networking/secGroup:SecGroup": frozenset({"tags"}),
    "openstack:networking/subnetPool:SubnetPool": frozenset({"tags"}),
    "openstack:networking/bgpSpeakerV2:BgpSpeakerV2": frozenset({"networks", "peers"}),
    "openstack:compute/instance:Instance": frozenset({"securityGroups", "schedulerHints", "tags"}),
    "openstack:compute/aggregateV2:AggregateV2": frozenset({"hosts"}),
    "openstack:identity/project:Project": frozenset({"tags"}),
    "openstack:images/image:Image": frozenset({"tags"}),
    "openstack:blockstorage/volume:Volume": frozenset({"schedulerHints"}),
}


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
        sets = SET_INPUTS.get(want.type, frozenset())
        diffs = {k: (v, have.get(k)) for k, v in sorted(want.inputs.items())
                 if not k.startswith("__") and not _matches(v, have.get(k), ids, unordered=k in sets)}
        if diffs:
            report.changed.append(Change(actual[key]["urn"], diffs))
    return report


def _matches(want, have, ids: dict[Key, str | None], unordered: bool = False) -> bool:
    if have == SECRET:
        return True   # the state holds it encrypted: nothing to compare without the stack's key
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
        if not isinstance(have, list) or len(want) != len(have):
            return False
        if unordered:
            return _same_set(want, have, ids)
        return all(_matches(w, h, ids) for w, h in zip(want, have, strict=True))
    return want == have


def _same_set(want: list, have: list, ids: dict[Key, str | None]) -> bool:
    """Each declared element matches a distinct element of the state, in any order."""
    if all(isinstance(x, str | int | float | bool) and not str(x).startswith(MOCK_ID) for x in want + have):
        return Counter(map(str, want)) == Counter(map(str, have))
    left = list(have)
    for w in want:
        hit = next((i for i, h in enumerate(left) if _matches(w, h, ids)), None)
        if hit is None:
            return False
        left.pop(hit)
    return True
