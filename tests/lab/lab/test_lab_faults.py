"""Every fault takes effect and `lab fault clear` undoes it."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from govops.sot import load_inventory
from tests.lab.labctl import lab_cli

pytestmark = pytest.mark.lab
LINK = "core-1:GigabitEthernet0/1/0"  # core-1 198.18.8.0/31 -- core-2 198.18.8.1


def ping_ok(lab, node="core-1", target="198.18.8.1", count=3, dev: str | None = None) -> bool:
    """Ping from a device; with `dev`, only out of that interface (SO_BINDTODEVICE), so a routing
    protocol cannot carry the ping around a faulted link."""
    bind = ["-I", dev] if dev else []
    return lab.run(node, ["ping", "-n", "-c", str(count), "-i", "0.2", "-W", "1", *bind, target],
                   timeout=30).returncode == 0


def rtt_ms(lab) -> float:
    out = lab.run("core-1", ["ping", "-n", "-c", "3", "-i", "0.2", "198.18.8.1"], timeout=30).stdout
    return float(re.search(r"= [\d.]+/([\d.]+)/", out).group(1))


def static_routes(lab, node="core-1") -> set[str]:
    """The device's configured routes as its kernel holds them (both families)."""
    return {line.strip() for family in ("-4", "-6")
            for line in lab.run(node, ["ip", family, "route", "show", "proto", "static"]).stdout.splitlines()}


def routes_back(lab, before: set[str], node="core-1", timeout=10.0) -> set[str]:
    """Wait for the twin to reinstall its static routes; returns what is still missing."""
    deadline = time.monotonic() + timeout
    while (missing := before - static_routes(lab, node)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return missing


@pytest.fixture
def clean(lab):
    before = static_routes(lab)
    yield lab
    lab_cli("fault", "clear")
    assert ping_ok(lab), "clear did not restore the link"
    assert routes_back(lab, before) == set(), "clear did not bring core-1's static routes back"


def test_link_down_and_clear(clean):
    lab = clean
    lab_cli("fault", "link", LINK, "down")
    assert "state DOWN" in lab.run("core-2", ["ip", "link", "show", "ge1-0-1"]).stdout  # carrier lost far end
    # Over the link itself: with OSPF, core-1 reaches 198.18.8.1 around the fault within milliseconds
    # (core-2 answers for its address on any interface), so an unbound ping would race the re-route.
    assert not ping_ok(lab, count=1, dev="ge0-1-0")
    assert "GigabitEthernet0/1/0" in lab_cli("fault", "list").stdout
    lab_cli("fault", "clear")
    assert ping_ok(lab, dev="ge0-1-0")
    assert lab_cli("fault", "list").stdout.strip() == ""


def test_link_up_reinstalls_the_static_routes_the_kernel_dropped(clean):
    """The kernel deletes the routes of an interface set down and never restores them; a router's
    RIB reinstalls its static routes once their next hop is reachable again, and so must the twin
    (issue 14, item 13: every later test that routed through core-1's core-2 link failed)."""
    lab = clean
    if lab.state.get("igp") == "ospf":
        pytest.skip("the lab runs OSPF: no static routes; re-routing is tests/lab/routing/test_ospf.py's")
    before = static_routes(lab)
    via_link = {r for r in before if "dev ge0-1-0" in r}
    assert via_link  # core-1 reaches core-2's loopback, and more, over this link
    lab_cli("fault", "link", LINK, "down")
    assert not via_link & static_routes(lab)  # the kernel dropped them with the link
    lab_cli("fault", "clear")
    assert routes_back(lab, before) == set()
    # core-1's loopback to core-2's loopback: routed over the link that came back
    loopbacks = lab.run("core-1", ["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", "-I", "198.18.4.1", "198.18.4.2"],
                        timeout=30)
    assert loopbacks.returncode == 0, loopbacks.stdout


def test_link_up_undoes_down(clean):
    lab = clean
    lab_cli("fault", "link", LINK, "down")
    lab_cli("fault", "link", LINK, "up")
    assert ping_ok(lab)


def test_loss_drops_packets_and_clear_restores(clean):
    lab = clean
    lab_cli("fault", "loss", LINK, "100%")
    assert not ping_ok(lab, count=2)
    lab_cli("fault", "clear")
    assert ping_ok(lab)


def test_delay_adds_latency(clean):
    lab = clean
    proc = lab_cli("fault", "delay", LINK, "30ms", check=False)
    if proc.returncode != 0 and "no sch_netem" in proc.stderr:
        pytest.skip("this kernel has no sch_netem; `lab fault delay` reports it (exit 1)")
    assert proc.returncode == 0, proc.stderr
    assert rtt_ms(lab) >= 30
    lab_cli("fault", "clear")
    assert rtt_ms(lab) < 10


def test_bad_fault_targets_are_refused(lab):
    proc = lab_cli("fault", "link", "core-1:GigabitEthernet9/9/9", "down", check=False)
    assert proc.returncode == 1 and "has no interface" in proc.stderr
    proc = lab_cli("fault", "loss", LINK, "lots", check=False)
    assert proc.returncode == 1 and "percentage" in proc.stderr


def test_snmp_stop_and_start(clean):
    lab = clean
    inv = load_inventory(lab.inventory)

    def get(timeout: str = "2", retries: str = "2") -> subprocess.CompletedProcess:
        # A freshly restarted agent answers with retries (its AgentX sub-agents reconnect meanwhile);
        # the stopped one is asked once, briefly.
        return lab.exec_mgmt(["snmpget", "-v2c", "-c", inv.devices["core-2"].snmp.community, "-t", timeout,
                              "-r", retries, lab.mgmt_ipv4("core-2"), ".1.3.6.1.2.1.1.5.0"], env={"MIBS": ""})

    lab_cli("fault", "snmp", "core-2", "stop")
    assert "Timeout" in get("0.5", "0").stderr
    lab_cli("fault", "clear")
    assert "core-2" in get().stdout
    lab_cli("fault", "snmp", "core-2", "stop")
    lab_cli("fault", "snmp", "core-2", "start")
    assert "core-2" in get().stdout


def test_kill_ssh_drops_a_twin_session(clean):
    lab = clean
    session = subprocess.Popen(lab.command("mgmt", ["ssh", "-tt", "-F", str(lab.ssh_config), "-o", "BatchMode=yes",
                                                    "core-1"]),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        out = b""
        while b"<core-1>" not in out and time.monotonic() < deadline:
            out += session.stdout.read1(4096)
        assert b"<core-1>" in out, out
        dropped = lab_cli("fault", "kill-ssh", "core-1").stdout
        assert "dropped 1" in dropped
        assert session.wait(timeout=10) != 0  # the connection was cut, not closed by us
    finally:
        if session.poll() is None:
            session.kill()


def test_status_reports_what_is_down(clean):
    import json

    st = json.loads(lab_cli("status", "--json").stdout)
    assert st["up"] and all(row["netns_present"] for row in st["nodes"].values())
    assert st["nodes"]["core-1"]["twin"] and st["nodes"]["core-1"]["snmpd"]
    assert st["nodes"]["dept-srv-1"]["sshd"]
    lab_cli("fault", "link", LINK, "down")
    lab_cli("fault", "snmp", "core-2", "stop")
    st = json.loads(lab_cli("status", "--json").stdout)
    assert st["nodes"]["core-1"]["links"]["GigabitEthernet0/1/0"] == "DOWN"
    assert st["nodes"]["core-2"]["links"]["GigabitEthernet1/0/1"] in ("DOWN", "LOWERLAYERDOWN")  # far end: carrier lost
    assert st["nodes"]["core-2"]["snmpd"] is False
    assert lab_cli("status", check=False).returncode == 1  # a dead agent is not a healthy lab
