"""Integration: govops' exporters and Debian's Prometheus against live net-snmp agents.

Runs in its own namespace `gm-mon` (the shared lab twin's fixture is not used yet): two
snmpd agents on 127.0.0.1:1161/1162 stand in for two devices with vendor interface names;
the SNMP, readiness and migration exporters and `prometheus` run inside the namespace;
queries go through `ip netns exec gm-mon curl`. Everything is removed at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from monitoring.dashboards import DASHBOARDS, OUT, panel_queries
from monitoring.lint import promtool_findings
from tests.paths import ROOT
from tests.snmp_agents import COMMUNITY, V3_AUTH, V3_PRIV, V3_USER, AgentNamespace
from tests.snmp_recordings import overrides

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not shutil.which("prometheus") or not shutil.which("snmpd"),
                       reason="Debian prometheus and snmpd needed"),
]

NS = "gm-mon"
EXPORTER, READINESS, MIGRATION, PROM = "127.0.0.1:19116", "127.0.0.1:19127", "127.0.0.1:19128", "127.0.0.1:19090"
RENAMES_A = {"gmd0": "GigabitEthernet0/0/1", "gmd1": "GigabitEthernet0/0/2", "gmd-v6": "GigabitEthernet0/0/3"}
RENAMES_B = {"gmd0": "Ten-GigabitEthernet1/0/1", "gmd1": "Ten-GigabitEthernet1/0/2"}


def curl(url: str, timeout: float = 15) -> str:
    return subprocess.run(["ip", "netns", "exec", NS, "curl", "-sS", "-m", str(timeout), url],
                          check=True, capture_output=True, text=True).stdout


def query(expr: str) -> list[dict]:
    data = json.loads(subprocess.run(["ip", "netns", "exec", NS, "curl", "-sS", "-m", "10", "-G",
                                      f"http://{PROM}/api/v1/query", "--data-urlencode", f"query={expr}"],
                                     check=True, capture_output=True, text=True).stdout)
    assert data["status"] == "success", f"{expr}: {data}"
    return data["data"]["result"]


def wait_for(what: str, fn, timeout: float = 60, every: float = 1.0):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
        except subprocess.CalledProcessError as exc:  # not listening yet
            last = exc.stderr
        if last and not isinstance(last, str):
            return last
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what} (last: {last})")


def prometheus_config(tmp: Path) -> Path:
    rules = tmp / "rules"
    rules.mkdir()
    shutil.copy(ROOT / "monitoring/prometheus/rules/recording.yml", rules)
    # Short `for:` so DeviceUnreachable fires within the test; otherwise the committed rule.
    alerts = (ROOT / "monitoring/prometheus/rules/alerts.yml").read_text()
    (rules / "alerts.yml").write_text(alerts.replace("        for: 2m\n", "        for: 4s\n", 1))

    def snmp_job(module: str) -> dict:
        return {"job_name": f"snmp_{module}", "metrics_path": "/snmp", "params": {"module": [module], "auth": ["gm_v3"]},
                "static_configs": [
                    {"targets": ["127.0.0.1:1161"], "labels": {"device": "dev-a", "site": "city", "tier": "core"}},
                    {"targets": ["127.0.0.1:1162"], "labels": {"device": "dev-b", "site": "fenyi", "tier": "aggregation"}}],
                "relabel_configs": [{"source_labels": ["__address__"], "target_label": "__param_target"},
                                    {"source_labels": ["__param_target"], "target_label": "instance"},
                                    {"target_label": "__address__", "replacement": EXPORTER}]}
    cfg = {"global": {"scrape_interval": "2s", "scrape_timeout": "1500ms", "evaluation_interval": "2s"},
           "rule_files": ["rules/recording.yml", "rules/alerts.yml"],
           "scrape_configs": [snmp_job("if_mib"), snmp_job("ipv6"), snmp_job("system"), snmp_job("huawei"),
                              {"job_name": "govops_readiness", "scrape_interval": "10s", "scrape_timeout": "9s",
                               "static_configs": [{"targets": [READINESS]}]},
                              {"job_name": "govops_migration", "static_configs": [{"targets": [MIGRATION]}]}]}
    path = tmp / "prometheus.yml"
    path.write_text(yaml.safe_dump(cfg))
    subprocess.run(["promtool", "check", "config", str(path)], check=True, capture_output=True)
    return path


def db_dr_lines() -> list[dict]:
    at, db = "2026-11-29T02:00:00+00:00", {"system": "data-exchange", "observed_at": "2026-11-29T02:00:00+00:00"}
    repl = {**db, "primary_data_ts": at, "source": "pg_stat_replication"}
    bk = {**db, "source": "pgbackrest", "repository_host": "cloud-remote-1"}
    return [{**repl, "replication": "sync-same-city", "replica_data_ts": at, "lag_bytes": 0},
            {**repl, "replication": "async-remote", "replica_data_ts": "2026-11-29T01:59:58+00:00", "lag_bytes": 16384},
            {**bk, "backup_type": "full", "backup_stop": "2026-11-29T01:30:00+00:00"},
            {**bk, "restore_test_ok": True, "restore_target": "2026-11-29T01:45:00+00:00"},
            {**bk, "archive_failed_count": 0, "archive_last_failed": None, "archive_last_archived": at}]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gm-mon")
    ns = AgentNamespace(NS)
    try:
        ns.create(dummies=2)
        # dev-a also serves a real Huawei S5720's entity and optics rows (health dashboard row).
        ns.add_agent("dev-a", 1161, RENAMES_A, overrides=overrides("huawei_s5720.snmprec"))
        ns.add_agent("dev-b", 1162, RENAMES_B)
        auths = tmp / "auths.json"
        auths.write_text(json.dumps({
            "gm_v2": {"version": 2, "community": COMMUNITY},
            "gm_v3": {"version": 3, "user": V3_USER, "auth_key": V3_AUTH, "priv_key": V3_PRIV},
            "gm_v3_badkey": {"version": 3, "user": V3_USER, "auth_key": "not-the-auth-key", "priv_key": V3_PRIV},
        }))
        py = [sys.executable, "-m", "monitoring.cli"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        logs = {n: tmp / f"{n}.log" for n in ("snmp", "readiness", "migration", "prometheus")}
        ns.spawn([*py, "exporter", "snmp", "-i", str(ROOT / "inventories/lab"), "--listen", EXPORTER,
                  "--auth-file", str(auths), "--timeout", "0.4", "--retries", "1", "--deadline", "1.2"], logs["snmp"], env)
        names = tmp / "names"
        names.write_text("127.0.0.1 nothing.gm.example\n")
        ns.spawn([*py, "exporter", "readiness", "-i", str(ROOT / "inventories/lab"), "--listen", READINESS,
                  "--names", str(names)], logs["readiness"], env)
        journal, dr = tmp / "journal.jsonl", tmp / "dr.jsonl"
        journal.write_text(json.dumps({"ts": "2026-11-01T10:00:00+08:00", "system": "data-exchange",
                                       "step": "copy", "outcome": "ok"}) + "\n")
        dr.write_text(json.dumps({"system": "gov-portal", "observed_at": "2026-11-29T02:00:00+00:00",
                                  "primary_data_ts": "2026-11-29T02:00:00+00:00",
                                  "replica_data_ts": "2026-11-29T01:59:00+00:00"}) + "\n")
        with dr.open("a") as fh:  # a database's lines (govops/migrate/pgdr.py, pgbackup.py): the DB DR row
            for line in db_dr_lines():
                fh.write(json.dumps(line) + "\n")
        textdir = tmp / "textfiles"
        textdir.mkdir()
        (textdir / "drift.prom").write_text("govops_net_drift_devices 0\n")
        ns.spawn([*py, "exporter", "migration", "-i", str(ROOT / "inventories/lab"), "--listen", MIGRATION,
                  "--journal", str(journal), "--dr-status", str(dr), "--textfile-dir", str(textdir)],
                 logs["migration"], env)
        ns.spawn(["prometheus", f"--config.file={prometheus_config(tmp)}", f"--storage.tsdb.path={tmp / 'tsdb'}",
                  f"--web.listen-address={PROM}"], logs["prometheus"])
        wait_for("prometheus to scrape both agents", lambda: len(query('snmp_up{job="snmp_if_mib"} == 1')) == 2)
        yield ns, logs
    finally:
        ns.close()


def test_every_interface_has_ifhcinoctets_with_vendor_names(stack):
    ns, _ = stack
    kernel = ns.ifindexes()
    res = query('ifHCInOctets{device="dev-a"}')
    by_index = {int(r["metric"]["ifIndex"]): r["metric"]["ifName"] for r in res}
    assert set(by_index) == set(kernel.values())
    for kname, vendor in RENAMES_A.items():
        assert by_index[kernel[kname]] == vendor
        assert next(r for r in res if r["metric"]["ifName"] == vendor)["metric"]["ifDescr"] == vendor
    assert {r["metric"]["ifName"] for r in query('ifHCInOctets{device="dev-b"}')} >= set(RENAMES_B.values())


def test_counters_grow_when_traffic_flows(stack):
    before = float(query('ifHCInOctets{device="dev-a",ifName="lo"}')[0]["value"][1])
    subprocess.run(["ip", "netns", "exec", NS, "ping", "-q", "-c", "50", "-i", "0.01", "-s", "1000", "127.0.0.1"],
                   check=True, capture_output=True)
    wait_for("ifHCInOctets on lo to grow by the ping traffic",
             lambda: float(query('ifHCInOctets{device="dev-a",ifName="lo"}')[0]["value"][1]) >= before + 50 * 1000,
             timeout=20)


def test_snmpv3_wrong_key_gives_snmp_up_0_and_a_clear_log_line(stack):
    _, logs = stack
    out = curl(f"http://{EXPORTER}/snmp?target=127.0.0.1:1161&module=if_mib&auth=gm_v3_badkey")
    assert re.search(r"^snmp_up 0\.0$", out, re.M) and "ifHCInOctets{" not in out
    wait_for("the log line", lambda: re.search(r"snmp scrape of 127\.0\.0\.1:1161 .*v3.* failed: .*(digest|auth|decrypt)",
                                               logs["snmp"].read_text(), re.I), timeout=5)
    good = curl(f"http://{EXPORTER}/snmp?target=127.0.0.1:1161&module=if_mib&auth=gm_v3")
    assert re.search(r"^snmp_up 1\.0$", good, re.M) and "GigabitEthernet0/0/1" in good


def test_exporter_output_passes_promtool(stack):
    for module in ("if_mib", "ipv6", "system", "huawei", "h3c"):
        out = curl(f"http://{EXPORTER}/snmp?target=127.0.0.1:1161&module={module}&auth=gm_v2")
        assert re.search(r"^snmp_up 1\.0$", out, re.M), module  # vendor MIBs absent: no data, no error
        assert promtool_findings(out.encode()) == [], module
    for url in (f"http://{EXPORTER}/metrics", f"http://{MIGRATION}/metrics", f"http://{READINESS}/metrics"):
        assert promtool_findings(curl(url, timeout=30).encode()) == [], url


def test_dashboard_panels_return_data(stack):
    # Rate windows need two samples and the recording rules one evaluation: wait for the slowest.
    wait_for("recording rules", lambda: query("govops:if_in_utilisation:ratio_rate5m"), timeout=30)
    wait_for("readiness scrape", lambda: query("govops_ipv6_dual_stack_ratio_by_tier"), timeout=40)
    # The OSPF row needs OSPF-MIB, which these plain snmpd agents do not have: it is checked against
    # FRR's AgentX sub-agents on the lab (tests/lab/routing/test_ospf_monitoring.py).
    panels = {f"{name} / {title} / {expr}": expr.replace("$device", ".+").replace("$interface", ".+")
              for name in DASHBOARDS
              for title, expr in panel_queries(json.loads((OUT / f"{name}.json").read_text()))
              if 'job="snmp_ospf"' not in expr}
    # Each recording-rule chain fills on its own scrape cadence; give the slowest a few evaluations.
    end = time.monotonic() + 30
    while panels and time.monotonic() < end:
        panels = {title: expr for title, expr in panels.items() if not query(expr)}  # query() asserts no error
        if panels:
            time.sleep(2)
    assert not panels, "panels without data:\n" + "\n".join(f"{t}: {e}" for t, e in panels.items())


def test_stopped_agent_goes_down_others_keep_being_scraped_and_alert_fires(stack):
    ns, _ = stack
    ns.stop("dev-b")
    wait_for("snmp_up 0 for dev-b", lambda: query('snmp_up{job="snmp_if_mib",device="dev-b"} == 0'), timeout=20)
    t0 = time.time()
    wait_for("fresh dev-a samples", lambda: query(f'timestamp(snmp_up{{job="snmp_if_mib",device="dev-a"}} == 1) > {t0:f}'),
             timeout=10)
    wait_for("DeviceUnreachable firing for dev-b",
             lambda: query('ALERTS{alertname="DeviceUnreachable",alertstate="firing",device="dev-b"}'), timeout=30)
    assert not query('ALERTS{alertname="DeviceUnreachable",device="dev-a"}')
    # A dead agent costs at most the exporter's deadline, not Prometheus' scrape timeout.
    assert float(query('scrape_duration_seconds{job="snmp_if_mib",device="dev-b"}')[0]["value"][1]) < 1.5
