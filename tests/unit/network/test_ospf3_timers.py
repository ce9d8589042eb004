"""The upgrade sets OSPFv3's own interface timers from the design (OSPFv2's `ospf timer` does not apply to
OSPFv3 on VRP: Huawei EDOC1100064351 "ospfv3 timer hello", default 10/40 s), in each vendor's words,
takes them back out before the area on rollback, and drift judges them; the OSPFv2 baseline is unchanged."""

from __future__ import annotations

import pytest

from govops import vendors
from govops.sot.routing import plan_ospf
from network import config, drift, render

# One device per platform (the golden files' cases), with the vendor's OSPFv3 timer lines and its area line.
# VRP: `conservative` on the hello line, or VRP raises the lab's dead 4 to 10 s (EDOC1100064351).
CASES = {"ys-lf-acc-1": ("ospfv3 timer hello {h} conservative", "ospfv3 timer dead {d}", "ospfv3 1 area"),
         "core-1": ("ospfv3 timer hello {h} conservative", "ospfv3 timer dead {d}", "ospfv3 1 area"),
         "core-2": ("ospfv3 timer hello {h}", "ospfv3 timer dead {d}", "ospfv3 1 area"),
         "fy-yq-acc-1": ("ipv6 ospf hello-interval {h}", "ipv6 ospf dead-interval {d}", "ipv6 ospf 1 area"),
         "fy-fyz-acc-1": ("ipv6 ospf hello-interval {h}", "ipv6 ospf dead-interval {d}", "ipv6 ospf 1 area")}


def test_every_platform_is_covered(ospf_lab):
    inv, _ = ospf_lab
    assert {inv.devices[n].platform for n in CASES} == {"huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros"}


def test_conservative_only_where_vrp_would_raise_the_dead_interval(ospf_lab, monkeypatch):
    """VRP keeps a dead interval under 10 s only with `conservative`; at 10 s or more the plain line."""
    inv, plan = ospf_lab
    assert "ospfv3 timer hello 1 conservative" in render.build_intent(inv, plan, "ys-lf-acc-1").text
    assert "conservative" not in render.build_intent(inv, plan, "core-2").text  # Comware: no such keyword
    real = render.compute_ospf3
    monkeypatch.setattr(render, "compute_ospf3", lambda *a: render.Ospf3(
        (o := real(*a)).process, o.router_id,
        tuple(render.Ospf3Interface(i.interface, i.area, i.cost, i.peer, i.hello and 10, i.dead and 40)
              for i in o.interfaces)))
    text = render.build_intent(inv, plan, "ys-lf-acc-1").text
    assert "ospfv3 timer hello 10\n" in text and "conservative" not in text


@pytest.mark.parametrize("name", CASES)
def test_links_get_the_designs_ospfv3_timers_and_rollback_removes_them_first(ospf_lab, name):
    inv, plan = ospf_lab
    design = plan_ospf(inv)[name]
    hello, dead, area = CASES[name]
    hello, dead = hello.format(h=design.hello), dead.format(d=design.dead)
    intent = render.build_intent(inv, plan, name)
    vendor = vendors.get(intent.platform)
    hellos = {i.interface for i in design.interfaces if not i.passive}
    assert hellos, name
    for b in intent.blocks:
        if not b.header.startswith("interface "):
            continue
        port = b.header.removeprefix("interface ")
        if port in hellos:  # the link: area, then the design's hello and dead
            kids = [c.strip() for c in b.children]
            at = next(i for i, c in enumerate(kids) if c.startswith(area))
            assert kids.index(hello) > at and kids.index(dead) > kids.index(hello), (name, kids)
        else:  # the loopback and user segments send no hellos: nothing to time
            assert not any("timer" in c or "interval" in c for c in b.children), (name, b.header)

    # Rollback, both as the operator's undo set and as the engine computes it: timers off before the area.
    interfaces = [config.Block(b.header) for b in intent.blocks if b.header.startswith("interface ")]
    computed = config.undo_of(intent.blocks, interfaces, vendor)
    for undo in (computed, config.parse(intent.undo_text, vendor)):
        for b in undo:
            port = b.header.removeprefix("interface ")
            if port not in hellos:
                continue
            kids = [config.normalise_line(c) for c in b.children]
            bare_hello = config.normalise_line(vendor.negate + hello.split(f" {design.hello}")[0])
            bare_dead = config.normalise_line(vendor.negate + dead.split(f" {design.dead}")[0])
            off_area = next(i for i, c in enumerate(kids) if c.startswith(config.normalise_line(vendor.negate + area)))
            assert kids.index(bare_dead) < kids.index(bare_hello) < off_area, (name, kids)


@pytest.mark.parametrize("name", CASES)
def test_drift_judges_the_ospfv3_timers_and_the_ospf2_baseline_keeps_its_own(ospf_lab, name):
    inv, plan = ospf_lab
    design = plan_ospf(inv)[name]
    hello, _, _ = CASES[name]
    hello = hello.format(h=design.hello)
    intent = render.build_intent(inv, plan, name)
    assert "ospfv3 timer" not in intent.ospf2_text and "ipv6 ospf" not in intent.ospf2_text
    assert f"{design.hello}" in intent.ospf2_text and ("ospf timer hello" in intent.ospf2_text
                                                       or "ip ospf hello-interval" in intent.ospf2_text)
    text = intent.text + intent.ospf2_text  # the device as designed
    assert drift.compare(intent, text).drifted is False
    gone = drift.compare(intent, text.replace(f" {hello}\n", "\n", 1))  # OSPFv3 left at the default 10 s
    assert any(line.endswith(f"/ {hello}") for line in gone.missing), gone
    other = hello.split(f" {design.hello}")[0] + " 7"
    changed = drift.compare(intent, text.replace(f" {hello}\n", f" {other}\n", 1))
    assert any(line.endswith(f"/ {other}") for line in changed.unplanned), changed
