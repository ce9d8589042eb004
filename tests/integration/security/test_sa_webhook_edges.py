"""Issue #14 problem 11, against the real forwarder over HTTP: deep JSON, disconnecting clients,
and an Alertmanager group of 5,000 alerts (Alertmanager sends a whole group in one request and
does not retry a 4xx, so a refused group never reaches the SA platform)."""

from __future__ import annotations

import json
import socket
import stat
import struct
import time

from sa_forwarder_helpers import alert, free_port, wait_until, webhook


def spooled(fwd) -> float:
    return fwd.metrics()["govops_sa_spooled_events"]


def log_text(fwd) -> str:
    return fwd.log.read_text(errors="replace")


def test_deeply_nested_json_gets_a_clear_400_and_the_forwarder_goes_on(forwarder_factory):
    fwd = forwarder_factory(free_port())
    status, reply = fwd.post(b"[" * 100_000 + b"]" * 100_000)
    assert status == 400
    assert any("nest" in problem for problem in reply["problems"]), reply
    # nesting hidden in an extra field of a valid-looking alert
    valid = json.dumps(webhook([alert(1)])).encode()
    body = valid.replace(b'"fingerprint"', b'"extra": ' + b"[" * 3000 + b"]" * 3000 + b', "fingerprint"', 1)
    status, reply = fwd.post(body)
    assert status == 400 and any("nest" in p for p in reply["problems"])
    assert fwd.metrics()['govops_sa_rejected_total{reason="malformed"}'] == 2
    assert fwd.post(webhook([alert(2)]))[0] == 200  # still serving
    assert spooled(fwd) == 1
    assert "Traceback" not in log_text(fwd) and "RecursionError" not in log_text(fwd)


def _raw(fwd) -> socket.socket:
    sock = socket.create_connection((fwd.host, fwd.http_port), timeout=5)
    return sock


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a client killed mid-request does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_clients_that_disconnect_leave_no_traceback_in_the_log(forwarder_factory):
    fwd = forwarder_factory(free_port())
    body = json.dumps(webhook([alert(n) for n in range(50)])).encode()
    head = (f"POST /alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    for _ in range(5):
        sock = _raw(fwd)  # half the body, then a reset
        sock.sendall(head + body[: len(body) // 2])
        time.sleep(0.05)
        _reset(sock)
        sock = _raw(fwd)  # half the body, then an orderly close
        sock.sendall(head + body[: len(body) // 2])
        sock.shutdown(socket.SHUT_WR)
        sock.recv(100)
        sock.close()
        sock = _raw(fwd)  # the whole request, then a reset before the answer is read
        sock.sendall(head + body)
        _reset(sock)
    assert fwd.post(webhook([alert(99)]))[0] == 200  # still serving
    time.sleep(0.5)  # the handler threads of the reset connections have finished
    text = log_text(fwd)
    assert "Traceback" not in text and "Exception occurred" not in text, text[-3000:]
    wait_until(lambda: fwd.metrics()['govops_sa_rejected_total{reason="disconnected"}'] >= 10,
               timeout=10, what="the disconnects to be counted")
    # nothing of a half-sent body was spooled (only the complete requests and the last one)
    assert spooled(fwd) == 51


def test_an_alertmanager_group_of_5000_alerts_is_accepted_whole(forwarder_factory):
    fwd = forwarder_factory(free_port())  # default limits, as deployed
    alerts = [alert(n, instance=f"10.{n // 250}.{n % 250}.1:9116", job="snmp-extranet",
                    summary=f"interface GigabitEthernet0/0/{n % 48} on fy-acc-{n} is down")
              for n in range(5000)]
    body = json.dumps(webhook(alerts)).encode()
    assert len(body) > 1 << 20  # more than the old 1 MiB limit
    status, reply = fwd.post(body)
    assert status == 200, reply
    assert reply == {"accepted": 5000, "new": 5000}
    assert spooled(fwd) == 5000
    assert fwd.metrics()['govops_sa_rejected_total{reason="too_large"}'] == 0


def test_spool_files_and_folder_are_private(forwarder_factory, tmp_path):
    fwd = forwarder_factory(free_port(), spool=tmp_path / "sa-spool")
    assert fwd.post(webhook([alert(1)]))[0] == 200
    assert stat.S_IMODE((tmp_path / "sa-spool").stat().st_mode) == 0o700
    files = list((tmp_path / "sa-spool").iterdir())
    assert {f.name for f in files} >= {"spool.sqlite", "spool.sqlite-wal"}
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_a_deeply_nested_journal_line_does_not_stop_the_journal(forwarder_factory, tmp_path):
    journal = tmp_path / "network-changes.jsonl"
    journal.write_bytes(b'{"device": "core-1", "step": "push", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n")
    fwd = forwarder_factory(free_port(), extra=["--journal", str(journal)])
    with journal.open("a") as fh:
        fh.write(json.dumps({"time": "2026-11-29T01:00:00Z", "device": "core-1", "step": "done",
                             "outcome": "upgraded"}) + "\n")
    # the deep line as a pipeline_error event, and the follower still reads the next line
    wait_until(lambda: spooled(fwd) == 2, timeout=10, what="both journal lines to be spooled")
    assert fwd.metrics()['govops_sa_events_received_total{source="change"}'] == 1
    assert "Traceback" not in log_text(fwd)
