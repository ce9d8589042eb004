"""The Huawei-style twins print routing in a running configuration where the real devices do, judged
against real captures (tests/fixtures/real/<platform>/display_current-configuration). VRP (an NE40E
V800R011): the `ospfv3` process before the interfaces and `ospf` after them; on an interface IPv6
enable and the addresses, then OSPFv3, then OSPFv2 with the cost before the network type. Comware 7
(an H3C S6800): on an interface `ospfv3 P area` and its timers before `ipv6 address`."""

from __future__ import annotations

import re

import pytest

from tests.paths import ROOT
from tests.unit.twins.offline import run, twin

FIXTURES = ROOT / "tests" / "fixtures" / "real"
REAL = FIXTURES / "huawei_vrpv8" / "display_current-configuration" / "ne40e_v800r011c10_excerpt.raw"
COMWARE = FIXTURES / "hp_comware" / "display_current-configuration" / "h3c_s6800_ospfv3_excerpt.raw"
# Line kinds whose order the real capture shows (first words of the line, numbers and addresses aside).
KINDS = {"ipv6 enable": r"ipv6 enable$", "ip address": r"ip address ", "ipv6 address": r"ipv6 address ",
         "ospfv3 area": r"ospfv3 \d+ area ", "ospfv3 network-type": r"ospfv3 network-type ",
         "ospfv3 timer hello": r"ospfv3 timer hello ", "ospfv3 timer dead": r"ospfv3 timer dead ",
         "ospf cost": r"ospf cost ", "ospf network-type": r"ospf network-type "}


def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in text.replace("\r", "").split("\n#") if b.strip("\n")]


def _kinds(block: str) -> list[str]:
    out = []
    for line in block.splitlines()[1:]:
        out += [k for k, pattern in KINDS.items() if re.match(pattern, line.strip())]
    return out


def _order(text: str) -> list[str]:
    """Which comes first: the ospfv3 process, the interfaces, the ospf process."""
    heads = [b.splitlines()[0] for b in _blocks(text)]
    first = {k: next(i for i, h in enumerate(heads) if h.startswith(k)) for k in ("ospfv3 ", "interface ", "ospf ")}
    return sorted(first, key=first.get)


def _real_block(text: str, name: str) -> str:
    return next(b for b in _blocks(text) if b.startswith(f"interface {name}"))


@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8"])
def test_vrp_twin_prints_routing_where_the_real_device_does(platform: str, tmp_path) -> None:  # noqa: ANN001
    real = REAL.read_text()
    want = _kinds(_real_block(real, "Virtual-Ethernet0/2/101.1001"))
    assert want[-2:] == ["ospf cost", "ospf network-type"] and _kinds(_real_block(real, "Eth-Trunk7.1001")) == [
        "ip address", "ospf cost", "ospf network-type"]  # the sample says what the test relies on

    dialect = twin(platform, tmp_path, {"GigabitEthernet0/0/1": "ge0-0-1", "LoopBack0": "lo0"},
                   {"interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.8.3/31"},
                                   "LoopBack0": {"ipv4": "198.18.4.21/32"}}})
    lines = ["system-view", "ipv6", "ospf 1 router-id 198.18.4.21", "area 1", "network 198.18.8.2 0.0.0.1", "quit",
             "quit", "ospfv3 1", "router-id 198.18.4.21", "quit", "interface GigabitEthernet0/0/1",
             "ospf network-type p2p", "ospf cost 10", "ipv6 enable", "ipv6 address 2001:db8:4600:1000::3/127",
             "ospfv3 1 area 0.0.0.1", "ospfv3 network-type p2p", "quit"]  # typed out of the printed order
    if platform == "huawei_vrpv8":
        lines.remove("ipv6")  # VRP V8 has no global IPv6 switch
        lines.append("commit")
    out = run(dialect, *lines, "return")
    assert "Error" not in out, out
    config = run(dialect, "display current-configuration")
    assert _order(config) == _order(real) == ["ospfv3 ", "interface ", "ospf "]
    got = _kinds(_real_block(config, "GigabitEthernet0/0/1"))
    assert [k for k in got if k in want] == [k for k in want if k in got], (got, want)
    assert set(want) <= set(got)


def test_comware_twin_prints_ospfv3_before_the_ipv6_address(tmp_path) -> None:  # noqa: ANN001
    want = _kinds(_real_block(COMWARE.read_text(), "Vlan-interface10"))
    assert want == ["ospfv3 area", "ospfv3 timer hello", "ospfv3 timer dead", "ipv6 address"]
    dialect = twin("hp_comware", tmp_path, {"GigabitEthernet0/0/1": "ge0-0-1", "LoopBack0": "lo0"},
                   {"interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.8.3/31"},
                                   "LoopBack0": {"ipv4": "198.18.4.21/32"}}})
    out = run(dialect, "system-view", "ospfv3 1", "router-id 198.18.4.21", "quit", "interface GigabitEthernet0/0/1",
              "ipv6 address 2001:db8:4600:1000::3/127", "ospfv3 1 area 0.0.0.1", "ospfv3 timer hello 1",
              "ospfv3 timer dead 4", "return")
    assert "%" not in out, out
    got = _kinds(_real_block(run(dialect, "display current-configuration"), "GigabitEthernet0/0/1"))
    assert [k for k in got if k in want] == want, got
