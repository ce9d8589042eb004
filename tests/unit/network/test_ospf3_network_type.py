"""The upgrade makes OSPFv3 point-to-point on the links where the design makes OSPFv2 point-to-point:
OSPFv2's `ospf network-type p2p` does not reach OSPFv3, whose default on Ethernet is broadcast (HPE
Comware 7 "ospfv3 network-type"), so the vendor's own line is written (VRP/Comware `ospfv3 network-type
p2p`, IOS-like `ipv6 ospf network point-to-point`), taken back out bare before the area on rollback, and
judged by drift. The loopback and user segments keep the default."""

from __future__ import annotations

import pytest

from govops import vendors
from govops.sot.routing import plan_ospf
from network import config, drift, render

# One device per platform (the golden files' cases): the vendor's OSPFv3 p2p line, its bare undo, its area line.
CASES = {"ys-lf-acc-1": ("ospfv3 network-type p2p", "undo ospfv3 network-type", "ospfv3 1 area"),
         "core-1": ("ospfv3 network-type p2p", "undo ospfv3 network-type", "ospfv3 1 area"),
         "core-2": ("ospfv3 network-type p2p", "undo ospfv3 network-type", "ospfv3 1 area"),
         "fy-yq-acc-1": ("ipv6 ospf network point-to-point", "no ipv6 ospf network", "ipv6 ospf 1 area"),
         "fy-fyz-acc-1": ("ipv6 ospf network point-to-point", "no ipv6 ospf network", "ipv6 ospf 1 area")}


def test_every_platform_is_covered(ospf_lab):
    inv, _ = ospf_lab
    assert {inv.devices[n].platform for n in CASES} == {"huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros"}


@pytest.mark.parametrize("name", CASES)
def test_links_get_ospfv3_p2p_and_rollback_removes_it_bare_before_the_area(ospf_lab, name):
    inv, plan = ospf_lab
    design = plan_ospf(inv)[name]
    p2p, bare, area = CASES[name]
    intent = render.build_intent(inv, plan, name)
    vendor = vendors.get(intent.platform)
    links = {i.interface for i in design.interfaces if not i.passive}  # OSPFv2 p2p there (compute_ospf2)
    assert links, name
    seen = set()
    for b in intent.blocks:
        if not b.header.startswith("interface "):
            continue
        port = b.header.removeprefix("interface ")
        kids = [c.strip() for c in b.children]
        if port in links:
            at = next(i for i, c in enumerate(kids) if c.startswith(area))
            assert kids.index(p2p) > at, (name, kids)
            seen.add(port)
        else:  # the loopback and user segments: broadcast, the default
            assert p2p not in kids, (name, b.header)
    assert seen == links, name

    interfaces = [config.Block(b.header) for b in intent.blocks if b.header.startswith("interface ")]
    computed = config.undo_of(intent.blocks, interfaces, vendor)
    for undo in (computed, config.parse(intent.undo_text, vendor)):
        for b in undo:
            port = b.header.removeprefix("interface ")
            kids = [config.normalise_line(c) for c in b.children]
            if port not in links:
                assert config.normalise_line(bare) not in kids, (name, kids)
                continue
            off_area = next(i for i, c in enumerate(kids) if c.startswith(config.normalise_line(vendor.negate + area)))
            assert kids.index(config.normalise_line(bare)) < off_area, (name, kids)


@pytest.mark.parametrize("name", CASES)
def test_drift_judges_the_ospfv3_network_type(ospf_lab, name):
    inv, plan = ospf_lab
    p2p, _, _ = CASES[name]
    intent = render.build_intent(inv, plan, name)
    assert p2p not in intent.ospf2_text  # OSPFv2's baseline keeps its own network type line
    text = intent.text + intent.ospf2_text  # the device as designed
    assert drift.compare(intent, text).drifted is False
    gone = drift.compare(intent, text.replace(f" {p2p}\n", "\n", 1))  # OSPFv3 left broadcast on one link
    assert any(line.endswith(f"/ {p2p}") for line in gone.missing), gone
