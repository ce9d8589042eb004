"""Private networks in the SoT (validation, file + key errors) and their per-platform rendering."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from govops import vendors
from govops.sot import load_inventory
from network import config as cfgtext
from network import private_network as pn
from network.render import RenderError
from tests.paths import ROOT
from tests.unit.govops.test_sot import assert_reported, edit_yaml, problems_of

FILE = "group_vars/all/private_networks.yml"


@pytest.fixture(scope="module")
def inv():
    return load_inventory(ROOT / "inventories" / "lab")


def test_lab_has_two_departments_on_core_and_county(inv):
    assert set(inv.private_networks) == {"bdc", "gov-office"}
    bdc = inv.private_networks["bdc"]
    assert (bdc.vpn.name, bdc.vpn.rd, bdc.vpn.table) == ("BDC", "65010:101", 1101)
    assert bdc.devices() == ["core-1", "fy-agg-1"]
    assert [inv.devices[d].role for d in bdc.devices()] == ["core", "aggregation"]
    assert str(bdc.sites[0].endpoint_ipv6()) == "2001:db8:4a10:1::2/64"


def test_bad_private_networks_are_reported_with_file_and_key(lab_copy: Path):
    def change(d):
        nets = d["private_networks"]
        nets[0]["department"] = "nobody"
        nets[0]["sites"][0]["interface"] = "GigabitEthernet0/1/0"  # the core link's port
        nets[0]["sites"][1]["interface"] = "Serial0/0/1"
        nets[1]["vpn"]["rd"] = "65010:101"  # bdc's
        nets[1]["vpn"]["table"] = 253  # a reserved kernel table
        nets[1]["transit"]["ipv4"] = "198.18.9.0/30"
        nets[1]["sites"][1]["device"] = "ys-agg-1"
    edit_yaml(lab_copy / FILE, change)
    problems = problems_of(lab_copy)
    assert_reported(problems, FILE, "private_networks[0].department", r"unknown department 'nobody'")
    assert_reported(problems, FILE, "private_networks[0].sites[0].interface",
                    r"core-1:GigabitEthernet0/1/0 is already used by links\[0\]")
    assert_reported(problems, FILE, "private_networks[0].sites[1].interface",
                    r"unknown interface 'Serial0/0/1' for platform huawei")
    assert_reported(problems, FILE, "private_networks[1].vpn.table", r"greater than or equal to 1000")


def test_duplicate_rd_and_wrong_transit(lab_copy: Path):
    def change(d):
        nets = d["private_networks"]
        nets[1]["vpn"]["rd"] = "65010:101"  # bdc's
        nets[1]["transit"]["ipv4"] = "198.18.9.0/30"
        nets[1]["sites"][1]["device"] = "ys-agg-1"
    edit_yaml(lab_copy / FILE, change)
    problems = problems_of(lab_copy)
    assert_reported(problems, FILE, "private_networks[1].vpn.rd", r"'65010:101' is already used by private_networks\[0\]")
    assert_reported(problems, FILE, "private_networks[1].transit.ipv4", r"expected a /31")
    assert_reported(problems, FILE, "private_networks[1].transit", r"expected a transit between core-1 and ys-agg-1")


def test_missing_key_and_malformed_transit_end_in_one_run(lab_copy: Path):
    def change(d):
        nets = d["private_networks"]
        del nets[0]["sites"][1]["ipv6"]
        nets[0]["transit"]["a"] = "core-1"
        nets[1]["vpn"]["name"] = "has space"
    edit_yaml(lab_copy / FILE, change)
    problems = problems_of(lab_copy)
    assert_reported(problems, FILE, "private_networks[0].sites.1.ipv6", r"missing")
    assert_reported(problems, FILE, "private_networks[1].vpn.name", r"should match pattern")
    assert_reported(problems, FILE, "private_networks[0].transit.a", r'expected "device:interface"')


def test_core_renders_vpn_ports_and_routes_toward_the_county(inv):
    intent = pn.build_intent(inv, "bdc", "core-1")
    lines = intent.text.splitlines()
    assert lines[:5] == ["ip vpn-instance BDC", " ipv4-family", "  route-distinguisher 65010:101", " ipv6-family",
                         "  route-distinguisher 65010:101"]
    block = next(b for b in intent.blocks if b.header == "interface GigabitEthernet0/1/5")
    # the binding first: on VRP it clears the port's addresses
    assert block.children == ["ip binding vpn-instance BDC", "ipv6 enable", "ip address 198.19.100.1 255.255.255.0",
                              "ipv6 address 2001:db8:4a10:1::1/64"]
    assert "ip route-static vpn-instance BDC 198.19.101.0 255.255.255.0 198.18.9.1" in lines
    assert "ipv6 route-static vpn-instance BDC 2001:db8:4a10:2:: 64 2001:db8:4a10:ff::1" in lines
    assert "ipv6" not in lines  # VRPv8 has no global switch


def test_county_vrp5_adds_the_global_ipv6_switch_and_routes_back(inv):
    intent = pn.build_intent(inv, "bdc", "fy-agg-1")
    assert intent.text.splitlines()[0] == "ipv6"
    assert "ip route-static vpn-instance BDC 198.19.100.0 255.255.255.0 198.18.9.0" in intent.text
    assert {p.kind for p in intent.ports} == {"site", "transit"}
    # verify pings: own site only until the core is done, then the transit and the far site too
    assert {a for _, a in intent.probes(set())} == {"198.19.101.2", "2001:db8:4a10:2::2"}
    assert {"198.18.9.0", "198.19.100.2", "2001:db8:4a10:ff::"} <= {a for _, a in intent.probes({"core-1"})}


def test_render_order_is_core_first_and_undo_takes_the_vpn_out(inv):
    intents = pn.render_network(inv, "gov-office")
    assert list(intents) == ["core-1", "fy-agg-1"]
    undo = cfgtext.to_commands(cfgtext.undo_of(intents["core-1"].blocks, [], vendors.get("huawei_vrpv8")), vendors.get("huawei_vrpv8"))
    assert undo[0].startswith("undo ipv6 route-static vpn-instance GOV-OFFICE")
    assert undo[-1] == "undo ip vpn-instance GOV-OFFICE"


def test_unknown_department_and_platform_without_template(inv):
    with pytest.raises(RenderError, match="no private network for department 'psb'"):
        pn.render_network(inv, "psb")
    net = inv.private_networks["bdc"]
    moved = net.model_copy(update={"sites": (net.sites[0].model_copy(update={"device": "core-2"}), net.sites[1])})
    other = inv.model_copy(update={"private_networks": {"bdc": moved}})
    with pytest.raises(RenderError, match="no private_network.j2 template for platform 'hp_comware'"):
        pn.check_renderable(other, moved)


def test_precheck_refuses_a_port_with_other_config_and_a_foreign_rd(inv):
    intent = pn.build_intent(inv, "bdc", "core-1")
    running = cfgtext.parse("ip vpn-instance BDC\n ipv4-family\n  route-distinguisher 65010:999\n#\n"
                            "interface GigabitEthernet0/1/5\n ip address 10.9.9.1 255.255.255.0\n#\n", vendors.get("huawei_vrpv8"))
    # VRPv8 layout (tests/fixtures/real/huawei_vrpv8/display_ip_interface_brief): header, rate suffix, VPN column.
    brief = ("Interface                         IP Address/Mask      Physical   Protocol VPN\n"
             "GigabitEthernet0/1/5(10G)         10.9.9.1/24          up         up       --\n"
             "GigabitEthernet0/1/3              unassigned           up         up       --\n")
    problems = pn.precheck_problems(intent, running, brief)
    assert any("GigabitEthernet0/1/5 already carries other configuration" in p for p in problems), problems
    assert any("route distinguisher 65010:999, expected 65010:101" in p for p in problems), problems
    assert pn.precheck_problems(intent, [], brief) == []


def test_the_back_out_is_an_intent_on_the_engine_that_takes_only_present_lines_out(inv):
    """VpnRemoval runs through network.transaction like the migration; its diff takes out what the
    device carries of the network (never the `ipv6` switch or an interface itself), a rollback
    puts exactly that back, and once it is gone nothing is outstanding."""
    from network import transaction

    vrp8 = vendors.get("huawei_vrpv8")
    intent = pn.build_intent(inv, "bdc", "core-1")
    removal = pn.VpnRemoval(inv, "bdc")
    assert removal.diff is pn.TakeBlocksOut and not hasattr(pn.VpnMigration, "diff")
    assert transaction.Transaction(transaction.ChangeContext(inv, None, None, None), removal, "core-1",
                                   SimpleNamespace(platform="huawei_vrpv8", vendor=vrp8), intent,
                                   None).diff is pn.TakeBlocksOut
    carried = cfgtext.parse(intent.text + "#\nsysname core-1\n#\n", vrp8)
    pending = pn.TakeBlocksOut.pending(intent, carried)
    assert [b.header for b in pending if b.header in ("ipv6", "sysname core-1")] == []
    commands = pn.TakeBlocksOut.commands(pending, vrp8)
    assert commands[-1] == "undo ip vpn-instance BDC" and all(
        c.startswith("undo ") or c.startswith("interface ") or c == "quit" for c in commands), commands
    assert pn.TakeBlocksOut.outstanding(intent, carried)  # still there: the engine pushes
    assert pn.TakeBlocksOut.undo(pending, carried, vrp8) == cfgtext.to_commands(pending, vrp8)  # put back
    bare = cfgtext.parse("ipv6\n#\ninterface GigabitEthernet0/1/5\n#\nsysname core-1\n#\n", vrp8)
    assert pn.TakeBlocksOut.pending(intent, bare) == [] and pn.TakeBlocksOut.outstanding(intent, bare) == []
