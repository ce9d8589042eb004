"""Backup + drift of every extranet device: govops (network.backup/drift) vs Nornir + nornir_netmiko,
same twins, same worker count, side by side in one run, with the floor the network allows: plain
OpenSSH `ssh` from the management namespace (connect + one read of the running config).

Both do the same work per device: open a netmiko session (same parameters, host keys checked),
read the running config, close, normalise, write the backup file, compare with the rendered intent
(same compare function). Run as root:

    .venv/bin/python bench/net/backup_drift.py -i inventories/xinyu --prefix pnb [--workers 20] [--rounds 3]

It brings the lab up (`govops lab up --prefix P`), then adds the delay with the lab's faults:
  * `govops lab fault delay COUNTY:IF 20ms` on the county end of every county link (county device
    <-> city core, from the SoT topology): +20 ms round trip across each county link;
  * the same delay on the management interface (mgmt0) of every county and township device. In
    the lab, management is out of band (mgmt namespace -> br0 -> each device's mgmt0), so SSH
    never crosses a county link; in the city it does (in-band management through the county
    uplinks), which is what this emulates. `govops lab fault` only names data-plane interfaces,
    so this one goes through lab.faults.delay with mgmt0 added to the in-memory node.
Every delay is checked with real pings (RTT >= the delay) before measuring. Faults are cleared
and the lab taken down at the end, also on failure. Prints JSON lines and a markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from govops import vendors

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MGMT_IF = "mgmt0"


def lab_cli(prefix: str, *args: str) -> str:
    """`govops lab …` as a user runs it (the same command tree as `python -m lab.cli`)."""
    proc = subprocess.run([sys.executable, "-m", "lab.cli", "lab", args[0], "--prefix", prefix, *args[1:]],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    if proc.returncode:
        raise SystemExit(f"govops lab {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def min_rtt_ms(lab, node: str, address: str) -> float:
    out = lab.run(node, ["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "2", address], timeout=30).stdout
    m = re.search(r"= ([\d.]+)/[\d.]+/[\d.]+", out)
    if not m:
        raise SystemExit(f"ping {address} from {node}: no answer\n{out}")
    return float(m.group(1))


def county_links(inv) -> list[tuple[str, str, str, str]]:
    """(county device, its interface, its IPv4 there, core device) for every county link."""
    out = []
    for link in inv.links:
        roles = (inv.devices[link.a.device].role, inv.devices[link.b.device].role)
        if sorted(roles) != ["aggregation", "core"]:
            continue
        ip_a, ip_b = link.addresses()
        county, ip, core = (link.a, ip_a, link.b) if roles[0] == "aggregation" else (link.b, ip_b, link.a)
        out.append((county.device, county.interface, str(ip).split("/")[0], core.device))
    return out


def management_path(lab, device: str) -> dict[str, str]:
    """Which interfaces SSH from the workstation to `device` leaves by, both ways."""
    there = lab.exec_mgmt(["ip", "-o", "route", "get", lab.mgmt_ipv4(device)]).stdout
    back = lab.run(device, ["ip", "-o", "route", "get", lab.mgmt_ipv4("mgmt")]).stdout
    return {"mgmt->device": re.search(r" dev (\S+)", there).group(1),
            "device->mgmt": re.search(r" dev (\S+)", back).group(1)}


def apply_delays(lab, inv, prefix: str, delay_ms: int) -> dict:
    from lab import faults

    amount = f"{delay_ms}ms"
    links = county_links(inv)
    for county, interface, _ip, _core in links:
        lab_cli(prefix, "fault", "delay", f"{county}:{interface}", amount)
    # mgmt0 of every county and township device (the devices behind county links)
    behind = [n for n, d in inv.devices.items() if d.role in ("aggregation", "access")]
    for name in behind:
        lab.nodes[name]["interfaces"].setdefault(MGMT_IF, MGMT_IF)
        faults.delay(lab, f"{name}:{MGMT_IF}", amount)

    with ThreadPoolExecutor(max_workers=8) as pool:
        # from the core to the county end: the echo reply leaves the county device through the delay
        link_rtt = list(pool.map(lambda x: (x, min_rtt_ms(lab, x[3], x[2])), links))
        mgmt_rtt = dict(pool.map(lambda n: (n, min_rtt_ms(lab, "mgmt", lab.mgmt_ipv4(n))), list(inv.devices)))
    slow_links = [f"{c}:{i}" for (c, i, _, _), rtt in link_rtt if rtt < delay_ms]
    slow_mgmt = [n for n in behind if mgmt_rtt[n] < delay_ms]
    if slow_links or slow_mgmt:
        raise SystemExit(f"delay not in effect (ping RTT < {delay_ms} ms) on links {slow_links}, mgmt {slow_mgmt}")
    cores = [n for n, d in inv.devices.items() if d.role == "core"]
    return {"county_links_delayed": len(links), "mgmt_delayed_devices": len(behind),
            "county_link_min_rtt_ms": [min(r for _, r in link_rtt), max(r for _, r in link_rtt)],
            "mgmt_min_rtt_ms_delayed": [min(mgmt_rtt[n] for n in behind), max(mgmt_rtt[n] for n in behind)],
            "mgmt_min_rtt_ms_core": [mgmt_rtt[n] for n in cores],
            "active_faults": len(faults.active(lab))}


def govops_round(inv, intents, opts, workers, dest: Path):
    from network import backup, drift

    fetched = backup.fetch_all(inv, list(intents), opts, workers)
    backup.write_backups(inv, fetched, dest)
    reports = [drift.compare(intents[n], f.text) for n, f in fetched.items() if not f.error]
    return len(reports), sum(1 for f in fetched.values() if f.error)


def nornir_round(inv, intents, opts, workers, dest: Path):
    from nornir import InitNornir
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.inventory import InventoryPluginRegister
    from nornir_netmiko.tasks import netmiko_send_command

    from network import config as cfgtext
    from network import drift
    from network.session import connect_params

    class DictInventory:
        def __init__(self, **_kw) -> None:
            pass

        def load(self) -> Inventory:
            hosts = Hosts()
            for name in intents:
                p = connect_params(inv.devices[name], opts)
                extras = {k: v for k, v in p.items() if k not in ("device_type", "host", "username", "password")}
                hosts[name] = Host(name=name, hostname=p["host"], username=p["username"], password=p["password"],
                                   platform=p["device_type"],
                                   connection_options={"netmiko": ConnectionOptions(extras=extras)})
            return Inventory(hosts=hosts, groups=Groups(), defaults=Defaults())

    if "bench_dict" in InventoryPluginRegister.available:
        InventoryPluginRegister.deregister("bench_dict")
    InventoryPluginRegister.register("bench_dict", DictInventory)
    nr = InitNornir(runner={"plugin": "threaded", "options": {"num_workers": workers}},
                    inventory={"plugin": "bench_dict"}, logging={"enabled": False})

    def fetch(task):
        cmd = "show running-config" if task.host.platform in ("ruijie_os", "zte_zxros") else "display current-configuration"
        return netmiko_send_command(task, command_string=cmd, read_timeout=120)

    result = nr.run(task=fetch)
    nr.close_connections()
    ok = 0
    for name, multi in result.items():
        if multi.failed:
            continue
        text = cfgtext.normalise_text(multi[0].result, vendors.get(inv.devices[name].platform))
        path = dest / inv.devices[name].site / f"{name}.cfg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        drift.compare(intents[name], text)
        ok += 1
    return ok, len(result) - ok


ASKPASS = "#!/bin/sh\nprintf '%s\\n' \"$GOVOPS_BENCH_SECRET\"\n"


def ssh_floor_round(inv, intents, opts, workers, dest: Path):
    """The floor the network allows: OpenSSH's `ssh` from the management namespace, one connection
    per device (password auth, host key checked against the lab's known_hosts), the vendor's
    paging command and the running-config command typed ahead on stdin, read to the end of the
    configuration, logout. No prompt handling, no parsing: what any tool must at least spend."""
    import os
    import subprocess

    from govops import vendors
    from network.session import credentials

    askpass = dest / "askpass"
    dest.mkdir(parents=True, exist_ok=True)
    askpass.write_text(ASKPASS)
    askpass.chmod(0o700)

    def one(name: str) -> bool:
        dev = inv.devices[name]
        vendor = vendors.get(dev.platform)
        user, password = credentials(dev)
        typed = [*(["enable"] if vendor.session.enable else []), *vendor.session.preparation,
                 vendor.commands["running"], vendor.session.logout]
        argv = ["ssh", "-T", "-F", "/dev/null", "-o", f"UserKnownHostsFile={opts.known_hosts}",
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes",
                "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive",
                "-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=15", f"{user}@{dev.mgmt_ipv4}"]
        env = {**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force",
               "GOVOPS_BENCH_SECRET": password}
        proc = subprocess.run(argv, input="\n".join(typed) + "\n", capture_output=True, text=True, env=env,
                              timeout=120)
        return proc.returncode == 0 and any(e in proc.stdout for e in vendor.ending)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(one, list(intents)))
    return sum(done), len(done) - sum(done)


def _enter(namespace: str) -> None:
    from pyroute2 import netns

    netns.setns(namespace)


def main() -> int:
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("-i", "--inventory", default=str(ROOT / "inventories" / "xinyu"))
    parser.add_argument("--prefix", default="gnb", help="lab namespace prefix (default gnb)")
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--delay-ms", type=int, default=20)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces)")
    from govops import ipv6
    from govops.sot import load_inventory
    from lab import faults, lifecycle
    from lab.state import Lab
    from network import render
    from network.session import SessionOptions

    st = lifecycle.status(args.prefix)
    if st["up"] or st["leftover_namespaces"]:
        raise SystemExit(f"a lab with prefix {args.prefix!r} exists: take it down first "
                         f"(govops lab down --prefix {args.prefix}) or pick another --prefix")
    inv = load_inventory(args.inventory)
    plan = ipv6.require_plan(inv)
    intents = render.render_all(inv, plan)
    work = Path(f"/tmp/govops-bench-net-{os.getpid()}")
    lab = None
    try:
        lab_cli(args.prefix, "up", "-i", args.inventory)
        lab = Lab.load(args.prefix)
        paths = {n: management_path(lab, n) for n in lab.devices}
        county = next(n for n, d in inv.devices.items() if d.role == "aggregation")
        print(json.dumps({"management_path_of": county, **paths[county],
                          "every_device_via": sorted({tuple(p.values()) for p in paths.values()})}), flush=True)
        delays = apply_delays(lab, inv, args.prefix, args.delay_ms) if args.delay_ms else {}
        print(json.dumps({"delay_ms": args.delay_ms, **delays}), flush=True)
        opts = SessionOptions(known_hosts=lab.known_hosts)
        rows = []
        with ThreadPoolExecutor(max_workers=1, initializer=_enter, initargs=(lab.mgmt_netns,)) as mgmt:
            tools = [("govops", govops_round), ("nornir", nornir_round), ("ssh", ssh_floor_round)]
            for r in range(args.rounds):
                # rotate who goes first so no tool benefits from warm caches
                for label, func in tools[r % len(tools):] + tools[:r % len(tools)]:
                    dest = work / f"{label}-{r + 1}"
                    t0 = time.perf_counter()
                    ok, failed = mgmt.submit(func, inv, intents, opts, args.workers, dest).result()
                    dt = time.perf_counter() - t0
                    rows.append({"tool": label, "round": r + 1, "devices": ok, "failed": failed,
                                 "seconds": round(dt, 2), "devices_per_s": round(ok / dt, 2)})
                    print(json.dumps(rows[-1]), flush=True)
        names = [t for t, _ in tools]
        best = {t: max(x["devices_per_s"] for x in rows if x["tool"] == t) for t in names}
        print(json.dumps({"inventory": args.inventory, "devices": len(intents), "workers": args.workers,
                          "best_devices_per_s": best,
                          "ratio_govops_over_nornir": round(best["govops"] / best["nornir"], 2),
                          "ratio_ssh_floor_over_govops": round(best["ssh"] / best["govops"], 2)}))
        print("\n| round | govops s | govops dev/s | Nornir s | Nornir dev/s | ssh floor s | ssh floor dev/s |\n"
              "|---|---|---|---|---|---|---|")
        for r in range(1, args.rounds + 1):
            cells = [next(x for x in rows if x["tool"] == t and x["round"] == r) for t in names]
            print(f"| {r} | " + " | ".join(f"{c['seconds']} | {c['devices_per_s']}" for c in cells) + " |")
    finally:
        if lab is not None:
            faults.clear(lab)  # the same in-memory lab: it knows the mgmt0 delays too
        lifecycle.down(args.prefix)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
