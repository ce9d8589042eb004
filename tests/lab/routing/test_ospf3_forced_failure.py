"""Issue 18: a forced verify failure on one device rolls back its OSPFv3 configuration
byte-identically while its neighbours' IPv4 adjacencies with it stay up.

The failure is the realistic one: an OSPFv3 adjacency that does not come up while IPv4 is fine.
`govops lab fault ospf6 NODE:IF block` drops OSPFv3 (IPv6 next header 89) on the aggregation
device's uplinks inside its namespace, so OSPFv2 (IPv4 protocol 89) and every other IPv6 packet
still pass. The device is ys-agg-1 (Comware 7: verify reads `display ospfv3 peer`; the rollback is
`configuration replace` of the archive the engine took). Its neighbours' `display ospf peer`, read
over SSH in their own CLI (VRPv8, Comware, VRP5) and parsed with govops' templates, is sampled
before the run, all through push, verify and rollback, and after it.

On the shared lab: after tests/lab/network the device is already dual-stack, and is first backed
out from the pre-change backup of that wave's journal (network.transaction.back_out, the path of
the playbook's ``--tags rollback``); run alone, the lab is IPv4-only and the cores are upgraded
first. The fault is cleared and the device upgraded again, so the lab is left dual-stack.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from govops import ipv6, vendors
from govops.sot import load_inventory
from network import change, journal, platforms, render, session, transaction
from network import config as cfgtext
from tests.lab.labctl import lab_cli

pytestmark = pytest.mark.lab
TARGET = "ys-agg-1"


class Workstation:
    """Calls that run in the lab's mgmt namespace (setns switches only the calling thread)."""

    def __init__(self, lab: Any) -> None:
        from pyroute2 import netns

        self.lab = lab
        self.pool = ThreadPoolExecutor(max_workers=2, initializer=netns.setns, initargs=(lab.mgmt_netns,))

    def call(self, func: Callable, *args: Any) -> Any:
        return self.pool.submit(func, *args).result(timeout=600)

    def on(self, inv: Any, name: str, func: Callable[[platforms.Driver], Any]) -> Any:
        def job() -> Any:
            conn = session.open_session(inv.devices[name], session.SessionOptions(known_hosts=self.lab.known_hosts))
            try:
                return func(platforms.driver_for(inv.devices[name].platform, conn))
            finally:
                conn.disconnect()
        return self.call(job)


class Ipv4Watch:
    """Sample every neighbour's IPv4 OSPF state with TARGET, in its CLI, until stopped: a list of
    (monotonic time, neighbour, problems) where problems is [] while the adjacency is Full."""

    def __init__(self, lab: Any, inv: Any, neighbours: list[str]) -> None:
        self.lab, self.inv, self.neighbours = lab, inv, neighbours
        self.samples: list[tuple[float, str, list[str]]] = []
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from pyroute2 import netns

        netns.setns(self.lab.mgmt_netns)
        want = {str(self.inv.devices[TARGET].router_id): TARGET}
        conns = {}
        try:
            for name in self.neighbours:
                conns[name] = session.open_session(self.inv.devices[name],
                                                   session.SessionOptions(known_hosts=self.lab.known_hosts))
            drivers = {n: platforms.driver_for(self.inv.devices[n].platform, c) for n, c in conns.items()}
            while not self.stop.is_set():
                for name, drv in drivers.items():
                    self.samples.append((time.monotonic(), name, change.ospf_pending(drv, "ospf_peer", want, "IPv4")))
                self.stop.wait(0.5)
        except Exception as exc:  # noqa: BLE001 - reported by the test, not lost in a thread
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            for conn in conns.values():
                conn.disconnect()

    def __enter__(self) -> Ipv4Watch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=60)

    def between(self, start: float, end: float) -> dict[str, list[list[str]]]:
        out: dict[str, list[list[str]]] = {n: [] for n in self.neighbours}
        for t, name, problems in self.samples:
            if start <= t <= end:
                out[name].append(problems)
        return out


def _wave_journal_with_upgrade(base: Path) -> Path | None:
    """The journal of this session that upgraded TARGET last: the shared lab's wave (tests/lab/network).
    Earlier rooms upgrade copies of the lab (tests/lab/ansible), so the latest upgrade is the one
    in force here; back_out checks the result byte for byte against that journal's backup."""
    latest: tuple[str, Path] | None = None
    for path in base.rglob("*.jsonl"):
        jl = journal.Journal(path)
        try:  # other tests' files: SA forwarder spools, a deliberately malformed journal (too deep to parse)
            if jl.finished().get(TARGET) != change.UPGRADED:
                continue
        except (ValueError, RecursionError, KeyError, TypeError):
            continue
        when = max(e["time"] for e in jl.entries() if e["device"] == TARGET and e["step"] == "done")
        latest = max(latest, (when, path)) if latest else (when, path)
    return latest[1] if latest else None


@pytest.fixture(scope="module")
def forced(lab, tmp_path_factory) -> dict:
    inv = load_inventory(lab.inventory)
    plan = ipv6.require_plan(inv)
    intent = render.build_intent(inv, plan, TARGET)
    if intent.ospf3 is None:
        pytest.skip("this lab routes statically (GOVOPS_LAB_IGP=static): no OSPFv3 in the intent")
    base = tmp_path_factory.getbasetemp()
    tmp = tmp_path_factory.mktemp("ospf3-forced")
    ws = Workstation(lab)
    vendor = vendors.get(inv.devices[TARGET].platform)
    links = list(inv.links_of(TARGET))
    uplinks = [here.interface for _, here, far in links
               if render.tier_of(inv.devices[far.device]) < render.tier_of(inv.devices[TARGET])]
    neighbours = [far.device for _, _, far in links]
    cores = [n for n, d in inv.devices.items() if d.role == "core"]
    assert len(uplinks) == 2 and set(cores) <= set(neighbours)
    opts = session.SessionOptions(known_hosts=lab.known_hosts)
    ctx = change.ChangeContext(inv, plan, journal.Journal(tmp / "journal.jsonl"), tmp / "backups", opts)
    out: dict[str, Any] = {"inv": inv, "ctx": ctx, "neighbours": neighbours, "uplinks": uplinks, "earlier": None}
    try:
        # The upper tier is dual-stack in this journal (upgraded now, or already): verify then wants
        # OSPFv3 Full with both cores.
        assert {o.result for o in ws.call(change.run_wave, ctx, cores, 2)} <= {change.UPGRADED, change.ALREADY}
        running = ws.on(inv, TARGET, lambda d: d.running())
        if not cfgtext.missing_lines(intent.blocks, cfgtext.parse(running, vendor)):
            earlier = out["earlier"] = _wave_journal_with_upgrade(base)
            assert earlier, f"{TARGET} is dual-stack but no journal of this session holds its upgrade to back out"
            back_ctx = change.ChangeContext(inv, plan, journal.Journal(earlier), earlier.parent / "backups", opts)
            backed = ws.call(transaction.back_out, back_ctx, change.Ipv6Upgrade(inv, plan), TARGET)
            assert backed.result == transaction.BACKED_OUT, backed.detail

        for port in uplinks:
            lab_cli("fault", "ospf6", f"{TARGET}:{port}", "block")
        marks: dict[str, float] = {}

        def after_push(device: str) -> None:
            marks["pushed"] = time.monotonic()
            out["faults"] = lab_cli("fault", "list").stdout

        ctx.after_push = after_push
        with Ipv4Watch(lab, inv, neighbours) as watch:
            deadline = time.monotonic() + 60
            while len({n for _, n, _ in watch.samples}) < len(neighbours) and time.monotonic() < deadline:
                time.sleep(0.2)
            marks["start"] = time.monotonic()
            out["first"] = ws.call(change.run_wave, ctx, [TARGET], 1)[0]
            marks["rolled_back"] = time.monotonic()
            time.sleep(inv.routing.ospf.dead + 1)  # after the rollback: still Full past a dead interval
        out["watch"], out["marks"] = watch, marks
        out["rolled_back"] = ws.on(inv, TARGET, lambda d: cfgtext.normalise_text(d.running(), d.vendor))
    except BaseException:
        # leave the device as the rooms after this one expect it (dual-stack), then report
        lab_cli("fault", "clear")
        ctx.after_push = None
        ws.call(change.run_wave, ctx, [TARGET], 1)
        raise
    finally:
        lab_cli("fault", "clear")
        ctx.after_push = None
    out["listed_after_clear"] = lab_cli("fault", "list").stdout
    out["nft_after_clear"] = lab.run(TARGET, ["nft", "list", "ruleset"]).stdout
    out["second"] = ws.call(change.run_wave, ctx, [TARGET], 1)[0]
    # Every dual-stack neighbour Full again, the township below too when the lab was upgraded
    # before (the rooms after this one find the adjacencies as the upgrade left them).
    done = set(ctx.journal.finished()) | (set(journal.Journal(out["earlier"]).finished()) if out["earlier"] else set())
    out["ospf3_pending"] = ws.on(inv, TARGET, lambda d: change.wait_ospf3(ctx, d, intent, done))
    out["done"] = done
    ws.pool.shutdown(wait=False)
    return out


def test_ospf3_blocked_on_the_uplinks_fails_verify_and_rolls_back_byte_identically(forced):
    first, entries = forced["first"], forced["ctx"].journal.entries()
    assert all(f"{TARGET}" in forced["faults"] and port in forced["faults"] for port in forced["uplinks"])
    assert first.result == change.ROLLED_BACK, first.detail
    mine = [e for e in entries if e["device"] == TARGET]
    verify = [e for e in mine if e["step"] == "verify"][0]
    assert verify["outcome"] == "failed"
    for core in ("core-1", "core-2"):  # the adjacencies the fault held down, each named
        assert f"OSPFv3 neighbour {core} " in verify["detail"] and "not Full" in verify["detail"], verify["detail"]
    assert "IPv4 baseline" not in verify["detail"], verify["detail"]  # the device's own IPv4 OSPF stayed Full
    rollback = [e for e in mine if e["step"] == "rollback" and e["outcome"] != "started"][0]
    assert rollback["outcome"] == "ok" and "byte-identical" in rollback["detail"]
    begin = [e for e in mine if e["step"] == "begin"][0]
    backup = Path(begin["backup"]).read_text()
    assert "ospfv3" not in backup.lower()  # the change started from IPv4-only OSPF
    assert forced["rolled_back"] == backup  # read back from the twin, not only the journal's word


def test_neighbours_ipv4_adjacencies_stay_full_before_during_and_after(forced):
    watch, marks = forced["watch"], forced["marks"]
    assert watch.errors == []
    phases = {"before": (0.0, marks["start"]), "during verify": (marks["pushed"], marks["rolled_back"]),
              "after the rollback": (marks["rolled_back"], float("inf"))}
    for phase, (start, end) in phases.items():
        for neighbour, samples in watch.between(start, end).items():
            assert samples, f"no sample of {neighbour}'s `display ospf peer` {phase}"
            bad = [p for p in samples if p]
            assert bad == [], f"{neighbour} {phase}: {bad[0]}"
    # verify waited for OSPFv3 (2 x dead + margin): the neighbours were read many times meanwhile
    during = watch.between(marks["pushed"], marks["rolled_back"])
    assert all(len(s) >= 5 for s in during.values()), {n: len(s) for n, s in during.items()}


def test_after_fault_clear_the_rerun_upgrades_with_ospf3_full(forced):
    assert forced["second"].result == change.UPGRADED, forced["second"].detail
    assert forced["ospf3_pending"] == []
    assert {"core-1", "core-2", TARGET} <= forced["done"]


def test_fault_clear_removed_the_block_and_a_bad_port_is_refused(lab, forced):
    assert forced["listed_after_clear"].strip() == ""
    assert "ospf6_" not in forced["nft_after_clear"], forced["nft_after_clear"]
    bad = lab_cli("fault", "ospf6", f"{TARGET}:GigabitEthernet9/9/9", "block", check=False)
    assert bad.returncode == 1 and "has no interface 'GigabitEthernet9/9/9'" in " ".join(bad.stderr.split()), bad.stderr
    assert lab_cli("fault", "list").stdout.strip() == ""
