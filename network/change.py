"""The per-device dual-stack transaction: precheck, backup, push, verify, commit/save or rollback.

Every step is journalled (network.journal). A device is never left half-configured: when a
push or verify fails, the platform driver takes the change back out and the running config is
compared with the backup taken in precheck; the journal says which of the two happened.

Test hook: ``GOVOPS_AFTER_PUSH_HOOK`` is a shell command run after the push and before verify
(env ``GOVOPS_DEVICE`` names the device) — the lab tests inject faults through it.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from govops import ipv6
from govops.sot import Inventory
from network import config as cfgtext
from network import platforms, render
from network.journal import Journal
from network.session import SessionError, SessionOptions, open_session

HOOK_ENV = "GOVOPS_AFTER_PUSH_HOOK"

UPGRADED, ALREADY, ROLLED_BACK, FAILED, WOULD_CHANGE, DONE_BEFORE = (
    "upgraded", "already_dual_stack", "rolled_back", "failed", "would_change", "done_in_journal")


@dataclass
class Outcome:
    device: str
    result: str
    detail: str = ""
    commands: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.result in (UPGRADED, WOULD_CHANGE)

    @property
    def failed(self) -> bool:
        return self.result in (ROLLED_BACK, FAILED)


def diff_summary(commands: list[str]) -> dict:
    return {"lines": len(commands), "first": commands[:6]}


@dataclass
class ChangeContext:
    inv: Inventory
    plan: ipv6.Plan
    journal: Journal
    backup_dir: Path
    session: SessionOptions = field(default_factory=SessionOptions.from_env)
    check: bool = False
    after_push: Callable[[str], None] | None = None


def _run_hook(device: str, ctx: ChangeContext) -> None:
    if ctx.after_push:
        ctx.after_push(device)
    hook = os.environ.get(HOOK_ENV)
    if hook:
        subprocess.run(hook, shell=True, check=False, env={**os.environ, "GOVOPS_DEVICE": device}, timeout=120)


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


def upgrade_device(ctx: ChangeContext, name: str) -> Outcome:
    """Bring one device to its dual-stack intent, or leave it exactly as it was."""
    j = ctx.journal
    dev = ctx.inv.devices[name]
    j.add_secrets([dev.password])
    if not ctx.check and name in j.finished():
        return Outcome(name, DONE_BEFORE, "finished in an earlier run of this wave (journal)")
    intent = render.build_intent(ctx.inv, ctx.plan, name)
    try:
        conn = open_session(dev, ctx.session)
    except SessionError as exc:
        j.record(name, "precheck", "failed", str(exc))
        j.record(name, "done", FAILED, str(exc))
        return Outcome(name, FAILED, str(exc))
    drv = platforms.driver_for(dev.platform, conn)
    pushed: list[cfgtext.Block] = []
    before_blocks: list[cfgtext.Block] = []
    backup_text = ""
    try:
        # ---- precheck ------------------------------------------------------------------------
        version = drv.version()
        problems = []
        if drv.version_marker and drv.version_marker not in version:
            problems.append(f"platform: expected {dev.platform} ({drv.version_marker!r}) in `{drv.show} version`")
        if dev.os_version and dev.os_version not in version:
            problems.append(f"version: inventory says {dev.os_version}, device does not report it")
        if problems:
            j.record(name, "precheck", "failed", "; ".join(problems))
            j.record(name, "done", FAILED, "precheck: " + "; ".join(problems))
            return Outcome(name, FAILED, "; ".join(problems))
        backup_text = cfgtext.normalise_text(drv.running(), dev.platform)
        before_blocks = cfgtext.parse(backup_text, dev.platform)
        base_if = platforms.interface_states(drv.ip_brief())
        base_routes = platforms.ipv4_route_set(drv.ipv4_routes())
        pending = cfgtext.missing(intent.blocks, before_blocks)
        commands = cfgtext.to_commands(pending, dev.platform)
        if not pending:
            if not ctx.check:
                j.record(name, "done", ALREADY, "running config already contains the intent")
            return Outcome(name, ALREADY, "already dual-stack")
        if ctx.check:
            return Outcome(name, WOULD_CHANGE, f"{len(commands)} line(s) to push", commands)
        ctx.backup_dir.mkdir(parents=True, exist_ok=True)
        backup_path = ctx.backup_dir / f"{name}.pre-ipv6.cfg"
        backup_path.write_text(backup_text)
        j.record(name, "precheck", "ok", f"{dev.platform} {dev.os_version}; backup {backup_path}; "
                 f"{sum(base_if.values())} interfaces up, {len(base_routes)} IPv4 routes")
        note = drv.prepare()
        # ---- push ----------------------------------------------------------------------------
        pushed = pending
        undo = cfgtext.to_commands(cfgtext.undo_of(pushed, before_blocks, dev.platform), dev.platform)
        drv.push(commands)
        j.record(name, "push", "ok", note, diff_summary(commands))
        _run_hook(name, ctx)
        # ---- verify --------------------------------------------------------------------------
        failures = verify(ctx, drv, intent, base_if, base_routes)
        if failures:
            j.record(name, "verify", "failed", "; ".join(failures))
            detail = _rollback(ctx, drv, name, undo, backup_text, "verify failed: " + "; ".join(failures))
            return Outcome(name, ROLLED_BACK if detail.startswith("rolled back") else FAILED, detail, commands,
                           failures)
        j.record(name, "verify", "ok", "addresses up, neighbours and core loopbacks answer, IPv4 baseline kept")
        drv.confirm()
        j.record(name, "commit", "ok", "confirmed and saved")
        j.record(name, "done", UPGRADED, f"{len(commands)} line(s)", diff_summary(commands))
        return Outcome(name, UPGRADED, f"{len(commands)} line(s) pushed", commands)
    except Exception as exc:  # connection lost, command refused: take the change back out
        reason = f"{type(exc).__name__}: {str(exc).strip()[:200]}"
        j.record(name, "push" if pushed else "precheck", "failed", reason)
        if not pushed:
            j.record(name, "done", FAILED, reason)
            return Outcome(name, FAILED, reason)
        undo = cfgtext.to_commands(cfgtext.undo_of(pushed, before_blocks, dev.platform), dev.platform)
        detail = _recover(ctx, name, undo, backup_text, reason)
        return Outcome(name, ROLLED_BACK if detail.startswith("rolled back") else FAILED, detail)
    finally:
        try:
            conn.disconnect()
        except Exception:  # noqa: BLE001 - the session may already be gone (kill-ssh)
            pass


def verify(ctx: ChangeContext, drv: platforms.Driver, intent: render.Intent, base_if: dict[str, bool],
           base_routes: set[str]) -> list[str]:
    failures = []
    running = cfgtext.parse(drv.running(), intent.platform)
    missing = cfgtext.missing_lines(intent.blocks, running)
    if missing:
        failures.append(f"not in running config: {', '.join(missing[:3])}")
    states = platforms.interface_states(drv.ipv6_brief())
    for a in intent.addresses:
        if not states.get(cfgtext.canonical_interface(a.interface), False):
            failures.append(f"{a.interface} not up in `ipv6 interface brief`")
    done = set(ctx.journal.finished())
    for label, addr in reachable_targets(ctx, intent, done):
        if not drv.ping(addr):
            failures.append(f"ping ipv6 {addr} ({label}) failed")
    after_if = platforms.interface_states(drv.ip_brief())
    lost_if = sorted(n for n, up in base_if.items() if up and not after_if.get(n, False))
    if lost_if:
        failures.append(f"IPv4 baseline: interfaces went down: {', '.join(lost_if)}")
    lost_routes = sorted(base_routes - platforms.ipv4_route_set(drv.ipv4_routes()))
    if lost_routes:
        failures.append(f"IPv4 baseline: routes lost: {', '.join(lost_routes[:5])}")
    return failures


def _rollback(ctx: ChangeContext, drv: platforms.Driver, name: str, undo: list[str], backup_text: str,
              why: str) -> str:
    dev = ctx.inv.devices[name]
    try:
        drv.rollback(undo)
        now = cfgtext.normalise_text(drv.running(), dev.platform)
    except Exception as exc:  # noqa: BLE001 - fall back to a fresh session
        return _recover(ctx, name, undo, backup_text, f"{why}; rollback on the session failed: {exc}")
    return _finish_rollback(ctx, name, now, backup_text, why)


def _finish_rollback(ctx: ChangeContext, name: str, now: str, backup_text: str, why: str) -> str:
    j = ctx.journal
    if now == backup_text:
        j.record(name, "rollback", "ok", "running config byte-identical to the backup")
        j.record(name, "done", ROLLED_BACK, why)
        return f"rolled back: {why}"
    diff = [ln for ln in now.splitlines() if ln not in backup_text.splitlines()][:5]
    j.record(name, "rollback", "failed", "running config differs from the backup", {"extra": diff})
    j.record(name, "done", FAILED, f"{why}; rollback incomplete, running config differs from backup")
    return f"failed: {why}; running config differs from the backup (see journal)"


def _recover(ctx: ChangeContext, name: str, undo: list[str], backup_text: str, why: str) -> str:
    """The session died mid-change: reconnect, see what the device kept, take it back out."""
    dev = ctx.inv.devices[name]
    for attempt in range(3):
        try:
            conn = open_session(dev, ctx.session)
            break
        except SessionError:
            time.sleep(2 * (attempt + 1))
    else:
        ctx.journal.record(name, "rollback", "failed", "device unreachable after the failure")
        ctx.journal.record(name, "done", FAILED, f"{why}; unreachable, state unknown "
                           "(VRPv8/Comware revert by themselves when the trial/delay expires)")
        return f"failed: {why}; unreachable"
    try:
        drv = platforms.driver_for(dev.platform, conn)
        now = cfgtext.normalise_text(drv.running(), dev.platform)
        if now == backup_text and not drv.pending_revert():
            ctx.journal.record(name, "rollback", "ok", "nothing was committed; running config equals the backup")
            ctx.journal.record(name, "done", ROLLED_BACK, why)
            return f"rolled back: {why} (nothing committed)"
        # Only undo what actually landed: the undo of the part of the intent now present.
        still = cfgtext.keyed(cfgtext.parse(now, dev.platform))
        landed = [ln for ln in undo if _applies(ln, still, dev.platform)] if dev.platform != "huawei_vrpv8" else undo
        drv.rollback(landed if landed else [])
        now = cfgtext.normalise_text(drv.running(), dev.platform)
        return _finish_rollback(ctx, name, now, backup_text, why)
    except Exception as exc:  # noqa: BLE001
        ctx.journal.record(name, "rollback", "failed", f"{type(exc).__name__}: {exc}")
        ctx.journal.record(name, "done", FAILED, why)
        return f"failed: {why}; rollback error {exc}"
    finally:
        try:
            conn.disconnect()
        except Exception:  # noqa: BLE001
            pass


def _applies(undo_line: str, present: set[tuple[str, str]], platform: str) -> bool:
    """Keep navigation lines and negations of lines that are present now."""
    syn = cfgtext.syntax(platform)
    if not undo_line.startswith(syn.negate):
        return True
    # Compare negations, not positives: some negations drop the value (``undo ssh server ipv6 acl``).
    want = cfgtext.normalise_line(undo_line)
    return any(cfgtext.normalise_line(cfgtext.negate_line(x, platform)) == want for h, c in present for x in (h, c) if x)


def run_wave(ctx: ChangeContext, names: list[str], workers: int = 1,
             progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Devices in tier order; inside a tier, up to ``workers`` at once."""
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
