"""Backup timers rendered from the DR tier's backup promise, checked by systemd's own parser."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import pytest

from govops.cloud import dr
from govops.migrate import pgschedule
from govops.migrate.pg import PlanError

CONF = "/etc/pgbackrest/data-exchange.conf"
needs_systemd = pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")


def on_calendar(timer: str) -> str:
    return re.search(r"^OnCalendar=(.+)$", timer, re.M).group(1)


def elapses(spec: str, n: int) -> list[str]:
    """The next n run days ("Sun 2026-12-06") as systemd computes them from a fixed Friday noon."""
    out = subprocess.run(["systemd-analyze", "calendar", f"--iterations={n}", "--base-time=2026-12-04 12:00:00 UTC",
                          spec], capture_output=True, text=True, check=True, env={"TZ": "UTC"}).stdout
    return re.findall(r"(?:Next elapse|Iter\. #\d+): (\w{3} \d{4}-\d\d-\d\d) 01:00:00", out)


def test_tier_2_weekly_full_and_daily_incremental_cover_each_day_once():
    files = pgschedule.render("data-exchange", 2, CONF, "cloud-remote-1")
    assert sorted(files) == [f"govops-pgbackrest-data-exchange-{k}.{u}" for k in ("full", "incr")
                             for u in ("service", "timer")]
    full, incr = files["govops-pgbackrest-data-exchange-full.service"], files["govops-pgbackrest-data-exchange-incr.service"]
    assert f"ExecStart=/usr/bin/pgbackrest --config={CONF} --stanza=data-exchange --type=full backup" in full
    assert "--type=incr backup" in incr and "User=postgres" in incr
    timer = files["govops-pgbackrest-data-exchange-incr.timer"]
    assert "Unit=govops-pgbackrest-data-exchange-incr.service" in timer and "Persistent=true" in timer


def test_tier_5_keeps_a_daily_full_only():
    files = pgschedule.render("data-exchange", 5, CONF, "cloud-remote-1")
    assert sorted(files) == ["govops-pgbackrest-data-exchange-full.service", "govops-pgbackrest-data-exchange-full.timer"]
    assert on_calendar(files["govops-pgbackrest-data-exchange-full.timer"]) == "*-*-* 01:00:00"


def test_a_backup_promise_the_schedule_cannot_express_is_refused_naming_the_tier():
    odd = dataclasses.replace(dr.tier(2), backup="monthly full")
    with pytest.raises(PlanError, match="tier 2 backup 'monthly full'"):
        pgschedule.plan(odd)


@needs_systemd
def test_systemd_reads_the_units_and_runs_the_full_on_sunday_the_incremental_on_the_other_days(tmp_path):
    files = pgschedule.render("data-exchange", 2, CONF, "cloud-remote-1")
    paths = pgschedule.write(tmp_path, files)
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, paths)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    full = elapses(on_calendar(files["govops-pgbackrest-data-exchange-full.timer"]), 2)
    incr = elapses(on_calendar(files["govops-pgbackrest-data-exchange-incr.timer"]), 7)
    assert full == ["Sun 2026-12-06", "Sun 2026-12-13"]
    week = sorted(d for d in full[:1] + incr if "2026-12-05" <= d[4:] <= "2026-12-11")
    assert [d[:3] for d in sorted(week, key=lambda d: d[4:])] == ["Sat", "Sun", "Mon", "Tue", "Wed", "Thu", "Fri"]
    assert not set(full) & set(incr)  # never both on one day
