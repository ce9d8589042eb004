"""VPN instances in the twin model and the lab topology for private networks (pure, no root)."""

from __future__ import annotations

import json

from govops.sot import load_inventory
from lab.lifecycle import twins_config
from lab.topology import build_topology
from lab.twins.model import DeviceConfig, VpnInstance, startup_config
from tests.paths import ROOT


def test_vpn_tables_from_the_lab_win_and_others_get_a_free_table():
    cfg = startup_config("R", {"GigabitEthernet0/0/1": "ge0-0-1"}, {"vpn_tables": {"BDC": 1101}})
    assert cfg.next_vrf_table("BDC") == 1101
    assert cfg.next_vrf_table("OTHER") == 1102  # above every planned table, never colliding
    cfg.vpns["X"] = VpnInstance("X", 1101)
    assert cfg.next_vrf_table("BDC") == 1102  # the planned one is taken: fall back
    again = DeviceConfig.from_dict(json.loads(cfg.to_json()))
    assert again.vpn_tables == {"BDC": 1101} and again.vpns["X"].table == 1101


def test_lab_builds_site_namespaces_transit_and_vpn_tables(tmp_path):
    inv = load_inventory(ROOT / "inventories" / "lab")
    topo = build_topology(inv, "gx")
    assert sorted(topo.sites) == ["bdc/city", "bdc/fenyi", "gov-office/city", "gov-office/fenyi"]
    site = topo.sites["bdc/fenyi"]
    assert (site.netns, str(site.ipv4), str(site.gateway_ipv6)) == ("gx-site-bdc-fenyi", "198.19.101.2/24",
                                                                    "2001:db8:4a10:2::1")
    assert site.netns in topo.namespaces()
    assert any(v.netns == "gx-fy-agg-1" and v.name == "ge0-0-9" and v.peer_netns == "gx-site-bdc-fenyi"
               and v.peer == "eth1" for v in topo.veths)
    # the VPN's transit: core-1 GigabitEthernet0/1/3 <-> fy-agg-1 GigabitEthernet0/0/5, unconfigured at start
    assert any((v.netns, v.name, v.peer_netns, v.peer) == ("gx-core-1", "ge0-1-3", "gx-fy-agg-1", "ge0-0-5")
               for v in topo.veths)
    core = topo.nodes["core-1"]
    assert core.interfaces["GigabitEthernet0/1/3"] == "ge0-1-3" and "GigabitEthernet0/1/3" not in core.startup_interfaces
    config = twins_config(inv, topo, tmp_path, "ssh-ed25519 AAAA test")
    startup = next(d for d in config["devices"] if d["name"] == "fy-agg-1")["startup"]
    assert startup["vpn_tables"] == {"BDC": 1101, "GOV-OFFICE": 1102}
