"""`make demo`: the main job, end to end, on the built-in lab twin.

1. validate the city and the lab sources of truth; 2. the city's IPv6 plan;
3. bring the lab twin up (namespaces, vendor CLI twins, snmpd, Linux hosts);
4. run the dual-stack upgrade playbook against it and prove end-to-end IPv6 with real pings;
5. drift check and a live SNMP scrape of the twin, as the NOC sees it; 6. tear the lab down;
7. the cloud plan (Pulumi program under mocks) for the city.
The lab is always removed at the end, also when a stage fails.
"""

from __future__ import annotations

import argparse
import os
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


def live_scrape(lab) -> tuple[bool, str]:
    """Run govops' SNMP exporter in the ops workstation namespace and scrape core-1 once."""
    exporter = subprocess.Popen(["ip", "netns", "exec", lab.mgmt_netns, sys.executable, "-m", "govops.cli",
                                 "exporter", "snmp", "-i", str(lab.inventory), "--listen", "127.0.0.1:19116"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        body = ""
        for _ in range(60):
            probe = subprocess.run(["ip", "netns", "exec", lab.mgmt_netns, sys.executable, "-c",
                                    "import sys,urllib.request;sys.stdout.write(urllib.request.urlopen("
                                    "'http://127.0.0.1:19116/snmp?target=core-1&module=if_mib,system',timeout=10)"
                                    ".read().decode())"], capture_output=True, text=True)
            if probe.returncode == 0:
                body = probe.stdout
                break
            time.sleep(0.5)
        octets = [ln for ln in body.splitlines() if ln.startswith("ifHCInOctets{")]
        up = any(ln.startswith("snmp_up") and float(ln.split()[-1]) == 1 for ln in body.splitlines())
        names = sorted({ln.split('ifName="')[1].split('"')[0] for ln in octets if 'ifName="' in ln})
        return up and bool(octets), (f"snmp_up={int(up)}; ifHCInOctets for {len(octets)} interfaces of core-1: "
                                     + ", ".join(names))
    finally:
        exporter.terminate()
        exporter.wait(timeout=10)


def run(args: argparse.Namespace) -> int:
    from lab.lifecycle import down, up
    from lab.state import Lab

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

    stage(f"3. Lab twin of {args.inventory} (prefix {PREFIX}): namespaces, vendor CLI twins, snmpd, hosts")
    down(PREFIX)
    try:
        lab = up(load_inventory(args.inventory), PREFIX, step=lambda m: console.print(f"  {m}"))
        lab = Lab.load(PREFIX)
        console.print(f"  up: {len(lab.devices)} devices, {len(lab.hosts)} hosts; state in {lab.known_hosts.parent}")
        report.append(f"lab: {len(lab.devices)} devices and {len(lab.hosts)} hosts came up")

        stage("4. Extranet dual-stack upgrade: playbooks/ipv6_upgrade.yml against the twins")
        from network import demo as net_demo

        summary = net_demo.run(lab, journal=ROOT / "run" / "demo" / "ipv6-upgrade.jsonl",
                               backup_dir=ROOT / "run" / "demo" / "backups")
        console.print(summary, highlight=False, markup=False)
        if "dual-stack: OK" not in summary:
            failures.append("ipv6 upgrade")
        report.append(summary.splitlines()[-1] + " (journal run/demo/ipv6-upgrade.jsonl)")

        stage("5. Drift check and the NOC's view: govops net drift, a live SNMP scrape of the twin")
        drift = subprocess.run(["ip", "netns", "exec", lab.mgmt_netns, sys.executable, "-m", "govops.cli", "net",
                                "drift", "-i", str(lab.inventory), "--known-hosts", str(lab.known_hosts),
                                "--metrics", str(ROOT / "run" / "demo" / "drift.prom")],
                               cwd=ROOT, capture_output=True, text=True)
        console.print(drift.stdout[-3000:], highlight=False, markup=False)
        report.append(f"net drift: exit {drift.returncode} ({'no drift' if drift.returncode == 0 else 'DRIFT'})")
        if drift.returncode != 0:
            failures.append("net drift")
        ok, line = live_scrape(lab)
        console.print(f"  {line}", highlight=False)
        report.append(f"monitoring: {line}")
        if not ok:
            failures.append("snmp scrape")
    finally:
        stage("6. Lab down")
        down(PREFIX)
        console.print("  removed every namespace and process the lab made")

    stage("7. The cloud: Pulumi program under mocks for the city (govops cloud plan --stack xinyu)")
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
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
