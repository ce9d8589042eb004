"""IPv4 forwarding follows the inventory's addressing and the computed baseline routes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.lab


def ping(lab, node: str, target: str, source: str | None = None, count: int = 2):
    argv = ["ping", "-n", "-c", str(count), "-i", "0.2", "-W", "1"] + (["-I", source] if source else []) + [target]
    return lab.run(node, argv, timeout=30)


def test_ping_across_a_link_the_inventory_addresses(lab):
    # core-1:GigabitEthernet0/1/0 198.18.8.0/31 -- core-2:GigabitEthernet1/0/1 198.18.8.1
    out = ping(lab, "core-1", "198.18.8.1")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "198.18.8.0/31" in lab.run("core-1", ["ip", "-br", "addr", "show", "dev", "ge0-1-0"]).stdout


def test_township_loopback_reaches_core_loopback(lab):
    out = ping(lab, "ys-lf-acc-1", "198.18.4.1", source="198.18.4.33")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 received" in out.stdout


def test_hosts_reach_each_other_through_the_extranet(lab):
    out = ping(lab, "dept-srv-1", "198.19.2.10")  # dept server -> remote DR centre server
    assert out.returncode == 0, out.stdout + out.stderr


def test_management_is_out_of_band_and_dual_stack(lab):
    for node in ("core-1", "ys-lf-acc-1", "dept-srv-1"):
        assert lab.exec_mgmt(["ping", "-c1", "-W1", lab.mgmt_ipv4(node)]).returncode == 0
        assert lab.exec_mgmt(["ping", "-c1", "-W1", lab.mgmt_ipv6(node)]).returncode == 0
    # the mgmt workstation has no data-plane route: the extranet is reached only through devices
    assert "198.19." not in lab.exec_mgmt(["ip", "route"]).stdout
    # hosts do not forward
    assert lab.run("dept-srv-1", ["sysctl", "-n", "net.ipv4.ip_forward"]).stdout.strip() == "0"
