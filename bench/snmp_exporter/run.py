"""Bench: govops' SNMP exporter vs Debian's prometheus-snmp-exporter 0.21, same agent, same columns.

    sudo .venv/bin/python bench/snmp_exporter/run.py [--sizes 50,200,500] [--scrapes 10]

One namespace `gm-bench` with one snmpd (v2c) and both exporters inside it. For each size the
namespace gets that many port-less bridge interfaces (plus lo and one veth pair), snmpd is
restarted, and each exporter is scraped `--scrapes` times after one warm-up scrape, alternating
scrapes between the two. Wall time is measured around the HTTP request (made by this process from
inside the namespace, minus the median time of a trivial GET); CPU per scrape is the
exporter process' utime+stime delta (/proc/PID/stat) divided by the number of scrapes. govops
runs twice: with its static-column cache (default, 300 s) and with it off (`--cache-age 0`,
every scrape walks ifName/ifDescr/ifAlias/ifHighSpeed like snmp_exporter does).
Prints a Markdown table; RESULTS.md holds a run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from pyroute2 import netns

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.snmp_agents import COMMUNITY, V3_AUTH, V3_PRIV, V3_USER, AgentNamespace, ns_exec  # noqa: E402

NS = "gm-bench"
HERE = Path(__file__).resolve().parent
EXPORTERS = {
    "snmp_exporter 0.21": ("127.0.0.1:29116", "/snmp?target=127.0.0.1:1161&module=if_mib"),
    "govops (cache)": ("127.0.0.1:29117", "/snmp?target=127.0.0.1:1161&module=if_mib&auth=bench"),
    "govops (no cache)": ("127.0.0.1:29118", "/snmp?target=127.0.0.1:1161&module=if_mib&auth=bench"),
}
V3_EXPORTERS = {  # --v3: the same module over SNMPv3 authPriv SHA/AES
    "snmp_exporter 0.21 v3": ("127.0.0.1:29119", "/snmp?target=127.0.0.1:1161&module=if_mib_v3"),
    "govops (cache) v3": ("127.0.0.1:29120", "/snmp?target=127.0.0.1:1161&module=if_mib&auth=bench3"),
}
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK  # utime, stime


def scrape(addr: str, path: str) -> tuple[float, str]:
    """One HTTP GET from this process (which has entered the namespace): a new connection each time,
    as snmp_exporter's users' Prometheus does after a timeout; no process spawned per scrape."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"http://{addr}{path}", timeout=30) as r:
        out = r.read().decode()
    return time.perf_counter() - t0, out


def wait_listening(addr: str, limit: float = 60.0) -> None:
    stop = time.monotonic() + limit
    while True:
        try:
            scrape(addr, "/")
            return
        except OSError:
            if time.monotonic() > stop:
                raise SystemExit(f"exporter on {addr} did not answer within {limit:.0f}s") from None
            time.sleep(0.3)


def client_overhead() -> float:
    """Wall time of an HTTP GET of a trivial endpoint (median of 20): subtracted from every scrape."""
    addr = EXPORTERS["govops (cache)"][0]
    samples = [scrape(addr, "/")[0] for _ in range(20)]
    return sorted(samples)[len(samples) // 2]


def set_interfaces(ns: AgentNamespace, have: int, want: int) -> None:
    batch = Path(ns.workdir) / "grow.batch"
    batch.write_text("".join(f"link add gmd{i} type bridge\nlink set gmd{i} up\n" for i in range(have, want)))
    ns_exec(NS, ["ip", "-batch", str(batch)])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="50,200,500")
    ap.add_argument("--scrapes", type=int, default=10)
    ap.add_argument("--v3", action="store_true", help="add SNMPv3 authPriv rows for both exporters")
    args = ap.parse_args()
    exporters = {**EXPORTERS, **(V3_EXPORTERS if args.v3 else {})}
    sizes = [int(s) for s in args.sizes.split(",")]
    load0 = os.getloadavg()[0]  # other work on the machine moves wall times: say how much there was
    ns = AgentNamespace(NS)
    tmp = Path(tempfile.mkdtemp(prefix="gm-bench-"))
    rows = []
    try:
        ns.create(dummies=0)
        # This process joins the namespace (flags=0: never create one) so scrapes are plain HTTP
        # requests from here: `ip netns exec curl` per scrape cost ~5 ms that moved with the load.
        netns.setns(NS, flags=0)
        auths = tmp / "auths.json"
        auths.write_text(json.dumps({"bench": {"version": 2, "community": COMMUNITY},
                                     "bench3": {"version": 3, "user": V3_USER, "auth_key": V3_AUTH,
                                                "priv_key": V3_PRIV}}))
        py = [sys.executable, "-m", "monitoring.cli", "exporter", "snmp", "-i", str(ROOT / "inventories/lab"),
              "--auth-file", str(auths), "--timeout", "2", "--retries", "1", "--deadline", "25"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        procs = {}
        for i, (name, (addr, _)) in enumerate(exporters.items()):
            if name.startswith("snmp_exporter"):
                argv = ["prometheus-snmp-exporter", f"--config.file={HERE / 'snmp.yml'}", f"--web.listen-address={addr}"]
            else:
                argv = [*py, "--listen", addr, *(["--cache-age", "0"] if "no cache" in name else [])]
            procs[name] = ns.spawn(argv, tmp / f"exporter{i}.log", env)
        for addr, _ in exporters.values():  # a fixed sleep was too short on a loaded machine
            wait_listening(addr)
        have = 0
        for size in sizes:
            set_interfaces(ns, have, size)
            have = size
            if "dev" in ns.agents:
                ns.stop("dev")
                ns.start("dev")
            else:
                ns.add_agent("dev", 1161)
            overhead = client_overhead()
            for name, (addr, path) in exporters.items():
                _, out = scrape(addr, path)  # warm-up (and cache fill for govops)
                series = sum(1 for line in out.splitlines() if line.startswith("ifHCInOctets{"))
                assert series >= size, f"{name}: {series} ifHCInOctets series for {size} interfaces"
            walls = {n: [] for n in exporters}
            cpu0 = {n: cpu_seconds(p.pid) for n, p in procs.items()}
            for _ in range(args.scrapes):
                for name, (addr, path) in exporters.items():
                    walls[name].append(scrape(addr, path)[0] - overhead)
            for name, p in procs.items():
                cpu = (cpu_seconds(p.pid) - cpu0[name]) / args.scrapes
                w = sorted(walls[name])
                rows.append((size, name, w[len(w) // 2], sum(w) / len(w), w[-1], cpu, series))
        print(f"load average (1 min) at the start {load0:.1f}, at the end {os.getloadavg()[0]:.1f} "
              f"({os.cpu_count()} CPUs); client overhead subtracted: {overhead * 1000:.1f} ms\n")
        print("| interfaces | exporter | wall median (s) | wall mean (s) | wall max (s) | CPU per scrape (s) |")
        print("|---:|---|---:|---:|---:|---:|")
        for size, name, med, mean, mx, cpu, _ in rows:
            print(f"| {size} | {name} | {med:.3f} | {mean:.3f} | {mx:.3f} | {cpu:.3f} |")
    finally:
        ns.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
