"""OSPFv3 takes its own cost and silent interfaces on the twins, as on the devices: FRR's ospf6d gets its
cost from the OSPFv3 cost line only (VRP/Comware ``ospfv3 cost``, IOS-like ``ipv6 ospf cost``) and its
passive interfaces from OSPFv3's own ``silent-interface`` (IOS-like ``passive-interface`` under ``ipv6 router
ospf``), never from OSPFv2's ``ospf cost`` / ``silent-interface``. None set: ospf6d's auto-cost stands in for
the bandwidth-computed default of VRP/Comware (Huawei NE8000 "ospfv3 cost"; HPE 10500 "Setting an OSPFv3
cost for an interface"), and the port sends hellos."""

from __future__ import annotations

import pytest

from lab.twins.frr_config import render_frr
from tests.unit.twins.offline import frr_interface, run, twin

IFS = {"GigabitEthernet0/0/1": "ge0-0-1", "GigabitEthernet0/0/8": "ge0-0-8", "LoopBack0": "lo0"}
STARTUP = {"interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.8.3/31"},
                          "GigabitEthernet0/0/8": {"ipv4": "10.1.1.1/24"}, "LoopBack0": {"ipv4": "198.18.4.21/32"}}}
# OSPFv2 with a cost of 10 on the link and the user segment silent, then OSPFv3 on both without lines of its own.
VRP_LINES = ["system-view", "ospf 1 router-id 198.18.4.21", "silent-interface GigabitEthernet0/0/8", "area 1",
             "network 198.18.8.2 0.0.0.1", "network 10.1.1.0 0.0.0.255", "quit", "quit",
             "interface GigabitEthernet0/0/1", "ospf network-type p2p", "ospf cost 10", "quit",
             "interface GigabitEthernet0/0/8", "ospf cost 10", "quit",
             "ipv6", "ospfv3 1", "router-id 198.18.4.21", "quit",
             "interface GigabitEthernet0/0/1", "ipv6 enable", "ipv6 address 2001:db8:2::1 127", "ospfv3 1 area 0.0.0.1",
             "quit", "interface GigabitEthernet0/0/8", "ipv6 enable", "ipv6 address 2001:db8:1::1 64",
             "ospfv3 1 area 0.0.0.1", "quit"]


@pytest.mark.parametrize("platform", ["huawei", "hp_comware"])  # VRPv8 shares the dialect (commit aside)
def test_vrp_and_comware_ospf6d_cost_and_passive_come_from_ospfv3_lines_only(platform: str, tmp_path) -> None:  # noqa: ANN001
    dialect = twin(platform, tmp_path, IFS, STARTUP)
    lines = [line for line in VRP_LINES if not (platform == "hp_comware" and line in ("ipv6", "ipv6 enable"))]
    out = run(dialect, *lines)
    assert "Error" not in out, out
    frr = render_frr(dialect.device.running)
    link, segment = frr_interface(frr, "ge0-0-1"), frr_interface(frr, "ge0-0-8")
    assert " ip ospf cost 10\n" in link and " passive-interface ge0-0-8\n" in frr  # OSPFv2 as designed
    assert "ospf6 cost" not in link and "ospf6 cost" not in segment  # ospf6d's auto-cost: the vendor default
    assert " ipv6 ospf6 area 0.0.0.1\n" in segment and "ospf6 passive" not in segment  # hellos, as the device

    out = run(dialect, "ospfv3 1", "silent-interface GigabitEthernet0/0/8", "quit",
              "interface GigabitEthernet0/0/1", "ospfv3 cost 20", "quit",
              "interface GigabitEthernet0/0/8", "ospfv3 cost 30", "return")
    assert "Error" not in out, out
    frr = render_frr(dialect.device.running)
    link, segment = frr_interface(frr, "ge0-0-1"), frr_interface(frr, "ge0-0-8")
    assert " ipv6 ospf6 cost 20\n" in link and " ip ospf cost 10\n" in link and "ospf6 passive" not in link
    assert " ipv6 ospf6 cost 30\n" in segment and " ipv6 ospf6 passive\n" in segment
    config = run(dialect, "display current-configuration").replace("\r", "")
    assert "ospfv3 1\n router-id 198.18.4.21\n silent-interface GigabitEthernet0/0/8\n" in config
    assert " ospfv3 1 area 0.0.0.1\n ospfv3 cost 20\n" in config

    out = run(dialect, "system-view", "ospfv3 1", "undo silent-interface GigabitEthernet0/0/8", "quit",
              "interface GigabitEthernet0/0/1", "undo ospfv3 cost", "return")
    assert "Error" not in out, out
    frr = render_frr(dialect.device.running)
    assert "ospf6 passive" not in frr and "ospf6 cost 20" not in frr
    assert "silent-interface GigabitEthernet0/0/8" in run(dialect, "display current-configuration")  # OSPFv2's stays

    # Rollback takes the process off: its silent interfaces go with it.
    out = run(dialect, "system-view", "ospfv3 1", "silent-interface GigabitEthernet0/0/8", "quit", "undo ospfv3 1",
              "return")
    assert "Error" not in out, out
    assert dialect.device.running.ospf3 == {} and "ospf6" not in render_frr(dialect.device.running)


@pytest.mark.parametrize("platform", ["ruijie_os", "zte_zxros"])
def test_ios_like_ospf6d_cost_and_passive_come_from_ipv6_lines_only(platform: str, tmp_path) -> None:  # noqa: ANN001
    link, seg = ("GigabitEthernet 0/1", "GigabitEthernet 0/8") if platform == "ruijie_os" else ("gei-0/1/0/1", "gei-0/1/0/8")
    dialect = twin(platform, tmp_path, {link: "gi0-1", seg: "gi0-8"},
                   {"interfaces": {link: {"ipv4": "198.18.8.13/31"}, seg: {"ipv4": "10.2.2.1/24"}}})
    enable = ["enable"] if platform == "ruijie_os" else []  # ZXROS logs in privileged
    out = run(dialect, *enable, "configure terminal", "router ospf 1", "router-id 198.18.4.32",
              f"passive-interface {seg}", "network 198.18.8.12 0.0.0.1 area 1", "network 10.2.2.0 0.0.0.255 area 1",
              "exit", "ipv6 router ospf 1", "router-id 198.18.4.32", "exit",
              f"interface {link}", "ip ospf network point-to-point", "ip ospf cost 10", "ipv6 enable",
              "ipv6 address 2001:db8:2::1/127", "ipv6 ospf 1 area 1", "exit",
              f"interface {seg}", "ip ospf cost 10", "ipv6 enable", "ipv6 address 2001:db8:1::1/64", "ipv6 ospf 1 area 1",
              "end")
    assert "%" not in out, out
    frr = render_frr(dialect.device.running)
    assert " ip ospf cost 10\n" in frr_interface(frr, "gi0-1") and " passive-interface gi0-8\n" in frr
    assert "ospf6 cost" not in frr and "ospf6 passive" not in frr

    out = run(dialect, "configure terminal", "ipv6 router ospf 1", f"passive-interface {seg}", "exit",
              f"interface {link}", "ipv6 ospf cost 20", "end")
    assert "%" not in out, out
    frr = render_frr(dialect.device.running)
    assert " ipv6 ospf6 cost 20\n" in frr_interface(frr, "gi0-1") and " ipv6 ospf6 passive\n" in frr_interface(frr, "gi0-8")
    config = run(dialect, "show running-config").replace("\r", "")
    assert "ipv6 router ospf 1\n router-id 198.18.4.32\n passive-interface " + seg + "\n" in config
    assert " ipv6 ospf 1 area 0.0.0.1\n ipv6 ospf cost 20\n" in config, config

    out = run(dialect, "configure terminal", "ipv6 router ospf 1", f"no passive-interface {seg}", "exit",
              f"interface {link}", "no ipv6 ospf cost", "end")
    assert "%" not in out, out
    frr = render_frr(dialect.device.running)
    assert "ospf6 passive" not in frr and "ospf6 cost" not in frr
    assert "ipv6 ospf cost" not in run(dialect, "show running-config")
