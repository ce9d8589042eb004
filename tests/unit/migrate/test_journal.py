"""The migration journal: resumable runs, and the monitoring exporter's progress moves with it."""

from __future__ import annotations

from pathlib import Path

from govops.migrate.system import STEPS, Migration
from govops.sot import load_inventory


def migration(journal: Path) -> Migration:
    return Migration(system="doc-exchange", name="doc-exchange.example", source="dept-srv-1", target="cloud-prod-1",
                     source_addr="198.19.10.10", target_addr="198.19.0.10", hosts=[], observer="cloud-dr-1",
                     ssh_config="/nonexistent", journal=journal)


def test_resume_skips_done_steps_and_a_rollback_starts_over(tmp_path):
    m = migration(tmp_path / "j.jsonl")
    for step in STEPS[:4]:
        m.record(step, "ok")
    m.record("final_sync", "failed", "link loss")
    assert m.done_steps() == set(STEPS[:4])
    m.record("rollback", "ok")
    assert m.done_steps() == set()
    other = Migration(**{**m.__dict__, "system": "other", "log": []})
    other.record("precheck", "ok")
    assert m.done_steps() == set()  # another system's lines do not count


def test_completed_run_is_left_alone(tmp_path):
    m = migration(tmp_path / "j.jsonl")
    for step in STEPS:
        m.record(step, "ok")
    result = m.run()  # would need ssh for any step: none is attempted
    assert result["changed"] is False and result["outcome"] == "completed"


def test_monitoring_progress_counts_a_journaled_cutover(tmp_path):
    from monitoring.migration.progress import read_journal, system_progress

    inv = load_inventory("inventories/lab")
    path = tmp_path / "j.jsonl"
    m = migration(path)
    before = {p.system: p for p in system_progress(inv, read_journal(path))}
    assert not before["doc-exchange"].migrated
    for step in STEPS[:3]:
        m.record(step, "ok")
    during = {p.system: p for p in system_progress(inv, read_journal(path))}
    assert during["doc-exchange"].in_progress and not during["doc-exchange"].migrated
    for step in STEPS[3:]:
        m.record(step, "ok")
    after = {p.system: p for p in system_progress(inv, read_journal(path))}
    assert after["doc-exchange"].migrated
