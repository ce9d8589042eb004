"""The DR tier promises read as seconds, the figures a drill is judged against."""

from __future__ import annotations

import pytest

from govops.cloud.dr import TIERS
from govops.migrate.drill import promise_seconds


@pytest.mark.parametrize("text, seconds", [("0", 0), ("0 - 30 min", 1800), ("minutes - 2 d", 172800),
                                           ("hours - 1 d", 86400), (">= 12 h", 43200), ("minutes", 3600)])
def test_promise_upper_bounds(text, seconds):
    assert promise_seconds(text) == seconds


def test_every_tier_promise_is_readable_and_stricter_tiers_promise_less():
    rpo = [promise_seconds(TIERS[level].rpo) for level in sorted(TIERS)]
    assert rpo == sorted(rpo, reverse=True) and rpo[-1] == 0


def test_unreadable_promise_is_an_error():
    with pytest.raises(ValueError, match="cannot read a duration"):
        promise_seconds("soon")
