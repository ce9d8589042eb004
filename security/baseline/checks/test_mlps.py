"""MLPS 2.0 level-3 baseline as a testinfra suite: one test per control of controls.yml.

    pytest security/baseline/checks --hosts='ssh://opsadmin@cloud-prod-1?ssh_config=LAB/ssh_config&sudo=true' --govops-lab

Each test records its evidence (file line or command output) as the junit property "evidence";
`govops sec audit` runs the same checks and writes the per-control report.
"""

from __future__ import annotations

import pytest

from security.baseline.catalogue import load_controls
from security.baseline.check_kinds import run_check

CONTROLS = load_controls()


@pytest.mark.parametrize("control", CONTROLS, ids=[c.id for c in CONTROLS])
def test_control(host, control, govops_lab, record_property):
    outcome = run_check(host, control.check.kind, control.check.params, govops_lab)
    record_property("evidence", "\n".join(outcome.evidence))
    assert outcome.passed, (f"{control.id} ({control.clause} {control.clause_ref}; {control.title.en}) fails:\n  "
                            + "\n  ".join(outcome.evidence))
