"""Normalisation: one schema for alerts and journals, stable ids, secrets gone."""

import json

import pytest

from security.sa.alertmanager import PayloadError, parse_webhook
from security.sa.redact import REDACTED, redact
from security.sa.schema import event_from_journal_line, events_from_webhook


def payload(**alert_overrides) -> bytes:
    alert = {
        "status": "firing",
        "labels": {"alertname": "BgpPeerDown", "severity": "critical", "device": "xy-core-1",
                   "site": "xinyu", "department": "big-data-centre", "category": "network"},
        "annotations": {"summary": "BGP peer 2001:db8::2 down"},
        "startsAt": "2026-11-29T01:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prom/graph", "fingerprint": "abc123",
    }
    alert.update(alert_overrides)
    return json.dumps({"version": "4", "status": "firing", "receiver": "sa", "groupKey": "g",
                       "truncatedAlerts": 0, "alerts": [alert]}).encode()


def test_alert_becomes_ecs_event():
    (event,) = events_from_webhook(parse_webhook(payload()))
    body = event.body
    assert body["@timestamp"] == "2026-11-29T01:00:00.000Z"
    assert body["event"]["kind"] == "alert" and body["event"]["category"] == ["network"]
    assert body["event"]["severity"] == event.severity == 2
    assert body["rule"]["name"] == "BgpPeerDown"
    assert body["host"]["name"] == "xy-core-1"
    assert body["govops"]["site"] == "xinyu" and body["govops"]["department"] == "big-data-centre"
    assert body["message"] == "BGP peer 2001:db8::2 down"
    assert body["event"]["id"] == event.id and len(event.id) == 64


def test_alert_id_is_stable_for_resends_and_differs_on_resolve():
    first = events_from_webhook(parse_webhook(payload()))[0].id
    again = events_from_webhook(parse_webhook(payload(annotations={"summary": "reworded"})))[0].id
    resolved = events_from_webhook(parse_webhook(payload(status="resolved", endsAt="2026-11-29T01:05:00Z")))[0]
    assert first == again
    assert resolved.id != first
    assert resolved.body["@timestamp"] == "2026-11-29T01:05:00.000Z"
    assert resolved.body["event"]["type"] == ["end"]


@pytest.mark.parametrize("body, where", [
    (b"[]", "(body)"),
    (b"\xff\xfe", "body is not JSON"),
    (json.dumps({"version": "4", "status": "firing", "alerts": [{"status": "burning"}]}).encode(), "alerts.0.status"),
    (json.dumps({"version": "4", "status": "firing", "alerts": "x"}).encode(), "alerts"),
])
def test_invalid_payloads_name_the_place(body, where):
    with pytest.raises(PayloadError) as err:
        parse_webhook(body)
    assert any(p.startswith(where) for p in err.value.problems), err.value.problems


def test_bad_timestamp_is_rejected():
    with pytest.raises(PayloadError) as err:
        parse_webhook(payload(startsAt="yesterday"))
    assert any(p.startswith("alerts.0.startsAt") for p in err.value.problems)


def test_journal_kinds_map_to_sources_and_outcomes():
    change = event_from_journal_line(b'{"time":"2026-11-29T01:00:00+08:00","device":"fy-agg-1","step":"commit",'
                                     b'"outcome":"rolled_back","site":"fenyi"}', "/j")
    migration = event_from_journal_line(b'{"time":"2026-11-29T01:00:00Z","system":"oa","step":"cutover",'
                                        b'"outcome":"success","department":"hr"}', "/j")
    drift = event_from_journal_line(b'{"time":"2026-11-29T01:00:00Z","device":"sw1","kind":"drift",'
                                    b'"step":"compare","outcome":"drift","summary":"3 lines differ"}', "/j")
    compliance = event_from_journal_line(b'{"time":"2026-11-29T01:00:00Z","device":"h1","kind":"compliance",'
                                         b'"control":"L3-CES1-01","step":"audit","outcome":"pass"}', "/j")
    assert change.source == "change" and change.body["event"]["outcome"] == "failure" and change.severity == 3
    assert change.body["@timestamp"] == "2026-11-28T17:00:00.000Z"
    assert migration.source == "migration" and migration.body["host"]["name"] == "oa"
    assert migration.body["event"]["outcome"] == "success" and migration.body["govops"]["department"] == "hr"
    assert drift.source == "drift" and drift.body["event"]["kind"] == "alert"
    assert drift.body["message"] == "3 lines differ" and drift.severity == 4
    assert compliance.body["event"]["kind"] == "state" and compliance.body["rule"]["name"] == "L3-CES1-01"


def test_same_journal_line_same_id_and_malformed_line_is_a_pipeline_error():
    line = b'{"time":"2026-11-29T01:00:00Z","device":"sw1","step":"push","outcome":"success"}'
    assert event_from_journal_line(line, "/a").id == event_from_journal_line(line, "/b").id
    broken = event_from_journal_line(b'{"password": "hunter2", "tru', "/var/log/j.jsonl")
    assert broken.body["event"]["kind"] == "pipeline_error"
    assert b"hunter2" not in broken.to_json().encode()


def test_redaction_of_keys_and_free_text():
    cleaned = redact({"community": "public", "nested": [{"api_key": "k"}], "alertname": "x",
                      "snmpAuthKey": "k", "DB-Password": "p", "keyboard_layout": "us",
                      "note": "login with password=hunter2 failed", "monkey": "business"})
    assert cleaned["community"] == REDACTED and cleaned["nested"][0]["api_key"] == REDACTED
    assert cleaned["note"] == f"login with password={REDACTED} failed"
    assert cleaned["snmpAuthKey"] == REDACTED and cleaned["DB-Password"] == REDACTED
    assert cleaned["monkey"] == "business" and cleaned["alertname"] == "x" and cleaned["keyboard_layout"] == "us"


def test_alert_secrets_never_reach_the_event():
    body = payload(labels={"alertname": "SnmpAuthFail", "community": "pUbl1c"},
                   annotations={"description": "snmp community pUbl1c refused"})
    (event,) = events_from_webhook(parse_webhook(body))
    assert "pUbl1c" not in event.to_json()
