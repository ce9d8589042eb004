"""The dual-stack IPv6 upgrade: one intent on the transaction engine (network.transaction).

The engine does lock, precheck, backup, push (VRPv8 commit trial, Comware commit delay), verify,
confirm and save or rollback, journal and resume; this module says what the upgrade needs: the
rendered intent (network.render), and how to verify it (addresses up in ``ipv6 interface brief``,
neighbours already dual-stack and the core loopbacks answer ``ping ipv6``, the IPv4 baseline kept).

Test hook: ``GOVOPS_AFTER_PUSH_HOOK`` is a shell command run after the push and before verify
(env ``GOVOPS_DEVICE`` names the device) — the lab tests inject faults through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govops import ipv6
from govops.sot import Inventory
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
    verified = "addresses up, neighbours and core loopbacks answer, IPv4 baseline kept"

    def render(self, device: str) -> render.Intent:
        return render.build_intent(self.inv, self.plan, device)

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
        for label, addr in reachable_targets(ctx, rendered, set(ctx.journal.finished())):
            if not drv.ping(addr):
                failures.append(f"ping ipv6 {addr} ({label}) failed")
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
