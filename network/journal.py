"""The change journal: one JSON object per line, appended as each step ends.

Fields: ``time`` (UTC ISO), ``wave``, ``device``, ``step`` (precheck, backup, push, verify,
commit, rollback, skip, done, error), ``outcome`` (ok, failed, skipped, upgraded, rolled_back),
``detail`` and ``diff`` (a summary: counts and a few lines). Never a secret: every record goes
through ``security.sa.redact``-style scrubbing of the values we know are secret before it is written.
A wave resumes from its journal: a device whose last ``done`` record says upgraded or
already-dual-stack is not touched again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable
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

    def record(self, device: str, step: str, outcome: str, detail: str = "", diff: dict | None = None) -> dict:
        entry = {"time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "wave": self.wave,
                 "device": device, "step": step, "outcome": outcome, "detail": detail}
        if diff:
            entry["diff"] = diff
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
