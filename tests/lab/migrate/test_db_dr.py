"""PostgreSQL DR on the lab: data-exchange (tier 5) replicated prod -> same-city (sync) and Fenyi (async).

One module fixture plans the layout from the SoT and builds the three-node cluster; each drill is
destructive (the primary is killed, a standby promoted), so `cluster` rebuilds it before each drill
(~15 s: initdb, two pg_basebackups over TLS). The writer and the probe run in dept-srv-1's network
namespace, a client outside the three centres.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from govops.migrate import pg
from govops.migrate.pgbackup import Backups
from govops.migrate.pgdr import Drill, lab_cluster
from govops.sot import load_inventory
from lab import faults
from tests.lab.migrate.conftest import playbook
from tests.lab.migrate.sa_forwarding import assert_rpo_breach_forwarded, events, sa_forwarder

pytestmark = pytest.mark.lab

SYSTEM, PRIMARY, CLIENT = "data-exchange", "cloud-prod-1", "dept-srv-1"
FENYI_PORT = "fy-agg-1:GigabitEthernet0/0/8"  # packets leaving it go to the Fenyi standby


@pytest.fixture(scope="module")
def db(lab):
    cluster = lab_cluster(lab, lab.inventory, SYSTEM, PRIMARY, CLIENT)
    cluster.backups = Backups(cluster)
    cluster.setup(backups=cluster.backups)  # WAL archived to the Fenyi repository from the start
    cluster.dirty = False
    try:
        yield cluster
    finally:
        faults.clear(lab)
        cluster.teardown()


@pytest.fixture
def cluster(db, lab):
    """The cluster as planned (rebuilt after a drill), faults cleared afterwards."""
    if db.dirty:
        db.setup(backups=db.backups)
    db.dirty = True
    try:
        yield db
    finally:
        faults.clear(lab)


def uplink(lab, host: str) -> str:
    h = load_inventory(lab.inventory).hosts[host]
    return f"{h.uplink.device}:{h.uplink.interface}"


def centre_lost(lab, host: str):
    """The disaster: the host's uplink goes down (the drill then kills its postmaster)."""
    return lambda: faults.link(lab, uplink(lab, host), "down")


def test_layout_from_the_tier_streams_over_tls_sync_and_async(db, tmp_path):
    rows = {r["name"]: r for r in db.wait_streaming(sync=True)}
    assert rows["cloud_dr_1"]["sync_state"] == "sync" and rows["cloud_dr_1"]["addr"] == "198.19.1.10"
    assert rows["cloud_remote_1"]["sync_state"] == "async" and rows["cloud_remote_1"]["addr"] == "198.19.2.10"
    assert all(r["ssl"] and r["state"] == "streaming" for r in rows.values())
    conf = (db.base / PRIMARY / "data" / "govops.conf").read_text()
    assert "synchronous_standby_names = 'FIRST 1 (cloud_dr_1)'" in conf and "fsync = on" in conf
    # the password is in the passfile only: not in any rendered file or the conninfo
    secret = pg.secrets(db.lab.inventory)["replication"]
    for host in ("cloud-dr-1", "cloud-remote-1"):
        data = db.base / host / "data"
        assert "passfile=" in (data / "govops.conf").read_text()
        assert all(secret not in f.read_text(errors="ignore") for f in data.glob("*.conf"))
    # replication lag from pg_stat_replication, per standby, as the DR exporter reads it
    from monitoring.migration.dr import read_status
    status = tmp_path / "dr-status.jsonl"
    lines = db.lag_status(status)
    assert [(x["standby"], x["sync_state"]) for x in lines] == [("cloud-dr-1", "sync"), ("cloud-remote-1", "async")]
    got = {st.replication: st for st in read_status(status, load_inventory(db.lab.inventory))}
    assert got["sync-same-city"].lag_seconds == 0 and got["sync-same-city"].rpo_seconds == 0
    assert got["async-remote"].lag_seconds < 5 and got["async-remote"].rpo_seconds == 1800
    assert got["async-remote"].lag_bytes is not None and got["async-remote"].lag_bytes >= 0


def test_sync_failover_through_the_playbook_loses_no_acknowledged_transaction(lab, cluster, tmp_path):
    jpath = tmp_path / "journal.jsonl"
    out = playbook(lab, "dr_drill.yml", "-e", "operation=db-drill", "-e", "replication=sync-same-city",
                   "-e", "db_failback=true",
                   "-e", f"journal={jpath}", "-e", f"dr_status={tmp_path / 'dr-status.jsonl'}",
                   "-e", f"work={tmp_path / 'work'}")
    assert out.returncode == 0, out.stdout[-3000:]
    r = next(e for e in events(jpath) if e["step"] == "report")["report"]
    assert r["promoted"] == "cloud-dr-1" and r["acknowledged"] >= 20
    assert r["transactions_lost"] == 0 and r["rpo_objective_s"] == 0 and r["rpo_ok"]
    assert 0 < r["rto_s"] < 30 and r["rto_ok"]
    assert [e["step"] for e in events(jpath)] == ["precheck", "disaster", "failover", "measure_rpo",
                                                  "measure_rto", "report", "repoint", "failback"]
    # the Fenyi standby followed the promoted same-city one (repointed, or re-cloned if it had WAL
    # past the switch point) and streamed from it before the fail-back
    rp = next(e for e in events(jpath) if e["step"] == "repoint")
    assert rp["outcome"] == "ok" and rp["result"]["cloud-remote-1"] in ("repointed", "re-cloned"), rp
    # users wrote to the same-city centre meanwhile; production is primary again with all of it
    fb = events(jpath)[-1]
    assert fb["outcome"] == "ok" and fb["result"]["lost_after_failover"] == 0, fb
    assert cluster.psql(PRIMARY, "SELECT pg_is_in_recovery();") == "f"
    assert cluster.psql("cloud-dr-1", "SELECT pg_is_in_recovery();") == "t"


def test_async_failover_loss_is_measured_within_the_tier_and_fail_back_keeps_later_writes(lab, cluster, tmp_path):
    status, jpath = tmp_path / "dr-status.jsonl", tmp_path / "journal.jsonl"
    drill = Drill(cluster, jpath, tmp_path / "work", dr_status=status)
    r = drill.run("async-remote", centre_lost(lab, PRIMARY))
    assert r["promoted"] == "cloud-remote-1" and r["rpo_objective_s"] == 1800  # govops.cloud.dr, async, tier 5
    assert r["transactions_lost"] >= 0 and r["rpo_s"] < 10 and r["rpo_ok"] and r["rto_ok"]
    from monitoring.migration.dr import read_status
    (st,) = read_status(status, load_inventory(lab.inventory))
    assert st.replication == "async-remote" and abs(st.lag_seconds - r["rpo_s"]) < 0.01
    # the same-city standby follows Fenyi: it got WAL past the switch point (sync) or not
    how = drill.repoint("async-remote")
    assert how["cloud-dr-1"] in ("repointed", "re-cloned")
    assert "cloud_dr_1" in {r["name"] for r in drill._streaming_to("cloud-remote-1")}
    # fail-back: users write to Fenyi meanwhile; production is re-cloned, switched back, all stream again
    fb = drill.failback("async-remote", lambda: faults.link(lab, uplink(lab, PRIMARY), "up"))
    assert fb["acknowledged_after_failover"] >= 20 and fb["lost_after_failover"] == 0, fb
    assert fb["streaming"] == {"cloud_dr_1": "sync", "cloud_remote_1": "async"}
    assert events(jpath)[-1]["step"] == "failback" and events(jpath)[-1]["outcome"] == "ok"
    assert cluster.psql(PRIMARY, "SELECT pg_is_in_recovery();") == "f"


def test_delayed_replication_to_fenyi_breaches_and_the_breach_is_an_sa_event(lab, cluster, tmp_path):
    jpath = tmp_path / "journal.jsonl"
    try:
        faults.delay(lab, FENYI_PORT, "3000ms")
    except faults.FaultError as exc:
        pytest.skip(f"cannot delay the Fenyi link: {exc}")

    def lift_delay():
        # WAL still queued for Fenyi is refused by the promoted standby: lost with the centre.
        # clear() lifts every fault; the dead primary's uplink goes down again at once.
        faults.clear(lab)
        faults.link(lab, uplink(lab, PRIMARY), "down")

    with sa_forwarder(jpath, tmp_path) as spool:
        # the lab cannot wait 30 min of lag: a compressed objective of 1 s for the async replica
        drill = Drill(cluster, jpath, tmp_path / "work", rpo_objective=1.0)
        r = drill.run("async-remote", centre_lost(lab, PRIMARY), promoted=lift_delay)
        # WAL still on its way to Fenyi arrives after the promotion: those commits are lost
        assert r["transactions_lost"] > 5 and r["rpo_s"] > 1.0 and not r["rpo_ok"]
        # the sync same-city standby has those commits: it is past the switch point and cannot
        # follow the new timeline, so it is re-cloned from Fenyi, then streams from it
        assert drill.repoint("async-remote") == {"cloud-dr-1": "re-cloned"}
        assert "cloud_dr_1" in {r["name"] for r in drill._streaming_to("cloud-remote-1")}
        assert_rpo_breach_forwarded(jpath, spool)


def test_point_in_time_restore_matches_the_reference_and_the_exporter_reports_it(lab, cluster, tmp_path):
    from monitoring.migration.dr import read_backups

    status = tmp_path / "dr-status.jsonl"
    b = cluster.backups
    b.status = status
    sql = "INSERT INTO txlog SELECT g, 'row ' || g FROM generate_series({}, {}) g;"
    cluster.psql(PRIMARY, sql.format(1, 200), db=pg.DATABASE)
    info = b.full_backup()
    assert info["type"] == "full" and (cluster.base / "cloud-remote-1" / "pgbackrest" / "backup").is_dir()
    # the repository is served from Fenyi's data address over TLS; the primary archives to it
    listening = lab.run("cloud-remote-1", ["ss", "-Htln", "sport = :8432"]).stdout
    assert "198.19.2.10:8432" in listening, listening
    archived = cluster.psql(PRIMARY, "SELECT archived_count FROM pg_stat_archiver;")
    assert int(archived) >= 1
    # pushes before stanza-create may have failed; since `check` every segment arrives: not failing
    ok = b.archive_status()
    assert ok["archive_last_failed"] is None or ok["archive_last_archived"] > ok["archive_last_failed"], ok
    cluster.psql(PRIMARY, sql.format(201, 250), db=pg.DATABASE)
    incr = b.backup("incr")  # the daily incremental: only what changed since the full
    assert incr["type"] == "incr" and incr["reference"] == [info["label"]], incr  # pgBackRest 2.45 JSON
    cluster.psql(PRIMARY, sql.format(251, 300), db=pg.DATABASE)  # after the incr: only in the WAL
    when, reference = b.reference()
    assert reference.startswith("300 ")
    time.sleep(0.2)
    cluster.psql(PRIMARY, sql.format(301, 350) + " UPDATE txlog SET payload = 'changed' WHERE id = 7;", db=pg.DATABASE)
    assert b.reference()[1] != reference
    b.switch_wal()  # the WAL holding the target time goes to the repository
    result = b.restore_test(when, reference)
    assert result["ok"] and result["restored"] == reference, result
    # a target before the later rows but compared with the current table: the test notices
    bad = b.restore_test(when, b.reference()[1])
    assert not bad["ok"]
    (st,) = read_backups(status, load_inventory(lab.inventory))
    assert st.system == SYSTEM and st.restore_test_ok is False and st.policy_max_age == 86400 + 3600
    assert abs(st.last_backup - time.time()) < 120
    before = st.archive["failed_count"]  # the reading above, before the fault below
    # archive failures: the repository's TLS server goes away, the next segment cannot be pushed
    server = int((cluster.base / "pgbackrest-server-cloud-remote-1.pid").read_text())
    os.killpg(server, signal.SIGTERM)  # its own session (start_new_session): runuser and pgbackrest
    deadline = time.monotonic() + 10
    while "198.19.2.10:8432" in lab.run("cloud-remote-1", ["ss", "-Htln", "sport = :8432"]).stdout:
        assert time.monotonic() < deadline, "the repository's pgbackrest server still listens"
        time.sleep(0.2)
    cluster.psql(PRIMARY, sql.format(351, 360), db=pg.DATABASE)  # a segment with something in it
    b.switch_wal()
    deadline = time.monotonic() + 60  # archive-push gives up after --io-timeout (10 s)
    while (arch := b.archive_status())["archive_failed_count"] == before:
        assert time.monotonic() < deadline, arch
        time.sleep(0.5)
    (st,) = read_backups(status, load_inventory(lab.inventory))
    assert st.archive["last_failed"] > st.archive["last_archived"], st.archive  # DRArchiveFailing's condition
