"""`govops cloud drift` on exports in Pulumi's own format (schema-checked), not govops' writer."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from govops.cloud.drift import compare
from tests.pulumi.export_v3 import SECRET_SIG, SIG, export, secret, validate


@pytest.fixture(scope="module")
def lab_export(lab):
    _, _, decl = lab
    data = export(decl)
    validate(data)
    return decl, data


def _resources(data):
    return data["deployment"]["resources"]


def _find(data, suffix):
    return next(r for r in _resources(data) if r["urn"].endswith(suffix))


def test_the_schema_check_has_teeth(lab_export):
    _, data = lab_export
    broken = copy.deepcopy(data)
    res = _find(broken, "::gov-portal-sg")
    res["inputs"]["tags"] = {SIG: SECRET_SIG, "ciphertext": "v1:x", "plaintext": "\"x\""}   # both forms at once
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    broken = copy.deepcopy(data)
    _resources(broken)[1]["created_by"] = "govops"      # not a ResourceV3 field
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_shuffled_sets_and_secret_envelopes_are_no_drift(lab_export):
    decl, data = lab_export
    # The builder shuffled every set-like list; make sure some really moved and secrets are present.
    sg = [r for r in _resources(data) if r["type"] == "openstack:networking/secGroup:SecGroup"]
    declared = {r.name: r.inputs["tags"] for r in decl.of_type("secGroup:SecGroup")}
    assert any(r["inputs"]["tags"] != declared[r["urn"].rsplit("::", 1)[1]] for r in sg)
    provider = next(r for r in _resources(data) if r["type"] == "pulumi:providers:openstack")
    provider["inputs"]["password"] = secret("s3cret-from-state")
    report = compare(decl, _resources(data))
    assert not report.drifted, report.to_data()


def test_order_still_matters_for_lists_the_api_keeps_in_order(lab_export):
    decl, data = lab_export
    data = copy.deepcopy(data)
    port = _find(data, "::gov-portal-0-port")
    port["inputs"]["fixedIps"].reverse()        # fixed_ip is a TypeList: v4 first, then v6
    report = compare(decl, _resources(data))
    assert [c.urn.rsplit("::", 1)[1] for c in report.changed] == ["gov-portal-0-port"]
    assert list(report.changed[0].inputs) == ["fixedIps"]


def test_an_added_a_removed_and_a_changed_resource_are_reported(lab_export):
    decl, data = lab_export
    data = copy.deepcopy(data)
    resources = _resources(data)
    removed = _find(data, "::doc-exchange-replica-fenyi-dr")
    resources.remove(removed)
    handmade = copy.deepcopy(_find(data, "::gov-portal-in-tcp443-ipv4"))
    handmade["urn"] = handmade["urn"].rsplit("::", 1)[0] + "::opened-by-hand"
    handmade["id"] = "6d2f5c7e-0000-4000-8000-000000000001"
    handmade["inputs"]["portRangeMin"] = handmade["inputs"]["portRangeMax"] = 22
    resources.append(handmade)
    changed = _find(data, "::gov-portal-sg")
    changed["inputs"]["tags"] = [t.replace("tier=4", "tier=1") for t in changed["inputs"]["tags"]]
    validate(data)

    report = compare(decl, resources)
    assert report.missing == [removed["urn"]]
    assert report.added == [handmade["urn"]]
    assert [c.urn for c in report.changed] == [changed["urn"]]
    declared, state = report.changed[0].inputs["tags"]
    assert "tier=4" in declared and "tier=1" in state


def test_the_cli_reads_a_schema_export(lab_export, tmp_path, monkeypatch, capsys):
    from govops import cli

    _, data = lab_export
    path = tmp_path / "state.json"
    path.write_text(json.dumps(data))
    code = cli.main(["cloud", "drift", "-i", "inventories/lab", "--state", str(path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "no drift" in out
