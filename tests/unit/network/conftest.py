"""Shared by the OSPFv3 interface-line tests (timers, cost and silent segments, network type)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from govops import ipv6
from govops.ipv6 import Plan
from govops.sot import Inventory, load_inventory

LAB = Path(__file__).resolve().parents[3] / "inventories" / "lab"


@pytest.fixture(scope="module")
def ospf_lab() -> Iterator[tuple[Inventory, Plan]]:
    """The lab inventory and its IPv6 plan with the routing design in force (GOVOPS_LAB_IGP unset)."""
    mp = pytest.MonkeyPatch()
    mp.delenv("GOVOPS_LAB_IGP", raising=False)
    inv = load_inventory(LAB)
    yield inv, ipv6.require_plan(inv)
    mp.undo()
