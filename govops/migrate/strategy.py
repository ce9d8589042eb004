"""Which of the 7Rs a system gets, and how easy it is to move: every rule in one table each.

Strategies follow AWS's 7Rs as used by the Italian PA cloud manual (reference/cloud-iac.md §5.2);
`repurchase` and `relocate` are not in the table because the catalogue has no field that points to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govops.sot.model import Arch, Location, System

MIGRATING = ("rehost", "replatform", "refactor")


@dataclass(frozen=True)
class Rule:
    strategy: str
    applies: Callable[[System, Arch], bool]   # (system, the architecture it lands on in the cloud)
    reason: str


# First matching rule wins. Classified systems never reach this table (the planner excludes them).
# Landing on another CPU architecture (x86_64 today, a Kunpeng aarch64 pool on the cloud) is never a
# rehost: binaries, middleware and drivers are rebuilt and re-certified (信创适配), so at least replatform.
RULES: tuple[Rule, ...] = (
    Rule("done", lambda s, a: s.location == Location.cloud, "already on the cloud"),
    Rule("retire", lambda s, a: s.status in ("retire", "retired"),
         "catalogue status '{s.status}': switched off, not moved"),
    Rule("retain", lambda s, a: s.target == Location.on_prem, "catalogue target on_prem: stays in the department"),
    Rule("refactor", lambda s, a: s.complexity >= 5, "complexity {s.complexity}: must be re-architected for the 信创 stack"),
    Rule("refactor", lambda s, a: a != s.runs_on and s.complexity >= 4,
         "runs on {s.runs_on} today, lands on {a}: complexity {s.complexity}, re-architected for the new CPU"),
    Rule("replatform", lambda s, a: a != s.runs_on,
         "runs on {s.runs_on} today, lands on {a}: rebuilt for the new CPU, not lifted and shifted"),
    Rule("replatform", lambda s, a: s.complexity >= 3 or s.data_gb >= 1000,
         "complexity {s.complexity}, {s.data_gb} GB: moves onto managed database/middleware"),
    Rule("rehost", lambda s, a: True, "complexity {s.complexity}, {s.data_gb} GB: lift and shift as VMs"),
)


def landing_arch(system: System, cloud_archs: tuple[Arch, ...] | None = None) -> Arch:
    """The pool a system lands on: its most preferred architecture the production centre has
    (govops.cloud.intent.place_arch); without the centre's pools, its most preferred one."""
    if not cloud_archs:
        return system.arch[0]
    return next((a for a in system.arch if a in cloud_archs), cloud_archs[0])


def choose_strategy(system: System, cloud_archs: tuple[Arch, ...] | None = None) -> tuple[str, str]:
    """(strategy, reason) for one non-classified system."""
    arch = landing_arch(system, cloud_archs)
    for rule in RULES:
        if rule.applies(system, arch):
            return rule.strategy, rule.reason.format(s=system, a=arch)
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
