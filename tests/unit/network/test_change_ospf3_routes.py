"""Issue 18 point 3, offline: verify waits for the OSPFv3 adjacencies to be Full (on every platform,
RGOS/ZXROS too) and for the core loopbacks to be OSPFv3 routes in the device's own table, read from its
CLI in the vendor's documented layout; a missing loopback fails verify with its name and address.

The device is stood in for by its answers (the layouts of tests/fixtures/real/*/display_ospfv3_peer,
show_ipv6_ospf_neighbor, *ipv6_routing-table_protocol, show_ipv6_route_ospf); what verify checks
besides OSPFv3 (config lines, interfaces, IPv4 baseline, pings) is taken as passing here.
"""

from __future__ import annotations

import pytest

from govops import ipv6
from govops.sot import load_inventory
from network import change, platforms
from network.journal import Journal
from network.transaction import ChangeContext
from tests.paths import ROOT

LAB = ROOT / "inventories" / "lab"


class Answers:
    """netmiko's connection for the driver: each command gets its text; anything else an error."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers, self.sent = answers, []

    def send_command(self, command: str, **_kw) -> str:
        self.sent.append(command)
        return self.answers.get(command, f"Error: Unrecognized command found at '^' position.\n{command}")


# ---- the vendors' layouts (the documented samples' columns), filled with the lab's neighbours and routes ----
def vrp_peers(rids: list[str]) -> str:  # CE V300R023 `display ospfv3 peer`
    rows = [f"{rid:<17}  1 Full/ -          00:00:35   GigabitEthernet0/0/1     0" for rid in rids]
    return "\n".join(["OSPFv3 Process (1)", f"Total number of peer(s): {len(rids)}", f" Peer(s) in full state: {len(rids)}",
                      "OSPFv3 Area (0.0.0.2)",
                      "Neighbor ID      Pri State            Dead Time  Interface          Instance ID", *rows]) + "\n"


def vrp_routes(prefixes: list[str]) -> str:  # CE V300R023 `display ipv6 routing-table ... protocol`
    lines = ["_public_ Routing Table : OSPFv3", f"Summary Count : {len(prefixes)}", "",
             "OSPFv3 routing table status : <Active>", f"Summary Count : {len(prefixes)}", ""]
    for p in prefixes:
        address, length = p.split("/")
        lines += [f"Destination  : {address.upper():<40}PrefixLength : {length}",
                  f"NextHop      : {'FE80::1':<40}Preference   : 10",
                  f"Cost         : {20:<40}Protocol     : OSPFv3",
                  f"RelayNextHop : {'::':<40}TunnelID     : 0x0",
                  f"Interface    : {'GigabitEthernet0/0/1':<40}Flags        : D", ""]
    return "\n".join(lines + ["OSPFv3 routing table status : <Inactive>", "Summary Count : 0", ""])


def ios_peers(rids: list[str]) -> str:  # IOS `show ipv6 ospf neighbor`
    rows = [f"{rid:<16}  0   FULL/  -        00:00:35    6               GigabitEthernet 0/1" for rid in rids]
    return "\n".join(["Neighbor ID     Pri   State           Dead Time   Interface ID    Interface", *rows]) + "\n"


def ios_routes(prefixes: list[str]) -> str:  # IOS `show ipv6 route ospf`
    lines = [f"IPv6 Routing Table - default - {len(prefixes)} entries",
             "Codes: C - Connected, L - Local, S - Static, U - Per-user Static route",
             "       O - OSPF Intra, OI - OSPF Inter, OE1 - OSPF ext 1, OE2 - OSPF ext 2"]
    for p in prefixes:
        lines += [f"OI  {p.upper()} [110/20]", "     via FE80::1, GigabitEthernet 0/1"]
    return "\n".join(lines) + "\n"


LAYOUTS = {"ys-lf-acc-1": (vrp_peers, vrp_routes), "fy-yq-acc-1": (ios_peers, ios_routes)}


class AllUp(dict):
    def get(self, _key, _default=None):  # noqa: ANN001, ANN202 - every interface up
        return True


@pytest.fixture
def upgrade(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """verify() of one device with everything but OSPFv3 passing and no waiting: (run, journal)."""
    monkeypatch.delenv("GOVOPS_LAB_IGP", raising=False)
    inv = load_inventory(LAB)
    plan = ipv6.require_plan(inv)
    journal = Journal(tmp_path / "journal.jsonl")
    for done in ("core-1", "core-2", "ys-agg-1", "fy-agg-1"):
        journal.record(done, "done", "upgraded")
    ctx = ChangeContext(inv=inv, plan=plan, journal=journal, backup_dir=tmp_path)
    monkeypatch.setattr(change, "ospf3_wait", lambda _ctx: 0.0)
    monkeypatch.setattr(change.cfgtext, "missing_lines", lambda *_a: [])
    monkeypatch.setattr(change.platforms, "interface_states", lambda *_a, **_k: AllUp())
    monkeypatch.setattr(change, "ospf_baseline", lambda *_a: [])

    def run(device: str, peers: list[str], prefixes: list[str]) -> tuple[list[str], Answers]:
        vendor_peers, vendor_routes = LAYOUTS[device]
        drv_platform = inv.devices[device].platform
        conn = Answers({})
        drv = platforms.driver_for(drv_platform, conn)
        conn.answers = {drv.vendor.commands["ospfv3_peer"]: vendor_peers(peers),
                        drv.vendor.commands["ospfv3_routes"]: vendor_routes(prefixes)}
        drv.ping = lambda _addr: True
        intent = change.Ipv6Upgrade(inv, plan)
        rendered = intent.render(device)
        return intent.verify(ctx, drv, rendered, baseline=None), conn

    return run, inv, plan


@pytest.mark.parametrize("device", sorted(LAYOUTS))
def test_verify_passes_with_adjacencies_full_and_both_core_loopbacks_learned(upgrade, device: str) -> None:  # noqa: ANN001
    run, inv, plan = upgrade
    peers = [str(inv.devices[p].router_id) for p in change.render.build_intent(inv, plan, device).ospf3.neighbours]
    failures, conn = run(device, peers, [f"{plan.loopbacks[c].ip}/128" for c in ("core-1", "core-2")])
    assert failures == []
    # Read in the device's own CLI, in the one session verify was given.
    assert set(conn.answers) <= set(conn.sent)


@pytest.mark.parametrize("device", sorted(LAYOUTS))
def test_verify_fails_naming_the_core_loopback_missing_from_the_ospfv3_routes(upgrade, device: str) -> None:  # noqa: ANN001
    run, inv, plan = upgrade
    peers = [str(inv.devices[p].router_id) for p in change.render.build_intent(inv, plan, device).ospf3.neighbours]
    core1 = f"{plan.loopbacks['core-1'].ip}/128"
    failures, _ = run(device, peers, [core1, "2001:db8:46ff:99::/64"])  # core-2's loopback is not there
    missing = [f for f in failures if "core loopback" in f]
    assert missing == [f"core loopback core-2 ({plan.loopbacks['core-2'].ip}) not learned through OSPFv3 "
                       f"(`{'display ipv6 routing-table protocol ospfv3' if device == 'ys-lf-acc-1' else 'show ipv6 route ospf'}`)"]


def test_rgos_and_zxros_now_wait_for_their_ospfv3_neighbours(upgrade) -> None:  # noqa: ANN001
    """An IOS-like device whose planned neighbour is not Full fails verify (before, only pings judged it)."""
    run, inv, plan = upgrade
    failures, _ = run("fy-yq-acc-1", [], [f"{plan.loopbacks[c].ip}/128" for c in ("core-1", "core-2")])
    neighbour = change.render.build_intent(inv, plan, "fy-yq-acc-1").ospf3.neighbours[0]
    assert f"OSPFv3 neighbour {neighbour} ({inv.devices[neighbour].router_id}) not Full" in failures


def test_a_core_needs_only_the_other_cores_loopback(upgrade) -> None:  # noqa: ANN001
    run, inv, plan = upgrade
    ctx_done = {"core-1", "core-2"}
    from types import SimpleNamespace

    ctx = SimpleNamespace(inv=inv, plan=plan)
    assert set(change.core_loopbacks(ctx, SimpleNamespace(device="core-2"), ctx_done)) == {"core-1"}
    assert set(change.core_loopbacks(ctx, SimpleNamespace(device="ys-agg-1"), ctx_done)) == {"core-1", "core-2"}
    # A core not upgraded yet in the wave has no OSPFv3 to advertise its loopback with.
    assert set(change.core_loopbacks(ctx, SimpleNamespace(device="ys-agg-1"), {"core-1"})) == {"core-1"}
