"""Self-monitoring rules (rules/selfmon.yml), the failure-semantics variant, and runbook links
rendered from a base URL (`generate(runbook_base=...)`); real promtool."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from govops.sot import load_inventory
from monitoring.promconfig import absolute_runbooks, generate, prometheus_yml
from tests.paths import ROOT

PROM = ROOT / "monitoring" / "prometheus"
SELFMON = PROM / "rules" / "selfmon.yml"
RULE_TESTS = ("tests/monitoring/selfmon_rules_test.yml", "tests/monitoring/variant_rules_test.yml")
BASE = "https://git.example/govops/-/blob/main/"
promtool = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian prometheus) not installed")


def run(*argv, cwd=ROOT):
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(argv)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def rules(path=SELFMON):
    return [r for g in yaml.safe_load(path.read_text())["groups"] for r in g["rules"] if "alert" in r]


@promtool
def test_selfmon_rule_unit_tests_pass():
    run("promtool", "check", "rules", str(SELFMON), str(PROM / "variants" / "device_failure_as_http_error.yml"))
    run("promtool", "test", "rules", *RULE_TESTS)


def test_every_selfmon_alert_has_a_firing_and_a_quiet_case():
    cases = [c for t in yaml.safe_load((ROOT / RULE_TESTS[0]).read_text())["tests"] for c in t["alert_rule_test"]]
    for rule in rules():
        mine = [c for c in cases if c["alertname"] == rule["alert"]]
        assert any(c["exp_alerts"] for c in mine), f"{rule['alert']}: no firing case"
        # Watchdog is vector(1): it has no quiet case by design.
        assert rule["alert"] == "Watchdog" or any(not c["exp_alerts"] for c in mine), f"{rule['alert']}: no quiet case"


def test_selfmon_covers_every_generated_exporter_job_and_has_runbooks():
    inv = load_inventory(ROOT / "inventories" / "lab")
    jobs = [j["job_name"] for j in prometheus_yml(inv, {"snmp": "a:1", "readiness": "a:2", "migration": "a:3",
                                                         "sa_forwarder": "a:4", "alertmanager": "a:5"})["scrape_configs"]]
    exprs = {r["alert"]: r["expr"] for r in rules()}
    sa = {r["alert"]: r["expr"] for r in rules(ROOT / "security" / "sa" / "alerts.yml")}
    for job in (j for j in jobs if not j.startswith("snmp_")):
        assert f'absent(up{{job="{job}"}})' in exprs["GovopsExporterAbsent"], job
        down = exprs["GovopsExporterDown"] if job != "govops-sa-forwarder" else sa["SAForwarderDown"]
        assert re.search(rf'up\{{job=~?"[^"]*{re.escape(job)}', down), job
    for rule in rules():
        assert rule["labels"]["department"] == "noc"
        url = rule["annotations"]["runbook_url"]
        assert url == f"runbooks/alerts/{rule['alert']}.md" and (ROOT / url).is_file()
        text = (ROOT / url).read_text()
        assert "First checks" in text and "Escalation" in text


def test_scrape_duration_thresholds_are_80_percent_of_the_generated_timeouts():
    inv = load_inventory(ROOT / "inventories" / "lab")
    expr = next(r["expr"] for r in rules() if r["alert"] == "ScrapeDurationNearTimeout")
    thresholds = {}
    for jobs, limit in re.findall(r'scrape_duration_seconds\{job=~?"([^"]+)"\} > (\d+)', expr):
        for job in jobs.split("|"):
            thresholds[job] = float(limit)
    cfg = prometheus_yml(inv, {"snmp": "a:1", "readiness": "a:2", "migration": "a:3", "sa_forwarder": "a:4",
                               "alertmanager": "a:5"})
    default = cfg["global"]["scrape_timeout"]
    for job in cfg["scrape_configs"]:
        timeout = float(job.get("scrape_timeout", default).rstrip("s"))
        key = "snmp_.+" if job["job_name"].startswith("snmp_") else job["job_name"]
        assert thresholds[key] == pytest.approx(0.8 * timeout), job["job_name"]


@promtool
def test_runbook_base_renders_absolute_links(tmp_path):
    inv = load_inventory(ROOT / "inventories" / "lab")
    generate(inv, tmp_path, runbook_base=BASE.rstrip("/"))
    urls = [r["annotations"]["runbook_url"] for f in sorted((tmp_path / "rules").glob("*.yml"))
            for g in yaml.safe_load(f.read_text())["groups"] for r in g["rules"] if "alert" in r]
    assert len(urls) > 20 and all(u.startswith(BASE) for u in urls), urls
    assert BASE + "runbooks/alerts/Watchdog.md" in urls
    assert BASE + "security/sa/README.md#operations" in urls  # SA rules too
    for u in urls:
        path = u.removeprefix(BASE).split("#")[0]
        assert (ROOT / path).is_file(), u
    run("promtool", "check", "config", "prometheus.yml", cwd=tmp_path)
    # Without a base the copies keep the repository paths.
    generate(inv, tmp_path / "plain")
    assert "runbook_url: runbooks/alerts/Watchdog.md" in (tmp_path / "plain" / "rules" / "selfmon.yml").read_text()


def test_runbook_base_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVOPS_RUNBOOK_BASE", BASE)
    generate(load_inventory(ROOT / "inventories" / "lab"), tmp_path)
    assert f"runbook_url: {BASE}runbooks/alerts/DeviceUnreachable.md" in (tmp_path / "rules" / "alerts.yml").read_text()


def test_runbook_base_must_be_a_url_and_never_rewrites_the_sources():
    with pytest.raises(ValueError, match="expected an http"):
        absolute_runbooks({"groups": [{"rules": [{"alert": "X", "annotations": {"runbook_url": "r.md"}}]}]},
                          "git.example/x")
    with pytest.raises(ValueError, match="output directory"):
        generate(load_inventory(ROOT / "inventories" / "lab"), PROM, runbook_base=BASE)
