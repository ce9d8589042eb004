"""The dual-stack IPv6 upgrade: one intent on the transaction engine (network.transaction).

The engine does lock, precheck, backup, push (VRPv8 commit trial, Comware commit delay), verify,
confirm and save or rollback, journal and resume; this module says what the upgrade needs: the
rendered intent (network.render), and how to verify it (addresses up in ``ipv6 interface brief``,
OSPFv3 neighbours Full and the core loopbacks learned through OSPFv3, read from the device's CLI;
neighbours already dual-stack and the core loopbacks answer ``ping ipv6``, the IPv4 baseline kept).

Test hook: ``GOVOPS_AFTER_PUSH_HOOK`` is a shell command run after the push and before verify
(env ``GOVOPS_DEVICE`` names the device) — the lab tests inject faults through it.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass

from govops import ipv6
from govops.sot import Inventory
from govops.vendors import parsing
from network import config as cfgtext
from network import platforms, render
from network.transaction import (  # noqa: F401 - the engine's names, re-exported for callers of this module
    DONE_BEFORE,
    FAILED,
    HOOK_ENV,
    LOCKED,
    ROLLED_BACK,
    STOP,
    STOPPED,
    WOULD_CHANGE,
    Baseline,
    ChangeContext,
    Outcome,
    apply_intent,
    diff_summary,
    stop_on_signals,
)

UPGRADED, ALREADY = "upgraded", "already_dual_stack"
# How long verify waits for OSPFv3 adjacencies: the dead interval is the protocol's own bound on
# a hello exchange; twice it, plus a margin for the SPF run that installs the routes.
OSPF3_WAIT_MARGIN = 10.0


def ospf_pending(drv: platforms.Driver, key: str, want: dict[str, str], label: str) -> list[str]:
    """Neighbours in ``want`` (router id -> device) not Full in the device's `key` table
    (`ospf_peer` / `ospfv3_peer`), read with the vendor's template; [] when all are Full."""
    if not want:
        return []
    rows = parsing.parse(drv.vendor, key, drv.cmd(drv.vendor.commands[key]))
    full = {str(r["neighbor_id"]) for r in rows if str(r["state"]).lower().startswith("full")}
    return [f"{label} neighbour {p} ({rid}) not Full" for rid, p in sorted(want.items()) if rid not in full]


def ospf3_pending(ctx: ChangeContext, drv: platforms.Driver, intent: render.Intent,
                  done: set[str]) -> list[str]:
    """Planned OSPFv3 neighbours (already upgraded) not Full in `display ospfv3 peer`."""
    want = {str(ctx.inv.devices[p].router_id): p for p in intent.ospf3.neighbours if p in done}
    return ospf_pending(drv, "ospfv3_peer", want, "OSPFv3")


def ospf_baseline(ctx: ChangeContext, drv: platforms.Driver, intent: render.Intent, baseline: Baseline) -> list[str]:
    """The IPv4 baseline where the extranet runs OSPF: interfaces up and every planned IPv4 OSPF
    neighbour still Full. IPv4 routes are not compared one by one there: a fault elsewhere (another
    device's uplink, in the same wave) withdraws remote prefixes through the IGP, which says
    nothing about this device's change; its own adjacencies do."""
    lost = [p for p in baseline.lost(drv) if not p.startswith("IPv4 baseline: routes lost")]
    peers = {str(ctx.inv.devices[p].router_id): p for p in intent.ospf3.neighbours}
    return lost + ospf_pending(drv, "ospf_peer", peers, "IPv4 baseline: OSPF")


def ospf3_wait(ctx: ChangeContext) -> float:
    return 2 * ctx.inv.routing.ospf.dead + OSPF3_WAIT_MARGIN


def core_loopbacks(ctx: ChangeContext, intent: render.Intent, done: set[str]) -> dict[str, ipaddress.IPv6Address]:
    """Core device -> its planned IPv6 loopback, for the cores this device must learn through OSPFv3:
    the other core(s) already dual-stack (a core needs only the other core's; as for the pings, a core
    not upgraded yet in this wave has no OSPFv3 to advertise its loopback with)."""
    return {name: ctx.plan.loopbacks[name].ip for name, dev in ctx.inv.devices.items()
            if dev.role == "core" and name != intent.device and name in done}


def loopbacks_pending(ctx: ChangeContext, drv: platforms.Driver, intent: render.Intent, done: set[str]) -> list[str]:
    """Core loopbacks no OSPFv3 route in the device's routing table covers (the vendor's `ospfv3_routes`
    command, read with its template); [] when all are learned."""
    want = core_loopbacks(ctx, intent, done)
    if not want:
        return []
    command = drv.vendor.commands["ospfv3_routes"]
    learned = [ipaddress.IPv6Network(p) for p in parsing.ospf3_prefixes(drv.vendor, drv.cmd(command))]
    return [f"core loopback {name} ({addr}) not learned through OSPFv3 (`{command}`)"
            for name, addr in sorted(want.items()) if not any(addr in net for net in learned)]


def wait_ospf3(ctx: ChangeContext, drv: platforms.Driver, intent: render.Intent, done: set[str]) -> list[str]:
    """Poll, in the session already open, until every planned neighbour is Full in the vendor's
    `ospfv3_peer` table and then every core loopback is an OSPFv3 route in its `ospfv3_routes` table, or
    the wait (from the design's dead interval) ends; the problems left then. Every platform is read
    this way (RGOS/ZXROS in the IOS layouts, unverified for them: govops/vendors)."""
    if intent.ospf3 is None:
        return []
    deadline = time.monotonic() + ospf3_wait(ctx)
    while True:
        pending = ospf3_pending(ctx, drv, intent, done) or loopbacks_pending(ctx, drv, intent, done)
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(1.0)


def reachable_targets(ctx: ChangeContext, intent: render.Intent, done: set[str]) -> list[tuple[str, str]]:
    """(label, address) to ping at this stage of the wave: neighbours already dual-stack, and the
    core loopbacks once the core (and, for lower tiers, the path up) is done."""
    out = []
    for a in intent.addresses:
        if a.kind == "link" and a.peer.split(":", 1)[0] in done:
            out.append((f"neighbour {a.peer}", str(a.peer_address.ip)))
    for name, dev in ctx.inv.devices.items():
        if dev.role == "core" and name != intent.device and name in done:
            out.append((f"core loopback {name}", str(ctx.plan.loopbacks[name].ip)))
    return out


@dataclass
class Ipv6Upgrade:
    """The dual-stack intent (ChangeIntent for network.transaction)."""

    inv: Inventory
    plan: ipv6.Plan
    name = "ipv6"
    success = UPGRADED
    already = ALREADY
    verified = ("addresses up, OSPFv3 neighbours Full, core loopbacks learned through OSPFv3, neighbours and core "
                "loopbacks answer, IPv4 baseline kept")

    def render(self, device: str) -> render.Intent:
        return render.build_intent(self.inv, self.plan, device)

    @staticmethod
    def _ping_until(drv: platforms.Driver, addr: str, seconds: float) -> bool:
        """A core loopback answers once its OSPFv3 route is in the table; the first echo may still wait
        for neighbour discovery on the way, so a few seconds of retries."""
        deadline = time.monotonic() + seconds
        while not drv.ping(addr):
            if time.monotonic() > deadline:
                return False
            time.sleep(1.0)
        return True

    def precheck(self, drv: platforms.Driver, rendered: render.Intent, running: list[cfgtext.Block]) -> list[str]:
        return []  # the engine checks platform and version; nothing else can refuse an upgrade

    def verify(self, ctx: ChangeContext, drv: platforms.Driver, rendered: render.Intent,
               baseline: Baseline) -> list[str]:
        failures = []
        missing = cfgtext.missing_lines(rendered.blocks, cfgtext.parse(drv.running(), drv.vendor))
        if missing:
            failures.append(f"not in running config: {', '.join(missing[:3])}")
        states = platforms.interface_states(drv.ipv6_brief(), drv.vendor, "ipv6_brief")
        for a in rendered.addresses:
            if not states.get(cfgtext.canonical_interface(a.interface), False):
                failures.append(f"{a.interface} not up in `ipv6 interface brief`")
        done = set(ctx.journal.finished())
        adjacency = wait_ospf3(ctx, drv, rendered, done)
        failures += adjacency
        for label, addr in reachable_targets(ctx, rendered, done):
            # With the adjacencies Full and the loopbacks' routes in the table: retry a little;
            # without them (or with static routes) one ping says it.
            retry = rendered.ospf3 is not None and not adjacency
            if not (self._ping_until(drv, addr, ospf3_wait(ctx)) if retry else drv.ping(addr)):
                failures.append(f"ping ipv6 {addr} ({label}) failed")
        if rendered.ospf3 is not None:
            return failures + ospf_baseline(ctx, drv, rendered, baseline)
        return failures + baseline.lost(drv)


def upgrade_device(ctx: ChangeContext, name: str) -> Outcome:
    """Bring one device to its dual-stack intent, or leave it exactly as its original backup."""
    return apply_intent(ctx, Ipv6Upgrade(ctx.inv, ctx.plan), name)


def run_wave(ctx: ChangeContext, names: list[str], workers: int = 1,
             progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Devices in tier order; inside a tier, up to ``workers`` at once. After SIGINT/SIGTERM
    (stop_on_signals) the devices in flight finish or roll back and no other is started."""
    from concurrent.futures import ThreadPoolExecutor

    order = {d: i for i, d in enumerate(ctx.inv.devices)}
    names = sorted(names, key=lambda n: (render.tier_of(ctx.inv.devices[n]), order[n]))
    outcomes = []
    for tier in sorted({render.tier_of(ctx.inv.devices[n]) for n in names}):
        batch = [n for n in names if render.tier_of(ctx.inv.devices[n]) == tier]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for outcome in pool.map(lambda n: upgrade_device(ctx, n), batch):
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
    return outcomes


def preflight(inv: Inventory, names: list[str] | None = None) -> ipv6.Plan:
    """Everything that can be checked without touching a device; raises InventoryError/PlanError/RenderError."""
    plan = ipv6.require_plan(inv)
    render.render_all(inv, plan, names)
    return plan
