"""Where one SNMPv3 scrape's wall time goes: exporter CPU, agent (snmpd) CPU, and the rest.

    sudo .venv/bin/python bench/snmp_exporter/profile_v3.py [--size 500] [--scrapes 10] [--profile FILE]

Creates namespace `tv-prof` with --size port-less bridges and one snmpd, then runs this file
again inside it (`--child`): a Scraper with the if_mib module over SNMPv3 authPriv, one warm-up
scrape and --scrapes timed ones. Per scrape: wall time, this process' CPU, snmpd's CPU
(/proc/PID/stat), PDUs. `--profile FILE` writes cProfile stats of the timed scrapes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.snmp_agents import V3_AUTH, V3_PRIV, V3_USER, AgentNamespace  # noqa: E402

NS = "tv-prof"
CLK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def snmpd_pid() -> int:
    out = subprocess.run(["pgrep", "-x", "snmpd"], capture_output=True, text=True).stdout.split()
    for pid in out:  # the one in our namespace
        try:
            if os.readlink(f"/proc/{pid}/ns/net") == os.readlink("/proc/self/ns/net"):
                return int(pid)
        except OSError:
            continue
    raise SystemExit("no snmpd in this namespace")


async def child(args) -> None:
    from monitoring.snmp.collector import Scraper, Target
    from monitoring.snmp.mapping import MODULES
    from monitoring.snmp.transport import Credentials, Endpoint, WalkStats  # noqa: F401

    creds = Credentials(3, user=V3_USER, auth_key=V3_AUTH, priv_key=V3_PRIV)
    target = Target("dev", Endpoint("127.0.0.1", 1161, timeout=2, retries=1), creds)
    scraper = Scraper(segment_rows=args.segment_rows)
    mods = [MODULES["if_mib"]]
    await scraper.scrape(target, mods, 25)
    spid = snmpd_pid()
    prof = cProfile.Profile() if args.profile else None
    rows = []
    for _ in range(args.scrapes):
        c0, s0, t0 = time.process_time(), cpu_of(spid), time.perf_counter()
        if prof:
            prof.enable()
        fams = await scraper.scrape(target, mods, 25)
        if prof:
            prof.disable()
        wall = time.perf_counter() - t0
        pdus = next(f.samples[0].value for f in fams if f.name == "snmp_scrape_packets_received")
        rows.append((wall, time.process_time() - c0, cpu_of(spid) - s0, pdus))
    for wall, cpu, scpu, pdus in rows:
        print(f"wall {wall:.4f}  exporter cpu {cpu:.4f}  snmpd cpu {scpu:.3f}  pdus {pdus:.0f}")
    n = len(rows)
    print(f"mean: wall {sum(r[0] for r in rows) / n:.4f} exporter cpu {sum(r[1] for r in rows) / n:.4f} "
          f"snmpd cpu {sum(r[2] for r in rows) / n:.4f}")
    if prof:
        prof.dump_stats(args.profile)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=500)
    ap.add_argument("--scrapes", type=int, default=10)
    ap.add_argument("--profile")
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--segment-rows", type=int, default=200, help="0: no concurrent segments")
    args = ap.parse_args()
    if args.child:
        asyncio.run(child(args))
        return 0
    ns = AgentNamespace(NS)
    try:
        ns.create(dummies=args.size)
        ns.add_agent("dev", 1161)
        argv = ["ip", "netns", "exec", NS, sys.executable, __file__, "--child", "--size", str(args.size),
                "--scrapes", str(args.scrapes), "--segment-rows", str(args.segment_rows), *(["--profile", args.profile] if args.profile else [])]
        return subprocess.run(argv, check=False).returncode
    finally:
        ns.close()


if __name__ == "__main__":
    raise SystemExit(main())
