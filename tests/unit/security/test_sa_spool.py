"""The SQLite spool: bounded, deduplicating, durable, and atomic with journal offsets."""

import pytest

from security.sa.spool import JournalPosition, Spool, SpoolFull


def test_events_survive_reopen_in_order_and_leave_only_when_acked(tmp_path):
    spool = Spool(str(tmp_path))
    spool.add([(f"id{n}", b"m%d" % n) for n in range(5)])
    spool.close()
    spool = Spool(str(tmp_path))
    assert spool.count == 5 and spool.size_bytes == 10
    first = spool.peek(2)
    assert [item.id for item in first] == ["id0", "id1"]
    spool.ack(first)
    spool.close()
    spool = Spool(str(tmp_path))
    assert [item.id for item in spool.peek(10)] == ["id2", "id3", "id4"]


def test_pending_duplicate_ids_are_spooled_once(tmp_path):
    spool = Spool(str(tmp_path))
    assert spool.add([("a", b"1"), ("b", b"2")]) == 2
    assert spool.add([("a", b"1"), ("c", b"3")]) == 1
    assert spool.count == 3


def test_bounds_refuse_whole_batches(tmp_path):
    spool = Spool(str(tmp_path), max_events=3, max_bytes=100)
    spool.add([("a", b"x"), ("b", b"x")])
    with pytest.raises(SpoolFull):
        spool.add([("c", b"x"), ("d", b"x")])
    assert spool.count == 2
    with pytest.raises(SpoolFull):
        spool.add([("e", b"x" * 99)])
    assert spool.count == 2


def test_journal_offset_moves_only_with_its_events(tmp_path):
    spool = Spool(str(tmp_path), max_events=2)
    spool.add_from_journal([("a", b"1")], "/j", JournalPosition(7, 10))
    with pytest.raises(SpoolFull):
        spool.add_from_journal([("b", b"2"), ("c", b"3")], "/j", JournalPosition(7, 30))
    assert spool.journal_position("/j") == JournalPosition(7, 10)
    spool.close()
    assert Spool(str(tmp_path)).journal_position("/j") == JournalPosition(7, 10)


def test_oldest_age(tmp_path):
    spool = Spool(str(tmp_path))
    assert spool.oldest_age() == 0.0
    spool.add([("a", b"1")])
    assert spool.oldest_age() >= 0.0
