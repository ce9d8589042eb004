"""VRP raises an OSPF dead interval under its floor (20 s campus/USG VRP5, 10 s VRP V8) to the floor
unless the interface's hello line says `conservative` (`ospf timer hello interval [ conservative ]`:
usg.zrnko.cz/resources/cli_vrp/ospf_timer_hello.html; NE8000 "ospf timer hello"). So the design's
short dead interval (the lab's 4 s) holds on a real VRP only with the keyword: the drift baseline
(ospf.j2) and the lab's startup (lab/topology.py) write it there, Comware (no such keyword) never."""

from __future__ import annotations

import pytest

from govops import vendors
from govops.sot.model import Routing
from lab.topology import ospf_startup
from network import drift, render

# One device per Huawei-style platform in the lab inventory.
VRP5, VRP8, COMWARE = "ys-lf-acc-1", "core-1", "core-2"


def _with_dead(inv, dead: int):  # noqa: ANN001, ANN202
    return inv.model_copy(update={"routing": Routing(ospf=inv.routing.ospf.model_copy(update={"dead": dead}))})


def test_the_floors_are_vendor_facts(ospf_lab) -> None:  # noqa: ANN001
    inv, _ = ospf_lab
    assert [inv.devices[n].platform for n in (VRP5, VRP8, COMWARE)] == ["huawei", "huawei_vrpv8", "hp_comware"]
    assert [vendors.get(p).ospf_dead_floor for p in ("huawei", "huawei_vrpv8", "hp_comware")] == [20, 10, 0]


@pytest.mark.parametrize(("dead", "keeps"), [(4, {VRP5, VRP8}), (12, {VRP5}), (20, set()), (40, set())])
def test_conservative_where_the_design_is_under_the_vendors_floor(ospf_lab, dead: int, keeps: set[str]) -> None:  # noqa: ANN001
    inv, plan = ospf_lab
    inv = _with_dead(inv, dead)
    hello = inv.routing.ospf.hello
    startup = ospf_startup(inv)
    for name in (VRP5, VRP8, COMWARE):
        text = render.build_intent(inv, plan, name).ospf2_text
        want = f" ospf timer hello {hello}" + (" conservative" if name in keeps else "") + "\n"
        assert want in text and f" ospf timer dead {dead}\n" in text, (name, text)
        assert ("conservative" in text) == (name in keeps), (name, text)
        assert startup[name]["conservative"] == (name in keeps), name  # the twins start as ospf.j2 says


def test_drift_names_a_vrp_hello_line_without_conservative(ospf_lab) -> None:  # noqa: ANN001
    """On a real VRP5 the bare line means a 20 s dead interval, not the design's 4 s: drift, not clean."""
    inv, plan = ospf_lab
    intent = render.build_intent(inv, plan, VRP5)
    text = intent.text + intent.ospf2_text
    assert drift.compare(intent, text).drifted is False
    line = f" ospf timer hello {inv.routing.ospf.hello} conservative\n"
    assert text.count(line) == len(intent.ospf2.interfaces)
    bare = drift.compare(intent, text.replace(line, line.replace(" conservative", ""), 1))
    assert bare.drifted and any(m.endswith(line.strip()) for m in bare.missing), bare
