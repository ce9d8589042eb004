"""Database migration rehearsal on the lab: dept-srv-1 (on-prem) -> cloud-prod-1, dump/restore with a freeze."""

from __future__ import annotations

import json

import pytest

from govops.migrate.pgmigrate import DbMigration

pytestmark = pytest.mark.lab


@pytest.fixture
def migration(lab, tmp_path):
    m = DbMigration(lab, "e-licence", "dept-srv-1", "cloud-prod-1", tmp_path / "journal.jsonl")
    m.setup()
    try:
        yield m
    finally:
        m.teardown()


def steps(m) -> list[tuple[str, str]]:
    return [(e["step"], e["outcome"]) for e in map(json.loads, m.journal.read_text().splitlines())]


def test_verified_copy_cuts_over_and_the_source_stays_frozen(migration):
    r = migration.run()
    assert r["outcome"] == "cutover" and r["tables"]["licence"].startswith("2000 ")
    assert steps(migration) == [("freeze", "ok"), ("copy", "ok"), ("verify", "ok"), ("cutover", "ok")]
    assert migration.fingerprint("cloud-prod-1") == r["tables"]
    frozen = migration.sql("dept-srv-1", "INSERT INTO txlog VALUES (999999, 'late write');", check=False)
    assert frozen == ""  # refused: read-only
    assert migration.sql("dept-srv-1", "SELECT count(*) FROM txlog WHERE id = 999999;") == "0"


def test_a_corrupted_row_count_rolls_back_and_the_source_keeps_serving(migration):
    def lose_a_row(m):
        m.sql("cloud-prod-1", "DELETE FROM licence WHERE id = 1234;")

    r = migration.run(corrupt=lose_a_row)
    assert r["outcome"] == "rolled back" and list(r["diff"]) == ["licence"]
    assert r["diff"]["licence"]["target"].startswith("1999 ")
    assert steps(migration) == [("freeze", "ok"), ("copy", "ok"), ("verify", "failed"), ("rollback", "ok")]
    # the target database is gone; the source is read-write and serving
    assert migration.sql("cloud-prod-1", "SELECT count(*) FROM pg_database WHERE datname = 'govops';",
                         db="postgres") == "0"
    assert migration.sql("dept-srv-1", "SELECT payload FROM txlog ORDER BY id DESC LIMIT 1;") == "after rollback"
