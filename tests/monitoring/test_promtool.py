"""promtool/amtool on the committed configuration; promtool rule unit tests; runbooks exist."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.paths import ROOT

PROM = ROOT / "monitoring" / "prometheus"
pytestmark = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian prometheus) not installed")


SERIES_DEPARTMENT = ("DRRpoBreach", "MigrationStalled")
# Hand-written alert rule files and their promtool unit tests.
ALERT_FILES = ("alerts.yml", "health.yml", "ospf.yml")
RULE_TESTS = ("tests/monitoring/rules_test.yml", "tests/monitoring/health_rules_test.yml", "tests/monitoring/dr_db_rules_test.yml",
              "tests/monitoring/ospf_rules_test.yml")


def run(*argv, cwd=ROOT):
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(argv)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def alert_rules():
    data = [yaml.safe_load((PROM / "rules" / name).read_text()) for name in ALERT_FILES]
    return [r for d in data for g in d["groups"] for r in g["rules"] if "alert" in r]


def test_check_config():
    assert "SUCCESS" in run("promtool", "check", "config", "prometheus.yml", cwd=PROM)


def test_check_rules():
    run("promtool", "check", "rules", *sorted(str(p) for p in (PROM / "rules").glob("*.yml")))


def test_rule_unit_tests_pass():
    run("promtool", "test", "rules", *RULE_TESTS)


def test_every_alert_has_a_firing_and_a_quiet_case():
    tests = [t for f in RULE_TESTS for t in yaml.safe_load((ROOT / f).read_text())["tests"]]
    cases = [c for t in tests for c in t.get("alert_rule_test", [])]
    for rule in alert_rules():
        mine = [c for c in cases if c["alertname"] == rule["alert"]]
        assert any(c["exp_alerts"] for c in mine), f"{rule['alert']}: no firing case"
        assert any(not c["exp_alerts"] for c in mine), f"{rule['alert']}: no not-firing case"


def test_alerts_have_routing_labels_and_a_runbook():
    for rule in alert_rules():
        labels = rule["labels"]
        assert labels["severity"] in ("critical", "warning")
        # Network alerts are owned by the NOC; cloud alerts take `department` from their series
        # (govops_dr_*/govops_migration_* carry it) and the site is the cloud.
        if rule["alert"] in SERIES_DEPARTMENT:
            assert labels["site"] == "cloud" and "department" not in labels
        else:
            assert labels["department"] == "noc"
        url = rule["annotations"]["runbook_url"]
        assert url == f"runbooks/alerts/{rule['alert']}.md" and (ROOT / url).is_file()
        text = (ROOT / url).read_text()
        assert "First checks" in text and "Escalation" in text


@pytest.mark.skipif(not shutil.which("amtool"), reason="amtool (Debian prometheus-alertmanager) not installed")
def test_alertmanager_config():
    out = run("amtool", "check-config", "monitoring/alertmanager/alertmanager.yml")
    assert "SUCCESS" in out
    cfg = yaml.safe_load((ROOT / "monitoring" / "alertmanager" / "alertmanager.yml").read_text())
    hooks = [h for r in cfg["receivers"] for h in r.get("webhook_configs", [])]
    assert {"url": "http://127.0.0.1:9095/alertmanager", "send_resolved": True} in hooks
    assert cfg["route"]["group_by"][0] == "site"
    inhibit = cfg["inhibit_rules"][0]
    assert inhibit["equal"] == ["device"] and "DeviceUnreachable" in inhibit["source_matchers"][0]
