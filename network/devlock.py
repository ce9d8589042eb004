"""One change at a time per device: an fcntl lock file with its owner (pid, host, change id, lease).

``<state dir>/locks/<device>.lock`` (the state dir is the journal's folder). The kernel's
``flock`` is the lock itself: it is released when the holder exits, also on kill -9, so a crash
never leaves a device locked. The JSON inside says who holds it and until when its lease runs
(renewed at every journalled step), so a refused run can tell the operator whom it waits for,
and a stale owner (a lease that ran out, a process that no longer exists) is named in the
journal when the next run takes the device over.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

LEASE_SECONDS = 900  # longer than a change: VRPv8 trial (600 s) + verify


@dataclass
class LockOwner:
    pid: int
    host: str
    change: str
    since: str
    lease_until: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, change {self.change}, since {self.since}, lease until {self.lease_until}"


class DeviceLocked(Exception):
    """Another transaction holds the device; the message names its owner."""

    def __init__(self, device: str, owner: LockOwner | None) -> None:
        self.device, self.owner = device, owner
        who = owner.describe() if owner else "an owner that has not written its name yet"
        super().__init__(f"{device} is locked by another change ({who}); refused, nothing touched")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class DeviceLock:
    def __init__(self, state_dir: Path, device: str, change: str, lease: float = LEASE_SECONDS) -> None:
        self.path = Path(state_dir) / "locks" / f"{device}.lock"
        self.device, self.change, self.lease = device, change, lease
        self._fd: int | None = None
        self._since = ""
        self.previous: LockOwner | None = None  # a stale owner found when taking the lock

    def acquire(self) -> DeviceLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = read_owner(self.path)
            os.close(fd)
            raise DeviceLocked(self.device, owner) from None
        self._fd = fd
        self.previous = read_owner(self.path)
        self.renew()
        return self

    def renew(self) -> None:
        """Rewrite the owner with a fresh lease (called at every journalled step)."""
        if self._fd is None:
            return
        now = _now()
        self._since = self._since or now.isoformat()
        owner = LockOwner(os.getpid(), socket.gethostname(), self.change, self._since,
                          (now + dt.timedelta(seconds=self.lease)).isoformat())
        data = json.dumps(asdict(owner)).encode()
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, data, 0)
        os.fsync(self._fd)

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # no owner written: the device is free
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DeviceLock:
        return self.acquire() if self._fd is None else self

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_owner(path: Path) -> LockOwner | None:
    try:
        return LockOwner(**json.loads(Path(path).read_text() or "null"))
    except (OSError, ValueError, TypeError):
        return None
