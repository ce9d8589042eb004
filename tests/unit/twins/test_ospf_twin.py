"""OSPF on the twins, offline: the vendor's syntax lands in the model, renders back in the vendor's
form (never the MD5 key), and translates into the FRR configuration the routing engine runs."""

from __future__ import annotations

import pytest

from govops.sot import load_inventory
from lab.topology import build_topology
from lab.twins.frr_config import network_prefix, render_frr
from lab.twins.model import DeviceConfig, startup_config
from tests.paths import ROOT
from tests.unit.twins.offline import run, twin

IFS = {"GigabitEthernet0/0/1": "ge0-0-1", "GigabitEthernet0/0/8": "ge0-0-8", "LoopBack0": "lo0"}
STARTUP = {"interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.8.3/31"}, "GigabitEthernet0/0/8": {"ipv4": "198.19.2.1/24"},
                          "LoopBack0": {"ipv4": "198.18.4.21/32"}}}
VRP_LINES = ["system-view", "ospf 1 router-id 198.18.4.21", "silent-interface GigabitEthernet0/0/8", "area 1",
             "network 198.18.8.2 0.0.0.1", "network 198.18.4.21 0.0.0.0", "network 198.19.2.0 0.0.0.255", "quit",
             "quit", "interface GigabitEthernet0/0/1", "ospf network-type p2p", "ospf cost 10", "ospf timer hello 1",
             "ospf timer dead 4", "ospf authentication-mode md5 1 cipher S3cret-Key", "quit"]


def test_network_prefix_from_wildcard() -> None:
    assert network_prefix("198.18.8.2 0.0.0.1") == "198.18.8.2/31"
    assert network_prefix("198.18.4.21 0.0.0.0") == "198.18.4.21/32"
    assert network_prefix("198.19.2.0 0.0.0.255") == "198.19.2.0/24"


@pytest.mark.parametrize("platform", ["huawei", "hp_comware"])
def test_vrp_and_comware_ospf_syntax(platform: str, tmp_path) -> None:  # noqa: ANN001
    dialect = twin(platform, tmp_path, IFS, STARTUP)
    out = run(dialect, *VRP_LINES[:2])
    assert dialect.prompt().endswith("-ospf-1]"), dialect.prompt()
    out += run(dialect, *VRP_LINES[2:4])
    assert dialect.prompt().endswith("-ospf-1-area-0.0.0.1]"), dialect.prompt()
    out += run(dialect, *VRP_LINES[4:], "return")
    assert "Error" not in out, out
    proc = dialect.device.running.ospf[1]
    assert proc.router_id == "198.18.4.21" and proc.silent == ["GigabitEthernet0/0/8"]
    assert proc.areas["0.0.0.1"].networks[0] == "198.18.8.2 0.0.0.1"
    config = run(dialect, "display current-configuration")
    assert "ospf 1 router-id 198.18.4.21\n silent-interface GigabitEthernet0/0/8\n area 0.0.0.1\n" \
           "  network 198.18.8.2 0.0.0.1\n" in config.replace("\r", "")
    assert " ospf network-type p2p" in config and " ospf timer dead 4" in config
    assert "S3cret-Key" not in config and "ospf authentication-mode md5 1 cipher" in config

    frr = render_frr(dialect.device.running)
    assert "interface ge0-0-1\n ip ospf cost 10\n ip ospf network point-to-point\n ip ospf hello-interval 1\n" \
           " ip ospf dead-interval 4\n ip ospf authentication message-digest\n" \
           " ip ospf message-digest-key 1 md5 S3cret-Key\nexit" in frr
    assert " ospf router-id 198.18.4.21\n" in frr and " passive-interface ge0-0-8\n" in frr
    assert " network 198.18.8.2/31 area 0.0.0.1\n" in frr and " network 198.19.2.0/24 area 0.0.0.1\n" in frr


def test_vrp_refuses_what_the_device_refuses(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("huawei", tmp_path, IFS, STARTUP)
    out = run(dialect, "system-view", "ospf 1", "area 0", "network 198.18.8.2 0.0.0.1", "undo network 10.0.0.0 0.0.0.255")
    assert "Error: The network does not exist." in out
    out = run(dialect, "quit", "quit", "interface GigabitEthernet0/0/1", "ospfv3 1 area 0")
    assert "Error: The OSPFv3 process does not exist." in out
    out = run(dialect, "ospf authentication-mode md5 1 cipher " + "k" * 17)
    assert "Error: The password length is invalid." in out
    out = run(dialect, "ospf cost 0")
    assert "Error: Wrong parameter" in out


def test_undo_removes_and_frr_follows(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("huawei", tmp_path, IFS, STARTUP)
    run(dialect, *VRP_LINES)
    before = render_frr(dialect.device.running)
    out = run(dialect, "interface GigabitEthernet0/0/1", "undo ospf authentication-mode", "undo ospf cost", "quit",
              "ospf 1", "undo silent-interface GigabitEthernet0/0/8", "quit", "undo ospf 1")
    assert "Error" not in out, out
    after = render_frr(dialect.device.running)
    assert "router ospf" in before and "router ospf" not in after and "message-digest" not in after


def test_vrp_keeps_the_conservative_hello_comware_has_none(tmp_path) -> None:  # noqa: ANN001
    """VRP `ospf timer hello interval [ conservative ]` (the dead interval under VRP's floor holds only
    with it: govops/vendors/huawei.py); a plain hello line or `undo ospf timer hello` drops it. H3C
    documents no such keyword. FRR runs the configured dead interval either way (no floor modelled)."""
    vrp = twin("huawei", tmp_path / "vrp", IFS, STARTUP)
    out = run(vrp, *VRP_LINES[:-1], "ospf timer hello 1 conservative", "return")
    assert "Error" not in out, out
    config = run(vrp, "display current-configuration").replace("\r", "")
    assert " ospf timer hello 1 conservative\n ospf timer dead 4\n" in config
    assert " ip ospf hello-interval 1\n ip ospf dead-interval 4\n" in render_frr(vrp.device.running)
    run(vrp, "system-view", "interface GigabitEthernet0/0/1", "ospf timer hello 1", "return")
    assert " ospf timer hello 1\n" in run(vrp, "display current-configuration").replace("\r", "")
    run(vrp, "system-view", "interface GigabitEthernet0/0/1", "ospf timer hello 2 conservative", "undo ospf timer hello",
        "return")
    assert "ospf timer hello" not in run(vrp, "display current-configuration")
    comware = twin("hp_comware", tmp_path / "comware", IFS, STARTUP)
    out = run(comware, *VRP_LINES[:-1], "ospf timer hello 2 conservative")
    assert "% Unrecognized command" in out
    assert comware.device.running.interfaces["GigabitEthernet0/0/1"].ospf.hello == 1


def test_cisco_like_syntax_ruijie(tmp_path) -> None:  # noqa: ANN001
    ifs = {"GigabitEthernet 0/1": "gi0-1", "GigabitEthernet 0/8": "gi0-8", "Loopback 0": "lo0"}
    startup = {"interfaces": {"GigabitEthernet 0/1": {"ipv4": "198.18.8.13/31"}, "Loopback 0": {"ipv4": "198.18.4.32/32"}}}
    dialect = twin("ruijie_os", tmp_path, ifs, startup)
    out = run(dialect, "enable", "configure terminal", "router ospf 1")
    assert dialect.prompt().endswith("(config-router)#"), dialect.prompt()
    out += run(dialect, "router-id 198.18.4.32", "passive-interface GigabitEthernet 0/8",
               "network 198.18.8.12 0.0.0.1 area 1", "exit", "interface GigabitEthernet 0/1",
               "ip ospf network point-to-point", "ip ospf cost 10", "ip ospf message-digest-key 1 md5 S3cret", "end")
    assert "%" not in out, out
    config = run(dialect, "show running-config")
    assert "router ospf 1\n router-id 198.18.4.32\n passive-interface GigabitEthernet 0/8\n" \
           " network 198.18.8.12 0.0.0.1 area 0.0.0.1\n" in config.replace("\r", "")
    assert "S3cret" not in config
    frr = render_frr(dialect.device.running)
    assert " network 198.18.8.12/31 area 0.0.0.1\n" in frr and " ip ospf message-digest-key 1 md5 S3cret\n" in frr


def test_lab_startup_from_the_sot_plan(tmp_path) -> None:  # noqa: ANN001
    """The lab's startup block (from govops.sot.routing) gives every twin its vendor OSPF config."""
    inv = load_inventory(ROOT / "inventories" / "lab")
    topo = build_topology(inv, "tx", "ospf")
    node = topo.nodes["ys-agg-1"]
    assert node.static_routes_v4 == [], "with OSPF the lab writes no static routes"
    cfg = startup_config("ys-agg-1", node.interfaces, {"interfaces": node.startup_interfaces, "ospf": node.ospf})
    proc = cfg.ospf[1]
    assert proc.router_id == "198.18.4.22" and list(proc.areas) == ["0.0.0.2"]
    assert cfg.interfaces["GigabitEthernet1/0/1"].ospf.md5_key == inv.devices["ys-agg-1"].ospf_auth_key
    round_trip = DeviceConfig.from_dict(__import__("json").loads(cfg.to_json()))
    assert round_trip == cfg
    core = startup_config("core-1", topo.nodes["core-1"].interfaces,
                          {"interfaces": topo.nodes["core-1"].startup_interfaces, "ospf": topo.nodes["core-1"].ospf})
    assert sorted(core.ospf[1].areas) == ["0.0.0.0", "0.0.0.1", "0.0.0.2"], "the core is the ABR"
    assert build_topology(inv, "tx").nodes["ys-agg-1"].static_routes_v4, "the static lab keeps its routes"
    # VRP5 starts with the design's dead 4 s held by `conservative` (under its 20 s floor), as ospf.j2 writes it.
    town = topo.nodes["ys-lf-acc-1"]
    cfg = startup_config("ys-lf-acc-1", town.interfaces, {"interfaces": town.startup_interfaces, "ospf": town.ospf})
    assert [i.ospf.conservative for i in cfg.interfaces.values() if i.ospf and i.ospf.hello] == [True]
    assert not any(i.ospf and i.ospf.conservative for i in
                   startup_config("ys-agg-1", node.interfaces, {"interfaces": node.startup_interfaces,
                                                               "ospf": node.ospf}).interfaces.values())  # Comware


# What FRR 8.4's `show ip ospf neighbor json` / `show ipv6 ospf6 neighbor json` print (captured on the lab).
FRR_V2 = {"neighbors": {"198.18.4.1": [{"priority": 1, "state": "Full/-", "nbrPriority": 1, "nbrState": "Full/-",
                                        "routerDeadIntervalTimerDueMsec": 3304, "address": "198.18.8.2",
                                        "ifaceAddress": "198.18.8.2", "ifaceName": "ge0-0-1:198.18.8.3"}]}}
FRR_V3 = {"neighbors": [{"neighborId": "198.18.4.1", "priority": 1, "deadTime": "00:00:03", "state": "Full",
                         "ifState": "PointToPoint", "interfaceName": "ge0-0-1", "interfaceState": "PointToPoint"}]}
NAMES = {"huawei": "GigabitEthernet0/0/1", "huawei_vrpv8": "GigabitEthernet0/0/1", "hp_comware": "GigabitEthernet0/0/1",
         "ruijie_os": "GigabitEthernet 0/1", "zte_zxros": "gei-0/1/0/1"}


@pytest.mark.parametrize("platform", sorted(NAMES))
def test_neighbour_tables_parse_like_the_real_samples(platform: str, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """FRR's neighbour, printed by each twin, reads with the vendor's template into the real samples' fields."""
    from govops import vendors
    from govops.vendors import parsing
    from lab import frr

    async def show(_directory, command: str) -> dict:  # noqa: ANN001
        return FRR_V3 if "ospf6" in command else FRR_V2

    monkeypatch.setattr(frr, "show", show)
    name = NAMES[platform]
    startup = {"interfaces": {name: {"ipv4": "198.18.8.3/31", "ipv6": "2001:db8:8::3/127"}},
               "ospf": {"process": 1, "router_id": "198.18.4.21", "hello": 1, "dead": 4, "md5_key": "k",
                        "interfaces": [{"interface": name, "ipv4": "198.18.8.3/31", "area": "0.0.0.1", "p2p": True}]}}
    dialect = twin(platform, tmp_path, {name: "ge0-0-1"}, startup)
    dialect.device.frr_dir = tmp_path  # FRR is `show` above
    dialect.device.running.ospf3[1] = __import__("lab.twins.model", fromlist=["Ospf3Process"]).Ospf3Process(1, "198.18.4.21")
    dialect.device.running.interfaces[name].ospf.ospf3_process = 1
    dialect.device.running.interfaces[name].ospf.ospf3_area = "0.0.0.1"
    if platform == "ruijie_os":
        run(dialect, "enable")
    vendor = vendors.get(platform)
    real_root = ROOT / "tests" / "fixtures" / "real" / platform
    for key in ("ospf_peer", "ospfv3_peer"):
        if key not in vendor.templates:
            continue
        out = run(dialect, vendor.commands[key])
        rows = parsing.parse(vendor, key, out)
        assert rows and rows[0]["neighbor_id"] == "198.18.4.1", (key, out)
        assert str(rows[0]["state"]).lower().startswith("full"), out
        assert "0.0.0.1" in out or vendor.commands[key].startswith("show"), out  # IOS tables show no area
        for raw in sorted((real_root / vendor.commands[key].replace(" ", "_")).glob("*.raw")):
            assert set(parsing.parse(vendor, key, raw.read_text())[0]) == set(rows[0]), (raw.name, out)


def test_ospfv3_on_a_silent_segment_is_passive_in_frr(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("huawei", tmp_path, IFS, STARTUP)
    # OSPFv3's own silent-interface (OSPFv2's, in VRP_LINES, does not reach ospf6d: test_ospf3_passive_cost_twin.py).
    out = run(dialect, *VRP_LINES[:-1], "quit", "ipv6", "ospfv3 1", "router-id 198.18.4.21",
              "silent-interface GigabitEthernet0/0/8", "quit",
              "interface GigabitEthernet0/0/8", "ipv6 enable", "ipv6 address 2001:db8:1::1 64", "ospfv3 1 area 1",
              "quit", "interface GigabitEthernet0/0/1", "ipv6 enable", "ipv6 address 2001:db8:2::1 127",
              "ospfv3 1 area 0.0.0.1", "return")
    assert "Error" not in out, out
    frr = render_frr(dialect.device.running)
    segment = frr.split("interface ge0-0-8\n", 1)[1].split("exit", 1)[0]
    link = frr.split("interface ge0-0-1\n", 1)[1].split("exit", 1)[0]
    assert " ipv6 ospf6 area 0.0.0.1\n" in segment and " ipv6 ospf6 passive\n" in segment
    assert " ipv6 ospf6 area 0.0.0.1\n" in link and "passive" not in link
    assert "router ospf6\n ospf6 router-id 198.18.4.21\n" in frr
    assert " ospfv3 1 area 0.0.0.1" in run(dialect, "display current-configuration")
