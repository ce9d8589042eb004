"""OSPFv3 runs its own interface timers on the twins, as on the devices: FRR's ospf6d gets its hello/dead
from the OSPFv3 lines only (VRP/Comware ``ospfv3 timer hello|dead``, IOS-like ``ipv6 ospf
hello-interval|dead-interval``), never from OSPFv2's ``ospf timer`` / ``ip ospf hello-interval``; none
set leaves ospf6d at its default 10/40 s, what a real VRP runs (Huawei EDOC1100064351 "ospfv3 timer
hello": default 10 s; OSPFv2's timer does not apply to OSPFv3)."""

from __future__ import annotations

import pytest

from lab.twins.frr_config import render_frr
from tests.unit.twins.offline import LINK_IFS, LINK_STARTUP, frr_interface, ospf3_link_lines, run, twin

OSPF2 = ["ospf network-type p2p", "ospf timer hello 1", "ospf timer dead 4"]  # the lab design's 1/4 timers


@pytest.mark.parametrize("platform", ["huawei", "hp_comware"])  # VRPv8 shares the dialect (commit aside)
def test_vrp_and_comware_ospf6d_timers_come_from_ospfv3_timer_only(platform: str, tmp_path) -> None:  # noqa: ANN001
    dialect = twin(platform, tmp_path, LINK_IFS, LINK_STARTUP)  # OSPFv3 with no timers of its own
    out = run(dialect, *ospf3_link_lines(platform, OSPF2))
    assert "Error" not in out, out
    link = frr_interface(render_frr(dialect.device.running), "ge0-0-1")
    assert " ipv6 ospf6 area 0.0.0.1\n" in link and " ip ospf hello-interval 1\n" in link
    assert "ospf6 hello-interval" not in link and "ospf6 dead-interval" not in link  # ospf6d's 10/40

    out = run(dialect, "ospfv3 timer hello 2", "ospfv3 timer dead 8", "return")
    assert "Error" not in out, out
    link = frr_interface(render_frr(dialect.device.running), "ge0-0-1")
    assert " ipv6 ospf6 hello-interval 2\n" in link and " ipv6 ospf6 dead-interval 8\n" in link
    assert " ip ospf hello-interval 1\n ip ospf dead-interval 4\n" in link  # OSPFv2 keeps its own
    config = run(dialect, "display current-configuration").replace("\r", "")
    assert " ospfv3 1 area 0.0.0.1\n ospfv3 timer hello 2\n ospfv3 timer dead 8\n" in config

    # The documented undo forms, with and without the value; OSPFv3 back at the default.
    out = run(dialect, "system-view", "interface GigabitEthernet0/0/1", "undo ospfv3 timer hello 2",
              "undo ospfv3 timer dead", "return")
    assert "Error" not in out, out
    assert "ospf6 hello-interval" not in render_frr(dialect.device.running)
    assert "ospfv3 timer" not in run(dialect, "display current-configuration")


def test_vrp_keeps_conservative_comware_has_none(tmp_path) -> None:  # noqa: ANN001
    """VRP `ospfv3 timer hello N conservative` (EDOC1100064351); H3C's reference has no such keyword.
    The twin applies the dead interval as configured either way (no 10 s floor modelled)."""
    vrp = twin("huawei", tmp_path / "vrp", LINK_IFS, LINK_STARTUP)
    out = run(vrp, *ospf3_link_lines("huawei", OSPF2), "ospfv3 timer hello 1 conservative", "ospfv3 timer dead 4", "return")
    assert "Error" not in out, out
    assert " ospfv3 timer hello 1 conservative\n ospfv3 timer dead 4\n" in run(vrp, "display current-configuration")
    link = frr_interface(render_frr(vrp.device.running), "ge0-0-1")
    assert " ipv6 ospf6 hello-interval 1\n ipv6 ospf6 dead-interval 4\n" in link
    run(vrp, "system-view", "interface GigabitEthernet0/0/1", "undo ospfv3 timer hello", "return")
    assert "conservative" not in run(vrp, "display current-configuration")
    comware = twin("hp_comware", tmp_path / "comware", LINK_IFS, LINK_STARTUP)
    lines = ospf3_link_lines("hp_comware", OSPF2)
    out = run(comware, *lines, "ospfv3 timer hello 1 conservative")
    assert "% Unrecognized command" in out
    assert comware.device.running.interfaces["GigabitEthernet0/0/1"].ospf.ospf3_hello == 0


def test_vrp_takes_ospfv3_timers_only_where_ospfv3_runs(tmp_path) -> None:  # noqa: ANN001
    """EDOC1100064351: run `ospfv3 area` on the interface before `ospfv3 timer hello`."""
    dialect = twin("huawei", tmp_path, LINK_IFS, LINK_STARTUP)
    out = run(dialect, "system-view", "interface GigabitEthernet0/0/1", "ospfv3 timer hello 1")
    assert "Error: OSPFv3 is not enabled on the interface." in out
    assert dialect.device.running.interfaces["GigabitEthernet0/0/1"].ospf is None


@pytest.mark.parametrize("platform", ["ruijie_os", "zte_zxros"])
def test_ios_like_ospf6d_timers_come_from_ipv6_ospf_only(platform: str, tmp_path) -> None:  # noqa: ANN001
    name = "GigabitEthernet 0/1" if platform == "ruijie_os" else "gei-0/1/0/1"
    dialect = twin(platform, tmp_path, {name: "gi0-1", "Loopback 0" if platform == "ruijie_os" else "loopback1": "lo0"},
                   {"interfaces": {name: {"ipv4": "198.18.8.13/31"}}})
    enable = ["enable"] if platform == "ruijie_os" else []  # ZXROS logs in privileged
    out = run(dialect, *enable, "configure terminal", "router ospf 1", "router-id 198.18.4.32",
              "network 198.18.8.12 0.0.0.1 area 1", "exit", "ipv6 router ospf 1", "router-id 198.18.4.32", "exit",
              f"interface {name}", "ip ospf network point-to-point", "ip ospf hello-interval 1", "ip ospf dead-interval 4",
              "ipv6 enable", "ipv6 address 2001:db8:2::1/127", "ipv6 ospf 1 area 1")
    assert "%" not in out, out
    link = frr_interface(render_frr(dialect.device.running), "gi0-1")
    assert " ipv6 ospf6 area 0.0.0.1\n" in link or " ipv6 ospf6 area 1\n" in link, link
    assert "ospf6 hello-interval" not in link and "ospf6 dead-interval" not in link

    out = run(dialect, "ipv6 ospf hello-interval 2", "ipv6 ospf dead-interval 8", "end")
    assert "%" not in out, out
    link = frr_interface(render_frr(dialect.device.running), "gi0-1")
    assert " ipv6 ospf6 hello-interval 2\n" in link and " ipv6 ospf6 dead-interval 8\n" in link
    config = run(dialect, "show running-config").replace("\r", "")
    assert " ipv6 ospf hello-interval 2\n ipv6 ospf dead-interval 8\n" in config

    out = run(dialect, "configure terminal", f"interface {name}", "no ipv6 ospf hello-interval 2",
              "no ipv6 ospf dead-interval", "end")
    assert "%" not in out, out
    assert "ospf6 hello-interval" not in render_frr(dialect.device.running)
    assert "ipv6 ospf hello-interval" not in run(dialect, "show running-config")
