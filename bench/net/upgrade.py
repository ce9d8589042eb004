"""The dual-stack upgrade of every extranet device: govops' transaction engine vs Nornir +
nornir_netmiko, same twins, same delays, same worker count, tier by tier, in one run.

- **govops**: `network.change.run_wave` (lock, precheck, backup, Comware archive, push with the
  VRPv8 commit trial / Comware commit delay, verify: intent in running, IPv6 interfaces up,
  neighbours and core loopbacks answer ping, IPv4 baseline kept; confirm, save, journal).
- **Nornir 3.6 + nornir_netmiko** (stock netmiko drivers), the plain way: per device read the
  running config, push the missing intent lines (`netmiko_send_config`; VRPv8 `commit`), verify
  that the intent is in the running config and its IPv6 interfaces are up, `netmiko_save_config`.
  Less work than govops' (no backup, archive, trial, ping or journal): a floor for a
  non-transactional tool on stock netmiko.

Between the two, every device is taken back to IPv4-only and saved (untimed). Run as root:

    .venv/bin/python bench/net/upgrade.py -i inventories/xinyu --prefix tsb --workers 20
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from backup_drift import _enter, apply_delays, lab_cli  # noqa: E402


def reset_device(inv, plan, opts, name: str) -> int:
    """Take the device's intent out and save: IPv4-only, nothing pending. Returns lines still missing."""
    from govops import vendors
    from network import config as cfgtext
    from network import platforms, render, session

    dev = inv.devices[name]
    vendor = vendors.get(dev.platform)
    intent = render.build_intent(inv, plan, name)
    conn = session.open_session(dev, opts)
    try:
        drv = platforms.driver_for(dev.platform, conn)
        if dev.platform == "hp_comware":
            drv._send(["configuration commit"])  # no commit delay left
        running = cfgtext.parse(drv.running(), vendor)
        have = cfgtext.keyed(running)
        present = []
        for b in intent.blocks:
            h = cfgtext.normalise_line(b.header)
            kids = [c for c in b.children if (h, cfgtext.normalise_line(c)) in have]
            if (h, "") in have and (kids or not b.children):
                present.append(cfgtext.Block(b.header, kids))
        bare = [cfgtext.Block(b.header) for b in running if b.header.startswith("interface ")]
        cmds = cfgtext.to_commands(cfgtext.undo_of(present, bare, vendor), vendor) if present else []
        drv._send(cmds + (["commit"] if dev.platform == "huawei_vrpv8" else []), exit_config_mode=False)
        drv.conn.exit_config_mode()
        drv.conn.save_config()
        return len(cfgtext.missing(intent.blocks, cfgtext.parse(drv.running(), vendor)))
    finally:
        conn.disconnect()


def govops_wave(inv, plan, opts, workers: int, work: Path) -> tuple[int, int]:
    from network import change
    from network.journal import Journal

    ctx = change.ChangeContext(inv, plan, Journal(work / "journal.jsonl"), work / "backups", opts)
    outcomes = change.run_wave(ctx, list(render_names(inv)), workers=workers)
    ok = sum(1 for o in outcomes if o.result in (change.UPGRADED, change.ALREADY))
    bad = [f"{o.device}: {o.result} {o.detail}"[:160] for o in outcomes if o.result not in (change.UPGRADED,
                                                                                             change.ALREADY)]
    if bad:
        print(json.dumps({"govops_not_upgraded": bad[:5]}), flush=True)
    return ok, len(outcomes) - ok


def render_names(inv) -> list[str]:
    return [n for n, d in inv.devices.items()]


def nornir_wave(inv, plan, opts, workers: int) -> tuple[int, int]:
    from nornir import InitNornir
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.inventory import InventoryPluginRegister
    from nornir_netmiko.tasks import netmiko_save_config, netmiko_send_command, netmiko_send_config

    from govops import vendors
    from network import config as cfgtext
    from network import platforms, render
    from network.session import connect_params

    intents = {n: render.build_intent(inv, plan, n) for n in inv.devices}

    class DictInventory:
        def __init__(self, **_kw) -> None:
            pass

        def load(self) -> Inventory:
            hosts = Hosts()
            for name in intents:
                p = connect_params(inv.devices[name], opts)
                extras = {k: v for k, v in p.items() if k not in ("device_type", "host", "username", "password")}
                hosts[name] = Host(name=name, hostname=p["host"], username=p["username"], password=p["password"],
                                   platform=p["device_type"], data={"tier": render.tier_of(inv.devices[name])},
                                   connection_options={"netmiko": ConnectionOptions(extras=extras)})
            return Inventory(hosts=hosts, groups=Groups(), defaults=Defaults())

    if "bench_upgrade" in InventoryPluginRegister.available:
        InventoryPluginRegister.deregister("bench_upgrade")
    InventoryPluginRegister.register("bench_upgrade", DictInventory)
    nr = InitNornir(runner={"plugin": "threaded", "options": {"num_workers": workers}},
                    inventory={"plugin": "bench_upgrade"}, logging={"enabled": False})

    def upgrade(task):
        name = task.host.name
        vendor = vendors.get(task.host.platform)
        intent = intents[name]
        running = task.run(task=netmiko_send_command, command_string=vendor.commands["running"],
                           read_timeout=120).result
        cmds = cfgtext.to_commands(cfgtext.missing(intent.blocks, cfgtext.parse(running, vendor)), vendor)
        if cmds:
            vrpv8 = task.host.platform == "huawei_vrpv8"
            task.run(task=netmiko_send_config, config_commands=cmds, exit_config_mode=not vrpv8, read_timeout=120)
            if vrpv8:
                conn = task.host.get_connection("netmiko", task.nornir.config)
                conn.send_command("commit", expect_string=r"\]", read_timeout=120)
                conn.exit_config_mode()
        running = task.run(task=netmiko_send_command, command_string=vendor.commands["running"],
                           read_timeout=120).result
        missing = cfgtext.missing_lines(intent.blocks, cfgtext.parse(running, vendor))
        states = platforms.interface_states(task.run(task=netmiko_send_command,
                                                     command_string=vendor.commands["ipv6_brief"]).result,
                                            vendor, "ipv6_brief")
        down = [a.interface for a in intent.addresses if not states.get(cfgtext.canonical_interface(a.interface))]
        if missing or down:
            raise RuntimeError(f"{name}: missing {missing[:2]}, down {down[:2]}")
        # VRP's `save` asks Y/N; nornir_netmiko's task passes confirm=False unless told
        huawei = task.host.platform in ("huawei", "huawei_vrpv8")
        task.run(task=netmiko_save_config, **({"confirm": True, "confirm_response": "y"} if huawei else {}))

    ok = failed = 0
    for tier in sorted({h.data["tier"] for h in nr.inventory.hosts.values()}):
        result = nr.filter(filter_func=lambda h, t=tier: h.data["tier"] == t).run(task=upgrade)
        failed_now = [n for n, r in result.items() if r.failed]
        for n in failed_now[:3]:
            errors = [str(r.exception)[-300:] for r in result[n] if r.failed and r.exception]
            print(json.dumps({"nornir_failed": n, "errors": errors[-2:]}), flush=True)
        ok += len(result) - len(failed_now)
        failed += len(failed_now)
    nr.close_connections()
    return ok, failed


def main() -> int:
    import os

    parser = argparse.ArgumentParser()
    parser.add_argument("-i", "--inventory", default=str(ROOT / "inventories" / "xinyu"))
    parser.add_argument("--prefix", default="tsb")
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--delay-ms", type=int, default=20)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces)")
    from govops import ipv6
    from govops.sot import load_inventory
    from lab import faults, lifecycle
    from lab.state import Lab
    from network.session import SessionOptions

    inv = load_inventory(args.inventory)
    plan = ipv6.require_plan(inv)
    work = Path(f"/tmp/govops-bench-upgrade-{os.getpid()}")
    lab = None
    try:
        lab_cli(args.prefix, "up", "-i", args.inventory)
        lab = Lab.load(args.prefix)
        if args.delay_ms:
            print(json.dumps({"delay_ms": args.delay_ms, **apply_delays(lab, inv, args.prefix, args.delay_ms)}),
                  flush=True)
        opts = SessionOptions(known_hosts=lab.known_hosts)
        names = list(inv.devices)
        rows = []
        with ThreadPoolExecutor(max_workers=1, initializer=_enter, initargs=(lab.mgmt_netns,)) as mgmt:
            for label in ("govops", "nornir"):
                with ThreadPoolExecutor(max_workers=args.workers) as pool:  # untimed: IPv4-only again
                    left = mgmt.submit(lambda: list(pool.map(lambda n: reset_device(inv, plan, opts, n),
                                                             names))).result()
                print(json.dumps({"reset_before": label, "devices_missing_their_intent": sum(1 for x in left if x)}),
                      flush=True)
                t0 = time.perf_counter()
                if label == "govops":
                    ok, failed = mgmt.submit(govops_wave, inv, plan, opts, args.workers, work).result()
                else:
                    ok, failed = mgmt.submit(nornir_wave, inv, plan, opts, args.workers).result()
                dt = time.perf_counter() - t0
                rows.append({"tool": label, "devices": ok, "failed": failed, "seconds": round(dt, 1)})
                print(json.dumps(rows[-1]), flush=True)
        g, n = rows
        print(json.dumps({"inventory": args.inventory, "devices": len(names), "workers": args.workers,
                          "ratio_nornir_seconds_over_govops": round(n["seconds"] / g["seconds"], 2)}))
    finally:
        if lab is not None:
            faults.clear(lab)
        lifecycle.down(args.prefix)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
