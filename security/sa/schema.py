"""One event schema for every signal (ECS-compatible names; see README.md)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from security.sa.alertmanager import MAX_DEPTH, WebhookMessage, nesting_exceeds
from security.sa.redact import redact

# Syslog severities (RFC 5424 §6.2.1); event.severity carries the same number so PRI and JSON agree.
SEVERITY = {
    "emergency": 0, "alert": 1, "critical": 2, "page": 2, "error": 3, "major": 3,
    "warning": 4, "minor": 4, "notice": 5, "info": 6, "informational": 6, "none": 6, "debug": 7,
}
DEFAULT_SEVERITY = 5

ECS_CATEGORIES = {
    "api", "authentication", "configuration", "database", "driver", "email", "file", "host", "iam",
    "intrusion_detection", "library", "malware", "network", "package", "process", "registry",
    "session", "threat", "vulnerability", "web",
}
SUCCESS = {"ok", "success", "succeeded", "committed", "saved", "done", "pass", "passed", "clean", "compliant"}
FAILURE = {
    "failure", "failed", "fail", "error", "rolled_back", "rollback", "aborted", "drift", "drifted",
    "noncompliant", "non_compliant", "violation",
}
ASSET_LABELS = ("device", "host", "hostname", "nodename", "system", "instance")

OBSERVER = {"vendor": "govops", "product": "govops-sa-forwarder", "type": "forwarder", "hostname": socket.gethostname()}


@dataclass(frozen=True)
class Event:
    id: str
    source: str
    severity: int
    timestamp: str  # RFC 3339, UTC
    body: dict[str, Any]

    def to_json(self) -> str:
        # ASCII JSON: the syslog MSG is then plain MSG-ANY and needs no BOM (RFC 5424 §6.4).
        return json.dumps(self.body, ensure_ascii=True, separators=(",", ":"), sort_keys=True)


def sha256_hex(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_rfc3339() -> str:
    return rfc3339(datetime.now(UTC))


def _severity(value: Any, default: int = DEFAULT_SEVERITY) -> int:
    if isinstance(value, int) and 0 <= value <= 7:
        return value
    return SEVERITY.get(str(value).strip().lower(), default) if value is not None else default


def _outcome(value: Any) -> str:
    word = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    if word in SUCCESS:
        return "success"
    if word in FAILURE:
        return "failure"
    return "unknown"


def _event(*, source: str, event_id: str, timestamp: str, severity: int, kind: str, category: list[str],
           etype: list[str], asset: str, site: str | None, department: str | None, message: str,
           rule: str | None, outcome: str | None = None, extra: dict[str, Any] | None = None,
           labels: dict[str, str] | None = None) -> Event:
    event: dict[str, Any] = {
        "id": event_id, "kind": kind, "category": category, "type": etype, "severity": severity,
        "dataset": f"govops.{source}", "module": "govops", "created": now_rfc3339(),
    }
    if outcome:
        event["outcome"] = outcome
    body: dict[str, Any] = {
        "@timestamp": timestamp,
        "event": event,
        "observer": OBSERVER,
        "host": {"name": asset},
        "message": message,
        "govops": {"source": source, "site": site, "department": department, **(extra or {})},
    }
    if rule:
        body["rule"] = {"name": rule}
    if labels:
        body["labels"] = labels
    return Event(id=event_id, source=source, severity=severity, timestamp=timestamp, body=body)


def events_from_webhook(message: WebhookMessage) -> list[Event]:
    """One event per alert; the id is stable across Alertmanager's re-sends of the same alert state."""
    events = []
    for alert in message.alerts:
        labels = redact(alert.labels)
        annotations = redact(alert.annotations)
        starts = rfc3339(alert.startsAt)
        # Alertmanager re-sends on group_interval; fingerprint+startsAt+status identify one alert state.
        event_id = sha256_hex("alertmanager", alert.fingerprint, starts, alert.status)
        resolved = alert.status == "resolved"
        when = rfc3339(alert.endsAt) if resolved and alert.endsAt and alert.endsAt.year > 1 else starts
        asset = next((labels[k] for k in ASSET_LABELS if labels.get(k)), "unknown")
        category = labels.get("category", "network")
        name = labels.get("alertname", "unnamed")
        events.append(_event(
            source="alertmanager", event_id=event_id, timestamp=when,
            severity=_severity(labels.get("severity")), kind="alert",
            category=[category if category in ECS_CATEGORIES else "network"],
            etype=["end"] if resolved else ["info"],
            asset=asset, site=labels.get("site"), department=labels.get("department"),
            message=annotations.get("summary") or annotations.get("description") or name,
            rule=name,
            extra={"status": alert.status, "fingerprint": alert.fingerprint,
                   "runbook_url": annotations.get("runbook_url"), "generator_url": alert.generatorURL},
            labels=labels,
        ))
    return events


def _journal_source(record: dict[str, Any]) -> str:
    kind = str(record.get("kind", "")).lower()
    if kind in ("drift", "compliance"):
        return kind
    return "migration" if record.get("system") and not record.get("device") else "change"


def event_from_journal_line(line: bytes, path: str) -> Event:
    """Normalise one JSON-lines record; an unreadable line becomes a pipeline_error event, never a silent drop."""
    try:
        # Deep nesting would raise RecursionError in json.loads or redact() and stop this
        # journal's follower for good: bounded like webhook bodies, and reported like broken JSON.
        if nesting_exceeds(line, MAX_DEPTH):
            raise ValueError(f"nested more than {MAX_DEPTH} levels")
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
    except (UnicodeDecodeError, ValueError, RecursionError):
        # No raw content: the line may hold a secret the redactor cannot find in broken JSON.
        event_id = sha256_hex("journal-malformed", path, hashlib.sha256(line).hexdigest())
        return _event(
            source="journal", event_id=event_id, timestamp=now_rfc3339(), severity=3,
            kind="pipeline_error", category=["configuration"], etype=["error"], asset="unknown",
            site=None, department=None, rule=None,
            message=f"unparseable journal line in {os.path.basename(path)} ({len(line)} bytes)",
            extra={"journal": path},
        )
    record = redact(record)
    source = _journal_source(record)
    # Hash of the redacted record: stable for the same line, and no hash of a secret leaves the host.
    event_id = sha256_hex("journal", json.dumps(record, sort_keys=True, ensure_ascii=True))
    outcome = _outcome(record.get("outcome", ""))
    asset = str(record.get("device") or record.get("system") or record.get("host") or "unknown")
    step = str(record.get("step", "")) or None
    if source in ("drift", "compliance"):
        failed = outcome == "failure"
        kind, severity = ("alert", 4) if failed else ("state", 6)
        category, etype = (["configuration"], ["change"]) if source == "drift" else (["host"], ["info"])
        rule = str(record.get("control") or record.get("check") or step or source)
    else:
        kind, category, etype = "event", ["configuration"], ["change"]
        severity = 3 if outcome == "failure" else 5
        rule = step
    severity = _severity(record.get("severity"), severity)
    try:
        timestamp = rfc3339(datetime.fromisoformat(str(record["time"]).replace("Z", "+00:00")))
    except (KeyError, ValueError):
        timestamp = now_rfc3339()
    message = str(record.get("summary") or f"{source} {step or ''} {record.get('outcome', '')} on {asset}")
    return _event(
        source=source, event_id=event_id, timestamp=timestamp, severity=severity, kind=kind,
        category=category, etype=etype, asset=asset, site=record.get("site"),
        department=record.get("department"), message=" ".join(message.split()), rule=rule,
        outcome=outcome, extra={"step": step, "journal": path},
    )
