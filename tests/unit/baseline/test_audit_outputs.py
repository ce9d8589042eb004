"""`govops sec audit` outputs from real checks (testinfra local backend) against files made here."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from security.audit import audit
from security.baseline.catalogue import load_controls
from security.sa.schema import event_from_journal_line


def catalogue(tmp_path: Path) -> Path:
    defs = tmp_path / "login.defs"
    defs.write_text("# comment\nPASS_MAX_DAYS\t99999\nPASS_WARN_AGE\t7\n")
    pam = tmp_path / "common-password"
    pam.write_text("password\trequisite\t\t\tpam_pwquality.so retry=3\n")
    base = {"clause": "身份鉴别", "clause_ref": "8.1.4.1 a)", "settings": ["x"]}
    controls = [
        {**base, "id": "L3-CES1-01.ageing", "ces1": "L3-CES1-01", "title": {"zh": "口令定期更换", "en": "ageing"},
         "check": {"kind": "config_values", "files": [str(defs)], "separator": " ",
                   "expect": {"PASS_MAX_DAYS": "<= 90", "PASS_WARN_AGE": ">= 7"}}},
        {**base, "id": "L3-CES1-01.pam-pwquality", "ces1": "L3-CES1-01", "title": {"zh": "口令复杂度", "en": "pwquality"},
         "check": {"kind": "file_lines", "files": [str(pam)], "lines": [r"^\s*password\s+requisite\s+pam_pwquality\.so"]}},
    ]
    path = tmp_path / "controls.yml"
    path.write_text(yaml.safe_dump({"controls": controls}, allow_unicode=True), encoding="utf-8")
    return path


def test_report_metrics_and_one_compliance_event_per_failure(tmp_path: Path):
    controls = load_controls(catalogue(tmp_path))
    results = tmp_path / "compliance.jsonl"
    reports = audit({"h1": "local://"}, tmp_path / "out", results, lab=False,
                    facts={"h1": {"site": "xyj-prod", "department": "bdc"}}, controls=controls)
    assert [(r.control, r.passed) for r in reports[0].results] == [("L3-CES1-01.ageing", False),
                                                                   ("L3-CES1-01.pam-pwquality", True)]
    evidence = reports[0].results[0].evidence
    assert evidence[0] == f"FAIL (PASS_MAX_DAYS <= 90) {tmp_path}/login.defs:2: PASS_MAX_DAYS\t99999"
    assert evidence[1].startswith("ok (PASS_WARN_AGE >= 7)")

    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data[0]["host"] == "h1" and data[0]["compliance_ratio"] == 0.5
    prom = (tmp_path / "out" / "mlps.prom").read_text()
    assert 'govops_mlps_control_pass{clause="身份鉴别",control="L3-CES1-01.ageing",host="h1"} 0.0' in prom
    assert 'govops_mlps_host_compliance_ratio{host="h1"} 0.5' in prom
    md = (tmp_path / "out" / "report.md").read_text()
    assert "| `L3-CES1-01.ageing` | 身份鉴别 | **FAIL** |" in md and "PASS_MAX_DAYS\t99999" in md

    lines = results.read_bytes().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert (record["kind"], record["host"], record["control"], record["outcome"]) == \
        ("compliance", "h1", "L3-CES1-01.ageing", "failure")
    # The SA forwarder reads it as a compliance alert for this host and control.
    event = event_from_journal_line(lines[0], str(results))
    assert event.source == "compliance"
    assert event.body["event"]["kind"] == "alert" and event.body["rule"]["name"] == "L3-CES1-01.ageing"
    assert event.body["host"]["name"] == "h1"


def test_unreachable_host_fails_every_control_with_the_reason(tmp_path: Path):
    controls = load_controls(catalogue(tmp_path))
    results = tmp_path / "compliance.jsonl"
    url = "ssh://root@127.0.0.1:1?timeout=2&controlpersist=0"  # loopback, nothing listens on port 1
    reports = audit({"gone": url}, tmp_path / "out", results, lab=False, controls=controls)
    assert reports[0].error and all(not r.passed for r in reports[0].results)
    assert len(results.read_text().splitlines()) == len(controls)
