"""playbooks/noc.yml on a lab host (the shared session `lab` fixture; dept-srv-1), driven from the
mgmt namespace as an operator would: --check changes nothing, the first run installs, the second
changes nothing; on the host the installed configuration passes promtool, amtool and
`systemd-analyze verify`, and the exporters and Prometheus start the way their units would.

As far as the lab allows: lab hosts are namespaces with overlays on /etc, /var, /root, /home and no
systemd, so `-e govops_lab=true` installs no packages and starts no units; the test starts the
units' ExecStart itself with the unit's environment file, no new privileges and an empty
capability bounding set (setpriv). It runs them as root, not as the unit's user: this checkout's
interpreter lives under /root (mode 0700), which govops-exporter cannot reach.
Run: `GOVOPS_LAB_PREFIX=hi .venv/bin/pytest -q tests/lab/monitoring/test_noc_playbook.py`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.stack import wait_for
from tests.paths import ROOT

pytestmark = pytest.mark.lab
HOST = "dept-srv-1"
ANSIBLE = str(Path(sys.executable).with_name("ansible-playbook"))
UNITS = {"govops-snmp-exporter": "127.0.0.1:9116", "govops-readiness-exporter": "127.0.0.1:9127",
         "govops-migration-exporter": "127.0.0.1:9128"}
ARGS = {"govops-snmp-exporter": "", "govops-readiness-exporter": "--no-websites",
        "govops-migration-exporter": "", "govops-sa-forwarder": ""}


def playbook(lab, tmp: Path, *extra: str) -> dict[str, int]:
    extra_vars = tmp / "noc-vars.json"
    extra_vars.write_text(json.dumps({"noc_hosts": HOST, "govops_lab": True, "noc_sot": str(lab.inventory),
                                      "noc_govops_bin": str(ROOT / ".venv" / "bin" / "govops"),
                                      "noc_unit_args": ARGS}))
    cmd = [ANSIBLE, "-i", str(lab.ansible_inventory), str(ROOT / "playbooks" / "noc.yml"), "-e", f"@{extra_vars}",
           *extra]
    env = {**os.environ, "ANSIBLE_PIPELINING": "1", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"}
    proc = lab.exec_mgmt(cmd, cwd=ROOT, env=env, timeout=900)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    m = re.search(rf"^{HOST}\s+:\s+(ok=.*)$", out, re.M)
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}


def on_host(lab, *argv: str) -> subprocess.CompletedProcess:
    return lab.run(HOST, list(argv))


@pytest.fixture(scope="module")
def installed(lab, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("noc-lab")
    assert on_host(lab, "test", "-e", "/etc/govops").returncode != 0, "host already has /etc/govops"
    check = playbook(lab, tmp, "--check")
    after_check = on_host(lab, "test", "-e", "/etc/govops").returncode
    first = playbook(lab, tmp)
    second = playbook(lab, tmp)
    return check, after_check, first, second


def test_check_changes_nothing_then_idempotent(installed):
    check, after_check, first, second = installed
    assert check["failed"] == 0 and after_check != 0  # --check created nothing on the host
    assert first["changed"] > 0 and second["changed"] == 0, (first, second)


def test_users_and_files_on_the_host_only(lab, installed):
    assert on_host(lab, "id", "-gn", "govops-exporter").stdout.strip() == "govops"
    # The host's /etc is an overlay: the machine itself has no such user and no /etc/govops.
    assert subprocess.run(["getent", "passwd", "govops-exporter"], capture_output=True).returncode != 0
    assert not Path("/etc/govops").exists()


def test_installed_configuration_passes_the_checkers_on_the_host(lab, installed):
    for argv in (["promtool", "check", "config", "/etc/prometheus/prometheus.yml"],
                 ["amtool", "check-config", "/etc/prometheus/alertmanager.yml"],
                 ["systemd-analyze", "verify", "--man=no", *(f"/etc/systemd/system/{u}.service" for u in ARGS)]):
        r = on_host(lab, *argv)
        assert r.returncode == 0 and "warn" not in r.stderr.lower(), f"{argv}: {r.stdout}{r.stderr}"


def unit_command(lab, unit: str) -> list[str]:
    """The unit's ExecStart with its EnvironmentFile applied, under no-new-privs and no capabilities."""
    text = on_host(lab, "cat", f"/etc/systemd/system/{unit}.service").stdout
    env = dict(line.split("=", 1) for line in on_host(lab, "cat", f"/etc/default/{unit}").stdout.splitlines()
               if line and not line.startswith("#"))
    exec_start = re.search(r"^ExecStart=(.*)$", text, re.M).group(1)
    argv = [a for part in shlex.split(exec_start)
            for a in (env.get(part[1:], "").split() if part.startswith("$") else [part])]
    return ["setpriv", "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all", "--",
            "env", *(f"{k}={v}" for k, v in env.items()), *argv]


def test_exporters_and_prometheus_start_as_their_units_would(lab, installed, tmp_path):
    procs = []
    try:
        for unit in UNITS:
            log = open(tmp_path / f"{unit}.log", "wb")  # noqa: SIM115 - closed with the process below
            procs.append((subprocess.Popen(lab.command(HOST, unit_command(lab, unit)), stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True), log))
        procs.append((subprocess.Popen(lab.command(HOST, [
            "prometheus", "--config.file=/etc/prometheus/prometheus.yml",
            "--storage.tsdb.path=/var/lib/govops-noc-test/tsdb", "--web.listen-address=127.0.0.1:9090"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True), None))
        for unit, addr in UNITS.items():
            body = wait_for(f"{unit} /metrics", lambda a=addr: (r := on_host(
                lab, "curl", "-sf", "-m", "20", f"http://{a}/metrics")).returncode == 0 and r.stdout, timeout=60)
            assert "process_cpu_seconds_total" in body or "govops" in body, unit

        def snmp_exporter_up() -> bool:
            r = on_host(lab, "curl", "-sG", "-m", "5", "http://127.0.0.1:9090/api/v1/query",
                        "--data-urlencode", 'query=up{job="govops_snmp_exporter"} == 1')
            return r.returncode == 0 and bool(json.loads(r.stdout)["data"]["result"])

        wait_for("Prometheus scrapes the SNMP exporter unit", snmp_exporter_up, timeout=60)
        for (p, _), unit in zip(procs, UNITS, strict=False):
            assert p.poll() is None, (tmp_path / f"{unit}.log").read_text()[-2000:]
    finally:
        for p, log in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait(5)
            if log:
                log.close()
