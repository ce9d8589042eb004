"""Integration on the lab twin (`inventories/lab` built by the shared `lab` fixture).

The SNMP exporter and Debian's Prometheus (config from `govops monitoring generate`, faster
intervals) run in the twin's mgmt namespace; the devices' snmpd agents are the twin's. Run as
root with a prefix of your own, e.g. `GOVOPS_LAB_PREFIX=gm pytest tests/monitoring/test_twin_monitoring.py`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from govops.sot import load_inventory
from lab.lifecycle import down
from lab.state import Lab, LabNotRunning
from monitoring.dashboards import OUT, panel_queries
from monitoring.promconfig import generate
from tests.lab.labctl import INVENTORY, PREFIX, lab_cli
from tests.paths import ROOT

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not shutil.which("prometheus"), reason="Debian prometheus needed"),
]

EXPORTER, PROM = "127.0.0.1:19216", "127.0.0.1:19290"
INV = ROOT / "inventories" / "lab"


class Stack:
    def __init__(self, twin, tmp: Path):
        self.lab, self.tmp, self.procs = twin, tmp, []

    def spawn(self, argv, log: str, env=None):
        p = subprocess.Popen(self.lab.command("mgmt", argv), stdout=open(self.tmp / log, "ab"),
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        self.procs.append(p)

    def close(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)

    def query(self, expr: str) -> list[dict]:
        out = self.lab.exec_mgmt(["curl", "-sS", "-m", "10", "-G", f"http://{PROM}/api/v1/query",
                                  "--data-urlencode", f"query={expr}"], check=True).stdout
        data = json.loads(out)
        assert data["status"] == "success", f"{expr}: {data}"
        return data["data"]["result"]

    def curl(self, url: str) -> str:
        return self.lab.exec_mgmt(["curl", "-sS", "-m", "15", url], check=True).stdout


def wait_for(what, fn, timeout=60.0):
    end, last = time.monotonic() + timeout, None
    while time.monotonic() < end:
        try:
            last = fn()
        except subprocess.CalledProcessError:
            last = None  # not listening yet
        if last:
            return last
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def twin():
    """The lab twin: reuse the one the shared session fixture (tests/lab/conftest.py) keeps up when
    tests/lab ran first in this session, else build it here and take it down afterwards.
    (Importing that fixture here would make a second fixture definition and a second `lab up`.)"""
    try:
        yield Lab.load(PREFIX)
        return
    except LabNotRunning:
        pass
    try:
        lab_cli("up", "-i", str(INVENTORY))
        yield Lab.load(PREFIX)
    finally:
        down(PREFIX)


@pytest.fixture(scope="module")
def stack(twin, tmp_path_factory):
    lab = twin
    tmp = tmp_path_factory.mktemp("gm-twin")
    inv = load_inventory(INV)
    dev = next(iter(inv.devices.values()))
    bad = tmp / "auths.json"
    bad.write_text(json.dumps({"badkey": {"version": 3, "user": dev.snmp.v3_user, "auth_key": "wrong-auth-key-1",
                                          "priv_key": "wrong-priv-key-1"}}))
    out = tmp / "prom"
    generate(inv, out, endpoints={"snmp": EXPORTER})
    cfg = yaml.safe_load((out / "prometheus.yml").read_text())
    cfg["global"] |= {"scrape_interval": "3s", "scrape_timeout": "2500ms", "evaluation_interval": "3s"}
    cfg["scrape_configs"] = [dict(j, scrape_interval="3s", scrape_timeout="2500ms")
                             for j in cfg["scrape_configs"] if j["job_name"].startswith("snmp_")]
    cfg.pop("alerting")
    (out / "prometheus.yml").write_text(yaml.safe_dump(cfg))
    alerts = (out / "rules" / "alerts.yml").read_text()
    (out / "rules" / "alerts.yml").write_text(alerts.replace("        for: 2m\n", "        for: 6s\n", 1))
    s = Stack(lab, tmp)
    try:
        s.spawn([sys.executable, "-m", "monitoring.cli", "exporter", "snmp", "-i", str(INV), "--listen", EXPORTER,
                 "--auth-file", str(bad), "--timeout", "0.5", "--retries", "1", "--deadline", "2"], "snmp.log",
                {**os.environ, "PYTHONPATH": str(ROOT)})
        s.spawn(["prometheus", f"--config.file={out / 'prometheus.yml'}", f"--storage.tsdb.path={tmp / 'tsdb'}",
                 f"--web.listen-address={PROM}"], "prometheus.log")
        wait_for("every device scraped", lambda: len(s.query('snmp_up{job="snmp_if_mib"} == 1')) == len(inv.devices))
        yield s, inv
    finally:
        s.close()


def test_ifhcinoctets_for_every_twin_interface_with_vendor_names(stack):
    s, inv = stack
    for name in inv.devices:
        got = {r["metric"]["ifName"] for r in s.query(f'ifHCInOctets{{device="{name}"}}')}
        want = {end.interface for _, end, _ in inv.links_of(name)}
        assert want <= got, f"{name}: missing {want - got}"


def test_counters_grow_with_traffic(stack):
    s, inv = stack
    link = inv.links[0]
    far = str(link.addresses()[1].ip)
    sel = f'ifHCOutOctets{{device="{link.a.device}",ifName="{link.a.interface}"}}'
    before = float(s.query(sel)[0]["value"][1])
    s.lab.run(link.a.device, ["ping", "-q", "-c", "100", "-i", "0.01", "-s", "1200", far], check=True)
    wait_for("ifHCOutOctets to grow", lambda: float(s.query(sel)[0]["value"][1]) >= before + 100 * 1200, timeout=40)


def test_wrong_v3_key_gives_snmp_up_0_and_a_log_line(stack):
    s, inv = stack
    name = next(iter(inv.devices))
    out = s.curl(f"http://{EXPORTER}/snmp?target={name}&module=system&auth=badkey")
    assert re.search(r"^snmp_up 0\.0$", out, re.M)
    wait_for("log line", lambda: re.search(rf"snmp scrape of {name} .* failed", (s.tmp / "snmp.log").read_text()), 5)
    assert re.search(r"^snmp_up 1\.0$", s.curl(f"http://{EXPORTER}/snmp?target={name}&module=system&auth=v3"), re.M)


def test_interface_dashboard_queries_return_data(stack):
    s, _ = stack
    d = json.loads((OUT / "interface-detail.json").read_text())
    wait_for("recording rules", lambda: s.query("govops:if_in_utilisation:ratio_rate5m"), timeout=30)
    for title, expr in panel_queries(d):
        assert s.query(expr.replace("$device", ".+").replace("$interface", ".+")), title


def test_snmp_fault_stop_turns_target_down_and_fires_alert(stack):
    s, inv = stack
    victim = "core-2"
    lab_cli("fault", "snmp", victim, "stop", prefix=s.lab.prefix)
    try:
        wait_for("snmp_up 0", lambda: s.query(f'snmp_up{{job="snmp_if_mib",device="{victim}"}} == 0'), timeout=30)
        t0 = time.time()
        wait_for("others still scraped", lambda: len(s.query(
            f'timestamp(snmp_up{{job="snmp_if_mib",device!="{victim}"}} == 1) > {t0:f}')) == len(inv.devices) - 1, 15)
        wait_for("DeviceUnreachable firing", lambda: s.query(
            f'ALERTS{{alertname="DeviceUnreachable",alertstate="firing",device="{victim}"}}'), timeout=40)
    finally:
        lab_cli("fault", "snmp", victim, "start", prefix=s.lab.prefix)


def test_readiness_after_ipv6_addresses_are_applied(stack):
    """Before: no device has its planned IPv6; after adding the plan's addresses (what the
    upgrade does to the kernel), every device reports dual-stack."""
    from govops import ipv6
    from monitoring.readiness.devices import planned_addresses

    s, inv = stack
    plan = ipv6.require_plan(inv)
    port = "127.0.0.1:19227"
    s.spawn([sys.executable, "-m", "monitoring.cli", "exporter", "readiness", "-i", str(INV), "--listen", port,
             "--no-websites"], "readiness.log", {**os.environ, "PYTHONPATH": str(ROOT)})

    def dual_stack() -> dict[str, float]:
        text = s.curl(f"http://{port}/metrics")
        return {m["device"]: float(v) for m, v in
                ((dict(re.findall(r'(\w+)="([^"]*)"', line)), line.rsplit(" ", 1)[1])
                 for line in text.splitlines() if line.startswith("govops_ipv6_dual_stack{"))}

    before = wait_for("readiness metrics", dual_stack, timeout=30)
    assert set(before) == set(inv.devices)
    assert not all(v == 1 for v in before.values()), "the twin is already dual-stack: nothing to show"
    applied, disabled = [], []

    def ensure(name: str, addr: str, dev: str) -> None:
        # The twin may already carry some planned addresses; add (and later remove) only the missing ones.
        shown = s.lab.run(name, ["ip", "-6", "-o", "addr", "show", "dev", dev], check=True).stdout
        if f" {addr} " not in shown:
            # Before the upgrade the twin keeps IPv6 off on data links; the upgrade turns it on.
            key = f"net/ipv6/conf/{dev}/disable_ipv6"
            if s.lab.run(name, ["sysctl", "-n", key], check=True).stdout.strip() == "1":
                s.lab.run(name, ["sysctl", "-qw", f"{key}=0"], check=True)
                disabled.append((name, key))
            r = s.lab.run(name, ["ip", "-6", "addr", "add", addr, "dev", dev, "nodad"])
            assert r.returncode == 0, f"{name} {dev} {addr}: {r.stderr}\n{shown}"
            applied.append((name, addr, dev))

    for name in inv.devices:
        for link, end, _ in inv.links_of(name):
            a, b = plan.link_addresses(link)
            ensure(name, str(a if link.a == end else b), s.lab.kernel_name(name, end.interface))
        ensure(name, str(plan.loopbacks[name]), "lo")
        assert len(planned_addresses(inv, plan, name)) == len(inv.links_of(name)) + 1
    try:
        wait_for("every device dual-stack", lambda: (d := dual_stack()) and all(v == 1 for v in d.values()),
                 timeout=60)
    finally:
        for name, addr, dev in applied:
            s.lab.run(name, ["ip", "-6", "addr", "del", addr, "dev", dev])
        for name, key in disabled:
            s.lab.run(name, ["sysctl", "-qw", f"{key}=1"])
