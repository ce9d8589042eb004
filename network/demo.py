"""`make demo` hook: bring the lab's devices to dual-stack with the playbook, then prove it with
real ``ping ipv6`` from every township device to both city-core loopbacks.

``run(lab)`` takes the running lab (lab.state.Lab or the tests' NetLab): it needs the inventory
path, the known_hosts file and the mgmt namespace name; attribute names are looked up leniently
so both work. Returns a printable summary; raises nothing for a failed ping (the summary says so).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _attr(lab, *names: str):
    for name in names:
        value = getattr(lab, name, None)
        if value is not None:
            return value() if callable(value) else value
    raise AttributeError(f"lab object has none of {names}")


def _enter(namespace: str) -> None:
    from pyroute2 import netns

    netns.setns(namespace)


def run(lab, journal: Path | None = None, backup_dir: Path | None = None) -> str:
    from govops import ipv6
    from govops.sot import load_inventory
    from network import platforms, session

    inventory = Path(_attr(lab, "inventory", "inventory_path"))
    known_hosts = Path(_attr(lab, "known_hosts", "known_hosts_file", "known_hosts_path"))
    mgmt = str(_attr(lab, "mgmt_namespace", "mgmt_netns", "mgmt"))
    journal = journal or ROOT / "journal" / "demo-ipv6-upgrade.jsonl"
    backup_dir = backup_dir or ROOT / "backups" / "pre-ipv6"
    playbook = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
                "--vault-password-file", str(inventory / ".vault-pass"), str(ROOT / "playbooks" / "ipv6_upgrade.yml"),
                "-e", f"govops_known_hosts={known_hosts}", "-e", f"govops_journal={journal}",
                "-e", f"govops_backup_dir={backup_dir}"]
    proc = subprocess.run(["ip", "netns", "exec", mgmt, *playbook], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "GOVOPS_KNOWN_HOSTS": str(known_hosts)}, timeout=1800)
    recap = [ln for ln in proc.stdout.splitlines() if re.match(r"^\S+\s+: ok=", ln)]
    summary = re.search(r'"msg": \{(.*?)\n    \}', proc.stdout, re.S)
    lines = [f"ipv6_upgrade.yml: exit {proc.returncode}", *("  " + r for r in recap)]
    if summary:
        lines += ["  summary:", *("   " + ln.strip() for ln in summary.group(1).splitlines() if ln.strip())]

    inv = load_inventory(inventory)
    plan = ipv6.require_plan(inv)
    cores = {n: str(plan.loopbacks[n].ip) for n, d in inv.devices.items() if d.role == "core"}
    opts = session.SessionOptions(known_hosts=known_hosts)

    def probe(name: str) -> list[str]:
        conn = session.open_session(inv.devices[name], opts)
        try:
            drv = platforms.driver_for(inv.devices[name].platform, conn)
            return [f"  {name} -> {core} {addr}: {'ok' if drv.ping(addr) else 'FAILED'}" for core, addr in cores.items()]
        finally:
            conn.disconnect()

    townships = [n for n, d in inv.devices.items() if d.role == "access"]
    with ThreadPoolExecutor(max_workers=4, initializer=_enter, initargs=(mgmt,)) as pool:
        results = list(pool.map(probe, townships))
    lines.append("end-to-end ping ipv6, township -> both core loopbacks (through the county tier):")
    for block in results:
        lines += block
    ok = proc.returncode == 0 and all("FAILED" not in ln for block in results for ln in block)
    lines.append("dual-stack: OK" if ok else "dual-stack: NOT complete (see journal " + str(journal) + ")")
    return "\n".join(lines)
