"""Whole-city bench: one govops SNMP exporter and one snmp_exporter 0.21 polling every device of a
running city twin, every module, side by side, at a fixed interval.

    .venv/bin/govops lab up -i inventories/xinyu --prefix tvc
    .venv/bin/python bench/snmp_exporter/city.py --prefix tvc [--minutes 5] [--interval 15]
    .venv/bin/govops lab down --prefix tvc

Runs as root inside the lab's mgmt namespace (it re-executes itself there). The scrape list is the
one Prometheus would get from the SoT (`monitoring.promconfig.file_sd`: if_mib, ipv6, system and
the vendor's health module per device), every job at --interval with a 10 s scrape timeout sent as
Prometheus sends it (X-Prometheus-Scrape-Timeout-Seconds). Scrapes are spread evenly over the
interval, as Prometheus spreads its targets, and each one is sent to both exporters at the same
moment from a thread of its own (a scrape loop standing in for Prometheus: same URLs, same
concurrency, no TSDB on the machine competing for CPU).

snmp_exporter gets one module per govops module with the same `walk:` subtrees and `get:` OIDs over
the same SNMPv3 authPriv SHA/AES credentials (the SoT's), max_repetitions 25 on both sides, so both
put the same SNMP work on the agents. Only if_mib (from snmp.yml here) and system have `metrics:`
on snmp_exporter's side; the vendor health and ipv6 subtrees are walked but not turned into
samples (writing index definitions for every vendor table was not done), which spares
snmp_exporter some exposition work: the comparison is slightly in its favour. govops also walks
sysUpTime and ifTableLastChange with if_mib (its cache checks).

Measured after one warm-up interval: scrape duration per exporter (client side, whole HTTP
request), failures (HTTP status != 200, or govops' snmp_up 0), and each exporter process'
utime+stime (/proc/PID/stat) over the measurement, as a share of one core. Prints Markdown.
The snmp_exporter config holds the SoT's SNMP keys: it is written 0600 to a temporary directory
and removed at the end.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HERE = Path(__file__).resolve().parent
GOVOPS_ADDR = "127.0.0.1:29216"
SNMP_EXPORTER_ADDR = "127.0.0.1:29217"
SCRAPE_TIMEOUT = 10.0
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dotted(oid) -> str:
    return ".".join(map(str, oid))


def snmp_exporter_config(inv) -> dict:
    """One snmp_exporter module per govops module: same subtrees, same GETs, SoT credentials."""
    from monitoring.snmp.mapping import MODULES

    creds = {(d.snmp.v3_user, d.snmp.v3_auth_key, d.snmp.v3_priv_key) for d in inv.devices.values() if d.snmp}
    if len(creds) != 1:
        raise SystemExit(f"the SoT has {len(creds)} SNMPv3 credential sets; this bench handles one")
    user, auth_key, priv_key = creds.pop()
    auth = {"username": user, "security_level": "authPriv", "password": auth_key, "auth_protocol": "SHA",
            "priv_protocol": "AES", "priv_password": priv_key}
    bench = yaml.safe_load((HERE / "snmp.yml").read_text())
    modules = {}
    for name, mod in MODULES.items():
        if name == "if_mib":
            m = dict(bench["if_mib"])
        else:
            m = {"walk": [dotted(o) for o in mod.walks]}
            if mod.gets:
                m["get"] = [dotted(o) for o in mod.gets]
            m["metrics"] = []
            if name == "system":
                m["metrics"] = [{"name": "sysUpTime", "oid": "1.3.6.1.2.1.1.3", "type": "gauge",
                                 "help": "sysUpTime"}]
        modules[name] = {**m, "version": 3, "max_repetitions": 25, "retries": 1, "timeout": "2s", "auth": auth}
    return modules


def plan(inv, lab) -> list[tuple[str, str, str]]:
    """(module, device, mgmt address) for every scrape Prometheus would make."""
    from monitoring.promconfig import file_sd

    jobs = []
    for fname, entries in sorted(file_sd(inv).items()):
        module = fname.removeprefix("snmp_").removesuffix(".json")
        for e in entries:
            device = e["targets"][0]
            jobs.append((module, device, lab.mgmt_ipv4(device)))
    return jobs


def scrape(url: str) -> tuple[float, int, bytes]:
    req = urllib.request.Request(url, headers={"X-Prometheus-Scrape-Timeout-Seconds": f"{SCRAPE_TIMEOUT:g}"})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=SCRAPE_TIMEOUT) as r:
            body, code = r.read(), r.status
    except urllib.error.HTTPError as exc:
        body, code = exc.read(), exc.code
    except OSError:
        body, code = b"", 0
    return time.perf_counter() - t0, code, body


def failed(name: str, code: int, body: bytes) -> bool:
    if code != 200:
        return True
    return name == "govops" and b"\nsnmp_up 0" in body


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def wait_listening(addr: str, limit: float = 120.0) -> None:
    stop = time.monotonic() + limit
    while True:
        try:
            urllib.request.urlopen(f"http://{addr}/", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > stop:
                raise SystemExit(f"nothing answers on {addr} after {limit:.0f}s") from None
            time.sleep(0.5)


def inside(args) -> int:
    from govops.sot import load_inventory
    from lab.state import Lab

    lab = Lab.load(args.prefix)
    inv = load_inventory(lab.inventory)
    jobs = plan(inv, lab)
    tmp = Path(tempfile.mkdtemp(prefix="tv-city-"))
    os.chmod(tmp, 0o700)
    procs: dict[str, subprocess.Popen] = {}
    try:
        cfg = tmp / "snmp.yml"
        cfg.touch(0o600)
        cfg.write_text(yaml.safe_dump(snmp_exporter_config(inv), sort_keys=False))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name, argv in (
            ("govops", [sys.executable, "-m", "monitoring.cli", "exporter", "snmp", "-i", str(lab.inventory),
                        "--listen", GOVOPS_ADDR]),
            ("snmp_exporter", ["prometheus-snmp-exporter", f"--config.file={cfg}",
                               f"--web.listen-address={SNMP_EXPORTER_ADDR}"])):
            with open(tmp / f"{name}.log", "ab") as log:
                procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                               env=env, cwd=ROOT, start_new_session=True)
        wait_listening(GOVOPS_ADDR)
        wait_listening(SNMP_EXPORTER_ADDR)
        urls = {"govops": lambda m, d, a: f"http://{GOVOPS_ADDR}/snmp?target={d}&module={m}&auth=v3",
                "snmp_exporter": lambda m, d, a: f"http://{SNMP_EXPORTER_ADDR}/snmp?target={a}&module={m}"}
        results: list[tuple[str, str, float, float, bool]] = []  # exporter, module, start, seconds, failed
        lock = threading.Lock()

        def one(name: str, module: str, device: str, addr: str, measured: bool) -> None:
            start = time.monotonic()
            seconds, code, body = scrape(urls[name](module, device, addr))
            if measured:
                with lock:
                    results.append((name, module, start, seconds, failed(name, code, body)))

        interval, n = args.interval, len(jobs)
        cycles = 1 + max(1, round(args.minutes * 60 / interval))
        print(f"{n} scrapes per exporter every {interval:g}s ({len({j[1] for j in jobs})} devices), "
              f"1 warm-up + {cycles - 1} measured intervals", file=sys.stderr)
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=2 * n + 8)
        t0 = time.monotonic()
        cpu0: dict[str, float] = {}
        futures = []
        for cycle in range(cycles):
            measured = cycle > 0
            if cycle == 1:  # the warm-up interval is over (caches filled, v3 engines discovered)
                cpu0 = {name: cpu_seconds(p.pid) for name, p in procs.items()}
                m0 = time.monotonic()
            for i, (module, device, addr) in enumerate(jobs):
                due = t0 + cycle * interval + i * interval / n
                time.sleep(max(0.0, due - time.monotonic()))
                for name in urls:
                    futures.append(pool.submit(one, name, module, device, addr, measured))
        time.sleep(max(0.0, t0 + cycles * interval - time.monotonic()))
        m1 = time.monotonic()
        cpu1 = {name: cpu_seconds(p.pid) for name, p in procs.items()}
        pool.shutdown(wait=True)
        for f in futures:
            f.result()
        span = m1 - m0
        out = {"jobs": n, "devices": len({j[1] for j in jobs}), "interval": interval, "span": span, "rows": []}
        for name, p in procs.items():
            mine = [r for r in results if r[0] == name]
            secs = [r[3] for r in mine]
            out["rows"].append({
                "exporter": name, "scrapes": len(mine), "failed": sum(r[4] for r in mine),
                "median": pct(secs, 0.5), "p95": pct(secs, 0.95), "max": max(secs),
                "cpu_share": (cpu1[name] - cpu0[name]) / span, "rss_mib": rss_mib(p.pid),
                "per_module": {m: (pct([r[3] for r in mine if r[1] == m], 0.5),
                                   pct([r[3] for r in mine if r[1] == m], 0.95))
                               for m in sorted({r[1] for r in mine})}})
        print(json.dumps(out))
        return 0
    finally:
        for p in procs.values():
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


def report(data: dict) -> str:
    lines = [f"{data['devices']} devices, {data['jobs']} scrapes per exporter every {data['interval']:g} s, "
             f"measured over {data['span']:.0f} s", "",
             "| exporter | scrapes | failed | duration median (s) | p95 (s) | max (s) | CPU (share of one core) | RSS (MiB) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in data["rows"]:
        lines.append(f"| {r['exporter']} | {r['scrapes']} | {r['failed']} | {r['median']:.3f} | {r['p95']:.3f} | "
                     f"{r['max']:.3f} | {100 * r['cpu_share']:.1f} % | {r['rss_mib']:.0f} |")
    lines += ["", "Per module, duration median / p95 (s):", "",
              "| module | " + " | ".join(r["exporter"] for r in data["rows"]) + " |",
              "|---|" + "---:|" * len(data["rows"])]
    for m in data["rows"][0]["per_module"]:
        lines.append(f"| {m} | " + " | ".join("{:.3f} / {:.3f}".format(*r["per_module"][m]) for r in data["rows"]) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefix", required=True, help="lab prefix of a running city twin")
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--interval", type=float, default=15.0)
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inside:
        return inside(args)
    from lab.state import Lab

    ns = Lab.load(args.prefix).mgmt_netns
    argv = ["ip", "netns", "exec", ns, sys.executable, __file__, "--inside", "--prefix", args.prefix,
            "--minutes", str(args.minutes), "--interval", str(args.interval)]
    out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
    print(report(json.loads(out.strip().splitlines()[-1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
