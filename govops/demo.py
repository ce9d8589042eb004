"""`make demo`: the main job, end to end, on the built-in lab twin.

1. validate the city and the lab sources of truth; 2. the city's IPv6 plan;
3. bring the lab twin up (namespaces, vendor CLI twins, snmpd, Linux hosts);
4. run the dual-stack upgrade playbook against it and prove end-to-end IPv6 with real pings;
5. drift check; 6. the NOC's view: govops' SNMP, IPv6-readiness and migration exporters and
Debian's Prometheus in the lab's mgmt namespace, read back (devices up, dual-stack ratio,
interfaces, alerts); 7. tear the lab down; 8. the cloud plan (Pulumi program under mocks).
The lab and every monitoring process are always removed at the end, also when a stage fails.
Step 6 alone, on a lab that is up: `python -m govops.demo --monitoring-only --prefix PREFIX [--hold]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from govops import cli

ROOT = Path(__file__).resolve().parents[1]
CITY = "inventories/xinyu"
PREFIX = "govdemo"
console = Console(width=None if sys.stdout.isatty() else 160)


def stage(title: str) -> None:
    console.print(Rule(f"[bold]{title}"))


def govops(*argv: str) -> int:
    return cli.main(list(argv))


MONITORING_RUN = ROOT / "run" / "demo" / "monitoring"


def monitoring_step(lab, hold: bool = False) -> tuple[bool, list[str]]:
    """Exporters (SNMP, IPv6 readiness, migration + drift textfile) and Debian's Prometheus in the
    lab's mgmt namespace, config from the SoT at 5 s intervals; wait until every target is up, then
    read the numbers back from Prometheus. Every process started here is stopped (by PID) before
    returning, also on failure. `hold` keeps them running until Enter (or Ctrl-C) for a look around."""
    from govops.sot import load_inventory
    from monitoring.stack import MonitoringStack

    inv = load_inventory(lab.inventory)
    shutil.rmtree(MONITORING_RUN, ignore_errors=True)  # a fresh TSDB: no series from an earlier run
    stack = MonitoringStack(lab, MONITORING_RUN)
    try:
        stack.start(inv, {"snmp": ["--timeout", "1", "--retries", "1", "--deadline", "3.5"],
                          "readiness": ["--no-websites"],
                          "migration": ["--textfile-dir", str(ROOT / "run" / "demo")]},
                    interval=5.0, alert_for=ALERT_FOR)
        console.print("  started " + ", ".join(f"{n} (pid {p.pid})" for n, p in stack.procs.items())
                      + f"; logs in {MONITORING_RUN.relative_to(ROOT)}/")
        stack.wait_until_up(inv, timeout=120)
        # two evaluation rounds past the shortened `for:`, so a real problem shows as firing
        time.sleep(2 * 5 + 10)
        s = stack.summary()
        ok, lines = report_lines(lab, stack, s)
        if hold:
            console.print("\n".join(lines), highlight=False, markup=False)
            try:
                input("  Prometheus keeps running: press Enter to stop it ")
            except (EOFError, KeyboardInterrupt):
                pass
            lines = []
        return ok, lines
    except (RuntimeError, TimeoutError, OSError, subprocess.CalledProcessError) as exc:
        return False, [f"monitoring: FAILED: {exc} (logs in {MONITORING_RUN.relative_to(ROOT)}/)"]
    finally:
        stopped = stack.close()
        console.print(f"  stopped monitoring processes {', '.join(map(str, stopped)) or '(none running)'}")


# The demo runs minutes, not hours: alerts fire after 10 s instead of their production `for:`.
ALERT_FOR = {name: "10s" for name in ("DeviceUnreachable", "UplinkDown", "InterfaceErrors", "IPv6Regression",
                                      "ConfigDrift", "InterfaceUtilisationHigh")}


def report_lines(lab, stack, s: dict) -> tuple[bool, list[str]]:
    up = ", ".join(f"{t} {u}/{n}" for t, (u, n) in s["devices_up"].items())
    ratio = ", ".join(f"{t} {r:.0%}" for t, r in sorted(s["dual_stack_ratio"].items()))
    dual = sum(1 for v in s["dual_stack_devices"].values() if v == 1)
    firing, pending = s["alerts"].get("firing", []), s["alerts"].get("pending", [])
    all_up = all(u == n for u, n in s["devices_up"].values()) and bool(s["devices_up"])
    all_dual = bool(s["dual_stack_devices"]) and dual == len(s["dual_stack_devices"])
    url = stack.prometheus_url
    lines = [
        "Monitoring (Prometheus in the lab's mgmt namespace, config from `govops monitoring generate`, 5 s intervals):",
        f"  devices up (snmp_up) per tier: {up}",
        f"  IPv6 dual-stack per tier (readiness exporter): {ratio}; "
        f"{dual}/{len(s['dual_stack_devices'])} devices dual-stack",
        f"  interfaces scraped (ifHCInOctets series): {s['interfaces']} on {s['interface_devices']} devices",
        f"  alerts firing: {', '.join(firing) or 'none'}; pending: {', '.join(pending) or 'none'}",
        f"  where to look: Prometheus {url} inside the mgmt namespace, e.g. `govops lab exec --prefix "
        f"{lab.prefix} -- curl -sG {url}/api/v1/query --data-urlencode 'query=snmp_up'` "
        f"(kept running with `python -m govops.demo --monitoring-only --prefix {lab.prefix} --hold` on a lab that is up); "
        "dashboards to import into Grafana: monitoring/dashboards/*.json; rules and generated config: "
        f"{MONITORING_RUN.relative_to(ROOT)}/prom/",
    ]
    return all_up and all_dual and s["interfaces"] > 0 and not firing, lines


def run(args: argparse.Namespace) -> int:
    from lab.lifecycle import LabError, down, exists, up
    from lab.state import Lab

    prefix = args.prefix or PREFIX
    if exists(prefix):
        # Never someone else's lab: the demo removes only the lab it brought up itself.
        console.print(f"[red]a lab with prefix {prefix!r} is already up (or left by a crash); the demo does not "
                      f"touch it. Use another --prefix, or remove it first: govops lab down --prefix {prefix}[/]")
        return 2
    failures: list[str] = []
    report: list[str] = []
    t0 = time.monotonic()

    stage(f"1. Source of truth: validate the city ({CITY}) and the lab ({args.inventory})")
    for inv in (CITY, args.inventory):
        if govops("validate", "-i", inv) != 0:
            failures.append(f"validate {inv}")

    stage("2. IPv6 address plan of the city (stable; committed in ipv6-plan.yml)")
    if govops("ipv6", "plan", "-i", CITY) != 0:
        failures.append("ipv6 plan")

    if os.geteuid() != 0:
        console.print("[red]the lab needs root (network namespaces); run `make demo` as root[/]")
        return 1
    from govops.sot import load_inventory

    stage(f"3. Lab twin of {args.inventory} (prefix {prefix}): namespaces, vendor CLI twins, snmpd, hosts")
    try:
        up(load_inventory(args.inventory), prefix, step=lambda m: console.print(f"  {m}"))
    except LabError as exc:  # up removed what it made; a lab that was there before is not ours
        console.print(f"[red]lab up failed: {exc}[/]")
        return 1
    try:
        lab = Lab.load(prefix)
        console.print(f"  up: {len(lab.devices)} devices, {len(lab.hosts)} hosts; state in {lab.known_hosts.parent}")
        report.append(f"lab: {len(lab.devices)} devices and {len(lab.hosts)} hosts came up")

        stage("4. Extranet dual-stack upgrade: playbooks/ipv6_upgrade.yml against the twins")
        from network import demo as net_demo

        journal = ROOT / "run" / "demo" / "ipv6-upgrade.jsonl"
        if journal.exists():
            # The lab is new: an earlier run's journal would make the playbook skip every device as
            # "done_in_journal". Keep it as .previous for a look, start a fresh one.
            journal.replace(journal.with_suffix(".previous.jsonl"))
        summary = net_demo.run(lab, journal=journal,
                               backup_dir=ROOT / "run" / "demo" / "backups")
        console.print(summary, highlight=False, markup=False)
        if "dual-stack: OK" not in summary:
            failures.append("ipv6 upgrade")
        report.append(summary.splitlines()[-1] + " (journal run/demo/ipv6-upgrade.jsonl)")

        stage("5. Drift check: govops net drift against the intended configuration")
        drift = subprocess.run(["ip", "netns", "exec", lab.mgmt_netns, sys.executable, "-m", "govops.cli", "net",
                                "drift", "-i", str(lab.inventory), "--known-hosts", str(lab.known_hosts),
                                "--metrics", str(ROOT / "run" / "demo" / "drift.prom")],
                               cwd=ROOT, capture_output=True, text=True)
        console.print(drift.stdout[-3000:], highlight=False, markup=False)
        report.append(f"net drift: exit {drift.returncode} ({'no drift' if drift.returncode == 0 else 'DRIFT'})")
        if drift.returncode != 0:
            failures.append("net drift")

        stage("6. Monitoring: govops' exporters and a real Prometheus against the twin")
        ok, lines = monitoring_step(lab)
        console.print("\n".join(lines), highlight=False, markup=False)
        report.extend(lines)
        if not ok:
            failures.append("monitoring")
    finally:
        stage("7. Lab down")
        down(prefix)
        console.print("  removed every namespace and process the lab made")

    stage("8. The cloud: Pulumi program under mocks for the city (govops cloud plan --stack xinyu)")
    out = ROOT / "run" / "demo" / "cloud-plan.md"
    if govops("cloud", "plan", "--stack", "xinyu", "--markdown", "-o", str(out)) != 0:
        failures.append("cloud plan")
    elif out.exists():
        lines = out.read_text().splitlines()
        console.print("\n".join(lines[:40]), highlight=False, markup=False)
        report.append(f"cloud plan: written to {out.relative_to(ROOT)} ({len(lines)} lines)")

    console.print(Rule("[bold]Report"))
    for line in report:
        console.print(f"  {line}", highlight=False, markup=False)
    console.print(f"finished in {time.monotonic() - t0:.0f} s. Where to look next: journal and backups in run/demo/, "
                  "monitoring config in monitoring/prometheus/, dashboards in monitoring/dashboards/, "
                  "runbooks in runbooks/.")
    if failures:
        console.print(f"[red]failed stages: {', '.join(failures)}[/]")
        return 1
    console.print("[green]all stages passed[/]")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govops demo", description=__doc__.splitlines()[0])
    parser.add_argument("-i", "--inventory", default="inventories/lab", help="the lab inventory to run live")
    parser.add_argument("--monitoring-only", action="store_true",
                        help="only the monitoring step, on the lab already up under --prefix (no up/down)")
    parser.add_argument("--prefix", help=f"the demo lab's prefix (default {PREFIX}; a lab already up under it is "
                        "refused, never torn down); with --monitoring-only: the running lab's prefix")
    parser.add_argument("--hold", action="store_true", help="with --monitoring-only: keep Prometheus up until Enter")
    args = parser.parse_args(argv)
    if args.monitoring_only:
        return run_monitoring_only(args)
    return run(args)


def run_monitoring_only(args: argparse.Namespace) -> int:
    from lab.state import Lab, LabNotRunning

    if not args.prefix:
        console.print("[red]--monitoring-only needs --prefix of a lab that is up (govops lab up --prefix …)[/]")
        return 2
    try:
        lab = Lab.load(args.prefix)
    except LabNotRunning as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    stage(f"Monitoring on lab {args.prefix}: govops' exporters and a real Prometheus against the twin")
    ok, lines = monitoring_step(lab, hold=args.hold)
    console.print("\n".join(lines), highlight=False, markup=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
