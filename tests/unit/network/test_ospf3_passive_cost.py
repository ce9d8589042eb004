"""The upgrade gives OSPFv3 the design's cost on every port where OSPFv2 has one and keeps user segments
silent in OSPFv3 too, in each vendor's words (VRP/Comware `ospfv3 cost N` in the interface and
`silent-interface IF` in the `ospfv3` view; IOS-like `ipv6 ospf cost N` and `passive-interface IF` under
`ipv6 router ospf`, unverified for RGOS/ZXROS); rollback takes the cost off bare before the area and the
silent interfaces with the process; drift judges both."""

from __future__ import annotations

import pytest

from govops import vendors
from govops.sot.routing import plan_ospf
from network import config, drift, render

# One device per platform (the golden files' cases): the vendor's cost line, area line, silent line, process.
VRP = ("ospfv3 cost {c}", "ospfv3 1 area", " silent-interface {i}", "ospfv3 1")
IOS = ("ipv6 ospf cost {c}", "ipv6 ospf 1 area", " passive-interface {i}", "ipv6 router ospf 1")
CASES = {"ys-lf-acc-1": VRP, "core-1": VRP, "core-2": VRP, "fy-yq-acc-1": IOS, "fy-fyz-acc-1": IOS}


def test_every_platform_is_covered_and_access_switches_have_user_segments(ospf_lab):
    inv, _ = ospf_lab
    assert {inv.devices[n].platform for n in CASES} == {"huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros"}
    assert all(any(i.passive for i in plan_ospf(inv)[n].interfaces) for n in ("ys-lf-acc-1", "fy-yq-acc-1", "fy-fyz-acc-1"))


@pytest.mark.parametrize("name", CASES)
def test_ospfv3_gets_the_designs_cost_and_silent_segments_and_rollback_removes_them(ospf_lab, name):
    inv, plan = ospf_lab
    design = plan_ospf(inv)[name]
    cost, area, silent, process = CASES[name]
    intent = render.build_intent(inv, plan, name)
    vendor = vendors.get(intent.platform)
    ports = {b.header.removeprefix("interface "): [c.strip() for c in b.children]
             for b in intent.blocks if b.header.startswith("interface ")}
    in_ospf3 = {p for p, kids in ports.items() if any(k.startswith(area) for k in kids)}
    costed = {i.interface: i.cost for i in design.interfaces if i.cost and i.interface in in_ospf3}
    assert costed, name
    for port, c in costed.items():  # the area first, then the design's cost (as OSPFv2's)
        kids = ports[port]
        at = next(i for i, k in enumerate(kids) if k.startswith(area))
        assert kids.index(cost.format(c=c)) > at, (name, kids)
    passive = [i.interface for i in design.interfaces if i.passive and i.interface in in_ospf3]
    proc = next(b for b in intent.blocks if b.header == process)
    kids = [c.strip() for c in proc.children]
    assert [c for c in kids if c.startswith(silent.split("{")[0].strip())] == [silent.format(i=p).strip() for p in passive]
    if name.endswith("acc-1"):
        assert passive, name  # the user segment is in OSPFv3 (advertised), so it must be silent there

    # Rollback, as the operator's undo set and as the engine computes it: cost off bare before the area,
    # the process (with its silent interfaces) as a whole.
    interfaces = [config.Block(b.header) for b in intent.blocks if b.header.startswith("interface ")]
    computed = config.undo_of(intent.blocks, interfaces, vendor)
    bare = config.normalise_line(vendor.negate + cost.rsplit(" ", 1)[0])
    off_area = config.normalise_line(vendor.negate + area)
    for undo in (computed, config.parse(intent.undo_text, vendor)):
        headers = [config.normalise_line(b.header) for b in undo]
        assert config.normalise_line(vendor.negate + process) in headers, (name, headers)
        for b in undo:
            if b.header.removeprefix("interface ") not in costed:
                continue
            kids = [config.normalise_line(c) for c in b.children]
            at = next(i for i, k in enumerate(kids) if k.startswith(off_area))
            assert kids.index(bare) < at, (name, kids)


@pytest.mark.parametrize("name", CASES)
def test_drift_judges_ospfv3_cost_and_silent_interfaces(ospf_lab, name):
    inv, plan = ospf_lab
    design = plan_ospf(inv)[name]
    cost, _, silent, process = CASES[name]
    intent = render.build_intent(inv, plan, name)
    text = intent.text + intent.ospf2_text  # the device as designed
    assert drift.compare(intent, text).drifted is False
    line = cost.format(c=next(i.cost for i in design.interfaces if i.cost))
    gone = drift.compare(intent, text.replace(f" {line}\n", "\n", 1))  # OSPFv3 left at the default cost
    assert any(m.endswith(f"/ {line}") for m in gone.missing), gone
    changed = drift.compare(intent, text.replace(f" {line}\n", f" {cost.format(c=77)}\n", 1))
    assert any(u.endswith(f"/ {cost.format(c=77)}") for u in changed.unplanned), changed
    # A silent line too many (a link made passive by hand), and one missing where the design has one.
    extra = silent.format(i="Hand-made0/9")
    added = drift.compare(intent, text.replace(f"{process}\n", f"{process}\n{extra}\n", 1))
    assert any(u.endswith(f"/ {extra.strip()}") for u in added.unplanned), added
    passive = [i.interface for i in design.interfaces if i.passive]
    if passive:
        want = silent.format(i=passive[0])
        gone = drift.compare(intent, text.replace(f"{want}\n", "", 1))
        assert any(m.endswith(f"/ {want.strip()}") for m in gone.missing), gone
