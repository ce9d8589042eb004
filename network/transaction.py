"""The one transaction engine every device change runs through (IPv6 upgrade, private networks, ...).

A change is an *intent* (``ChangeIntent``: what the device must carry, extra prechecks, how to
verify it); the engine does the rest, the same way for every intent and vendor:

    lock ─ precheck ─ begin ─ backup ─ prepare ─ push (VRPv8 commit trial, Comware commit delay)
         ─ verify ─ confirm ─ save ─ done            (or: rollback to the original backup ─ done)

- **Per-device lock** (network.devlock): one transaction per device; a second run is refused
  with the owner's name and a journal line.
- **Write-ahead journal** (network.journal): ``<step> started`` is written BEFORE each side
  effect and ``<step> ok|failed`` after it, so a re-run knows exactly where the last one stopped.
  ``done`` with success is written only after confirm AND save.
- **Resume**: when the journal holds an open transaction, the device's true state is established
  first: intent fully present (pending trial/delay or unsaved) → verify, then confirm and save;
  partial → roll back to the original backup (Comware: the archive recorded in the journal);
  unchanged → the old transaction is closed and a new one starts. A device found carrying the
  intent without an open transaction is still confirmed and saved when it needs it.
- **Immutable backups**: one file per change id (``<device>.pre-<intent>.<change>.cfg``, created
  exclusively: the first one wins); ``<device>.pre-<intent>.cfg`` is a symlink to the latest.
- **SIGINT/SIGTERM** (``stop_on_signals``): the current device is finished (verify passed) or
  rolled back (not yet verified), journalled, and no further device is started.

Test hook: ``GOVOPS_AFTER_PUSH_HOOK`` is a shell command run after the push and before verify
(env ``GOVOPS_DEVICE`` names the device) — the lab tests inject faults through it.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from govops.sot import Inventory
from govops.vendors import Vendor
from network import config as cfgtext
from network import platforms
from network.backup import write_pre_change_backup
from network.devlock import DeviceLock, DeviceLocked
from network.journal import Journal, OpenChange
from network.session import SessionError, SessionOptions, open_session

HOOK_ENV = "GOVOPS_AFTER_PUSH_HOOK"

FAILED, ROLLED_BACK, WOULD_CHANGE, DONE_BEFORE = "failed", "rolled_back", "would_change", "done_in_journal"
LOCKED, STOPPED = "locked", "stopped"
BACKED_OUT, NOTHING_TO_BACK_OUT = "backed_out", "already_backed_out"  # back_out(): an explicit back-out

# Set by SIGINT/SIGTERM (stop_on_signals): finish or roll back the current device, start no other.
STOP = threading.Event()


@dataclass
class Outcome:
    device: str
    result: str
    detail: str = ""
    commands: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    backup: str = ""  # this transaction's original backup, when one was taken
    touched: bool = False  # the device was changed and confirmed/saved

    @property
    def changed(self) -> bool:
        return self.touched or self.result == WOULD_CHANGE

    @property
    def failed(self) -> bool:
        return self.result in (ROLLED_BACK, FAILED, LOCKED, STOPPED)


@dataclass
class ChangeContext:
    inv: Inventory
    plan: Any  # ipv6.Plan for the upgrade; None for intents that need no plan
    journal: Journal
    backup_dir: Path
    session: SessionOptions = field(default_factory=SessionOptions.from_env)
    check: bool = False
    after_push: Callable[[str], None] | None = None
    state_dir: Path | None = None  # locks live here; default: the journal's folder

    @property
    def lock_dir(self) -> Path:
        return self.state_dir or self.journal.path.parent


class AddBlocks:
    """The default way an intent changes a configuration: the rendered ``blocks`` must be in it, so
    what is missing is pushed and a rollback negates what was pushed. An intent that changes the
    configuration another way (a back-out takes its lines out) names its own ``diff`` with these
    four functions; the engine around them (lock, backup, push, verify, confirm, journal, resume)
    stays the same."""

    @staticmethod
    def pending(rendered: Any, config: list[cfgtext.Block]) -> list[cfgtext.Block]:
        return cfgtext.missing(rendered.blocks, config)

    @staticmethod
    def commands(pending: list[cfgtext.Block], vendor: Vendor) -> list[str]:
        return cfgtext.to_commands(pending, vendor)

    @staticmethod
    def undo(pending: list[cfgtext.Block], before: list[cfgtext.Block], vendor: Vendor) -> list[str]:
        return cfgtext.to_commands(cfgtext.undo_of(pending, before, vendor), vendor)

    @staticmethod
    def outstanding(rendered: Any, config: list[cfgtext.Block]) -> list[str]:
        """Lines of the intent the configuration does not carry yet (empty: the intent is there)."""
        return cfgtext.missing_lines(rendered.blocks, config)


class ChangeIntent(Protocol):
    """One kind of device change. ``render`` gives an object with ``blocks`` (what the running
    config must contain) and ``platform``; the rest is the intent's own judgement. An optional
    ``diff`` attribute replaces ``AddBlocks`` (see there)."""

    name: str  # backup files are <device>.pre-<name>.<change>.cfg
    success: str  # the done result after push, verify, confirm and save
    already: str  # the done result when the device already carried it
    verified: str  # journal text for a passed verify

    def render(self, device: str) -> Any: ...

    def precheck(self, drv: platforms.Driver, rendered: Any, running: list[cfgtext.Block]) -> list[str]: ...

    def verify(self, ctx: ChangeContext, drv: platforms.Driver, rendered: Any, baseline: Baseline) -> list[str]: ...


@dataclass
class Baseline:
    """What the change must not break: interfaces up and IPv4 routes before it (journalled in
    ``begin``, so a resumed transaction verifies against the state before the first push)."""

    interfaces: dict[str, bool]
    routes: set[str]

    @classmethod
    def take(cls, drv: platforms.Driver) -> Baseline:
        return cls(platforms.interface_states(drv.ip_brief(), drv.vendor),
                   platforms.ipv4_route_set(drv.ipv4_routes(), drv.vendor))

    def as_record(self) -> dict:
        return {"interfaces_up": sorted(n for n, up in self.interfaces.items() if up), "routes": sorted(self.routes)}

    @classmethod
    def from_record(cls, rec: dict) -> Baseline:
        return cls({n: True for n in rec.get("interfaces_up", [])}, set(rec.get("routes", [])))

    def lost(self, drv: platforms.Driver, states: dict[str, bool] | None = None) -> list[str]:
        states = states if states is not None else platforms.interface_states(drv.ip_brief(), drv.vendor)
        out = []
        gone = sorted(n for n, up in self.interfaces.items() if up and not states.get(n, False))
        if gone:
            out.append(f"IPv4 baseline: interfaces went down: {', '.join(gone)}")
        routes = sorted(self.routes - platforms.ipv4_route_set(drv.ipv4_routes(), drv.vendor))
        if routes:
            out.append(f"IPv4 baseline: routes lost: {', '.join(routes[:5])}")
        return out


def diff_summary(commands: list[str]) -> dict:
    return {"lines": len(commands), "first": commands[:6]}


def new_change_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def stop_on_signals() -> None:
    """SIGINT/SIGTERM ask the engine to stop cleanly (main thread only, e.g. a CLI entry point)."""
    def handler(signum: int, _frame: object) -> None:
        STOP.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)


def run_hook(device: str, ctx: ChangeContext) -> None:
    if ctx.after_push:
        ctx.after_push(device)
    hook = os.environ.get(HOOK_ENV)
    if hook:
        subprocess.run(hook, shell=True, check=False, env={**os.environ, "GOVOPS_DEVICE": device}, timeout=120)


def apply_intent(ctx: ChangeContext, intent: ChangeIntent, name: str) -> Outcome:
    """Bring one device to ``intent``, or leave it exactly as its original backup; journalled."""
    j = ctx.journal
    dev = ctx.inv.devices[name]
    j.add_secrets([dev.password])
    if not ctx.check and name in j.finished():
        return Outcome(name, DONE_BEFORE, "finished in an earlier run of this wave (journal)")
    if STOP.is_set():
        if not ctx.check:
            j.record(name, "skip", STOPPED, "not started: the run was asked to stop (SIGINT/SIGTERM)")
        return Outcome(name, STOPPED, "not started: the run was asked to stop")
    rendered = intent.render(name)
    opened = None if ctx.check else j.open_change(name)
    lock = DeviceLock(ctx.lock_dir, name, opened.change if opened else new_change_id())
    if not ctx.check:
        try:
            lock.acquire()
        except DeviceLocked as exc:
            j.record(name, "lock", "refused", str(exc))
            return Outcome(name, LOCKED, str(exc))
    try:
        try:
            conn = open_session(dev, ctx.session)
        except SessionError as exc:
            j.record(name, "precheck", "failed", str(exc), change=lock.change if opened else "")
            if opened:  # the device's state is unknown: the transaction stays open for the next run
                return Outcome(name, FAILED, f"{exc}; change {opened.change} stays open, a re-run resumes it")
            j.record(name, "done", FAILED, str(exc))
            return Outcome(name, FAILED, str(exc))
        try:
            tx = Transaction(ctx, intent, name, platforms.driver_for(dev.platform, conn), rendered, lock)
            return tx.run(opened)
        finally:
            try:
                conn.disconnect()
            except Exception:  # noqa: BLE001 - the session may already be gone (kill-ssh)
                pass
    finally:
        lock.release()


class Transaction:
    """One device, one change id; every record carries the id and renews the lock's lease."""

    def __init__(self, ctx: ChangeContext, intent: ChangeIntent, name: str, drv: platforms.Driver, rendered: Any,
                 lock: DeviceLock) -> None:
        self.ctx, self.intent, self.name, self.drv, self.rendered, self.lock = ctx, intent, name, drv, rendered, lock
        self.platform = drv.platform
        self.vendor = drv.vendor  # the syntax every config-text helper needs, looked up once
        self.diff = getattr(intent, "diff", AddBlocks)
        self.backup_text = ""
        self.backup_path = ""
        self.archive = ""
        self.pending: list[cfgtext.Block] = []
        self.commands: list[str] = []
        self.push_started = False
        self.stage = "push"  # the step a failure is journalled under (the last one started)

    # ---- journal ---------------------------------------------------------------------------
    @property
    def change(self) -> str:
        return self.lock.change

    def rec(self, step: str, outcome: str, detail: str = "", diff: dict | None = None, **fields: Any) -> None:
        self.ctx.journal.record(self.name, step, outcome, detail, diff, change=self.change, **fields)
        if outcome == "started":
            self.stage = step
        self.lock.renew()

    def outcome(self, result: str, detail: str, problems: list[str] | None = None) -> Outcome:
        return Outcome(self.name, result, detail, self.commands, problems or [], self.backup_path)

    # ---- the run ---------------------------------------------------------------------------
    def run(self, opened: OpenChange | None) -> Outcome:
        try:
            return self._run(opened)
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt too: never leave it half-applied
            reason = f"{type(exc).__name__}: {str(exc).strip()[:200]}"
            if not self.push_started:
                if not self.ctx.check:
                    self.rec("precheck", "failed", reason)
                    self.rec("done", FAILED, reason)
                out = self.outcome(FAILED, reason)
            else:
                self.rec(self.stage, "failed", reason)
                # A refused line leaves the session alive: roll back on it (one session per
                # transaction); a lost session (kill-ssh, timeout) is re-opened once by recover().
                out = self.rollback(reason) if isinstance(exc, platforms.ChangeFailed) else self.recover(reason)
            if not isinstance(exc, Exception):
                STOP.set()
                raise
            return out

    def _run(self, opened: OpenChange | None) -> Outcome:
        problems = self.version_problems()
        if problems:
            if not self.ctx.check:
                self.rec("precheck", "failed", "; ".join(problems))
                self.rec("done", FAILED, "precheck: " + "; ".join(problems))
            return self.outcome(FAILED, "; ".join(problems), problems)
        running_text = cfgtext.normalise_text(self.drv.running(), self.vendor)
        if opened is not None:
            resumed = self.resume(opened, running_text)
            if resumed is not None:
                return resumed
            # The old transaction left the device as it was: a new one starts from here.
            self.lock.change = new_change_id()
            self.lock.renew()
            running_text = cfgtext.normalise_text(self.drv.running(), self.vendor)
        running = cfgtext.parse(running_text, self.vendor)
        self.pending = self.diff.pending(self.rendered, running)
        self.commands = self.diff.commands(self.pending, self.vendor)
        problems = self.intent.precheck(self.drv, self.rendered, running)
        if problems:
            if not self.ctx.check:
                self.rec("precheck", "failed", "; ".join(problems))
                self.rec("done", FAILED, "precheck: " + "; ".join(problems))
            return self.outcome(FAILED, "; ".join(problems), problems)
        if not self.pending:
            return self.settle_present(running_text)
        if self.ctx.check:
            return self.outcome(WOULD_CHANGE, f"{len(self.commands)} line(s) to push")
        baseline = Baseline.take(self.drv)
        running_text = self.prepare(running_text)
        self.begin(running_text, baseline)
        self.push()
        run_hook(self.name, self.ctx)
        if STOP.is_set():
            return self.rollback("interrupted (SIGINT/SIGTERM) before verify")
        return self.verify_and_finish(baseline)

    def version_problems(self) -> list[str]:
        # Parsed and compared by the vendor (govops/vendors), never a substring test (issue 13, problem 1).
        return self.drv.version_problems(self.ctx.inv.devices[self.name].os_version)

    def begin(self, running_text: str, baseline: Baseline) -> None:
        path = self.ctx.backup_dir / f"{self.name}.pre-{self.intent.name}.{self.change}.cfg"
        self.rec("begin", "ok", f"{self.platform}; {len(self.commands)} line(s) to push; "
                 f"{sum(baseline.interfaces.values())} interfaces up, {len(baseline.routes)} IPv4 routes",
                 diff_summary(self.commands), backup=str(path), archive=self.archive,
                 baseline=baseline.as_record())
        kept = write_pre_change_backup(path, running_text, self.platform, latest=f"{self.name}.pre-{self.intent.name}.cfg")
        self.backup_text, self.backup_path = kept, str(path)
        self.rec("backup", "ok", f"original configuration kept in {path}", backup=str(path))

    def prepare(self, running_text: str) -> str:
        """Vendor setup before the change (Comware: archive location, then the archive). The setup
        may add lines (``archive configuration location``), so the original is read again after
        it: a rollback to the archive must come back byte-identical to the backup."""
        self.rec("prepare", "started")
        note = self.drv.prepare()
        self.archive = getattr(self.drv, "archive", "")
        self.rec("prepare", "ok", note, archive=self.archive)
        return cfgtext.normalise_text(self.drv.running(), self.vendor) if self.archive else running_text

    def push(self) -> None:
        self.rec("push", "started", "", diff_summary(self.commands))
        self.push_started = True
        self.drv.push(self.commands)
        self.rec("push", "ok", "", diff_summary(self.commands))

    def verify_and_finish(self, baseline: Baseline) -> Outcome:
        self.stage = "verify"
        failures = self.intent.verify(self.ctx, self.drv, self.rendered, baseline)
        if failures:
            self.rec("verify", "failed", "; ".join(failures))
            return self.rollback("verify failed: " + "; ".join(failures), failures)
        self.rec("verify", "ok", self.intent.verified)
        return self.finish(self.intent.success, f"{len(self.commands)} line(s) pushed")

    def finish(self, result: str, detail: str) -> Outcome:
        """Confirm (VRPv8 trial, Comware delay), save, and only then ``done``."""
        self.rec("confirm", "started")
        self.drv.commit()
        self.rec("confirm", "ok", "pending trial/delay confirmed (or none pending)")
        self.rec("save", "started")
        self.drv.save()
        self.rec("save", "ok", "running configuration saved to the startup file")
        self.rec("done", result, detail, diff_summary(self.commands) if self.commands else None)
        out = self.outcome(result, detail)
        out.touched = True
        return out

    # ---- a device that already carries the intent --------------------------------------------
    def settle_present(self, running_text: str) -> Outcome:
        """The intent is in the running config: done only when nothing can take it away again
        (no pending trial that would revert, saved config carries it too)."""
        pending_revert = self.drv.revert_visible and self.drv.pending_revert()
        unsaved = self.saved_missing()
        if not pending_revert and not unsaved:
            if not self.ctx.check:
                self.rec("done", self.intent.already, "running and saved configuration already carry the intent")
            return self.outcome(self.intent.already, "already in running and saved configuration")
        why = ("a pending commit trial would revert it" if pending_revert else
               f"the saved configuration lacks {len(unsaved)} line(s) of it ({', '.join(unsaved[:2])})")
        if self.ctx.check:
            return self.outcome(WOULD_CHANGE, f"running config carries the intent but {why}: would confirm and save")
        self.rec("begin", "ok", f"running config carries the intent but {why}")
        baseline = Baseline.take(self.drv)
        failures = self.intent.verify(self.ctx, self.drv, self.rendered, baseline)
        if failures:
            self.rec("verify", "failed", "; ".join(failures))
            if pending_revert:
                self.rec("rollback", "started", "abort the pending trial")
                self.drv.rollback([])
                self.rec("rollback", "ok", "pending trial aborted")
            self.rec("done", FAILED, f"found unconfirmed/unsaved ({why}) and verify failed: {'; '.join(failures)}")
            return self.outcome(FAILED, "verify failed: " + "; ".join(failures), failures)
        self.rec("verify", "ok", self.intent.verified)
        return self.finish(self.intent.already, f"already carried the intent; {why}: confirmed and saved")

    def saved_missing(self) -> list[str]:
        saved = cfgtext.parse(cfgtext.normalise_text(self.drv.saved(), self.vendor), self.vendor)
        return self.diff.outstanding(self.rendered, saved)

    # ---- resuming an interrupted transaction -------------------------------------------------
    def resume(self, opened: OpenChange, running_text: str) -> Outcome | None:
        """Settle what the last run left; None when the device equals its original backup (and
        the old transaction is closed), so a fresh transaction can start."""
        self.backup_path = opened.backup
        self.archive = opened.archive
        last = f"{opened.steps[-1][0]} {opened.steps[-1][1]}" if opened.steps else "begin"
        if not opened.backup:  # a confirm/save-only transaction: nothing to roll back, settle afresh
            self.rec("resume", "ok", f"last run stopped after '{last}' while confirming/saving; settling again")
            self.rec("done", FAILED, "interrupted while confirming/saving; a new transaction settles the device")
            return None
        try:
            self.backup_text = Path(opened.backup).read_text()
        except OSError as exc:
            self.rec("resume", "failed", f"original backup unreadable: {exc}")
            return self.outcome(FAILED, f"change {self.change}: original backup {opened.backup} unreadable; "
                                "settle this device by hand")
        self.push_started = opened.reached("push")
        begin = next((e for e in self.ctx.journal.entries()
                      if e.get("change") == self.change and e["step"] == "begin"), {})
        baseline = Baseline.from_record(begin.get("baseline") or {})
        before = cfgtext.parse(self.backup_text, self.vendor)
        self.pending = self.diff.pending(self.rendered, before)
        self.commands = self.diff.commands(self.pending, self.vendor)
        missing = self.diff.outstanding(self.rendered, cfgtext.parse(running_text, self.vendor))
        pending_revert = self.drv.revert_visible and self.drv.pending_revert()
        if not missing:
            self.rec("resume", "ok", f"last run stopped after '{last}'; the device carries the whole intent"
                     f"{' (trial pending)' if pending_revert else ''}: verify, then confirm and save")
            return self.verify_and_finish(baseline)
        if running_text == self.backup_text and not pending_revert:
            self.rec("resume", "ok", f"last run stopped after '{last}'; the device equals its original backup")
            if self.push_started and not self.drv.revert_visible:
                self.drv.commit()  # Comware: disarm a commit delay nobody can see, it would fire later
            self.rec("done", ROLLED_BACK, "interrupted run left nothing on the device (equals the original backup)")
            return None
        self.rec("resume", "ok", f"last run stopped after '{last}'; the device carries part of the intent: "
                 "roll back to the original backup")
        return self.rollback(f"interrupted run (stopped after '{last}') left a partial change")

    # ---- rollback ----------------------------------------------------------------------------
    def undo_commands(self, now_text: str) -> list[str]:
        """Negations of the intent lines present now (navigation lines kept); VRPv8 gets all of
        them, its candidate discards what is absent."""
        before = cfgtext.parse(self.backup_text, self.vendor)
        undo = self.diff.undo(self.pending, before, self.vendor)
        if self.vendor.commit_model == "commit-trial":
            return undo
        present = cfgtext.keyed(cfgtext.parse(now_text, self.vendor))
        return [ln for ln in undo if _applies(ln, present, self.vendor)]

    def rollback(self, why: str, problems: list[str] | None = None) -> Outcome:
        try:
            self.rec("rollback", "started", why, archive=self.archive)
            self.drv.archive = self.archive  # Comware: the archive journalled before the push
            now = cfgtext.normalise_text(self.drv.running(), self.vendor)
            self.drv.rollback(self.undo_commands(now))
            now = cfgtext.normalise_text(self.drv.running(), self.vendor)
        except Exception as exc:  # noqa: BLE001 - fall back to a fresh session
            return self.recover(f"{why}; rollback on the session failed: {type(exc).__name__}: {exc}")
        return self.judge_rollback(now, why, problems)

    def judge_rollback(self, now: str, why: str, problems: list[str] | None = None) -> Outcome:
        if now == self.backup_text:
            self.rec("rollback", "ok", "running config byte-identical to the original backup")
            self.rec("done", ROLLED_BACK, why)
            return self.outcome(ROLLED_BACK, f"rolled back: {why}", problems)
        diff = [ln for ln in now.splitlines() if ln not in self.backup_text.splitlines()][:5]
        self.rec("rollback", "failed", "running config differs from the original backup", {"extra": diff})
        # No `done`: the transaction stays open, the next run settles the device from the journal.
        return self.outcome(FAILED, f"failed: {why}; running config differs from the original backup (see journal)",
                            problems)

    def recover(self, why: str) -> Outcome:
        """The session died (or Ctrl-C) mid-change: reconnect, see what the device kept, take it back out."""
        dev = self.ctx.inv.devices[self.name]
        conn = None
        for attempt in range(3):
            try:
                conn = open_session(dev, self.ctx.session)
                break
            except SessionError:
                time.sleep(2 * (attempt + 1))
        if conn is None:
            self.rec("rollback", "failed", "device unreachable after the failure; the change stays open in the "
                     "journal and the next run settles it (VRPv8/Comware revert by themselves when the "
                     "trial/delay expires)")
            return self.outcome(FAILED, f"failed: {why}; unreachable, change {self.change} stays open")
        try:
            self.drv = platforms.driver_for(dev.platform, conn)
            self.drv.archive = self.archive
            now = cfgtext.normalise_text(self.drv.running(), self.vendor)
            pending_revert = self.drv.revert_visible and self.drv.pending_revert()
            if now == self.backup_text and not pending_revert:
                self.rec("rollback", "ok", "nothing was committed; running config equals the original backup")
                self.rec("done", ROLLED_BACK, why)
                return self.outcome(ROLLED_BACK, f"rolled back: {why} (nothing committed)")
            self.rec("rollback", "started", why, archive=self.archive)
            self.drv.rollback(self.undo_commands(now))
            return self.judge_rollback(cfgtext.normalise_text(self.drv.running(), self.vendor), why)
        except Exception as exc:  # noqa: BLE001
            self.rec("rollback", "failed", f"{type(exc).__name__}: {exc}; the change stays open in the journal")
            return self.outcome(FAILED, f"failed: {why}; rollback error {exc}")
        finally:
            try:
                conn.disconnect()
            except Exception:  # noqa: BLE001
                pass


def back_out(ctx: ChangeContext, intent: ChangeIntent, name: str, change: str = "latest") -> Outcome:
    """Take a finished change back out of one device, on request (a playbook's rollback stage): the
    running config goes back to the change's pre-change backup by the same undo path a failed change
    rolls back on (VRPv8 undo + commit, Comware `configuration replace` of the journalled archive),
    is compared byte for byte with the backup, then saved; ``done backed_out`` only after the save.
    ``change``: the change id of the journal, or ``latest`` (the device's last finished change).
    Locked like any transaction, journalled under the change's id; in check mode nothing is sent and
    the outcome lists the lines that would be undone. A re-run after a crash simply backs out again."""
    j = ctx.journal
    dev = ctx.inv.devices[name]
    j.add_secrets([dev.password])
    mine = [e for e in j.entries() if e.get("device") == name and e.get("change")]
    done = [e for e in mine if e["step"] == "done" and change in ("latest", e["change"])
            and e["outcome"] in (intent.success, BACKED_OUT)]
    if not done:
        return Outcome(name, FAILED, f"no finished change {change!r} of {name} in the journal {j.path}")
    change = done[-1]["change"]
    if done[-1]["outcome"] == BACKED_OUT:
        return Outcome(name, NOTHING_TO_BACK_OUT, f"change {change} was already backed out (journal)")
    begin = next((e for e in mine if e["change"] == change and e["step"] == "begin" and e.get("backup")), None)
    if begin is None:
        return Outcome(name, FAILED, f"change {change} of {name} has no pre-change backup in the journal")
    try:
        backup_text = Path(begin["backup"]).read_text()
    except OSError as exc:
        return Outcome(name, FAILED, f"change {change}: pre-change backup unreadable: {exc}")
    opened = j.open_change(name)
    if opened is not None:
        return Outcome(name, FAILED, f"change {opened.change} of {name} is unfinished; settle it first (re-run the change)")
    lock = DeviceLock(ctx.lock_dir, name, change)
    if not ctx.check:
        try:
            lock.acquire()
        except DeviceLocked as exc:
            j.record(name, "lock", "refused", str(exc))
            return Outcome(name, LOCKED, str(exc))
    try:
        conn = open_session(dev, ctx.session)
    except SessionError as exc:
        lock.release()
        return Outcome(name, FAILED, str(exc))
    try:
        tx = Transaction(ctx, intent, name, platforms.driver_for(dev.platform, conn), intent.render(name), lock)
        tx.backup_text, tx.backup_path, tx.archive = backup_text, begin["backup"], begin.get("archive", "")
        tx.pending = tx.diff.pending(tx.rendered, cfgtext.parse(backup_text, tx.vendor))
        now = cfgtext.normalise_text(tx.drv.running(), tx.vendor)
        if now == backup_text:
            return Outcome(name, NOTHING_TO_BACK_OUT, f"running config already equals the backup of change {change}",
                           backup=tx.backup_path)
        tx.commands = tx.undo_commands(now)
        if ctx.check:
            return tx.outcome(WOULD_CHANGE, f"back-out of change {change}: {len(tx.commands)} line(s) to undo")
        try:
            tx.rec("rollback", "started", f"back-out of change {change} on request", archive=tx.archive)
            tx.drv.archive = tx.archive
            tx.drv.rollback(tx.commands)
            now = cfgtext.normalise_text(tx.drv.running(), tx.vendor)
            if now != backup_text:
                extra = [ln for ln in now.splitlines() if ln not in backup_text.splitlines()][:5]
                tx.rec("rollback", "failed", "running config differs from the pre-change backup", {"extra": extra})
                return tx.outcome(FAILED, f"back-out of change {change}: running config differs from its backup")
            tx.rec("rollback", "ok", "running config byte-identical to the pre-change backup")
            tx.rec("save", "started")
            tx.drv.save()
            tx.rec("save", "ok", "running configuration saved to the startup file")
        except Exception as exc:  # noqa: BLE001 - journalled; a re-run backs out again
            tx.rec("rollback", "failed", f"{type(exc).__name__}: {str(exc)[:200]}")
            return tx.outcome(FAILED, f"back-out of change {change} failed: {type(exc).__name__}: {exc}")
        tx.rec("done", BACKED_OUT, f"change {change} backed out to {tx.backup_path}")
        out = tx.outcome(BACKED_OUT, f"change {change} backed out; running config equals its pre-change backup")
        out.touched = True
        return out
    finally:
        try:
            conn.disconnect()
        except Exception:  # noqa: BLE001
            pass
        if not ctx.check:
            lock.release()


def _applies(undo_line: str, present: set[tuple[str, str]], vendor: Vendor) -> bool:
    """Keep navigation lines and negations of lines that are present now."""
    if not undo_line.startswith(vendor.negate):
        return True
    # Compare negations, not positives: some negations drop the value (``undo ssh server ipv6 acl``).
    want = cfgtext.normalise_line(undo_line)
    return any(cfgtext.normalise_line(cfgtext.negate_line(x, vendor)) == want for h, c in present for x in (h, c) if x)
