"""Which of the 7Rs a system gets, and how easy it is to move: every rule in one table each.

Strategies follow AWS's 7Rs as used by the Italian PA cloud manual (reference/cloud-iac.md §5.2);
`repurchase` and `relocate` are not in the table because the catalogue has no field that points to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govops.sot.model import Location, System

MIGRATING = ("rehost", "replatform", "refactor")


@dataclass(frozen=True)
class Rule:
    strategy: str
    applies: Callable[[System], bool]
    reason: str


# First matching rule wins. Classified systems never reach this table (the planner excludes them).
RULES: tuple[Rule, ...] = (
    Rule("done", lambda s: s.location == Location.cloud, "already on the cloud"),
    Rule("retire", lambda s: s.status in ("retire", "retired"), "catalogue status '{s.status}': switched off, not moved"),
    Rule("retain", lambda s: s.target == Location.on_prem, "catalogue target on_prem: stays in the department"),
    Rule("refactor", lambda s: s.complexity >= 5, "complexity {s.complexity}: must be re-architected for the 信创 stack"),
    Rule("replatform", lambda s: s.complexity >= 3 or s.data_gb >= 1000,
         "complexity {s.complexity}, {s.data_gb} GB: moves onto managed database/middleware"),
    Rule("rehost", lambda s: True, "complexity {s.complexity}, {s.data_gb} GB: lift and shift as VMs"),
)


def choose_strategy(system: System) -> tuple[str, str]:
    """(strategy, reason) for one non-classified system."""
    for rule in RULES:
        if rule.applies(system):
            return rule.strategy, rule.reason.format(s=system)
    raise AssertionError("the last rule matches everything")


# Data size bands (GB upper bound, penalty), after CMF's WPM storage scoring.
DATA_BANDS: tuple[tuple[float, int], ...] = ((200, 5), (500, 10), (1000, 15), (2000, 20), (float("inf"), 25))
# Readiness from catalogue status: a system its team has declared ready moves sooner.
READINESS_PENALTY = {"ready": 0, "planned": 10}
UNKNOWN_READINESS_PENALTY = 20


def ease(system: System) -> int:
    """0-100, higher is easier: 100 - 10*complexity - data band - 5 per dependency - readiness."""
    band = next(p for limit, p in DATA_BANDS if system.data_gb < limit)
    readiness = READINESS_PENALTY.get(system.status, UNKNOWN_READINESS_PENALTY)
    return max(0, 100 - 10 * system.complexity - band - 5 * len(system.depends_on) - readiness)
