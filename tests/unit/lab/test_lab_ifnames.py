"""The lab's kernel names: every real vendor interface name gets one, unique and at most 15 bytes,
and the source of truth no longer depends on the lab to accept a name."""

from __future__ import annotations

import ast
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab.ifnames import KERNEL_NAME_MAX, RESERVED, canonical, kernel_name
from lab.topology import HOST_DATA_IF, MGMT_IF, _internal_peer
from tests.paths import ROOT

# Real names from vendor documentation and captures (issue 13, problem 7): VRP V600/CE, sub-interfaces,
# Comware aggregation, ZXROS 25G/100G ports, management ports.
REAL_NAMES = [
    "GigabitEthernet0/1/0.1003", "Route-Aggregation1", "Bridge-Aggregation12", "xxvgei-1/1/0/24",
    "cgei-0/2/0/1", "100GE1/0/1", "10GE1/0/4", "GE1/0/0", "MEth0/0/0", "Eth-Trunk10.200",
    "Ten-GigabitEthernet1/0/49", "TenGigabitEthernet 0/49", "HundredGigE1/0/53", "AggregatePort 1",
    "smartgroup1", "Vlan-interface4094", "M-GigabitEthernet0/0/0", "Mgmt 0", "Tunnel0/0/1",
    "GigabitEthernet0/1/0.4094", "xgei-0/1/0/1.100", "Virtual-Template1", "NULL0",
    "InLoopBack0", "FortyGigE1/0/53", "loopback1", "LoopBack0", "Loopback 0",
]
# A kernel interface name: 1..15 bytes, no '/', ':' or whitespace, not "." or "..".
KERNEL_OK = re.compile(r"[^/:\s]{1,15}")


@pytest.mark.parametrize("vendor", REAL_NAMES)
def test_every_real_name_has_a_kernel_name(vendor: str) -> None:
    name = kernel_name(vendor)
    assert KERNEL_OK.fullmatch(name) and len(name.encode()) <= KERNEL_NAME_MAX and name not in (".", "..")
    assert name not in RESERVED
    assert kernel_name(vendor) == name, "deterministic"


def test_real_names_are_unique_and_readable_where_they_fit() -> None:
    names = {v: kernel_name(v) for v in REAL_NAMES}
    distinct_ports = {canonical(v) or v for v in REAL_NAMES}
    assert len(set(names.values())) == len(distinct_ports)  # LoopBack0 and Loopback 0 are one port
    assert names["GigabitEthernet0/1/0.1003"] == "ge0-1-0.1003"
    assert names["GigabitEthernet0/1/0.4094"] != names["GigabitEthernet0/1/0.1003"]
    assert names["100GE1/0/1"] == "hge1-0-1"
    assert names["xxvgei-1/1/0/24"] == "xxvgei1-1-0-24"
    assert names["Ten-GigabitEthernet1/0/49"] == "xge1-0-49"
    assert names["LoopBack0"] == names["Loopback 0"] == "lo0"
    assert kernel_name("Ag1") == kernel_name("AggregatePort 1") == "ag1"  # RGOS ifName and CLI name: one port


def test_the_labs_existing_names_are_kept() -> None:
    """Lab tests and twins name these kernel ports; the mapping keeps them."""
    assert kernel_name("GigabitEthernet0/1/0") == "ge0-1-0"
    assert kernel_name("gei-0/1/0/8") == "gei0-1-0-8"
    assert kernel_name("GigabitEthernet 0/1") == "ge0-1"
    assert kernel_name("Vlanif100") == "vlif100"


def test_too_long_or_odd_names_are_hashed_not_refused() -> None:
    assert kernel_name("Virtual-Template1.4094").startswith("vir_")
    assert kernel_name("Route-Aggregation1") == "rag1" and kernel_name("Route-Aggregation1.4094") == "rag1.4094"
    assert kernel_name("Serial1/0/0:0") != kernel_name("Serial1/0/0:1")
    assert kernel_name("Mgmt0") != MGMT_IF  # the lab's own management port stays the lab's
    assert kernel_name("x" * 200 + "1").startswith("xxx_")


def test_lab_reserved_names_match_the_topology() -> None:
    assert {MGMT_IF, HOST_DATA_IF} <= RESERVED


_vendor_names = st.builds(
    lambda kind, space, nums, sep, sub: kind + space + sep.join(map(str, nums)) + (f".{sub}" if sub else ""),
    st.sampled_from(["GigabitEthernet", "GE", "10GE", "xgei-", "Route-Aggregation", "Eth-Trunk", "MEth",
                     "Ten-GigabitEthernet", "cgei-", "port-channel", "Vlan-interface", "Serial"]),
    st.sampled_from(["", " "]), st.lists(st.integers(0, 4095), min_size=1, max_size=4), st.just("/"),
    st.one_of(st.none(), st.integers(1, 4094)),
) | st.text(min_size=1, max_size=40)


@given(st.lists(_vendor_names, min_size=2, max_size=30, unique=True))
def test_distinct_ports_get_distinct_kernel_names(names: list[str]) -> None:
    by_kernel: dict[str, set] = {}
    for v in names:
        k = kernel_name(v)
        assert KERNEL_OK.fullmatch(k) and len(k.encode()) <= KERNEL_NAME_MAX - 1  # room for the "_" peer
        by_kernel.setdefault(k, set()).add(canonical(v) or v.strip())
    assert all(len(ports) == 1 for ports in by_kernel.values()), by_kernel
    # The lab's internal peer of a port ("_" + name) never collides either.
    assert len({_internal_peer(k) for k in by_kernel}) == len(by_kernel)


def test_the_core_does_not_import_the_lab() -> None:
    """govops/ is production code: it must run where no lab exists (DESIGN.md, layers)."""
    offenders = []
    for path in (ROOT / "govops").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{path.relative_to(ROOT)}: {m}" for m in mods if m == "lab" or m.startswith("lab.")]
    assert [o for o in offenders if o.startswith("govops/sot") or o.startswith("govops/ipv6")] == []


def test_a_topology_with_real_long_names_fits_the_kernel() -> None:
    """Real names on every link end and segment: each namespace gets distinct kernel names of at most
    15 bytes (the veth ends, their internal peers and the management port), and the twin's table has them."""
    from govops.sot import load_inventory
    from govops.sot.model import Endpoint, Segment
    from lab.topology import build_topology

    inv = load_inventory(ROOT / "inventories" / "lab")
    long_names = iter([f"GigabitEthernet0/1/{n}.{1000 + n}" for n in range(8)] + [f"Route-Aggregation{n}.4094"
                                                                                   for n in range(8)])
    links = tuple(link.model_copy(update={"a": Endpoint(device=link.a.device, interface=next(long_names)),
                                          "b": Endpoint(device=link.b.device, interface=f"xxvgei-1/1/0/{i}.100")})
                  for i, link in enumerate(inv.links))
    devices = {name: dev.model_copy(update={"segments": tuple(
        Segment(interface=f"Ten-GigabitEthernet1/0/{48 + i}.{4000 + i}", name=s.name, ipv4=s.ipv4)
        for i, s in enumerate(dev.segments))}) for name, dev in inv.devices.items()}
    hosts = {name: h.model_copy(update={"uplink": h.uplink.model_copy(update={
        "interface": devices[h.uplink.device].segments[0].interface})}) if h.uplink else h for name, h in inv.hosts.items()}
    topo = build_topology(inv.model_copy(update={"links": links, "devices": devices, "hosts": hosts}), "hc")
    per_ns: dict[str, list[str]] = {}
    for v in topo.veths:
        per_ns.setdefault(v.netns, []).append(v.name)
        per_ns.setdefault(v.peer_netns, []).append(v.peer)
    for ns, names in per_ns.items():
        assert len(names) == len(set(names)), (ns, sorted(names))
        assert all(KERNEL_OK.fullmatch(n) for n in names), names
    core1 = topo.nodes["core-1"].interfaces
    assert core1["GigabitEthernet0/1/0.1000"] == "ge0-1-0.1000"
    assert all(len(k.encode()) <= KERNEL_NAME_MAX for k in core1.values())
