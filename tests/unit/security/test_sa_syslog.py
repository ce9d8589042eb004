"""RFC 5424 rendering and RFC 6587/5425 framing, checked with the strict test receiver's parser."""

import importlib.util
import json
from pathlib import Path

from security.sa.schema import event_from_journal_line
from security.sa.syslog_tls import MAX_MESSAGE, format_message, frame

_path = Path(__file__).parents[2] / "integration/security/receiver.py"
_spec = importlib.util.spec_from_file_location("sa_strict_receiver_unit", _path)
receiver = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(receiver)


def journal_event(**fields):
    record = {"time": "2026-11-29T01:00:00Z", "device": "xy-core-1", "step": "push", "outcome": "failed", **fields}
    return event_from_journal_line(json.dumps(record, ensure_ascii=False).encode(), "/j")


def test_message_is_strict_rfc5424_with_govops_sd_and_json_msg():
    event = journal_event(summary='quote " bracket ] 中文')
    message = format_message(event, "sa-fwd-1")
    parsed = receiver.parse_message(message)
    assert parsed["pri"] == 13 * 8 + 3  # facility log audit, severity err
    assert parsed["msgid"] == "change" and parsed["id"] == event.id
    assert parsed["event"]["message"] == 'quote " bracket ] 中文'
    assert message.startswith(b"<107>1 2026-11-29T01:00:00.000Z sa-fwd-1 govops-sa - change [govops@32473 id=\"")
    message.decode("ascii")  # MSG-ANY: plain ASCII, no BOM needed


def test_octet_counting_frame():
    assert frame(b"<13>1 - - - - - - hi") == b"20 <13>1 - - - - - - hi"


def test_huge_event_is_shortened_not_split():
    event = journal_event(summary="x" * 20_000)
    message = format_message(event, "h")
    assert len(message) <= MAX_MESSAGE
    parsed = receiver.parse_message(message)
    assert parsed["event"]["govops"]["truncated"] is True and parsed["id"] == event.id


def test_hostname_with_spaces_or_unicode_stays_one_header_field():
    message = format_message(journal_event(), "主机 one")
    assert receiver.parse_message(message)["id"]
