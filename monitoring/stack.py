"""govops' exporters and Debian's Prometheus on a running lab twin, in its mgmt namespace.

One implementation for `make demo` (govops/demo.py) and the twin tests (tests/lab/monitoring/):
the Prometheus config comes from the SoT (`monitoring.promconfig.generate`, as `govops monitoring
generate` writes it) with short intervals so a run sees data within seconds; every process is
started in a session of its own, its PID kept, and `close()` stops exactly those PIDs.
Queries go to Prometheus' HTTP API with curl inside the mgmt namespace, as an operator would::

    govops lab exec --prefix PREFIX -- curl -sG http://127.0.0.1:19290/api/v1/query --data-urlencode query=up
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from monitoring.promconfig import generate

ROOT = Path(__file__).resolve().parents[1]
# Ports inside the lab's mgmt namespace (its own network stack: no clash with the host's 9090/9116).
PORTS = {"snmp": "127.0.0.1:19216", "readiness": "127.0.0.1:19227", "migration": "127.0.0.1:19228",
         "prometheus": "127.0.0.1:19290", "alertmanager": "127.0.0.1:19293", "sa_forwarder": "127.0.0.1:19296",
         "sa_webhook": "127.0.0.1:19295"}
# exporter -> the scrape job of its own /metrics (the snmp exporter's device jobs are snmp_<module>)
VARIANT = ROOT / "monitoring" / "prometheus" / "variants" / "device_failure_as_http_error.yml"
JOBS = {"snmp": "govops_snmp_exporter", "readiness": "govops_readiness", "migration": "govops_migration",
        "sa_forwarder": "govops-sa-forwarder"}


def wait_for(what: str, fn: Callable, timeout: float = 60.0, every: float = 1.0):
    """fn()'s first truthy value; a failed curl (not listening yet) or a non-JSON answer (Prometheus
    answers 503 text while it starts) counts as not yet."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            last = fn()
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            last = None
        if last:
            return last
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def fast_config(inv, out: Path, exporters: tuple[str, ...], interval: float = 3.0,
                alert_for: dict[str, str] | None = None, ports: dict[str, str] = PORTS,
                alertmanager: bool = False, failed_scrape: str = "status-200") -> Path:
    """The generated config with every job at `interval` (timeout 80 % of it), only the jobs of the
    exporters we run (no scrape of an absent SA forwarder), Alertmanager only if `alertmanager`, and
    the `for:` of the alerts named in `alert_for` (in any rule file) shortened. With `failed_scrape`
    "status-500" (the SNMP exporter's --failed-scrape) the rules that go with it: DeviceUnreachable
    on `up` (prometheus/variants/), no SNMPScrapeFailed. Returns prometheus.yml."""
    generate(inv, out, endpoints={k: v for k, v in ports.items() if k != "prometheus"})
    path = out / "prometheus.yml"
    cfg = yaml.safe_load(path.read_text())
    every, timeout = f"{interval:g}s", f"{int(interval * 800)}ms"
    cfg["global"] |= {"scrape_interval": every, "scrape_timeout": timeout, "evaluation_interval": every}
    keep = {JOBS[e] for e in exporters if e in JOBS}
    cfg["scrape_configs"] = [dict(j, scrape_interval=every, scrape_timeout=timeout) for j in cfg["scrape_configs"]
                             if (j["job_name"].startswith("snmp_") and "snmp" in exporters) or j["job_name"] in keep]
    if not alertmanager:
        cfg.pop("alerting", None)
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    only_jobs_run(out / "rules" / "selfmon.yml", {j["job_name"] for j in cfg["scrape_configs"]})
    if failed_scrape == "status-500":
        up_semantics(out / "rules")
    for rules in sorted((out / "rules").glob("*.yml")) if alert_for else ():
        data = yaml.safe_load(rules.read_text())
        hits = [r for g in data["groups"] for r in g["rules"] if r.get("alert") in alert_for]
        for rule in hits:
            rule["for"] = alert_for[rule["alert"]]
        if hits:
            rules.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def only_jobs_run(rules: Path, jobs: set[str]) -> None:
    """GovopsExporterAbsent restricted to the jobs this run scrapes: the exporters a run leaves out
    (no SA forwarder in the demo) are absent on purpose."""
    if not rules.exists():
        return
    data = yaml.safe_load(rules.read_text())
    for group in data["groups"]:
        for rule in list(group["rules"]):
            if rule.get("alert") == "GovopsExporterAbsent":
                terms = [t.strip() for t in rule["expr"].split(" or ")]
                kept = [t for t in terms if any(f'job="{j}"' in t for j in jobs)]
                if kept:
                    rule["expr"] = " or ".join(kept)
                else:
                    group["rules"].remove(rule)
    rules.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def up_semantics(rules: Path) -> None:
    """The rules for an exporter that answers a failed device scrape with HTTP 500
    (monitoring/README.md, "Failure semantics")."""
    variant = yaml.safe_load(VARIANT.read_text())["groups"][0]["rules"]
    for name, replace in (("alerts.yml", {"DeviceUnreachable": variant[0]}), ("selfmon.yml", {"SNMPScrapeFailed": None})):
        data = yaml.safe_load((rules / name).read_text())
        for group in data["groups"]:
            group["rules"] = [replace.get(r.get("alert"), r) if r.get("alert") in replace else r
                              for r in group["rules"]]
            group["rules"] = [r for r in group["rules"] if r is not None]
        (rules / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


class MonitoringStack:
    """Processes in the lab's mgmt namespace. Use as a context manager, or call close()."""

    def __init__(self, lab, workdir: Path, ports: dict[str, str] = PORTS):
        self.lab, self.workdir, self.ports = lab, Path(workdir), dict(ports)
        self.procs: dict[str, subprocess.Popen] = {}
        self.workdir.mkdir(parents=True, exist_ok=True)

    @property
    def prometheus_url(self) -> str:
        return f"http://{self.ports['prometheus']}"

    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        """Start argv in the mgmt namespace, own session (its group is ours to kill), log in workdir/NAME.log."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with open(self.workdir / f"{name}.log", "ab") as log:
            p = subprocess.Popen(self.lab.command("mgmt", argv), stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=env, cwd=ROOT, start_new_session=True)
        self.procs[name] = p
        return p

    def exporter(self, kind: str, *args: str) -> subprocess.Popen:
        return self.spawn(kind, [sys.executable, "-m", "monitoring.cli", "exporter", kind, "-i",
                                 str(self.lab.inventory), "--listen", self.ports[kind], *args])

    def sa_forwarder(self, *args: str) -> subprocess.Popen:
        """`python -m security.sa forward` with its webhook and metrics on the lab ports; args give
        --target, --ca, --server-name (the platform need not answer: events wait in the spool)."""
        return self.spawn("sa_forwarder", [sys.executable, "-m", "security.sa", "forward",
                                           "--listen", self.ports["sa_webhook"], "--metrics", self.ports["sa_forwarder"],
                                           "--spool", str(self.workdir / "sa-spool"), *args])

    def alertmanager(self, config: Path) -> subprocess.Popen:
        """Debian's Alertmanager with `config`, no clustering, its state in workdir."""
        if not shutil.which("prometheus-alertmanager"):
            raise RuntimeError("Debian's prometheus-alertmanager is not installed")
        return self.spawn("alertmanager", ["prometheus-alertmanager", f"--config.file={config}",
                                           f"--storage.path={self.workdir / 'alertmanager'}",
                                           f"--web.listen-address={self.ports['alertmanager']}",
                                           "--cluster.listen-address="])

    def alerts(self) -> list[dict]:
        """Alertmanager's alerts (API v2), inhibited and silenced ones included."""
        return json.loads(self.curl(f"http://{self.ports['alertmanager']}/api/v2/alerts"))

    def kill(self, name: str) -> int:
        """SIGKILL the process group of one process we started (a crash, not a clean stop); its PID."""
        p = self.procs.pop(name)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(10)
        return p.pid

    def start(self, inv, exporters: dict[str, list[str]], interval: float = 3.0,
              alert_for: dict[str, str] | None = None, alertmanager: Path | None = None,
              failed_scrape: str = "status-200") -> None:
        """Start the exporters (kind -> extra CLI args; `sa_forwarder` too), Alertmanager with the
        given config if any, and Prometheus scraping them and sending to it."""
        if not shutil.which("prometheus"):
            raise RuntimeError("Debian's prometheus is not installed (apt-get install prometheus)")
        config = fast_config(inv, self.workdir / "prom", tuple(exporters), interval, alert_for, self.ports,
                             alertmanager is not None, failed_scrape)
        if alertmanager is not None:
            self.alertmanager(alertmanager)
        for kind, args in exporters.items():
            if kind == "sa_forwarder":
                self.sa_forwarder(*args)
            else:
                self.exporter(kind, *args)
        # Alerts evaluated before Alertmanager is discovered are dropped and, by default, resent only
        # after 1 minute: resend at the (short) interval so a run sees them within seconds.
        resend = [f"--rules.alert.resend-delay={interval:g}s"] if alertmanager is not None else []
        self.spawn("prometheus", ["prometheus", f"--config.file={config}",
                                  f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                                  f"--web.listen-address={self.ports['prometheus']}", *resend])

    def check_running(self) -> None:
        dead = {n: p.returncode for n, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise RuntimeError("exited early: " + ", ".join(f"{n} (exit {rc}, log {self.workdir / n}.log)"
                                                            for n, rc in dead.items()))

    def wait_until_up(self, inv, timeout: float = 90.0) -> None:
        """Every device's SNMP scrape and every exporter job up in Prometheus."""
        jobs = [JOBS[k] for k in self.procs if k in JOBS]
        devices = sum(1 for d in inv.devices.values() if d.snmp)

        def ready() -> bool:
            self.check_running()
            snmp = "snmp" not in self.procs or len(self.query('snmp_up{job="snmp_if_mib"} == 1')) == devices
            return snmp and all(self.query(f'up{{job="{j}"}} == 1') for j in jobs)

        wait_for("every target up in Prometheus", ready, timeout)

    def close(self) -> list[int]:
        """SIGTERM each process group we started (SIGKILL after 10 s); returns the PIDs stopped."""
        stopped = []
        for p in self.procs.values():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait(5)
                except ProcessLookupError:
                    pass
                stopped.append(p.pid)
        self.procs.clear()
        return stopped

    def __enter__(self) -> MonitoringStack:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------------------
    def curl(self, url: str, timeout: float = 15) -> str:
        return self.lab.exec_mgmt(["curl", "-sS", "-m", str(timeout), url], check=True).stdout

    def query(self, expr: str) -> list[dict]:
        out = self.lab.exec_mgmt(["curl", "-sS", "-m", "10", "-G", f"{self.prometheus_url}/api/v1/query",
                                  "--data-urlencode", f"query={expr}"], check=True).stdout
        data = json.loads(out)
        if data.get("status") != "success":
            raise RuntimeError(f"{expr}: {data}")
        return data["data"]["result"]

    def by(self, expr: str, label: str) -> dict[str, float]:
        """{label value: sample value} of an instant query."""
        return {r["metric"].get(label, ""): float(r["value"][1]) for r in self.query(expr)}

    def summary(self) -> dict:
        """The numbers the demo reports: devices up per tier, IPv6 dual-stack ratio per tier, interfaces
        scraped, alerts firing/pending."""
        up = self.by('sum by (tier) (snmp_up{job="snmp_if_mib"})', "tier")
        total = self.by('count by (tier) (snmp_up{job="snmp_if_mib"})', "tier")
        alerts: dict[str, list[str]] = {"firing": [], "pending": []}
        # Watchdog always fires (the pipeline's heartbeat): not a problem, not in the list.
        for r in self.query('ALERTS{alertname!="Watchdog"}'):
            m = r["metric"]
            alerts.setdefault(m.get("alertstate", "?"), []).append(
                m["alertname"] + (f"({m['device']})" if "device" in m else ""))
        return {
            "devices_up": {t: (int(up.get(t, 0)), int(n)) for t, n in sorted(total.items())},
            "dual_stack_ratio": self.by("govops_ipv6_dual_stack_ratio_by_tier", "tier"),
            "dual_stack_devices": self.by("govops_ipv6_dual_stack", "device"),
            "interfaces": int(sum(self.by("count(ifHCInOctets)", "").values())),
            "interface_devices": len(self.by("count by (device) (ifHCInOctets)", "device")),
            "alerts": {k: sorted(v) for k, v in alerts.items()},
        }
