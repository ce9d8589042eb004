"""What the CLI says is what the kernel does: addresses, IPv6 pings between twins, static routes."""

from __future__ import annotations

import pytest
from gtw_lab import nsexec

pytestmark = pytest.mark.lab


def _configure_v5_v8_ipv6(lab) -> None:  # noqa: ANN001
    lab.netmiko("v5", lambda c: c.send_config_set(
        ["ipv6", "interface GigabitEthernet0/0/1", "ipv6 enable", "ipv6 address 2001:db8:10::1 64"]))

    def v8(conn):  # noqa: ANN001, ANN202
        conn.send_config_set(["interface GigabitEthernet0/1/0", "ipv6 enable", "ipv6 address 2001:db8:10::2 64"])
        return conn.commit()

    lab.netmiko("v8", v8)


def test_cli_ipv6_address_is_in_the_namespace_kernel(lab) -> None:  # noqa: ANN001
    _configure_v5_v8_ipv6(lab)
    addrs = nsexec("v5", "ip", "-6", "addr", "show", "dev", "ge0-0-1").stdout
    assert "inet6 2001:db8:10::1/64" in addrs
    assert "inet6 fe80::" in addrs  # ipv6 enable brought the link-local up too
    brief = lab.netmiko("v5", lambda c: c.send_command("display ipv6 interface brief"))
    assert "[IPv6 Address] 2001:DB8:10::1" in brief


def test_two_twins_ping_each_other_over_ipv6(lab) -> None:  # noqa: ANN001
    _configure_v5_v8_ipv6(lab)
    out = lab.netmiko("v5", lambda c: c.send_command("ping ipv6 -c 3 2001:db8:10::2", read_timeout=30))
    assert "Reply from 2001:DB8:10::2" in out
    assert "3 packet(s) received" in out and "0.00% packet loss" in out
    # The same from the other side, with the namespace's own ping (no CLI involved).
    assert nsexec("v8", "ping", "-6", "-c", "2", "-W", "2", "2001:db8:10::1", check=False).returncode == 0
    neighbours = lab.netmiko("v5", lambda c: c.send_command("display ipv6 neighbors"))
    assert "2001:DB8:10::2" in neighbours


def test_static_route_on_a_twin_reaches_a_third_namespace(lab) -> None:  # noqa: ANN001
    _configure_v5_v8_ipv6(lab)
    lab.netmiko("v5", lambda c: c.send_config_set(
        ["undo ip route-static 198.18.20.0 30 198.18.10.2"]))  # may fail harmlessly: start clean
    before = lab.netmiko("v5", lambda c: c.send_command("ping -c 1 198.18.20.2", read_timeout=30))
    assert "0 packet(s) received" in before

    lab.netmiko("v5", lambda c: c.send_config_set(
        ["ip route-static 198.18.20.0 30 198.18.10.2", "ipv6 route-static 2001:db8:20:: 64 2001:db8:10::2"]))

    def check(conn):  # noqa: ANN001, ANN202
        return (conn.send_command("ping -c 2 198.18.20.2", read_timeout=30),
                conn.send_command("ping ipv6 -c 2 2001:db8:20::2", read_timeout=30),
                conn.send_command("display ipv6 routing-table"))

    v4, v6, table = lab.netmiko("v5", check)
    assert "2 packet(s) received" in v4
    assert "2 packet(s) received" in v6
    assert "2001:DB8:20::" in table and "Static" in table
    routes = nsexec("v5", "ip", "-6", "route", "show", "2001:db8:20::/64").stdout
    assert "via 2001:db8:10::2" in routes
