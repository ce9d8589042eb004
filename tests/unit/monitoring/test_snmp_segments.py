"""Where the collector cuts a big interface table into concurrent walk segments."""

from __future__ import annotations

from monitoring.snmp.collector import split_points

IF_NAME = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1)
IF_DESCR = (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)


def table(indexes):
    return {IF_NAME: {(i,): b"x" for i in indexes}, IF_DESCR: {(i,): b"y" for i in indexes}}


def test_small_tables_are_one_segment():
    assert split_points(table(range(1, 200)), 200) == []
    assert split_points({}, 200) == []
    assert split_points(table(range(1, 1000)), 0) == []


def test_big_tables_are_cut_into_equal_segments_at_known_indexes():
    idx = list(range(1, 501))
    assert split_points(table(idx), 200) == [(250,)]
    assert split_points(table(idx), 100, most=4) == [(125,), (250,), (375,)]
    sparse = [i * 7 for i in range(1, 601)]  # ifIndexes need not be dense
    cuts = split_points(table(sparse), 200)
    assert cuts == [(sparse[199],), (sparse[399],)]
