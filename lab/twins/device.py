"""The runtime of one twin: running configuration, saved file, commit history, timers, sessions.

Sessions (one per SSH shell) edit through the device: immediate dialects call ``apply`` after
every accepted line, VRPv8 calls ``commit`` with its candidate. Every path ends in
``KernelNamespace.reconcile``, so the kernel only ever reflects the running configuration.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from lab import frr
from lab.twins.frr_config import render_frr
from lab.twins.kernel import KernelNamespace
from lab.twins.model import DeviceConfig, startup_config

log = logging.getLogger(__name__)

FIRST_COMMIT_ID = 1000000001


@dataclass
class CommitPoint:
    commit_id: int
    before: DeviceConfig
    after: DeviceConfig
    user: str
    kind: str  # CLI, ROLLBACK
    label: str = "-"
    description: str = ""
    timestamp: str = field(default_factory=lambda: dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"))


@dataclass
class PendingRevert:
    """A change that reverts itself unless confirmed: VRPv8 ``commit trial``, Comware ``commit delay``."""

    restore: DeviceConfig
    task: asyncio.Task
    deadline: float


class Device:
    def __init__(self, spec: dict[str, Any], state_dir: Path, time_scale: float = 1.0) -> None:
        self.spec = spec
        self.name: str = spec["name"]
        self.platform: str = spec["platform"]
        self.state_dir = state_dir / self.name
        self.time_scale = time_scale
        self.kernel = KernelNamespace(spec["netns"], spec.get("mgmt_interface", "mgmt0"))
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.commits: list[CommitPoint] = []
        self.pending: PendingRevert | None = None
        self.boot_time = dt.datetime.now()
        self._lock = asyncio.Lock()
        # FRR's directory when the lab runs a routing engine for this device (lab/frr.py), else None:
        # then OSPF configuration is kept and shown but routes only come from static configuration.
        self.frr_dir = Path(spec["frr_dir"]) if spec.get("frr_dir") else None
        self._frr_applied: str | None = None
        self.saved_path = self.state_dir / "saved.json"
        if self.saved_path.exists():
            self.running = DeviceConfig.load(self.saved_path)
            # The lab's interface table is authoritative for kernel names.
            for vendor, kernel in spec.get("interfaces", {}).items():
                if vendor in self.running.interfaces:
                    self.running.interfaces[vendor].kernel = kernel
        else:
            self.running = startup_config(spec.get("sysname") or self.name, spec.get("interfaces", {}),
                                          spec.get("startup") or {})

    # ---- applying ------------------------------------------------------------------------
    async def apply(self, cfg: DeviceConfig) -> list[str]:
        """Make ``cfg`` the running configuration and the kernel's state."""
        async with self._lock:
            self.running = cfg.copy()
            # Shielded: a session killed mid-command must not leave the kernel half-reconciled.
            warnings = await asyncio.shield(self.kernel.reconcile(self.running))
            warnings += await asyncio.shield(self.sync_routing())
        for warning in warnings:
            log.info("%s: %s", self.name, warning)
        return warnings

    async def sync_routing(self) -> list[str]:
        """Hand the running configuration's OSPF part to FRR when it changed (translation:
        lab/twins/frr_config.py); the first time with ``vtysh -f``, then with ``frr-reload``."""
        if self.frr_dir is None:
            return []
        text = render_frr(self.running)
        if text == self._frr_applied:
            return []
        try:
            if self._frr_applied is None:
                await frr.load(self.frr_dir, text)
            else:
                await frr.reload(self.frr_dir, text)
        except frr.FrrError as exc:
            return [f"routing engine: {exc}"]
        self._frr_applied = text
        return []

    async def commit(self, cfg: DeviceConfig, user: str, kind: str = "CLI", label: str = "-",
                     description: str = "") -> CommitPoint:
        before = self.running.copy()
        await self.apply(cfg)
        point = CommitPoint(FIRST_COMMIT_ID + len(self.commits), before, cfg.copy(), user, kind,
                            label, description)
        self.commits.append(point)
        return point

    # ---- self-reverting changes ------------------------------------------------------------
    def arm_revert(self, restore: DeviceConfig, seconds: float, user: str, kind: str) -> None:
        """Revert to ``restore`` after ``seconds`` (scaled by the lab's time_scale) unless confirmed."""
        self.confirm_pending()
        delay = seconds * self.time_scale
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._revert_later(restore.copy(), delay, user, kind))
        self.pending = PendingRevert(restore.copy(), task, loop.time() + delay)

    async def _revert_later(self, restore: DeviceConfig, delay: float, user: str, kind: str) -> None:
        await asyncio.sleep(delay)
        self.pending = None
        log.info("%s: unconfirmed change expired, rolling back", self.name)
        if kind == "commit":
            await self.commit(restore, user, kind="ROLLBACK", description="trial rollback")
        else:
            await self.apply(restore)

    def confirm_pending(self) -> bool:
        if self.pending is None:
            return False
        self.pending.task.cancel()
        self.pending = None
        return True

    async def revert_pending_now(self, user: str) -> bool:
        pending = self.pending
        if pending is None:
            return False
        self.confirm_pending()
        await self.commit(pending.restore, user, kind="ROLLBACK", description="abort trial")
        return True

    # ---- saving ----------------------------------------------------------------------------
    def save(self, text: str) -> None:
        self.running.save(self.saved_path)
        (self.state_dir / "saved.cfg").write_text(text)

    def archive(self, text: str, prefix: str = "archive") -> str:
        """Comware ``archive configuration``: numbered copies; returns the file name."""
        folder = self.state_dir / "archive"
        folder.mkdir(parents=True, exist_ok=True)
        number = len(list(folder.glob(f"{prefix}_*.cfg"))) + 1
        name = f"{prefix}_{number}.cfg"
        (folder / name).write_text(text)
        self.running.save((folder / name).with_suffix(".json"))
        return name

    def archived(self, name: str) -> DeviceConfig | None:
        path = self.state_dir / "archive" / Path(name.split(":")[-1].lstrip("/")).name
        sidecar = path.with_suffix(".json")
        return DeviceConfig.load(sidecar) if sidecar.exists() else None

    # ---- sessions --------------------------------------------------------------------------
    def kill_sessions(self) -> int:
        """Drop every SSH connection at once, like a broken management path."""
        count = len(self.connections)
        for conn in list(self.connections):
            conn.abort()
        return count
