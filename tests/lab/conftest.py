"""The shared lab fixture: `inventories/lab` built as a live twin, once per test session.

Use it from any lab test::

    pytestmark = pytest.mark.lab

    def test_something(lab):            # lab is a lab.state.Lab (see lab/README.md)
        out = lab.exec_mgmt(["ssh", "-F", str(lab.ssh_config), "dept-srv-1", "hostname"])
        lab.run("core-1", ["ip", "-br", "addr"])
        lab.mgmt_ipv4("core-1"), lab.known_hosts, lab.ansible_inventory, lab.twins_state_dir

The prefix is $GOVOPS_LAB_PREFIX (default `gt`). A lab left by a crashed run with that prefix
is removed first; the finaliser removes this one, also when tests fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lab.lifecycle import down
from lab.state import Lab
from tests.lab.labctl import INVENTORY, NOT_ROOT, PREFIX, lab_cli


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    if os.geteuid() != 0:
        pytest.skip(NOT_ROOT)
    down(PREFIX)  # whatever a crashed earlier session left with this prefix
    try:
        lab_cli("up", "-i", str(INVENTORY))
        yield Lab.load(PREFIX)
    finally:
        down(PREFIX)
