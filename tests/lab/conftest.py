"""The shared lab fixture: `inventories/lab` built as a live twin, once per test session.

Use it from any lab test::

    pytestmark = pytest.mark.lab

    def test_something(lab):            # lab is a lab.state.Lab (see lab/README.md)
        out = lab.exec_mgmt(["ssh", "-F", str(lab.ssh_config), "dept-srv-1", "hostname"])
        lab.run("core-1", ["ip", "-br", "addr"])
        lab.mgmt_ipv4("core-1"), lab.known_hosts, lab.ansible_inventory, lab.twins_state_dir

The prefix is $GOVOPS_LAB_PREFIX (default `gt`). A lab left by a crashed run with that prefix
is removed first; the finaliser removes this one, also when tests fail.

The rooms run in the order declared in tests/lab/order.py (not alphabetically): the network room
upgrades this lab to dual stack and the rooms after it rely on that.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lab.lifecycle import down
from lab.state import Lab
from tests.lab import order
from tests.lab.labctl import INVENTORY, NOT_ROOT, PREFIX, lab_cli


# tryfirst: the room order is applied before other conftests' hooks (tests/lab/security moves its
# secrets scan to the very end of the session, and must still have the last word).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items[:] = order.order(items)


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
