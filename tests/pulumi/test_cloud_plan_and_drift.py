"""`govops cloud plan` (golden document) and `govops cloud drift` (against a stack export)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govops import cli

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "lab-export.json"
CHANGED = "urn:pulumi:lab::govops-cloud::govops:cloud:Centre$govops:cloud:System$openstack:networking/secGroupRule:SecGroupRule::gov-portal-in-tcp443-ipv6"
DELETED = "urn:pulumi:lab::govops-cloud::govops:cloud:Centre$govops:cloud:System$openstack:blockstorage/volume:Volume::doc-exchange-replica-fenyi-dr"


def run(monkeypatch, capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr()


@pytest.mark.parametrize("fmt, golden", [("--markdown", "lab-plan.md"), ("--json", "lab-plan.json")])
def test_plan_matches_the_golden_document(monkeypatch, capsys, fmt, golden):
    code, out = run(monkeypatch, capsys, "cloud", "plan", "-i", "inventories/lab", fmt)
    assert code == 0, out.err
    assert out.out == (HERE / "golden" / golden).read_text(), \
        "plan output changed: if intended, run tests/pulumi/regenerate.py and review the diff"


def test_plan_json_counts_what_the_review_needs(monkeypatch, capsys):
    _, out = run(monkeypatch, capsys, "cloud", "plan", "-i", "inventories/lab", "--json")
    report = json.loads(out.out)
    prod = report["centres"]["xyj-prod"]
    assert prod["by_type"]["compute.Instance"] == 5      # medium x2 + large x2 + small x1
    assert prod["departments"]["psb"]["instances"] == 0   # its only system is classified, stays on-prem
    tier5 = next(r for r in report["dr_coverage"] if r["tier"] == 5)
    assert (tier5["systems"], tier5["replicas_declared"], tier5["replicas_promised"]) == (1, 2, 2)
    assert all(q["quota"] <= q["capacity"] for c in report["centres"].values() for q in c["quota_use"].values())


def test_drift_on_a_matching_export_exits_0(monkeypatch, capsys):
    code, out = run(monkeypatch, capsys, "cloud", "drift", "-i", "inventories/lab", "--state", str(FIXTURE))
    assert code == 0, out.out
    assert "no drift" in out.out


def test_drift_reports_exactly_the_changed_and_the_deleted_resource(monkeypatch, capsys, tmp_path):
    export = json.loads(FIXTURE.read_text())
    resources = export["deployment"]["resources"]
    resources[:] = [r for r in resources if r["urn"] != DELETED]
    rule = next(r for r in resources if r["urn"] == CHANGED)
    rule["inputs"]["remoteIpPrefix"] = "2001:db8:ffff::/48"   # someone widened it by hand
    state = tmp_path / "export.json"
    state.write_text(json.dumps(export))

    code, out = run(monkeypatch, capsys, "cloud", "drift", "-i", "inventories/lab", "--state", str(state), "--json")
    assert code == 1
    report = json.loads(out.out)
    assert report["missing"] == [DELETED]
    assert report["added"] == []
    assert [c["urn"] for c in report["changed"]] == [CHANGED]
    assert report["changed"][0]["inputs"] == {"remoteIpPrefix": {"declared": "::/0", "state": "2001:db8:ffff::/48"}}

    code, out = run(monkeypatch, capsys, "cloud", "drift", "-i", "inventories/lab", "--state", str(state))
    assert code == 1
    assert "1 missing, 0 added, 1 changed" in out.out


def test_drift_sees_a_resource_made_by_hand_and_a_swapped_reference(monkeypatch, capsys, tmp_path):
    export = json.loads(FIXTURE.read_text())
    resources = export["deployment"]["resources"]
    extra = dict(next(r for r in resources if r["type"].endswith("secGroup:SecGroup")))
    extra["urn"] = extra["urn"].rsplit("::", 1)[0] + "::handmade"
    resources.append(extra)
    port = next(r for r in resources if r["urn"].endswith("::gov-portal-0-port"))
    port["inputs"]["networkId"] = "0b5e0000-0000-0000-0000-000000000000"   # moved to another network
    state = tmp_path / "export.json"
    state.write_text(json.dumps(export))
    code, out = run(monkeypatch, capsys, "cloud", "drift", "-i", "inventories/lab", "--state", str(state), "--json")
    report = json.loads(out.out)
    assert code == 1
    assert report["added"] == [extra["urn"]]
    assert [c["urn"].rsplit("::", 1)[1] for c in report["changed"]] == ["gov-portal-0-port"]


def test_drift_refuses_a_file_that_is_not_an_export(monkeypatch, capsys, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"resources": []}')
    code, out = run(monkeypatch, capsys, "cloud", "drift", "--state", str(bad))
    assert code == 2 and "pulumi stack export" in out.err
