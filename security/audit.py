"""`govops sec audit`: run the MLPS level-3 checks over hosts and report per control.

Writes, under --out: report.md (per host, per control, pass/fail with evidence), report.json,
and mlps.prom (Prometheus textfile: govops_mlps_control_pass, govops_mlps_host_compliance_ratio).
Every failure is appended as one JSON line (``kind: compliance``) to the compliance results file
that the SA forwarder follows (``govops sa forward --journal FILE``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import testinfra
from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from security.baseline.catalogue import Control, load_controls
from security.baseline.check_kinds import run_check

DEFAULT_OUT = Path("run/security/audit")
DEFAULT_RESULTS = Path("run/security/compliance.jsonl")


@dataclass
class ControlResult:
    control: str
    ces1: str
    clause: str
    title_zh: str
    title_en: str
    passed: bool
    evidence: list[str]


@dataclass
class HostReport:
    host: str
    url: str
    site: str | None = None
    department: str | None = None
    error: str | None = None  # the host could not be reached: every control counts as failed
    results: list[ControlResult] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return sum(r.passed for r in self.results) / len(self.results) if self.results else 0.0


def host_url(name: str, address: str, ssh_config: str | None, control_dir: str, user: str = "root") -> str:
    """testinfra ssh backend URL. With the lab's ssh_config, hosts are addressed by name (it
    carries HostName, the key and known_hosts); multiplexed so ~50 commands share one login.
    A named administrator (the inventory's ansible_user) logs in and every check runs under
    `sudo -n`: the MLPS baseline refuses root's SSH login, and the checks read root-only files."""
    user = user or "root"
    params = [f"controlpath={quote(os.path.join(control_dir, name), safe='/')}", "controlpersist=30", "timeout=15"]
    if user != "root":
        params.append("sudo=true")
    login = quote(user, safe="")
    if ssh_config:
        params.insert(0, f"ssh_config={quote(ssh_config, safe='/')}")
        return f"ssh://{login}@{name}?" + "&".join(params)
    return f"ssh://{login}@{address}?" + "&".join(params)


def audit_host(name: str, url: str, controls: list[Control], lab: bool,
               site: str | None = None, department: str | None = None) -> HostReport:
    report = HostReport(host=name, url=url, site=site, department=department)
    host = testinfra.get_host(url)
    try:
        probe = host.run("true")
        if probe.rc != 0:
            raise RuntimeError(probe.stderr.strip() or f"exit {probe.rc}")
    except Exception as exc:  # noqa: BLE001 - an unreachable host is a finding, not a crash
        report.error = f"cannot reach {name}: {exc}"

    def one(control: Control) -> ControlResult:
        if report.error:
            passed, evidence = False, [report.error]
        else:
            outcome = run_check(host, control.check.kind, control.check.params, lab)
            passed, evidence = outcome.passed, outcome.evidence
        return ControlResult(control.id, control.ces1, control.clause, control.title.zh, control.title.en,
                             passed, evidence)

    # Several sessions over the one multiplexed connection (sshd's MaxSessions is 10, we use 4).
    with ThreadPoolExecutor(max_workers=4) as pool:
        report.results = list(pool.map(one, controls))
    return report


def run_audit(targets: dict[str, str], controls: list[Control], lab: bool,
              facts: dict[str, dict[str, str | None]] | None = None, workers: int = 8) -> list[HostReport]:
    facts = facts or {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        futures = [pool.submit(audit_host, name, url, controls, lab, **facts.get(name, {}))
                   for name, url in targets.items()]
        return [f.result() for f in futures]


# -- outputs ----------------------------------------------------------------------------------

def write_markdown(reports: list[HostReport], path: Path, lab: bool) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# MLPS level-3 baseline audit ({now})", "",
             "GB/T 22239-2019 §8.1.4 安全计算环境; evaluation ids GB/T 28448-2019 L3-CES1-*."
             + (" Lab mode: kernel-global settings judged from configuration (security/baseline/README.md)." if lab else ""),
             "", "| host | passed | failed | compliance |", "|---|---:|---:|---:|"]
    for r in reports:
        ok = sum(x.passed for x in r.results)
        lines.append(f"| {r.host} | {ok} | {len(r.results) - ok} | {r.ratio:.0%} |")
    for r in reports:
        lines += ["", f"## {r.host}", ""]
        if r.error:
            lines += [f"**unreachable**: {r.error}", ""]
        lines += ["| control | clause | result | title |", "|---|---|---|---|"]
        for x in r.results:
            lines.append(f"| `{x.control}` | {x.clause} | {'pass' if x.passed else '**FAIL**'} | {x.title_zh} / {x.title_en} |")
        for x in r.results:
            if not x.passed:
                lines += ["", f"### {x.control} — FAIL", "", "```", *x.evidence, "```"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_json(reports: list[HostReport], path: Path) -> None:
    data = [{**asdict(r), "compliance_ratio": r.ratio} for r in reports]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_metrics(reports: list[HostReport], path: Path) -> None:
    """Textfile for node_exporter's textfile collector (written atomically by write_to_textfile)."""
    registry = CollectorRegistry()
    passed = Gauge("govops_mlps_control_pass", "1 if the host passes the MLPS level-3 control, else 0",
                   ["host", "control", "clause"], registry=registry)
    ratio = Gauge("govops_mlps_host_compliance_ratio", "Share of MLPS level-3 controls the host passes",
                  ["host"], registry=registry)
    when = Gauge("govops_mlps_audit_timestamp_seconds", "When the host was last audited", ["host"], registry=registry)
    for r in reports:
        for x in r.results:
            passed.labels(r.host, x.control, x.clause).set(1 if x.passed else 0)
        ratio.labels(r.host).set(r.ratio)
        when.labels(r.host).set_to_current_time()
    write_to_textfile(str(path), registry)


def compliance_events(reports: Iterable[HostReport]) -> list[dict]:
    """One record per failed control, in the journal format security/sa reads (kind: compliance)."""
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return [{"time": now, "kind": "compliance", "host": r.host, "control": x.control, "ces1": x.ces1,
             "clause": x.clause, "outcome": "failure", "site": r.site, "department": r.department,
             "summary": f"MLPS {x.control} failed on {r.host}: {x.title_en}",
             "evidence": "; ".join(e for e in x.evidence if not e.startswith("ok "))[:2000]}
            for r in reports for x in r.results if not x.passed]


def append_events(events: list[dict], path: Path) -> None:
    """Whole lines in one write per line, fsynced: the forwarder only reads complete lines."""
    if not events:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        for event in events:
            os.write(fd, (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def audit(targets: dict[str, str], out: Path, results_file: Path, lab: bool,
          facts: dict[str, dict[str, str | None]] | None = None,
          controls: list[Control] | None = None) -> list[HostReport]:
    """Run and write everything; the return value is what the CLI summarises."""
    controls = controls if controls is not None else load_controls()
    reports = run_audit(targets, controls, lab, facts)
    out.mkdir(parents=True, exist_ok=True)
    write_markdown(reports, out / "report.md", lab)
    write_json(reports, out / "report.json")
    write_metrics(reports, out / "mlps.prom")
    append_events(compliance_events(reports), results_file)
    return reports


def control_dir() -> str:
    return tempfile.mkdtemp(prefix="govops-audit-")
