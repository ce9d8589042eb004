"""The device model: startup config from the lab contract, JSON round trip, independent copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.twins.model import DeviceConfig, startup_config

INTERFACES = {"GigabitEthernet0/0/1": "ge0-0-1", "LoopBack0": "lo0"}


def test_startup_block_becomes_the_model() -> None:
    cfg = startup_config("R1", INTERFACES, {
        "interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.1.1/30", "description": "uplink",
                                                "shutdown": True}},
        "static_routes_v4": [{"prefix": "198.18.9.7/24", "nexthop": "198.18.1.2"}],
        "users": [{"name": "ops", "password": "x"}],
        "snmp": {"communities": ["lab-ro"], "location": "Xinyu"},
    })
    intf = cfg.interfaces["GigabitEthernet0/0/1"]
    assert (intf.kernel, intf.ipv4, intf.description, intf.shutdown) == ("ge0-0-1", ["198.18.1.1/30"], "uplink", True)
    assert cfg.routes[0].prefix == "198.18.9.0/24"  # host bits dropped, as the device does
    assert cfg.users["ops"].password == "x"
    assert cfg.snmp == ["snmp-agent community read lab-ro", "snmp-agent sys-info location Xinyu"]


def test_unknown_startup_interface_is_named() -> None:
    with pytest.raises(ValueError, match=r"startup.interfaces.Eth9: not in the device's interfaces table"):
        startup_config("R1", INTERFACES, {"interfaces": {"Eth9": {}}})


def test_json_round_trip_and_copies_are_independent(tmp_path: Path) -> None:
    cfg = startup_config("R1", INTERFACES, {"interfaces": {"LoopBack0": {"ipv4": "198.18.255.1/32"}}})
    cfg.acl6[3000] = cfg.acl6.get(3000) or __import__("lab.twins.model", fromlist=["Acl6"]).Acl6(3000, [(5, "permit ipv6")])
    cfg.save(tmp_path / "saved.json")
    loaded = DeviceConfig.load(tmp_path / "saved.json")
    assert loaded == cfg
    copy = cfg.copy()
    copy.interfaces["LoopBack0"].ipv4.append("198.18.255.2/32")
    assert cfg.interfaces["LoopBack0"].ipv4 == ["198.18.255.1/32"]
