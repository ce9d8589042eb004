"""OSPF convergence on the lab twin: time from a fault on one uplink of a dual-homed county to
the first successful ping over the other uplink (issue 18, point 4).

    sudo .venv/bin/python bench/routing/convergence.py [--reps N]

The lab (inventories/lab) is brought up under its own prefix (`tcb`, or $GOVOPS_BENCH_PREFIX)
and removed at the end, also on failure. Fenyi's aggregation fy-agg-1 is dual-homed (core-1 and
core-2); the fault is on core-1's end of the core-1 -- fy-agg-1 link.

Faults:
  link-down   `govops lab fault link core-1:… down` (lab.faults.link): carrier loss, both ends
              see the interface go down, so OSPF reacts at once (no timer involved).
  blackhole   the link stays up but every packet on it is lost (an nftables drop in both
              directions on core-1's interface, hello packets included): nothing tells OSPF,
              so only the dead interval ends the adjacency. lab.faults has `loss` (egress only,
              netem or nft) but no two-way blackhole, so it is built here.

Pings are sent every 10 ms (`ping -i 0.01 -D`, root in the node's namespace); convergence is the
receive time of the first reply whose request left after the fault (receive time minus rtt),
minus the fault's time. OSPFv2 is measured with IPv4 (township fy-fyz-acc-1 -> core-1's
loopback), OSPFv3 with IPv6 (fy-agg-1's loopback -> core-1's loopback): the lab starts without
OSPFv3, so it is configured on core-1, core-2 and fy-agg-1 through their vendor CLI (VRPv8,
Comware 7, VRP5), with the design's cost, point-to-point and hello/dead as OSPFv3's own lines (`ospfv3 cost`,
`ospfv3 network-type p2p`, `ospfv3 timer hello|dead`: what the upgrade's templates set), as tests/lab/routing/test_ospf.py does. Writes bench/routing/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from govops import vendors  # noqa: E402
from govops.sot import load_inventory  # noqa: E402
from govops.sot.routing import plan_ospf  # noqa: E402
from lab import faults  # noqa: E402
from lab.lifecycle import down  # noqa: E402
from lab.state import Lab  # noqa: E402
from lab.twins.frr_config import render_frr  # noqa: F401,E402  (timers documented in RESULTS.md)

PREFIX = os.environ.get("GOVOPS_BENCH_PREFIX", "tcb")
INVENTORY = ROOT / "inventories" / "lab"
UPLINK = "core-1:GigabitEthernet0/1/1"  # core-1 -- fy-agg-1; the other uplink is core-2 -- fy-agg-1
DIRECT_V4, OTHER_V4 = "198.18.8.2", "198.18.8.4"
PROBES = {
    "OSPFv2": ("fy-fyz-acc-1", "198.18.4.31", "198.18.4.1", "4"),
    "OSPFv3": ("fy-agg-1", "2001:db8:4600::3", "2001:db8:4600::1", "6"),
}
# OSPFv3 for the bench, in the vendors' syntax (interface, address/len, area); areas as for IPv4.
V3 = {
    "core-1": ("198.18.4.1", [("LoopBack0", "2001:db8:4600::1 128", "0.0.0.0"),
                              ("GigabitEthernet0/1/0", "2001:db8:4600:1000::0 64", "0.0.0.0"),
                              ("GigabitEthernet0/1/1", "2001:db8:4600:1001::0 64", "0.0.0.1")]),
    "core-2": ("198.18.4.2", [("LoopBack0", "2001:db8:4600::2 128", "0.0.0.0"),
                              ("GigabitEthernet1/0/1", "2001:db8:4600:1000::1 64", "0.0.0.0"),
                              ("GigabitEthernet1/0/2", "2001:db8:4600:1002::0 64", "0.0.0.1")]),
    "fy-agg-1": ("198.18.4.21", [("LoopBack0", "2001:db8:4600::3 128", "0.0.0.1"),
                                 ("GigabitEthernet0/0/1", "2001:db8:4600:1001::1 64", "0.0.0.1"),
                                 ("GigabitEthernet0/0/2", "2001:db8:4600:1002::1 64", "0.0.0.1")]),
}
APPLY: list[float] = []  # how long each fault command took to run
REPLY = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from .* time=([\d.]+) ms")


def lab_cli(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "lab.cli", "lab", args[0], "--prefix", PREFIX, *args[1:]],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    if proc.returncode:
        raise RuntimeError(f"lab {' '.join(args)}: {proc.stdout}\n{proc.stderr}")


def configure_ospfv3(lab: Lab) -> None:
    from pyroute2 import netns

    from network import session

    inv = load_inventory(lab.inventory)

    def push(name: str) -> str:
        netns.setns(lab.mgmt_netns)
        rid, intfs = V3[name]
        lines = ["ipv6"] if inv.devices[name].platform == "huawei" else []  # VRP5's global switch
        lines += ["ospfv3 1", f"router-id {rid}", "quit"]
        design = plan_ospf(inv)[name]
        for intf, address, area in intfs:
            lines += [f"interface {intf}", "ipv6 enable", f"ipv6 address {address}", f"ospfv3 1 area {area}"]
            # OSPFv3's own cost, network type and timers, as the upgrade's templates set them (`ospf cost`,
            # `ospf network-type p2p` and `ospf timer` are OSPFv2's; without these the twin's OSPFv3, like a
            # real VRP's, runs the bandwidth cost, broadcast and 10/40 s); a loopback sends no hellos.
            if not intf.startswith("LoopBack"):
                cost = {i.interface: i.cost for i in design.interfaces}.get(intf, 0)
                lines += [f"ospfv3 cost {cost}"] if cost else []
                lines.append("ospfv3 network-type p2p")
                vrp_keeps = design.dead < vendors.get(inv.devices[name].platform).ospf3_dead_floor  # VRP's floor
                lines += [f"ospfv3 timer hello {design.hello}" + (" conservative" if vrp_keeps else ""),
                          f"ospfv3 timer dead {design.dead}"]
            lines.append("quit")
        if inv.devices[name].platform == "huawei_vrpv8":  # two-stage configuration: nothing applies before commit
            lines.append("commit")
        conn = session.open_session(inv.devices[name], session.SessionOptions(known_hosts=lab.known_hosts))
        try:
            return conn.send_config_set(lines, cmd_verify=False, read_timeout=60)
        finally:
            conn.disconnect()

    with ThreadPoolExecutor(max_workers=1) as pool:
        for name in V3:
            out = pool.submit(push, name).result(timeout=180)
            if "Error" in out:
                raise RuntimeError(f"{name}: OSPFv3 configuration refused:\n{out}")


def route_via(lab: Lab, family: str) -> str:
    target = PROBES["OSPFv2" if family == "4" else "OSPFv3"][2]
    return lab.run("fy-agg-1", ["ip", f"-{family}", "route", "get", target]).stdout


def on_direct_path(lab: Lab, family: str) -> bool:
    out = route_via(lab, family)
    if family == "4":
        return f"via {DIRECT_V4} " in out
    return f"dev {lab.kernel_name('fy-agg-1', 'GigabitEthernet0/0/1')} " in out


def wait(what: str, pred, timeout: float = 60) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def ping_ok(lab: Lab, node: str, src: str, dst: str, fam: str) -> bool:
    argv = ["ping", f"-{fam}", "-n", "-c", "1", "-W", "1", "-I", src, dst]
    return lab.run(node, argv, timeout=10).returncode == 0


def blackhole(lab: Lab, on: bool) -> None:
    kname = lab.kernel_name("core-1", UPLINK.split(":", 1)[1])
    if on:
        rules = ["add table inet govops_bench",
                 "add chain inet govops_bench c_in { type filter hook input priority -10 ; }",
                 "add chain inet govops_bench c_fwd { type filter hook forward priority -10 ; }",
                 "add chain inet govops_bench c_out { type filter hook output priority -10 ; }",
                 f'add rule inet govops_bench c_in iifname "{kname}" drop',
                 f'add rule inet govops_bench c_fwd iifname "{kname}" drop',
                 f'add rule inet govops_bench c_fwd oifname "{kname}" drop',
                 f'add rule inet govops_bench c_out oifname "{kname}" drop']
        argv, stdin = ["nft", "-f", "-"], "\n".join(rules) + "\n"
    else:
        argv, stdin = ["nft", "delete", "table", "inet", "govops_bench"], None
    proc = lab.run("core-1", argv, input=stdin)
    if on and proc.returncode:
        raise RuntimeError(f"nft blackhole: {proc.stderr}")


def first_reply(text: str, t0: float) -> float | None:
    """Seconds from ``t0`` to the first reply whose request left after ``t0`` (receive time - rtt)."""
    for line in text.splitlines():
        m = REPLY.match(line)
        if m:
            received, rtt = float(m.group(1)), float(m.group(2)) / 1000
            if received - rtt >= t0:
                return received - t0
    return None


def measure(lab: Lab, proto: str, fault: str, folder: Path) -> float:
    node, src, dst, fam = PROBES[proto]
    wait(f"{proto} on the direct uplink", lambda: on_direct_path(lab, fam) and ping_ok(lab, node, src, dst, fam))
    time.sleep(2)  # adjacency settled (a few hellos)
    log = folder / f"ping-{proto}-{fault}.log"
    with log.open("w") as out:
        pinger = subprocess.Popen(lab.command(node, ["ping", f"-{fam}", "-n", "-D", "-i", "0.01", "-W", "1",
                                                     "-I", src, dst]), stdout=out, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        issued = time.time()
        if fault == "link-down":
            faults.link(lab, UPLINK, "down")
        else:
            blackhole(lab, True)
        # From here the fault is certainly in place (a reply to a request sent while `ip`/`nft` was
        # still starting would count as "converged" otherwise); the command's own run time
        # (t0 - issued, ~10-30 ms) bounds how much earlier the fault may have hit.
        t0 = time.time()
        APPLY.append(t0 - issued)
        wait(f"{proto} on the other uplink", lambda: not on_direct_path(lab, fam), timeout=60)
        # The first reply needs the way back too (core-1 re-routing toward the probe's source), which
        # may settle after the probe's own route moved: wait for the reply itself.
        wait(f"{proto}: a reply after the fault", lambda: first_reply(log.read_text(), t0) is not None, timeout=60)
    finally:
        pinger.terminate()
        pinger.wait(timeout=10)
        if fault == "link-down":
            faults.clear(lab)
        else:
            blackhole(lab, False)
    return first_reply(log.read_text(), t0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root (the lab's namespaces)", file=sys.stderr)
        return 2
    down(PREFIX)
    results: dict[tuple[str, str], list[float]] = {}
    try:
        start = time.monotonic()
        lab_cli("up", "-i", str(INVENTORY))
        lab = Lab.load(PREFIX)
        print(f"lab up in {time.monotonic() - start:.1f} s", flush=True)
        configure_ospfv3(lab)
        for proto in PROBES:
            for fault in ("link-down", "blackhole"):
                for rep in range(args.reps):
                    seconds = measure(lab, proto, fault, lab.run_dir)
                    results.setdefault((proto, fault), []).append(seconds)
                    print(f"{proto} {fault} #{rep + 1}: {seconds * 1000:.0f} ms", flush=True)
    finally:
        down(PREFIX)
    write_results(results, args.reps)
    return 0


def write_results(results: dict[tuple[str, str], list[float]], reps: int) -> None:
    rows = [f"| {proto} | {fault} | {len(v)} | {statistics.median(v) * 1000:.0f} | {max(v) * 1000:.0f} | "
            f"{' '.join(f'{x * 1000:.0f}' for x in v)} |" for (proto, fault), v in results.items()]
    table = "\n".join(["| protocol | fault | reps | median ms | max ms | each run (ms) |",
                       "|---|---|---|---|---|---|", *rows])
    path = Path(__file__).with_name("RESULTS.md")
    text = path.read_text() if path.exists() else ""
    marker_a, marker_b = "<!-- measured:begin -->", "<!-- measured:end -->"
    block = (f"{marker_a}\nMeasured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on "
             f"{os.uname().release} ({os.cpu_count()} CPUs), {reps} repetitions, "
             f"`sudo .venv/bin/python bench/routing/convergence.py --reps {reps}`. Time counted from the "
             f"return of the fault command (it took median {statistics.median(APPLY) * 1000:.0f} ms, max "
             f"{max(APPLY) * 1000:.0f} ms to run):\n\n{table}\n{marker_b}")
    if marker_a in text:
        text = re.sub(re.escape(marker_a) + ".*?" + re.escape(marker_b), lambda _: block, text, flags=re.S)
    else:
        text = text + "\n" + block + "\n"
    path.write_text(text)
    print(table)


if __name__ == "__main__":
    sys.exit(main())
