"""Self-monitoring on the lab twin (the shared session `lab` fixture): the SNMP, readiness and
migration exporters, the SA forwarder, Debian's Prometheus (generated config, 3 s intervals:
monitoring/stack.py) and Debian's Alertmanager with the committed monitoring/alertmanager/
alertmanager.yml, all in the twin's mgmt namespace. Each exporter process is killed by its PID;
its alert fires in Prometheus and reaches Alertmanager; Watchdog reaches the heartbeat route and
the per-device SNMPScrapeFailed alerts are inhibited by the SNMP exporter's GovopsExporterDown.
Run as root: `GOVOPS_LAB_PREFIX=hi .venv/bin/pytest -q tests/lab/monitoring/test_selfmon_lab.py`.
"""

from __future__ import annotations

import shutil

import pytest

from govops.sot import load_inventory
from monitoring.stack import JOBS, MonitoringStack, wait_for
from tests.paths import ROOT

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(not shutil.which("prometheus") or not shutil.which("prometheus-alertmanager"),
                       reason="Debian prometheus and prometheus-alertmanager needed"),
]

# The alert each process's death must raise (job label -> alertname).
DOWN_ALERT = {"govops_snmp_exporter": "GovopsExporterDown", "govops_readiness": "GovopsExporterDown",
              "govops_migration": "GovopsExporterDown", "govops-sa-forwarder": "SAForwarderDown"}
# Debian's CA bundle: the forwarder only loads it (the SA platform address refuses; events wait in the spool).
CA = "/etc/ssl/certs/ca-certificates.crt"


@pytest.fixture(scope="module")
def stack(lab, tmp_path_factory):
    inv = load_inventory(lab.inventory)
    s = MonitoringStack(lab, tmp_path_factory.mktemp("selfmon"))
    with s:
        s.start(inv, {"snmp": [], "readiness": ["--no-websites"], "migration": [],
                      "sa_forwarder": ["--target", "127.0.0.1:16514", "--ca", CA, "--server-name", "sa.example"]},
                interval=3.0, alertmanager=ROOT / "monitoring" / "alertmanager" / "alertmanager.yml",
                alert_for={"GovopsExporterDown": "3s", "SAForwarderDown": "3s", "SNMPScrapeFailed": "3s"})
        s.wait_until_up(inv, timeout=90)
        yield s, inv
    assert not s.procs  # every process we started is stopped


def firing_in_alertmanager(s, alertname: str, **labels: str) -> list[dict]:
    return [a for a in s.alerts() if a["labels"].get("alertname") == alertname
            and all(a["labels"].get(k) == v for k, v in labels.items())]


def test_watchdog_reaches_the_heartbeat_receiver(stack):
    s, _ = stack
    got = wait_for("Watchdog in Alertmanager", lambda: firing_in_alertmanager(s, "Watchdog"), timeout=30)
    assert [r["name"] for r in got[0]["receivers"]] == ["heartbeat"]


def test_killing_each_exporter_fires_its_alert_in_prometheus_and_alertmanager(stack):
    s, inv = stack
    # A scrape that met an exporter still starting leaves a pending alert until the next evaluation.
    wait_for("no exporter-down alert left from the start", lambda: not s.query(
        'ALERTS{alertname=~"GovopsExporterDown|SAForwarderDown"}'), timeout=20)
    killed = {JOBS[kind]: s.kill(kind) for kind in ("snmp", "readiness", "migration", "sa_forwarder")}
    assert all(killed.values())
    for job, alertname in DOWN_ALERT.items():
        expr = f'ALERTS{{alertname="{alertname}",job="{job}",alertstate="firing"}}'
        wait_for(f"{alertname} for {job} firing in Prometheus", lambda e=expr: s.query(e), timeout=40)
        got = wait_for(f"{alertname} for {job} in Alertmanager",
                       lambda a=alertname, j=job: firing_in_alertmanager(s, a, job=j), timeout=30)
        assert got[0]["status"]["state"] == "active", got
    # The SNMP exporter's death: every device scrape fails, and Alertmanager inhibits those alerts.
    devices = sum(1 for d in inv.devices.values() if d.snmp)
    scrape = wait_for("SNMPScrapeFailed for every device in Alertmanager", lambda: (
        a := firing_in_alertmanager(s, "SNMPScrapeFailed", job="snmp_if_mib")) and len(a) == devices and a, 40)
    assert {a["status"]["state"] for a in scrape} == {"suppressed"}
    assert all(a["status"]["inhibitedBy"] for a in scrape)
