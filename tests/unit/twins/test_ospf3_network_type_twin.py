"""OSPFv3 takes its own network type on the twins, as on the devices: FRR's ospf6d runs a link
point-to-point only from the OSPFv3 line (VRP/Comware ``ospfv3 network-type p2p``, IOS-like ``ipv6 ospf
network point-to-point``), never from OSPFv2's ``ospf network-type p2p`` / ``ip ospf network
point-to-point``; none set leaves it broadcast, OSPFv3's default on Ethernet (HPE Comware 7 command
reference "ospfv3 network-type") and ospf6d's."""

from __future__ import annotations

import pytest

from lab.twins.frr_config import render_frr
from tests.unit.twins.offline import LINK_IFS, LINK_STARTUP, frr_interface, ospf3_link_lines, run, twin


@pytest.mark.parametrize("platform", ["huawei", "hp_comware"])  # VRPv8 shares the dialect (commit aside)
def test_vrp_and_comware_ospf6d_p2p_comes_from_ospfv3_network_type_only(platform: str, tmp_path) -> None:  # noqa: ANN001
    dialect = twin(platform, tmp_path, LINK_IFS, LINK_STARTUP)  # OSPFv2 p2p, OSPFv3 with no type of its own
    out = run(dialect, *ospf3_link_lines(platform, ["ospf network-type p2p"]))
    assert "Error" not in out, out
    link = frr_interface(render_frr(dialect.device.running), "ge0-0-1")
    assert " ip ospf network point-to-point\n" in link and " ipv6 ospf6 area 0.0.0.1\n" in link
    assert "ipv6 ospf6 network" not in link  # broadcast, as the device runs OSPFv3 here

    out = run(dialect, "ospfv3 network-type p2p", "return")
    assert "Error" not in out, out
    assert " ipv6 ospf6 network point-to-point\n" in frr_interface(render_frr(dialect.device.running), "ge0-0-1")
    config = run(dialect, "display current-configuration").replace("\r", "")
    assert " ospfv3 1 area 0.0.0.1\n ospfv3 network-type p2p\n" in config

    out = run(dialect, "system-view", "interface GigabitEthernet0/0/1", "undo ospfv3 network-type", "return")
    assert "Error" not in out, out
    link = frr_interface(render_frr(dialect.device.running), "ge0-0-1")
    assert "ipv6 ospf6 network" not in link and " ip ospf network point-to-point\n" in link  # OSPFv2 keeps its own
    assert "ospfv3 network-type" not in run(dialect, "display current-configuration")


@pytest.mark.parametrize("platform", ["ruijie_os", "zte_zxros"])
def test_ios_like_ospf6d_p2p_comes_from_ipv6_ospf_network_only(platform: str, tmp_path) -> None:  # noqa: ANN001
    name = "GigabitEthernet 0/1" if platform == "ruijie_os" else "gei-0/1/0/1"
    dialect = twin(platform, tmp_path, {name: "gi0-1", "Loopback 0" if platform == "ruijie_os" else "loopback1": "lo0"},
                   {"interfaces": {name: {"ipv4": "198.18.8.13/31"}}})
    enable = ["enable"] if platform == "ruijie_os" else []  # ZXROS logs in privileged
    out = run(dialect, *enable, "configure terminal", "router ospf 1", "router-id 198.18.4.32",
              "network 198.18.8.12 0.0.0.1 area 1", "exit", "ipv6 router ospf 1", "router-id 198.18.4.32", "exit",
              f"interface {name}", "ip ospf network point-to-point",
              "ipv6 enable", "ipv6 address 2001:db8:2::1/127", "ipv6 ospf 1 area 1")
    assert "%" not in out, out
    link = frr_interface(render_frr(dialect.device.running), "gi0-1")
    assert " ip ospf network point-to-point\n" in link and "ipv6 ospf6 network" not in link

    out = run(dialect, "ipv6 ospf network point-to-point", "end")
    assert "%" not in out, out
    assert " ipv6 ospf6 network point-to-point\n" in frr_interface(render_frr(dialect.device.running), "gi0-1")
    assert " ipv6 ospf network point-to-point\n" in run(dialect, "show running-config").replace("\r", "")

    out = run(dialect, "configure terminal", f"interface {name}", "no ipv6 ospf network", "end")
    assert "%" not in out, out
    assert "ipv6 ospf6 network" not in render_frr(dialect.device.running)
    assert "ipv6 ospf network" not in run(dialect, "show running-config")
