"""The forwarder as a user runs it: a real process, real TLS, a strict receiver, kill -9 and restarts."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import time

import pytest
from sa_forwarder_helpers import alert, free_port, wait_until, webhook


def expected_id(a: dict) -> str:
    """The documented alert event id: sha256 over source, fingerprint, startsAt, status (0x1f-separated)."""
    return hashlib.sha256("\x1f".join(["alertmanager", a["fingerprint"], a["startsAt"], a["status"]]).encode()).hexdigest()


def spooled(fwd) -> float:
    return fwd.metrics()["govops_sa_spooled_events"]


@pytest.mark.slow
def test_10000_events_survive_outage_and_kill9_each_delivered(forwarder_factory, receiver_factory, pki, tmp_path):
    port = free_port()  # nothing listens yet: the platform is down
    alerts = [alert(n) for n in range(10_000)]
    batches = [alerts[i:i + 250] for i in range(0, len(alerts), 250)]
    fwd = forwarder_factory(port)
    for batch in batches[:20]:
        assert fwd.post(webhook(batch))[0] == 200
    # Alertmanager re-sends a group on every group_interval: same alerts, same ids, no new spool rows.
    assert fwd.post(webhook(batches[0]))[0] == 200
    assert spooled(fwd) == 5_000
    assert fwd.metrics()["govops_sa_delivery_retries_total"] > 0

    fwd.kill9()
    fwd = forwarder_factory(port)  # same spool directory
    assert spooled(fwd) == 5_000, "events acknowledged with 200 must survive kill -9"
    for batch in batches[20:]:
        assert fwd.post(webhook(batch))[0] == 200
    assert spooled(fwd) == 10_000

    receiver = receiver_factory(port, pki.server, keep_messages=False)
    wait_until(lambda: spooled(fwd) == 0, timeout=40, what="the spool to drain")
    wait_until(lambda: len(set(receiver.ids)) >= 10_000, timeout=10, what="the receiver to see every event")
    assert receiver.errors == []
    assert set(receiver.ids) == {expected_id(a) for a in alerts}
    duplicates = len(receiver.ids) - len(set(receiver.ids))
    assert duplicates == 0  # nothing was in flight at the kill, so nothing is sent twice here
    assert fwd.metrics()["govops_sa_events_delivered_total"] == 10_000
    assert fwd.metrics()['govops_sa_events_received_total{source="alertmanager"}'] == 5_000  # since restart


@pytest.mark.parametrize("wrong", ["rogue", "wrong_name"])
def test_wrong_certificate_is_refused_and_events_stay_spooled(forwarder_factory, receiver_factory, pki, wrong):
    port = free_port()
    impostor = receiver_factory(port, getattr(pki, wrong))
    fwd = forwarder_factory(port)
    assert fwd.post(webhook([alert(n) for n in range(20)]))[0] == 200
    wait_until(lambda: fwd.metrics().get('govops_sa_delivery_errors_total{reason="tls_verify"}', 0) >= 2,
               timeout=10, what="certificate verification failures")
    assert spooled(fwd) == 20
    assert impostor.ids == [] and impostor.connections == 0
    assert fwd.metrics()["govops_sa_events_delivered_total"] == 0
    assert fwd.metrics()["govops_sa_oldest_undelivered_age_seconds"] > 0

    impostor.stop()
    genuine = receiver_factory(port, pki.server)
    wait_until(lambda: spooled(fwd) == 0, timeout=10, what="delivery to the genuine platform")
    assert len(set(genuine.ids)) == 20 and genuine.errors == []


def test_malformed_webhook_is_400_and_nothing_spooled(forwarder_factory):
    fwd = forwarder_factory(free_port())
    status, reply = fwd.post(b"{not json")
    assert status == 400
    status, reply = fwd.post({"version": "3", "status": "firing", "alerts": [{"labels": {}}]})
    assert status == 400
    # every problem is reported with its location
    assert any(p.startswith("version") for p in reply["problems"])
    assert any(p.startswith("alerts.0.fingerprint") for p in reply["problems"])
    assert spooled(fwd) == 0
    assert fwd.metrics()['govops_sa_rejected_total{reason="malformed"}'] == 2


def test_oversized_webhook_is_413_and_nothing_spooled(forwarder_factory):
    fwd = forwarder_factory(free_port(), extra=["--max-body-bytes", "4096"])
    big = webhook([alert(n) for n in range(40)])
    assert len(json.dumps(big)) > 4096
    assert fwd.post(big)[0] == 413
    assert fwd.post(webhook([alert(1)]))[0] == 200  # a normal one still passes
    assert spooled(fwd) == 1
    assert fwd.metrics()['govops_sa_rejected_total{reason="too_large"}'] == 1
    # the loss is said where an operator looks (the metric also pages: SAForwarderRefusedAlertGroup)
    assert "Alertmanager does not retry a 413" in fwd.log.read_text()


def test_full_spool_answers_503_and_counts_it(forwarder_factory):
    fwd = forwarder_factory(free_port(), extra=["--max-spool-events", "100"])
    assert fwd.post(webhook([alert(n) for n in range(80)]))[0] == 200
    status, _ = fwd.post(webhook([alert(n) for n in range(80, 110)]))
    assert status == 503  # Alertmanager retries 5xx, so nothing is lost
    assert spooled(fwd) == 80  # all-or-nothing: no part of the refused batch was taken
    assert fwd.metrics()['govops_sa_rejected_total{reason="spool_full"}'] == 1
    assert fwd.post(webhook([alert(n) for n in range(80, 100)]))[0] == 200


def journal_line(n: int, **extra) -> str:
    record = {"time": f"2026-11-29T01:{n // 60:02d}:{n % 60:02d}Z", "device": "xy-core-1", "step": "push",
              "outcome": "success" if n % 5 else "rolled_back", "site": "xinyu", "department": "big-data-centre",
              "summary": f"change {n}", **extra}
    return json.dumps(record) + "\n"


def test_journal_lines_delivered_once_each_across_restart_and_rotation(forwarder_factory, receiver_factory,
                                                                       pki, tmp_path):
    port = free_port()
    receiver = receiver_factory(port, pki.server)
    journal = tmp_path / "change-journal.jsonl"
    journal.write_text("".join(journal_line(n) for n in range(50)))
    fwd = forwarder_factory(port, extra=["--journal", str(journal)])
    wait_until(lambda: len(receiver.ids) >= 50, timeout=10, what="the first 50 journal events")
    with journal.open("a") as handle:
        handle.write(journal_line(50))
        handle.write('{"time": "2026-11-29T01:00:51Z", "device": "xy-core-1", "st')  # writer mid-line
    wait_until(lambda: len(receiver.ids) >= 51, timeout=10, what="line 50")
    wait_until(lambda: spooled(fwd) == 0, timeout=10, what="the spool to drain")

    fwd.kill9()
    with journal.open("a") as handle:
        handle.write('ep": "verify", "outcome": "success"}\n')  # the line completed while we were down
        handle.writelines(journal_line(n) for n in range(52, 80))
    fwd = forwarder_factory(port, extra=["--journal", str(journal)])
    wait_until(lambda: len(receiver.ids) >= 80, timeout=10, what="lines written while down")

    # logrotate-style: rename, then new lines in a fresh file at the same path
    journal.rename(tmp_path / "change-journal.jsonl.1")
    journal.write_text("".join(journal_line(n) for n in range(80, 90)))
    wait_until(lambda: len(receiver.ids) >= 90, timeout=10, what="lines after rotation")
    time.sleep(0.5)  # give any duplicate the chance to show up

    counts = receiver.id_counts()
    assert len(counts) == 90 and set(counts.values()) == {1}, "each journal line exactly once"
    assert receiver.errors == []
    events = [json.loads(m.split(b"] ", 1)[1]) for m in receiver.messages]
    failed = [e for e in events if e["event"]["outcome"] == "failure"]
    assert len(failed) == 18  # n % 5 == 0 among 0..89 → rolled_back
    assert all(e["event"]["severity"] == 3 and e["host"]["name"] == "xy-core-1" for e in failed)
    assert {e["govops"]["source"] for e in events} == {"change"}


def test_secrets_are_redacted_before_spooling(forwarder_factory, receiver_factory, pki, tmp_path):
    port = free_port()
    journal = tmp_path / "migration-journal.jsonl"
    journal.write_text(journal_line(1, system="oa", device=None, password="s3cret-Journal",
                                    summary="db login ok, password=s3cret-Inline") )
    spool_dir = tmp_path / "spool"
    fwd = forwarder_factory(port, spool=spool_dir, extra=["--journal", str(journal)])
    leaky = alert(7, community="pUbl1c-Community", snmp_auth_key="k3y-Value")
    leaky["annotations"]["description"] = "SNMP community pUbl1c-Community rejected"
    assert fwd.post(webhook([leaky]))[0] == 200
    wait_until(lambda: spooled(fwd) == 2, timeout=10, what="both events spooled")

    secrets = [b"s3cret-Journal", b"s3cret-Inline", b"pUbl1c-Community", b"k3y-Value"]
    with sqlite3.connect(spool_dir / "spool.sqlite") as db:
        stored = b"".join(row[0] for row in db.execute("SELECT message FROM events"))
    assert b"[REDACTED]" in stored
    for secret in secrets:
        assert secret not in stored
    for path in spool_dir.iterdir():  # WAL and main file, byte for byte
        assert not any(secret in path.read_bytes() for secret in secrets), path

    receiver = receiver_factory(port, pki.server)
    wait_until(lambda: len(receiver.ids) == 2, timeout=10, what="delivery")
    delivered = b"".join(receiver.messages)
    assert not any(secret in delivered for secret in secrets)
    assert not any(secret in fwd.log.read_bytes() for secret in secrets)


def test_full_spool_holds_journal_back_without_loss(forwarder_factory, receiver_factory, pki, tmp_path):
    port = free_port()
    journal = tmp_path / "drift.jsonl"
    journal.write_text("".join(journal_line(n, kind="drift", outcome="drift") for n in range(25)))
    fwd = forwarder_factory(port, extra=["--max-spool-events", "10", "--journal", str(journal)])
    wait_until(lambda: fwd.metrics().get(f'govops_sa_journal_blocked{{journal="{journal}"}}') == 1,
               timeout=10, what="the follower to report backpressure")
    assert spooled(fwd) <= 10
    assert fwd.metrics()['govops_sa_dropped_total{reason="journal_rotated_while_down"}'] == 0
    receiver = receiver_factory(port, pki.server)
    wait_until(lambda: len(receiver.ids) >= 25, timeout=15, what="every drift line after the backlog cleared")
    time.sleep(0.5)
    assert len(receiver.ids) == len(set(receiver.ids)) == 25
    assert fwd.metrics()['govops_sa_events_received_total{source="drift"}'] == 25


def test_rotation_while_down_finishes_old_file_or_counts_the_loss(forwarder_factory, receiver_factory, pki,
                                                                  tmp_path):
    port = free_port()
    receiver = receiver_factory(port, pki.server)
    journal = tmp_path / "migration.jsonl"
    journal.write_text("".join(journal_line(n, system="oa", device=None) for n in range(10)))
    fwd = forwarder_factory(port, extra=["--journal", str(journal)])
    wait_until(lambda: len(receiver.ids) >= 10, timeout=10, what="first lines")
    wait_until(lambda: spooled(fwd) == 0, timeout=10, what="drain")
    fwd.kill9()
    with journal.open("a") as handle:  # written after the last read, then rotated away while down
        handle.writelines(journal_line(n, system="oa", device=None) for n in range(10, 15))
    journal.rename(tmp_path / "migration.jsonl.1")
    journal.write_text("".join(journal_line(n, system="oa", device=None) for n in range(15, 20)))
    fwd = forwarder_factory(port, extra=["--journal", str(journal)])
    wait_until(lambda: len(receiver.ids) >= 20, timeout=10, what="old tail and new file")
    assert sorted(receiver.id_counts().values()) == [1] * 20
    assert fwd.metrics()['govops_sa_dropped_total{reason="journal_rotated_while_down"}'] == 0
    assert {json.loads(m.split(b"] ", 1)[1])["govops"]["source"] for m in receiver.messages} == {"migration"}

    wait_until(lambda: spooled(fwd) == 0, timeout=10, what="drain")
    fwd.kill9()
    with journal.open("a") as handle:
        handle.write(journal_line(20, system="oa", device=None))
    journal.rename(tmp_path / "migration.jsonl.2")
    (tmp_path / "migration.jsonl.2").unlink()  # rotated and deleted before we could read line 20
    journal.write_text(journal_line(21, system="oa", device=None))
    fwd = forwarder_factory(port, extra=["--journal", str(journal)])
    wait_until(lambda: len(receiver.ids) >= 21, timeout=10, what="the new file")
    assert fwd.metrics()['govops_sa_dropped_total{reason="journal_rotated_while_down"}'] == 1


def test_ipv6_loopback_end_to_end(forwarder_factory, receiver_factory, pki):
    port = free_port("::1")
    receiver = receiver_factory(port, pki.server, host="::1")
    fwd = forwarder_factory(port, host="::1")  # webhook, metrics and target all on [::1]
    assert fwd.post(webhook([alert(n) for n in range(5)]))[0] == 200
    wait_until(lambda: len(receiver.ids) == 5, timeout=10, what="delivery over IPv6")
    assert receiver.errors == []


def test_platform_hanging_then_crashing_mid_stream_loses_nothing(forwarder_factory, receiver_factory, pki):
    port = free_port()
    # The platform reads 300 messages, hangs (the rest piles up unread in socket buffers), then dies.
    first = receiver_factory(port, pki.server, stall_after=300)
    fwd = forwarder_factory(port, extra=["--batch", "50"])
    alerts = [alert(n) for n in range(3000)]
    for i in range(0, 1500, 100):
        assert fwd.post(webhook(alerts[i:i + 100]))[0] == 200
    wait_until(lambda: len(first.ids) >= 300, timeout=10, what="the platform to read its 300")
    time.sleep(0.5)  # the forwarder has written more than was read: only a confirmation tells them apart
    assert fwd.metrics()["govops_sa_events_delivered_total"] < 1500, "unread events must not count as delivered"
    first.stop()  # RST: the unread data is gone with the process
    for i in range(1500, 3000, 100):
        assert fwd.post(webhook(alerts[i:i + 100]))[0] == 200
    second = receiver_factory(port, pki.server)
    wait_until(lambda: spooled(fwd) == 0, timeout=20, what="the spool to drain")
    assert set(first.ids) | set(second.ids) == {expected_id(a) for a in alerts}
    assert second.errors == []
    assert fwd.metrics()['govops_sa_delivery_errors_total{reason="unconfirmed"}'] >= 1


@pytest.fixture
def rsyslog_receiver(tmp_path, pki):
    """Debian's rsyslog as the SA platform: imtcp over TLS (gtls), writing what it gets to a file."""
    if not shutil.which("rsyslogd"):
        pytest.skip("rsyslogd (Debian rsyslog + rsyslog-gnutls) not installed")
    port = free_port()
    work = tmp_path / "rsyslog"
    work.mkdir()
    received = work / "received.log"
    conf = work / "rsyslog.conf"
    conf.write_text(f"""
global(workDirectory="{work}" maxMessageSize="16k" defaultNetstreamDriverCAFile="{pki.ca}"
       defaultNetstreamDriverCertFile="{pki.server[0]}" defaultNetstreamDriverKeyFile="{pki.server[1]}")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")
input(type="imtcp" port="{port}" address="127.0.0.1" ruleset="store")
ruleset(name="store") {{ action(type="omfile" file="{received}" template="RSYSLOG_SyslogProtocol23Format") }}
""")
    with (work / "rsyslogd.out").open("wb") as out:
        proc = subprocess.Popen(["rsyslogd", "-n", "-f", str(conf), "-i", str(work / "rsyslogd.pid")],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _listening(port), timeout=10, what="rsyslog imtcp")
        yield port, received
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_debian_rsyslog_tls_receiver_gets_and_confirms_every_event(forwarder_factory, rsyslog_receiver):
    port, received = rsyslog_receiver
    fwd = forwarder_factory(port)
    alerts = [alert(n) for n in range(2000)]
    for i in range(0, 2000, 200):
        assert fwd.post(webhook(alerts[i:i + 200]))[0] == 200
    wait_until(lambda: spooled(fwd) == 0, timeout=20, what="rsyslog to confirm every connection")
    wait_until(lambda: received.exists() and len(received.read_text().splitlines()) >= 2000, timeout=10,
               what="rsyslog to write the events")
    ids = re.findall(r'\[govops@32473 id="([0-9a-f]{64})"', received.read_text())
    assert set(ids) == {expected_id(a) for a in alerts}
    assert fwd.metrics()["govops_sa_delivery_retries_total"] == 0  # rsyslog's close counts as confirmation
