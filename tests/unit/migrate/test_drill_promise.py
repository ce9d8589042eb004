"""The DR tier promises as seconds: one table (govops/cloud/dr.py) for the drill, the exporter and Pulumi."""

from __future__ import annotations

from pathlib import Path

import pytest

from govops.cloud.dr import ASYNC_REMOTE_RPO_S, TIERS, Replication, promise_seconds
from govops.migrate.drill import Drill, replication_to
from govops.sot import load_inventory
from tests.paths import ROOT


@pytest.mark.parametrize("text, seconds", [("0", 0), ("0 - 30 min", 1800), ("minutes - 2 d", 172800),
                                           ("hours - 1 d", 86400), (">= 12 h", 43200), ("minutes", 3600)])
def test_promise_upper_bounds(text, seconds):
    assert promise_seconds(text) == seconds


@pytest.mark.parametrize("level", sorted(TIERS))
def test_each_tier_seconds_agree_with_its_text(level):
    t = TIERS[level]
    assert (t.rpo_s, t.rto_s) == (promise_seconds(t.rpo), promise_seconds(t.rto)), t


def test_stricter_tiers_promise_less():
    rpo = [TIERS[level].rpo_s for level in sorted(TIERS)]
    assert rpo == sorted(rpo, reverse=True) and rpo[-1] == 0


def test_per_replica_rpo_sync_is_zero_async_never_below_the_async_bound():
    six, four = TIERS[6], TIERS[4]
    assert six.rpo_seconds() == 0 and six.rpo_seconds(Replication.sync_same_city) == 0
    assert six.rpo_seconds("async-remote") == ASYNC_REMOTE_RPO_S == TIERS[5].rpo_s
    assert four.rpo_seconds(Replication.async_remote) == four.rpo_s == 86400
    with pytest.raises(ValueError, match="DR tier 4 has no sync-same-city replica"):
        four.rpo_seconds(Replication.sync_same_city)


def test_the_drill_judges_the_replica_it_fails_over_to():
    inv = load_inventory(ROOT / "inventories" / "lab")
    assert replication_to(inv, "cloud-remote-1") is Replication.async_remote
    assert replication_to(inv, "cloud-dr-1") is Replication.sync_same_city
    assert replication_to(inv, "dept-srv-1") is None
    to_fenyi = Drill(m=None, level=6, state=Path("/nonexistent"), replication=Replication.async_remote)
    assert to_fenyi.promise() == (1800, 3600)  # not RPO 0: an async copy cannot keep that
    assert Drill(m=None, level=5, state=Path("/x"), replication=Replication.sync_same_city).promise() == (0, 172800)
    assert Drill(m=None, level=6, state=Path("/x"), rpo_objective=3).promise() == (3, 3600)


def test_unreadable_promise_is_an_error():
    with pytest.raises(ValueError, match="cannot read a duration"):
        promise_seconds("soon")
