"""Measure `govops lab up` / `down` time and the memory the lab holds at idle.

    sudo .venv/bin/python bench/lab/bench_lab.py [inventories/lab inventories/xinyu]

Side by side, in the same run: the lab's batched, parallel network build (`lab.netns.create`)
against the peer way of building the same namespaces and veths, one `ip` command per step
(as hand-written lab scripts and the first per-room fixtures did). Writes bench/lab/RESULTS.md.
Prefixes `gb` (lab) and `gp` (peer); both are removed at the end, also on failure.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from govops.sot import load_inventory
from lab import netns
from lab.lifecycle import down, lab_processes
from lab.topology import MGMT_BRIDGE, MGMT_IF, build_topology

ROOT = Path(__file__).resolve().parents[2]
IDLE_SECONDS = 5


def rss_by_command(pids: list[int]) -> dict[str, float]:
    out: dict[str, float] = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        out[comm] = out.get(comm, 0.0) + kb / 1024
    return out


def bench_lab(inventory: str) -> dict:
    prefix = "gb"
    down(prefix)
    try:
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-m", "lab.cli", "lab", "up", "-i", inventory, "--prefix", prefix],
                       check=True, capture_output=True, cwd=ROOT)
        up = time.monotonic() - t0
        time.sleep(IDLE_SECONDS)
        state = json.loads(Path(f"/run/govops/{prefix}/state.json").read_text())
        pids = lab_processes(prefix, state)
        rss = rss_by_command(pids)
        inv = load_inventory(inventory)
    finally:
        t0 = time.monotonic()
        down(prefix)
        down_s = time.monotonic() - t0
    return {"inventory": inventory, "devices": len(inv.devices), "hosts": len(inv.hosts), "links": len(inv.links),
            "up_s": up, "down_s": down_s, "processes": len(pids), "rss_mb": sum(rss.values()), "rss_by": rss}


def bench_network_build(inventory: str) -> dict:
    """Namespaces + veths + management addresses only: lab's batched build vs one `ip` per step."""
    topo_lab = build_topology(load_inventory(inventory), "gb")
    topo_peer = build_topology(load_inventory(inventory), "gp")
    down("gb")
    down("gp")
    try:
        t0 = time.monotonic()
        netns.create(topo_lab)
        batched = time.monotonic() - t0
        t0 = time.monotonic()
        _one_ip_per_step(topo_peer)
        sequential = time.monotonic() - t0
    finally:
        down("gb")
        down("gp")
    return {"batched_s": batched, "sequential_s": sequential}


def _one_ip_per_step(topo) -> None:
    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True)

    for ns in topo.namespaces():
        ip("netns", "add", ns)
    mgmt = topo.mgmt.netns
    ip("-n", mgmt, "link", "add", "name", MGMT_BRIDGE, "type", "bridge")
    for v in topo.veths:
        ip("-n", v.netns, "link", "add", "name", v.name, "type", "veth", "peer", "name", v.peer, "netns", v.peer_netns)
    for v in topo.veths:
        ip("-n", v.netns, "link", "set", "dev", v.name, "up")
        ip("-n", v.peer_netns, "link", "set", "dev", v.peer, "up")
    for port in topo.mgmt_ports.values():
        ip("-n", mgmt, "link", "set", "dev", port, "master", MGMT_BRIDGE)
    for node in topo.nodes.values():
        dev = MGMT_BRIDGE if node.kind == "mgmt" else MGMT_IF
        ip("-n", node.netns, "link", "set", "dev", "lo", "up")
        ip("-n", node.netns, "address", "add", str(node.mgmt_ipv4), "dev", dev)
        ip("-n", node.netns, "address", "add", str(node.mgmt_ipv6), "dev", dev, "nodad")
        subprocess.run(["ip", "netns", "exec", node.netns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], check=True)


def main(argv: list[str]) -> int:
    if os.geteuid() != 0:
        print("needs root (network namespaces)", file=sys.stderr)
        return 1
    inventories = argv or ["inventories/lab", "inventories/xinyu"]
    rows = []
    for inventory in inventories:
        result = bench_lab(inventory)
        result.update(bench_network_build(inventory))
        rows.append(result)
        print(json.dumps(result, indent=1))
    lines = [
        "# lab benchmark",
        "",
        f"Command: `sudo .venv/bin/python bench/lab/bench_lab.py {' '.join(inventories)}`",
        "",
        f"Machine: {os.cpu_count()} CPUs, kernel {platform.release()}, Python {platform.python_version()}; "
        f"run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "`lab up`: wall time of `python -m lab.cli lab up` (namespaces, links, twins ready, every snmpd and "
        f"sshd listening, state files written). Idle memory: sum of VmRSS of every lab process, {IDLE_SECONDS} s "
        "after `up` returned. Targets (issue 3): up < 60 s and < 2 GB for the city. The machine is shared "
        "with other jobs, so times vary by up to 2x between runs; most of the city's `up` is the twins "
        "process opening 49 listeners (lab/twins).",
        "",
        "| inventory | devices | hosts | links | up (s) | down (s) | processes | idle RSS (MB) | RSS by command (MB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        by = ", ".join(f"{k} {v:.0f}" for k, v in sorted(r["rss_by"].items()))
        lines.append(f"| {r['inventory']} | {r['devices']} | {r['hosts']} | {r['links']} | {r['up_s']:.1f} | "
                     f"{r['down_s']:.1f} | {r['processes']} | {r['rss_mb']:.0f} | {by} |")
    lines += [
        "",
        "Network build only (namespaces, veths, bridge, management addresses, sysctl), side by side with the "
        "peer: one `ip` process per step, sequentially.",
        "",
        "| inventory | lab: batched `ip -batch`, parallel per namespace (s) | peer: one `ip` per step (s) |",
        "|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['inventory']} | {r['batched_s']:.2f} | {r['sequential_s']:.2f} |")
    (ROOT / "bench" / "lab" / "RESULTS.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
