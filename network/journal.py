"""The change journal: one JSON object per line, fsync'd, a write-ahead log of every device change.

Fields: ``time`` (UTC ISO), ``wave``, ``device``, ``change`` (the transaction's id), ``step``
(lock, precheck, begin, backup, prepare, push, verify, confirm, save, rollback, resume, done),
``outcome`` (``started`` is written BEFORE a side effect, ``ok``/``failed`` after it; ``done``
carries the result: upgraded, already_dual_stack, rolled_back, failed, ...), ``detail``, ``diff``
(a summary: counts and a few lines) and, for a transaction, ``backup`` / ``archive``.
Never a secret: every record is scrubbed of the values we know are secret before it is written.

A wave resumes from its journal: a device whose last ``done`` record says upgraded or
already-dual-stack is not touched again (``done`` is written only after confirm AND save), and a
transaction without its ``done`` (``open_change``) is where the last run stopped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from network.masking import open_private_append

DEFAULT_PATH_ENV = "GOVOPS_JOURNAL"
FINISHED = ("upgraded", "already_dual_stack")


class Journal:
    def __init__(self, path: str | os.PathLike, wave: str = "ipv6-upgrade", secrets: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self.wave = wave
        self._secrets = [s for s in secrets if s]
        self._lock = threading.Lock()

    def add_secrets(self, values: Iterable[str]) -> None:
        self._secrets += [v for v in values if v and v not in self._secrets]

    def _scrub(self, value):
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, "***")
            return value
        if isinstance(value, dict):
            return {k: self._scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._scrub(v) for v in value]
        return value

    def record(self, device: str, step: str, outcome: str, detail: str = "", diff: dict | None = None,
               **fields: str) -> dict:
        """Append one line; ``fields`` (change, backup, archive) are stored when not empty."""
        entry = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "wave": self.wave,
                 "device": device, "step": step, "outcome": outcome, "detail": detail}
        if diff:
            entry["diff"] = diff
        entry.update({k: v for k, v in fields.items() if v})
        entry = self._scrub(entry)
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        with self._lock:
            # O_APPEND writes of one line are atomic enough for concurrent Ansible forks. Created
            # 0600 in 0700 folders: a journal names devices, backups and what failed on them.
            with open_private_append(self.path) as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return entry

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a line torn by a crash mid-write: ignore it, the step is redone
        return [e for e in out if e.get("wave") == self.wave]

    def finished(self) -> dict[str, str]:
        """device -> final outcome, for devices whose latest ``done`` record is a success."""
        last: dict[str, str] = {}
        for e in self.entries():
            if e["step"] == "done":
                last[e["device"]] = e["outcome"]
        return {d: o for d, o in last.items() if o in FINISHED}

    def last_outcome(self, device: str) -> dict | None:
        done = [e for e in self.entries() if e["device"] == device and e["step"] == "done"]
        return done[-1] if done else None

    def open_change(self, device: str) -> OpenChange | None:
        """The device's last transaction when it has no ``done`` record: the run that wrote it
        stopped (kill -9, power cut, lost controller) somewhere between ``begin`` and ``done``."""
        current: OpenChange | None = None
        for e in self.entries():
            if e.get("device") != device:
                continue
            if e["step"] == "begin":
                current = OpenChange(e["change"], e.get("backup", ""), e.get("archive", ""))
            elif current is not None and e.get("change") == current.change:
                if e["step"] == "done":
                    current = None
                    continue
                current.steps.append((e["step"], e["outcome"]))
                current.archive = e.get("archive") or current.archive
        return current


@dataclass
class OpenChange:
    """What the journal knows about an unfinished transaction."""

    change: str
    backup: str
    archive: str = ""
    steps: list[tuple[str, str]] = field(default_factory=list)

    def reached(self, step: str, outcome: str = "started") -> bool:
        return (step, outcome) in self.steps
