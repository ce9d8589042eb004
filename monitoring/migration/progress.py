"""Migration progress: systems on the cloud ÷ non-classified systems, per department.

The journal is JSON lines, one step per line, appended by the migration runbooks::

    {"time": "2026-11-28T22:10:00+08:00", "system": "doc-exchange", "step": "cutover", "outcome": "ok"}

A system counts as migrated when the catalogue says `location: cloud` or its journal has a
`cutover` step with outcome `ok`. Classified (涉密) systems never move and are not counted.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)
TARGET_RATIO = 0.9  # the city's target: 90% of non-classified systems on the cloud


@dataclass(frozen=True)
class SystemProgress:
    system: str
    department: str
    migrated: bool
    in_progress: bool          # has journal steps but no successful cutover yet
    last_step_ts: float | None


def read_journal(path: Path | None) -> dict[str, list[dict]]:
    """Journal entries by system; unreadable lines are logged with their line number and skipped."""
    by_system: dict[str, list[dict]] = {}
    if path is None or not Path(path).exists():
        return by_system
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            by_system.setdefault(entry["system"], []).append(entry)
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            log.warning("%s:%d: skipped journal line (%s)", path, n, exc)
    return by_system


def _ts(entry: dict) -> float | None:
    # govops journals (network.journal, govops.migrate) write `time`; `ts` is kept for older files
    try:
        return datetime.fromisoformat(entry.get("time") or entry["ts"]).timestamp()
    except (KeyError, ValueError, TypeError):
        return None


def system_progress(inv, journal: dict[str, list[dict]]) -> list[SystemProgress]:
    out = []
    for s in sorted(inv.systems.values(), key=lambda s: s.id):
        if s.classification != "non_classified":
            continue
        steps = journal.get(s.id, [])
        cut = any(e.get("step") == "cutover" and e.get("outcome") == "ok" for e in steps)
        migrated = s.location == "cloud" or cut
        stamps = [t for t in (_ts(e) for e in steps) if t is not None]
        out.append(SystemProgress(s.id, s.department, migrated, bool(steps) and not migrated,
                                  max(stamps) if stamps else None))
    return out
