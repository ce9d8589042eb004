"""DR drill: data-exchange (tier 5) fails over from cloud-prod-1 to Fenyi (cloud-remote-1) and back."""

from __future__ import annotations

import json
import re
import time

import pytest

from govops.sot import load_inventory
from lab import faults
from tests.lab.migrate.conftest import http, playbook
from tests.lab.migrate.sa_forwarding import assert_rpo_breach_forwarded, events, sa_forwarder

pytestmark = pytest.mark.lab

NAME = "http://data-exchange.xinyu-lab.example:8080"
REMOTE_DR_PORT = "fy-agg-1:GigabitEthernet0/0/8"  # the Fenyi centre's segment: replication crosses it


@pytest.fixture
def dr(lab, tmp_path):
    jpath, state = tmp_path / "dr.jsonl", tmp_path / "replication.json"
    base = ("-e", f"journal={jpath}", "-e", f"state={state}", "-e", f"dr_status={tmp_path / 'dr-status.jsonl'}")
    try:
        try:
            faults.delay(lab, REMOTE_DR_PORT, "20ms")
        except faults.FaultError as exc:
            if "no sch_netem" in str(exc):
                pytest.skip(f"the drill needs a delayed replication link: {exc}")
            raise
        setup = playbook(lab, "dr_drill.yml", *base, "-e", "operation=setup")
        assert setup.returncode == 0, setup.stdout[-2000:]
        deadline = time.monotonic() + 30
        while not json.loads(state.read_text()).get("last_sync"):  # first replication done
            assert time.monotonic() < deadline, "replication never completed"
            time.sleep(0.5)
        yield jpath, state, base
    finally:
        playbook(lab, "dr_drill.yml", *base, "-e", "operation=teardown")
        faults.clear(lab)


def report(jpath) -> dict:
    return next(e for e in reversed(events(jpath)) if e["step"] == "report")["report"]


def served_by(lab) -> str:
    status, body = http(lab, "cloud-dr-1", f"{NAME}/health")
    assert status == 200
    return json.loads(body)["host"]


def test_replication_crosses_the_delayed_link(lab, dr):
    out = lab.run("cloud-prod-1", ["ping", "-c", "3", "-i", "0.2", "198.19.2.10"])
    rtts = [float(x) for x in re.findall(r"time=([\d.]+) ms", out.stdout)]
    assert rtts and min(rtts) >= 20, out.stdout


def test_drill_measures_rto_and_rpo_within_the_tier_promise_and_fails_back(lab, dr):
    jpath, state, base = dr
    assert served_by(lab) == "cloud-prod-1"
    drill = playbook(lab, "dr_drill.yml", *base)
    assert drill.returncode == 0, drill.stdout[-3000:]
    r = report(jpath)
    assert r["tier"] == 5 and r["promise_rpo"] == "0 - 30 min"
    assert 0 < r["rto_s"] < 60 and r["rto_ok"]
    # Replication runs every 3 s: a few seconds of writes at most are lost, well inside 30 min.
    assert 0 <= r["rpo_s"] < 15 and r["rpo_ok"] and r["records_lost"] < 40
    assert [e["step"] for e in events(jpath)] == ["precheck", "disaster", "failover", "measure_rpo", "measure_rto",
                                                  "failback", "report"]
    assert r["failback"] == "ok" and served_by(lab) == "cloud-prod-1"
    assert json.loads(state.read_text())["running"] is True
    # The monitoring exporter sees the measured lag against the objective (govops_dr_rpo_compliant).
    from monitoring.migration.dr import read_status
    (status,) = read_status(jpath.with_name("dr-status.jsonl"), load_inventory(lab.inventory))
    assert status.system == "data-exchange" and abs(status.lag_seconds - r["rpo_s"]) < 0.1
    assert status.rpo_seconds == 1800


def test_stopped_replication_shows_the_rpo_breach_and_the_sa_forwarder_gets_it(lab, dr, tmp_path):
    jpath, state, base = dr
    assert playbook(lab, "dr_drill.yml", *base, "-e", "operation=stop-replication").returncode == 0
    time.sleep(6)  # users keep writing on the primary; nothing reaches Fenyi
    with sa_forwarder(jpath, tmp_path) as spool:
        drill = playbook(lab, "dr_drill.yml", *base, "-e", "rpo_objective=3")
        assert drill.returncode == 0, drill.stdout[-3000:]
        r = report(jpath)
        assert r["rpo_s"] > 5 and not r["rpo_ok"] and r["records_lost"] >= 10
        assert_rpo_breach_forwarded(jpath, spool)
    assert served_by(lab) == "cloud-prod-1"  # failed back even after a breach
