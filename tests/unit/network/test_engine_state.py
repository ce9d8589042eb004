"""The transaction engine's bookkeeping without a device: journal (open changes), device lock,
immutable pre-change backups. The device side is tested in tests/lab/network/test_transaction_faults.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from network.backup import write_pre_change_backup
from network.devlock import DeviceLock, DeviceLocked, read_owner
from network.journal import Journal


def _tx(j: Journal, device: str, change: str, steps: list[tuple[str, str]], backup: str = "/b/x.cfg") -> None:
    j.record(device, "begin", "ok", change=change, backup=backup)
    for step, outcome in steps:
        j.record(device, step, outcome, change=change, archive="cfgarchive_1.cfg" if step == "prepare" else "")


def test_open_change_is_where_the_last_run_stopped(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    _tx(j, "core-2", "c1", [("backup", "ok"), ("prepare", "started"), ("prepare", "ok"), ("push", "started")])
    opened = j.open_change("core-2")
    assert opened.change == "c1" and opened.backup == "/b/x.cfg" and opened.archive == "cfgarchive_1.cfg"
    assert opened.reached("push") and not opened.reached("push", "ok")
    assert j.open_change("core-1") is None


def test_the_archive_taken_before_begin_is_known_to_the_open_change(tmp_path):
    """Comware: prepare (archive) runs before the backup is taken; begin carries its name."""
    j = Journal(tmp_path / "j.jsonl")
    j.record("core-2", "prepare", "ok", change="c1", archive="flash:/archive/govops_1.cfg")
    j.record("core-2", "begin", "ok", change="c1", backup="/b/x.cfg", archive="flash:/archive/govops_1.cfg")
    j.record("core-2", "push", "started", change="c1")
    assert j.open_change("core-2").archive == "flash:/archive/govops_1.cfg"


def test_a_done_record_closes_the_change_and_only_success_counts_as_finished(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    _tx(j, "core-1", "c1", [("push", "ok"), ("rollback", "ok"), ("done", "rolled_back")])
    assert j.open_change("core-1") is None and j.finished() == {}
    _tx(j, "core-1", "c2", [("push", "ok"), ("verify", "ok"), ("confirm", "ok")])  # killed before save
    assert j.open_change("core-1").change == "c2" and j.finished() == {}
    j.record("core-1", "save", "ok", change="c2")
    j.record("core-1", "done", "upgraded", change="c2")
    assert j.open_change("core-1") is None and j.finished() == {"core-1": "upgraded"}


def test_records_of_another_change_or_wave_do_not_leak_into_the_open_one(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    _tx(j, "fy-agg-1", "c1", [("push", "started")])
    j.record("fy-agg-1", "lock", "refused", "locked by pid 1")  # a refused second run: no change id
    Journal(tmp_path / "j.jsonl", wave="private-network-x").record("fy-agg-1", "done", "migrated", change="c1")
    opened = j.open_change("fy-agg-1")
    assert opened.change == "c1" and opened.steps == [("push", "started")]


def test_a_torn_last_line_is_ignored(tmp_path):
    j = Journal(tmp_path / "j.jsonl")
    _tx(j, "core-1", "c1", [("push", "started")])
    with open(j.path, "a") as fh:
        fh.write('{"device": "core-1", "step": "push", "outc')  # kill -9 in the middle of a write
    assert j.open_change("core-1").steps == [("push", "started")]


def test_journal_scrubs_secrets_in_extra_fields(tmp_path):
    j = Journal(tmp_path / "j.jsonl", secrets=["S3cret!"])
    j.record("core-1", "begin", "ok", "password S3cret!", change="c1", backup="/b/S3cret!.cfg")
    assert "S3cret!" not in j.path.read_text()


def test_lock_refuses_a_second_holder_and_names_the_owner(tmp_path):
    first = DeviceLock(tmp_path, "core-1", "c1").acquire()
    try:
        with pytest.raises(DeviceLocked) as err:
            DeviceLock(tmp_path, "core-1", "c2").acquire()
        owner = err.value.owner
        assert owner.pid == os.getpid() and owner.change == "c1" and owner.lease_until > owner.since
        assert "core-1 is locked" in str(err.value) and "change c1" in str(err.value)
        DeviceLock(tmp_path, "core-2", "c3").acquire().release()  # other devices are free
    finally:
        first.release()
    DeviceLock(tmp_path, "core-1", "c2").acquire().release()  # released: free again


def test_lock_of_a_killed_process_is_free_and_its_owner_is_reported(tmp_path):
    """kill -9 releases the kernel lock; the next holder sees who held it last."""
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[3])!r})
        from network.devlock import DeviceLock
        DeviceLock({str(tmp_path)!r}, "core-1", "dead-change").acquire()
        os.kill(os.getpid(), 9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr
    assert read_owner(tmp_path / "locks" / "core-1.lock").change == "dead-change"
    lock = DeviceLock(tmp_path, "core-1", "c2").acquire()
    try:
        assert lock.previous.change == "dead-change" and lock.previous.pid != os.getpid()
        assert json.loads((tmp_path / "locks" / "core-1.lock").read_text())["change"] == "c2"
    finally:
        lock.release()


def test_pre_change_backup_first_one_wins(tmp_path):
    path = tmp_path / "core-1.pre-ipv6.c1.cfg"
    assert write_pre_change_backup(path, "sysname core-1\n#\n", "huawei", latest="core-1.pre-ipv6.cfg") \
        == "sysname core-1\n#\n"
    # a resumed transaction finds the device half-configured: the original stays
    assert write_pre_change_backup(path, "sysname core-1\nipv6\n#\n", "huawei",
                                   latest="core-1.pre-ipv6.cfg") == "sysname core-1\n#\n"
    assert path.read_text() == "sysname core-1\n#\n"
    assert (path.stat().st_mode & 0o777) == 0o600
    write_pre_change_backup(tmp_path / "core-1.pre-ipv6.c2.cfg", "sysname core-1\nipv6\n#\n", "huawei",
                            latest="core-1.pre-ipv6.cfg")
    latest = tmp_path / "core-1.pre-ipv6.cfg"
    assert latest.is_symlink() and latest.read_text() == "sysname core-1\nipv6\n#\n"
    assert path.read_text() == "sysname core-1\n#\n"  # the earlier change's file is untouched


def test_an_older_engines_plain_backup_is_never_replaced_by_the_latest_link(tmp_path):
    old = tmp_path / "core-1.pre-ipv6.cfg"
    old.write_text("the only IPv4-only backup\n")
    write_pre_change_backup(tmp_path / "core-1.pre-ipv6.c1.cfg", "half\n", "huawei", latest=old.name)
    assert not old.is_symlink() and old.read_text() == "the only IPv4-only backup\n"
