"""Backup + drift of every extranet device: govops (network.backup/drift) vs Nornir + nornir_netmiko,
same twins, same worker count, side by side in one run.

Both do the same work per device: open a netmiko session (same parameters, host keys checked),
read the running config, close, then compare it with the rendered intent (same compare function).
Run as root:  .venv/bin/python bench/net/backup_drift.py [-i inventories/xinyu] [--workers 20] [--rounds 3]
It builds its own `gnb-` namespaces (tests/lab/network/conftest.py's builder), adds 20 ms netem delay
on the management path of every county (aggregation) device, and removes everything at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("GOVOPS_LAB_PREFIX", "gnb")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "lab" / "network"))

import conftest as netlab_builder  # noqa: E402


def govops_round(inv, intents, opts, workers):
    from network import backup, drift

    fetched = backup.fetch_all(inv, list(intents), opts, workers)
    reports = [drift.compare(intents[n], f.text) for n, f in fetched.items() if not f.error]
    return len(reports), sum(1 for f in fetched.values() if f.error)


def nornir_round(inv, intents, opts, workers):
    from nornir import InitNornir
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.inventory import InventoryPluginRegister
    from nornir_netmiko.tasks import netmiko_send_command

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
        from network import config as cfgtext

        drift.compare(intents[name], cfgtext.normalise_text(multi[0].result, inv.devices[name].platform))
        ok += 1
    return ok, len(result) - ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-i", "--inventory", default=str(ROOT / "inventories" / "lab"))
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--delay-ms", type=int, default=20)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces)")
    from govops import ipv6
    from govops.sot import load_inventory
    from network import render
    from network.session import SessionOptions

    netlab_builder.INVENTORY = Path(args.inventory).resolve()
    tmp = Path(f"/tmp/gnb-bench-{os.getpid()}")
    tmp.mkdir()
    proc = None
    try:
        config = netlab_builder.build(tmp)
        with (tmp / "twins.log").open("w") as log:
            proc = subprocess.Popen([sys.executable, "-m", "lab.twins", "--config", str(tmp / "twins.json")],
                                    cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 120
        while not Path(config["ready_file"]).exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit((tmp / "twins.log").read_text())
            time.sleep(0.1)
        lab = netlab_builder.NetLab(config, tmp, proc)
        inv = load_inventory(args.inventory)
        plan = ipv6.require_plan(inv)
        intents = render.render_all(inv, plan)
        delayed = 0
        for name, dev in inv.devices.items():
            if dev.role == "aggregation" and args.delay_ms:
                done = netlab_builder.sh("ip", "netns", "exec", netlab_builder.PREFIX + name, "tc", "qdisc", "add",
                                         "dev", "mgmt0", "root", "netem", "delay", f"{args.delay_ms}ms", check=False)
                if done.returncode:
                    print(f"netem unavailable ({done.stderr.strip()}); running without delay", file=sys.stderr)
                    break
                delayed += 1
        opts = SessionOptions(known_hosts=lab.known_hosts)
        rows = []
        for r in range(args.rounds):
            # alternate who goes first so neither benefits from warm caches
            order = [("govops", govops_round), ("nornir", nornir_round)]
            for label, func in order if r % 2 == 0 else reversed(order):
                t0 = time.perf_counter()
                ok, failed = lab.in_mgmt(func, inv, intents, opts, args.workers)
                dt = time.perf_counter() - t0
                rows.append({"tool": label, "round": r + 1, "devices": ok, "failed": failed, "seconds": round(dt, 3),
                             "devices_per_s": round(ok / dt, 2)})
                print(json.dumps(rows[-1]), flush=True)
        best = {t: max(x["devices_per_s"] for x in rows if x["tool"] == t) for t in ("govops", "nornir")}
        print(json.dumps({"inventory": args.inventory, "devices": len(intents), "workers": args.workers,
                          "netem_delayed_devices": delayed,
                          "best_devices_per_s": best, "ratio_govops_over_nornir": round(best["govops"] / best["nornir"], 2)}))
        lab.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        netlab_builder.teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
