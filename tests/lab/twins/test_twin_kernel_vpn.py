"""The twins' kernel layer: VPN instances as policy routing, and ECMP static routes.

A router namespace with two VPN instances (red, blue), a public port and two uplinks; one small
site namespace behind each port. Real pings: red reaches red, never blue nor the public side,
and a public host never reaches into a VPN. Names use $GOVOPS_LAB_PREFIX; removed afterwards.
"""

from __future__ import annotations

import asyncio
import os
import subprocess

import pytest

from lab.twins.kernel import VPN_RULE_PREF, KernelNamespace
from lab.twins.model import DeviceConfig, Interface, StaticRoute, VpnInstance
from tests.lab.labctl import NOT_ROOT, PREFIX

pytestmark = pytest.mark.lab
R = f"{PREFIX}-kvpn-r"
SITES = {  # site namespace -> (router port, router address, site address)
    f"{PREFIX}-kvpn-red1": ("red1", "198.18.60.1/30", "198.18.60.2/30", "2001:db8:60::1/64", "2001:db8:60::2/64"),
    f"{PREFIX}-kvpn-red2": ("red2", "198.18.61.1/30", "198.18.61.2/30", "2001:db8:61::1/64", "2001:db8:61::2/64"),
    f"{PREFIX}-kvpn-blu1": ("blu1", "198.18.62.1/30", "198.18.62.2/30", "2001:db8:62::1/64", "2001:db8:62::2/64"),
    f"{PREFIX}-kvpn-pub1": ("pub1", "198.18.63.1/30", "198.18.63.2/30", "2001:db8:63::1/64", "2001:db8:63::2/64"),
}
VPN_OF = {"red1": "red", "red2": "red", "blu1": "blue", "pub1": ""}


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=60)


def in_ns(ns: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return sh("ip", "netns", "exec", ns, *argv, check=check)


def ping(ns: str, target: str) -> bool:
    """Two echoes within 4 s: the first may wait for neighbour discovery on these fresh links."""
    return in_ns(ns, "ping", "-n", "-c", "2", "-i", "0.2", "-w", "4", target, check=False).returncode == 0


def model(with_vpns: bool = True) -> DeviceConfig:
    cfg = DeviceConfig(sysname="R", ipv6_global=True)
    for port, v4, _, v6, _ in SITES.values():
        cfg.interfaces[port] = Interface(port, port, ipv4=[v4], ipv6_enabled=True, ipv6=[v6],
                                         vpn=VPN_OF[port] if with_vpns else "")
    for up, v6 in (("up1", "2001:db8:64::1/64"), ("up2", "2001:db8:65::1/64")):
        cfg.interfaces[up] = Interface(up, up, ipv6_enabled=True, ipv6=[v6])
    if with_vpns:
        cfg.vpns = {"red": VpnInstance("red", 1001, "65000:1"), "blue": VpnInstance("blue", 1002, "65000:2")}
    # ECMP: one default, two next hops (one per uplink), as an aggregation toward both cores.
    cfg.routes = [StaticRoute("::/0", "2001:db8:64::2"), StaticRoute("::/0", "2001:db8:65::2")]
    return cfg


@pytest.fixture(scope="module")
def router():
    if os.geteuid() != 0:
        pytest.skip(NOT_ROOT)
    names = [R, *SITES]
    for ns in names:
        sh("ip", "netns", "del", ns, check=False)
    try:
        for ns in names:
            sh("ip", "netns", "add", ns)
        in_ns(R, "ip", "link", "set", "lo", "up")
        for ns, (port, _, v4, _, v6) in SITES.items():
            sh("ip", "-n", R, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            in_ns(ns, "ip", "link", "set", "lo", "up")
            in_ns(ns, "ip", "link", "set", "eth0", "up")
            in_ns(ns, "ip", "addr", "add", v4, "dev", "eth0")
            in_ns(ns, "ip", "-6", "addr", "add", v6, "dev", "eth0", "nodad")
            in_ns(ns, "ip", "route", "add", "default", "via", SITES[ns][1].split("/")[0])
            in_ns(ns, "ip", "-6", "route", "add", "default", "via", SITES[ns][3].split("/")[0])
        for up in ("up1", "up2"):
            sh("ip", "-n", R, "link", "add", up, "type", "veth", "peer", "name", f"_{up}")
            in_ns(R, "ip", "link", "set", f"_{up}", "up")
        kernel = KernelNamespace(R)
        yield kernel
        kernel.close()
    finally:
        for ns in names:
            sh("ip", "netns", "del", ns, check=False)


def reconcile(kernel: KernelNamespace, cfg: DeviceConfig) -> list[str]:
    return asyncio.run(kernel.reconcile(cfg))


def test_vpn_sites_reach_each_other_and_nothing_else(router):
    reconcile(router, model())
    reconcile(router, model())  # idempotent: a second pass changes nothing and breaks nothing
    red1, red2, blu1, pub1 = SITES
    for src, dst in ((red1, red2), (red2, red1)):
        assert ping(src, SITES[dst][2].split("/")[0]), f"{src} -> {dst} (IPv4, same VPN)"
        assert ping(src, SITES[dst][4].split("/")[0]), f"{src} -> {dst} (IPv6, same VPN)"
    for src, dst in ((red1, blu1), (blu1, red1), (red1, pub1), (pub1, red2), (blu1, pub1)):
        assert not ping(src, SITES[dst][2].split("/")[0]), f"{src} -> {dst} must be isolated (IPv4)"
        assert not ping(src, SITES[dst][4].split("/")[0]), f"{src} -> {dst} must be isolated (IPv6)"
    assert ping(red1, "198.18.60.1")  # the site's own gateway answers (reply sourced in the VPN)
    rules = in_ns(R, "ip", "-6", "rule").stdout
    assert f"{VPN_RULE_PREF}:\tfrom all iif red1 lookup 1001" in rules, rules
    main = in_ns(R, "ip", "route", "show", "table", "main").stdout
    assert "198.18.60.0/30" not in main and "198.18.63.0/30" in main, main  # VPN connected routes left main
    table = in_ns(R, "ip", "route", "show", "table", "1001").stdout
    assert "unreachable default" in table and "198.18.61.0/30 dev red2" in table, table


def test_ecmp_default_has_both_next_hops(router):
    reconcile(router, model())
    out = in_ns(R, "ip", "-6", "route", "show", "default").stdout
    assert "via 2001:db8:64::2 dev up1" in out and "via 2001:db8:65::2 dev up2" in out, out


def test_unbinding_removes_every_rule_and_vpn_route(router):
    reconcile(router, model(with_vpns=False))
    for fam in ("-4", "-6"):
        assert f"{VPN_RULE_PREF}:" not in in_ns(R, "ip", fam, "rule").stdout
    assert in_ns(R, "ip", "route", "show", "table", "1001", check=False).stdout.strip() == ""
    red1, red2, _, pub1 = SITES
    assert ping(red1, SITES[pub1][2].split("/")[0])  # all public now: plain routing again
    out = in_ns(R, "ip", "-6", "route", "show", "default").stdout
    assert "2001:db8:64::2" in out and "2001:db8:65::2" in out, out
    reconcile(router, model())
    assert ping(red1, SITES[red2][2].split("/")[0]) and not ping(red1, SITES[pub1][2].split("/")[0])
