"""Issue 18 point 3, offline: the IPv6 intent brings OSPFv3 (matching the IPv4 OSPF design) instead of
static routes, static routes stay for a lab without FRR, and drift judges OSPFv3 lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from govops import ipv6, vendors
from govops.sot import load_inventory
from govops.sot.routing import plan_ospf
from network import config, drift, render

LAB = Path(__file__).resolve().parents[3] / "inventories" / "lab"


@pytest.fixture
def inv(monkeypatch):
    monkeypatch.delenv("GOVOPS_LAB_IGP", raising=False)
    return load_inventory(LAB)


def test_ospf3_matches_the_ipv4_design_and_replaces_static_routes(inv):
    plan = ipv6.require_plan(inv)
    ospf4 = plan_ospf(inv)
    for name, intent in render.render_all(inv, plan).items():
        assert intent.routes == [], f"{name}: static IPv6 routes rendered beside OSPFv3"
        assert intent.ospf3.router_id == str(ospf4[name].router_id)
        v4 = {i.interface: (str(i.area), i.cost, i.peer or "") for i in ospf4[name].interfaces}
        v6 = {i.interface: (i.area, i.cost, i.peer) for i in intent.ospf3.interfaces if i.interface in v4}
        assert v6 == v4, name
        loop = next(i for i in intent.ospf3.interfaces if i.interface == intent.loopback.interface)
        assert loop.area == str(ospf4[name].area)
        linked = {a.peer.split(":")[0] for a in intent.addresses if a.kind == "link"}
        assert set(intent.ospf3.neighbours) == linked, name


def test_static_lab_still_gets_static_routes(inv, monkeypatch):
    monkeypatch.setenv("GOVOPS_LAB_IGP", "static")
    intent = render.build_intent(inv, ipv6.require_plan(inv), "ys-lf-acc-1")
    assert intent.ospf3 is None and [str(r.prefix) for r in intent.routes] == ["::/0"]
    assert "ospfv3" not in intent.text and "ipv6 route-static :: 0 " in intent.text


@pytest.mark.parametrize("name", ["ys-lf-acc-1", "core-2"])  # VRP5 and Comware write `ospfv3 ...`
def test_drift_flags_an_unplanned_ospf3_line_and_a_missing_one(inv, name):
    intent = render.build_intent(inv, ipv6.require_plan(inv), name)
    text = intent.text + intent.ospf2_text  # the device as designed: dual-stack intent and OSPF
    assert drift.compare(intent, text).drifted is False
    port = next(i.interface for i in intent.ospf3.interfaces if i.peer)
    extra = text.replace(f"interface {port}\n", f"interface {port}\n ospfv3 1 area 0.0.0.9\n", 1)
    report = drift.compare(intent, extra)
    assert report.unplanned == [f"interface {port} / ospfv3 1 area 0.0.0.9"]
    second = drift.compare(intent, text + "ospfv3 2\n router-id 1.1.1.1\n#\n")
    assert second.unplanned == ["ospfv3 2"]
    gone = drift.compare(intent, text.replace(" ospfv3 cost 10\n", "", 1))
    assert any(line.endswith("/ ospfv3 cost 10") for line in gone.missing)


def test_rollback_negates_the_ospf3_cost_bare(inv):
    """The engine's computed undo (what rollback sends) takes `undo ospfv3 cost` without the value, as
    the twins' VRP/Comware grammar has it, and drops the whole process with `undo ospfv3 1`."""
    intent = render.build_intent(inv, ipv6.require_plan(inv), "ys-lf-acc-1")
    before = [config.Block(b.header) for b in intent.blocks if b.header.startswith("interface ")]
    undo = config.to_commands(config.undo_of(intent.blocks, before, vendors.get("huawei")), vendors.get("huawei"))
    assert "undo ospfv3 cost" in undo and "undo ospfv3 1" in undo
    assert undo.index("undo ospfv3 1") > max(i for i, c in enumerate(undo) if c.startswith("undo ospfv3 1 area"))
