"""The nesting bound of webhook bodies: counted without recursion, strings skipped."""

import json

import pytest

from security.sa.alertmanager import MAX_DEPTH, PayloadError, nesting_exceeds, parse_webhook


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"labels": {"summary": "[[[[{{{{ \\\" ]]"}, "a": [[1]]}).encode()
    assert not nesting_exceeds(text, 3)
    assert nesting_exceeds(text, 2)


def test_depth_limit_is_exact():
    assert not nesting_exceeds(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH, MAX_DEPTH)
    assert nesting_exceeds(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), MAX_DEPTH)


@pytest.mark.parametrize("body", [b"[" * 200_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_deep_bodies_are_a_payload_error_not_a_recursion_error(body):
    with pytest.raises(PayloadError) as err:
        parse_webhook(body)
    assert "levels deep" in err.value.problems[0]


@pytest.mark.parametrize("line", [b"[" * 100_000, b'{"a":' * 900 + b"1" + b"}" * 900 + b"\n"])
def test_a_deep_journal_line_is_a_pipeline_error_not_a_dead_follower(line):
    """json.loads (100,000 levels) or redact() (900 levels) would raise RecursionError in the
    follower thread, which would then never read that journal again."""
    from security.sa.schema import event_from_journal_line

    event = event_from_journal_line(line, "/var/lib/govops/journals/network-changes.jsonl")
    assert event.body["event"]["kind"] == "pipeline_error"
    assert "network-changes.jsonl" in event.body["message"]
