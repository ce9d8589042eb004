"""What the lab builds, computed without root: names, links, routes, the twins' config."""

from __future__ import annotations

import ipaddress

import pytest

from govops.sot import load_inventory
from lab.lifecycle import twins_config
from lab.topology import build_topology, static_routes
from tests.paths import ROOT


@pytest.fixture(scope="module")
def inv():
    return load_inventory(ROOT / "inventories" / "lab")


def route(routes, prefix):
    return next(r["nexthop"] for r in routes if r["prefix"] == prefix)


def test_every_link_and_port_lives_in_lab_namespaces(inv):
    topo = build_topology(inv, "gx")
    for v in topo.veths:
        assert v.netns.startswith("gx-") and v.peer_netns.startswith("gx-"), v
        assert 0 < len(v.name) <= 15 and 0 < len(v.peer) <= 15 and "/" not in v.name + v.peer
    # one veth per topology link, with the vendor names' kernel forms on both ends
    first = topo.veths[0]
    assert (first.netns, first.name, first.peer_netns, first.peer) == ("gx-core-1", "ge0-1-0", "gx-core-2", "ge1-0-1")
    # hosts hang off their uplink port as eth1
    assert any(v.netns == "gx-fy-fyz-acc-1" and v.name == "gei0-1-0-8" and v.peer_netns == "gx-dept-srv-1"
               and v.peer == "eth1" for v in topo.veths)


def test_management_addresses_are_dual_stack(inv):
    topo = build_topology(inv, "gx")
    assert str(topo.mgmt.mgmt_ipv4) == "198.18.0.1/24"
    assert str(topo.mgmt.mgmt_ipv6) == "2001:db8:4600:ff::1/64"
    assert str(topo.nodes["core-1"].mgmt_ipv6) == "2001:db8:4600:ff::11/64"
    for node in topo.nodes.values():
        assert node.mgmt_ipv4 in ipaddress.ip_network("198.18.0.0/15")
        assert node.mgmt_ipv6 in ipaddress.ip_network("2001:db8::/32")


def test_routes_follow_shortest_paths(inv):
    routes = static_routes(inv)
    # township behind ys-agg-1: core-1 reaches it through ys-agg-1 (198.18.8.7), one hop
    assert route(routes["core-1"], "198.18.4.33/32") == "198.18.8.7"
    # township to core loopback: via its only neighbour
    assert route(routes["ys-lf-acc-1"], "198.18.4.1/32") == "198.18.8.14"
    # fy-agg-1 to core-2's segment: the direct link to core-2 (198.18.8.4), not via core-1
    assert route(routes["fy-agg-1"], "198.19.1.0/24") == "198.18.8.4"
    # a tie (ys-agg-1 to fy-agg-1 via core-1 or core-2) goes to the link listed first: core-1
    assert route(routes["ys-agg-1"], "198.18.4.21/32") == "198.18.8.6"
    # never a route to an attached prefix, never to the management block
    assert all(r["prefix"] != "198.18.8.6/31" for r in routes["core-1"])
    assert all(not r["prefix"].startswith("198.18.0.") for rs in routes.values() for r in rs)


def test_twins_config_follows_the_contract(inv, tmp_path):
    topo = build_topology(inv, "gx")
    config = twins_config(inv, topo, tmp_path, "ssh-ed25519 AAAA test")
    core1 = next(d for d in config["devices"] if d["name"] == "core-1")
    assert core1["netns"] == "gx-core-1"
    assert core1["listen"] == ["198.18.0.11", "2001:db8:4600:ff::11"]
    assert core1["interfaces"]["LoopBack0"] == "lo0"
    assert core1["startup"]["interfaces"]["GigabitEthernet0/1/0"] == {
        "ipv4": "198.18.8.0/31", "description": "to core-2:GigabitEthernet1/0/1", "shutdown": False}
    ruijie = next(d for d in config["devices"] if d["platform"] == "ruijie_os")
    assert ruijie["interfaces"]["Loopback 0"] == "lo0"
    assert {"prefix": "198.18.4.1/32", "nexthop": "198.18.8.12"} in ruijie["startup"]["static_routes_v4"]


def test_the_city_fits_kernel_names():
    city = ROOT / "inventories" / "xinyu"
    if not city.exists():
        pytest.skip("inventories/xinyu not present")
    topo = build_topology(load_inventory(city), "govlab")
    assert len(topo.devices()) >= 40
    assert all(len(v.name) <= 15 and len(v.peer) <= 15 for v in topo.veths)
    assert len(set(topo.mgmt_ports.values())) == len(topo.mgmt_ports)
