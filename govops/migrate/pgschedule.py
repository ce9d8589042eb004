"""Backup schedule of a system's database as systemd timers, from its DR tier's backup promise.

govops/cloud/dr.py says per tier what backups it keeps ("weekly full + daily incremental",
"daily full", ...). This renders, for the repository host, one oneshot service + timer per
backup kind: a weekly full on Sunday, a daily full every day, a daily incremental on the other
six days when the full is weekly (pgBackRest `--type=incr`: what changed since the newest
backup of any type). The exporter's backup age policy (monitoring/migration/dr.py) counts every
kind, so it stays "daily + 1 h" when a daily incremental runs between weekly fulls.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from govops.cloud import dr
from govops.migrate.pg import TEMPLATES, PlanError

PGBACKREST = "/usr/bin/pgbackrest"
AT = "01:00:00"  # local time, inside every department's night window
CALENDAR = {"weekly": f"Sun *-*-* {AT}", "daily": f"*-*-* {AT}", "daily-but-full-day": f"Mon..Sat *-*-* {AT}"}


def plan(tier: dr.DrTier) -> list[tuple[str, str]]:
    """[(backup kind, how often)] the tier's backup promise asks for."""
    text = tier.backup
    if "weekly full" in text:
        full = "weekly"
    elif "daily full" in text:
        full = "daily"
    else:
        raise PlanError([f"govops/cloud/dr.py: DR tier {tier.level} backup {text!r}: expected 'weekly full' or "
                         "'daily full'"])
    out = [("full", full)]
    if "daily incremental" in text:
        if full != "weekly":
            raise PlanError([f"govops/cloud/dr.py: DR tier {tier.level}: a daily incremental needs a weekly full"])
        out.append(("incr", "daily-but-full-day"))
    return out


def render(stanza: str, tier_level: int, config: Path | str, repo_host: str) -> dict[str, str]:
    """{file name: text}: `govops-pgbackrest-<stanza>-<kind>.service` / `.timer` per backup kind."""
    tier = dr.tier(tier_level)
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True)
    files = {}
    for kind, every in plan(tier):
        unit = f"govops-pgbackrest-{stanza}-{kind}"
        ctx = {"kind": kind, "stanza": stanza, "tier": tier, "repo_host": repo_host, "pgbackrest": PGBACKREST,
               "config": config, "unit": unit, "on_calendar": CALENDAR[every],
               "every": "daily except Sunday" if every == "daily-but-full-day" else every}
        files[f"{unit}.service"] = env.get_template("pgbackrest-backup.service.j2").render(ctx)
        files[f"{unit}.timer"] = env.get_template("pgbackrest-backup.timer.j2").render(ctx)
    return files


def write(out: Path, files: dict[str, str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        (out / name).write_text(text)
        paths.append(out / name)
    return paths
