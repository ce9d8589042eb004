"""A failing MLPS control found by `govops sec audit` reaches the SA platform: the audit appends
a compliance line, the forwarder follows that file and delivers it over TLS syslog."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sa_forwarder_helpers import free_port, wait_until

from security.audit import audit
from security.baseline.catalogue import load_controls


def catalogue(tmp_path: Path) -> Path:
    """One real control (password ageing) over a login.defs that breaks it."""
    defs = tmp_path / "login.defs"
    defs.write_text("PASS_MAX_DAYS\t99999\nPASS_WARN_AGE\t7\n")
    control = {"id": "L3-CES1-01.ageing", "ces1": "L3-CES1-01", "clause": "身份鉴别", "clause_ref": "8.1.4.1 a)",
               "settings": ["PASS_MAX_DAYS 90"], "title": {"zh": "口令定期更换", "en": "password ageing"},
               "check": {"kind": "config_values", "files": [str(defs)], "separator": " ",
                         "expect": {"PASS_MAX_DAYS": "<= 90", "PASS_WARN_AGE": ">= 7"}}}
    path = tmp_path / "controls.yml"
    path.write_text(yaml.safe_dump({"controls": [control]}, allow_unicode=True), encoding="utf-8")
    return path


def test_broken_control_becomes_an_sa_event(forwarder_factory, receiver_factory, pki, tmp_path: Path):
    port = free_port()
    receiver = receiver_factory(port, pki.server)
    results = tmp_path / "compliance.jsonl"
    results.touch()
    forwarder_factory(port, extra=["--journal", str(results)])

    # PASS_MAX_DAYS 99999 in the catalogue's login.defs breaks exactly one control
    audit({"dept-srv-1": "local://"}, tmp_path / "out", results, lab=False,
          facts={"dept-srv-1": {"site": "fenyi-fenyizhen", "department": "bdc"}},
          controls=load_controls(catalogue(tmp_path)))

    wait_until(lambda: len(receiver.ids) >= 1, timeout=15, what="the compliance event at the SA receiver")
    events = [json.loads(m.split(b"] ", 1)[1]) for m in receiver.messages]
    assert len(events) == 1 and receiver.errors == []
    event = events[0]
    assert event["rule"]["name"] == "L3-CES1-01.ageing"
    assert event["host"]["name"] == "dept-srv-1" and event["event"]["outcome"] == "failure"
    assert event["govops"]["source"] == "compliance"
