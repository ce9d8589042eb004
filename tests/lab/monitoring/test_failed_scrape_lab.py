"""The other failure semantics on the lab twin (the shared session `lab` fixture): the SNMP exporter
with `--failed-scrape status-500` and the rules that go with it (monitoring/README.md, "Failure
semantics": DeviceUnreachable on `up` from prometheus/variants/, no SNMPScrapeFailed; stack.py
`failed_scrape`). A stopped agent makes Prometheus' `up` 0 for that device and DeviceUnreachable
fires; the exporter's own job stays up. Run as root with a prefix of your own:
`GOVOPS_LAB_PREFIX=hi .venv/bin/pytest -q tests/lab/monitoring/test_failed_scrape_lab.py`.
"""

from __future__ import annotations

import shutil

import pytest

from govops.sot import load_inventory
from monitoring.stack import MonitoringStack, wait_for
from tests.lab.labctl import lab_cli

pytestmark = [pytest.mark.lab, pytest.mark.skipif(not shutil.which("prometheus"), reason="Debian prometheus needed")]
VICTIM = "core-2"


@pytest.fixture(scope="module")
def stack(lab, tmp_path_factory):
    inv = load_inventory(lab.inventory)
    s = MonitoringStack(lab, tmp_path_factory.mktemp("failed-scrape"))
    with s:
        s.start(inv, {"snmp": ["--failed-scrape", "status-500", "--timeout", "0.5", "--retries", "1",
                               "--deadline", "2"]},
                interval=3.0, alert_for={"DeviceUnreachable": "3s"}, failed_scrape="status-500")
        s.wait_until_up(inv, timeout=90)
        yield s, inv
    assert not s.procs


def test_stopped_agent_gives_up_0_and_device_unreachable_on_up(stack):
    s, inv = stack
    rule = s.workdir / "prom" / "rules" / "alerts.yml"
    assert 'up{job="snmp_if_mib"} == 0 unless on()' in rule.read_text()
    assert "SNMPScrapeFailed" not in (s.workdir / "prom" / "rules" / "selfmon.yml").read_text()
    lab_cli("fault", "snmp", VICTIM, "stop", prefix=s.lab.prefix)
    try:
        url = f"http://{s.ports['snmp']}/snmp?target={VICTIM}&module=system&auth=v3"
        code = s.lab.exec_mgmt(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "10", url]).stdout
        assert code == "500"
        wait_for("up 0 for the stopped device", lambda: s.query(
            f'up{{job="snmp_if_mib",device="{VICTIM}"}} == 0'), timeout=30)
        wait_for("DeviceUnreachable (on up) firing", lambda: s.query(
            f'ALERTS{{alertname="DeviceUnreachable",alertstate="firing",device="{VICTIM}"}}'), timeout=40)
        assert s.query('up{job="govops_snmp_exporter"} == 1')
        # Every other device still scraped (one slow scrape on a busy machine is a momentary 0: poll).
        wait_for("every other device up", lambda: (o := s.by(f'up{{job="snmp_if_mib",device!="{VICTIM}"}}', "device"))
                 and len(o) == len(inv.devices) - 1 and set(o.values()) == {1.0}, timeout=15)
    finally:
        lab_cli("fault", "snmp", VICTIM, "start", prefix=s.lab.prefix)
    wait_for("up back to 1", lambda: s.query(f'up{{job="snmp_if_mib",device="{VICTIM}"}} == 1'), timeout=30)
