"""Integration on the lab twin: the shared session `lab` fixture (tests/lab/conftest.py).

The SNMP and readiness exporters and Debian's Prometheus (config from `govops monitoring
generate`, 3 s intervals: monitoring/stack.py, the same code `make demo` runs) in the twin's
mgmt namespace against the devices' snmpd agents. Runs after tests/lab/migrate and
tests/lab/network in one session, so it assumes nothing about the twin's IPv6 state and puts
back what it changes. Run as root with a prefix of your own:
`GOVOPS_LAB_PREFIX=pm .venv/bin/pytest -q tests/lab/monitoring`.
"""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest

from govops.sot import load_inventory
from govops.vendors.snmp_naming import if_name
from monitoring.dashboards import OUT, panel_queries
from monitoring.stack import MonitoringStack, wait_for
from tests.lab.labctl import lab_cli

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(not shutil.which("prometheus"), reason="Debian prometheus needed"),
]


@pytest.fixture(scope="module")
def stack(lab, tmp_path_factory):
    inv = load_inventory(lab.inventory)
    tmp = tmp_path_factory.mktemp("twin-monitoring")
    dev = next(iter(inv.devices.values()))
    bad = tmp / "auths.json"
    bad.write_text(json.dumps({"badkey": {"version": 3, "user": dev.snmp.v3_user, "auth_key": "wrong-auth-key-1",
                                          "priv_key": "wrong-priv-key-1"}}))
    s = MonitoringStack(lab, tmp)
    with s:
        s.start(inv, {"snmp": ["--auth-file", str(bad), "--timeout", "0.5", "--retries", "1", "--deadline", "2"],
                      "readiness": ["--no-websites"]},
                interval=3.0, alert_for={"DeviceUnreachable": "6s"})
        s.wait_until_up(inv, timeout=90)
        yield s, inv
    assert not s.procs  # every process we started is stopped


def test_ifhcinoctets_for_every_twin_interface_with_vendor_names(stack):
    s, inv = stack
    for name in inv.devices:
        got = {r["metric"]["ifName"] for r in s.query(f'ifHCInOctets{{device="{name}"}}')}
        # ifName as the vendor's agent reports it (Ruijie: Gi0/1 for "GigabitEthernet 0/1")
        want = {if_name(inv.devices[name].platform, end.interface) for _, end, _ in inv.links_of(name)}
        assert want <= got, f"{name}: missing {want - got}"


def test_counters_grow_with_traffic(stack):
    s, inv = stack
    link = inv.links[0]
    far = str(link.addresses()[1].ip)
    ifname = if_name(inv.devices[link.a.device].platform, link.a.interface)
    sel = f'ifHCOutOctets{{device="{link.a.device}",ifName="{ifname}"}}'
    before = float(s.query(sel)[0]["value"][1])
    s.lab.run(link.a.device, ["ping", "-q", "-c", "100", "-i", "0.01", "-s", "1200", far], check=True)
    wait_for("ifHCOutOctets to grow", lambda: float(s.query(sel)[0]["value"][1]) >= before + 100 * 1200, timeout=40)


def test_wrong_v3_key_gives_snmp_up_0_and_a_log_line(stack):
    s, inv = stack
    name = next(iter(inv.devices))
    url = f"http://{s.ports['snmp']}/snmp?target={name}&module=system"
    assert re.search(r"^snmp_up 0\.0$", s.curl(url + "&auth=badkey"), re.M)
    wait_for("log line", lambda: re.search(rf"snmp scrape of {name} .* failed", (s.workdir / "snmp.log").read_text()),
             5)
    assert re.search(r"^snmp_up 1\.0$", s.curl(url + "&auth=v3"), re.M)


def test_interface_dashboard_queries_return_data(stack):
    s, _ = stack
    d = json.loads((OUT / "interface-detail.json").read_text())
    wait_for("recording rules", lambda: s.query("govops:if_in_utilisation:ratio_rate5m"), timeout=30)
    for title, expr in panel_queries(d):
        assert s.query(expr.replace("$device", ".+").replace("$interface", ".+")), title


def test_readiness_follows_the_planned_ipv6_addresses_on_the_twin(stack):
    """With every planned address on the twin (added where missing: what the upgrade does to the
    kernel) every device is dual-stack, in the exporter and in Prometheus; take one away and that
    device is not. Whatever state the twin was in (the network tests may have upgraded it) is put back."""
    from govops import ipv6

    s, inv = stack
    plan = ipv6.require_plan(inv)
    added, removed, enabled = [], [], []

    def dual_stack() -> dict[str, float]:
        text = s.curl(f"http://{s.ports['readiness']}/metrics")
        return {m["device"]: float(v) for m, v in
                ((dict(re.findall(r'(\w+)="([^"]*)"', line)), line.rsplit(" ", 1)[1])
                 for line in text.splitlines() if line.startswith("govops_ipv6_dual_stack{"))}

    def where(name: str, addr: str) -> str | None:
        """The kernel interface carrying addr on the device, if any."""
        for line in s.lab.run(name, ["ip", "-6", "-o", "addr", "show"], check=True).stdout.splitlines():
            if f" {addr} " in line:
                return line.split()[1]
        return None

    def ensure(name: str, addr: str, dev: str) -> None:
        if where(name, addr) is None:
            key = f"net/ipv6/conf/{dev}/disable_ipv6"  # before the upgrade the twin keeps IPv6 off on links
            if s.lab.run(name, ["sysctl", "-n", key], check=True).stdout.strip() == "1":
                s.lab.run(name, ["sysctl", "-qw", f"{key}=0"], check=True)
                enabled.append((name, key))
            r = s.lab.run(name, ["ip", "-6", "addr", "add", addr, "dev", dev, "nodad"])
            assert r.returncode == 0, f"{name} {dev} {addr}: {r.stderr}"
            added.append((name, addr, dev))

    assert set(wait_for("readiness metrics", dual_stack, timeout=30)) == set(inv.devices)
    victim, lo = "access-1" if "access-1" in inv.devices else next(iter(inv.devices)), None
    try:
        for name in inv.devices:
            for link, end, _ in inv.links_of(name):
                a, b = plan.link_addresses(link)
                ensure(name, str(a if link.a == end else b), s.lab.kernel_name(name, end.interface))
            ensure(name, str(plan.loopbacks[name]), "lo")
        wait_for("every device dual-stack", lambda: (d := dual_stack()) and all(v == 1 for v in d.values()), 60)
        wait_for("Prometheus sees every device dual-stack",
                 lambda: s.query("min(govops_ipv6_dual_stack_ratio_by_tier) == 1"), 30)
        lo = (str(plan.loopbacks[victim]), where(victim, str(plan.loopbacks[victim])))
        s.lab.run(victim, ["ip", "-6", "addr", "del", lo[0], "dev", lo[1]], check=True)
        removed.append((victim, *lo))
        d = wait_for(f"{victim} not dual-stack", lambda: (d := dual_stack()) and d[victim] == 0 and d, 60)
        assert all(v == 1 for n, v in d.items() if n != victim), d
    finally:
        for name, addr, dev in removed:
            if (name, addr, dev) not in added:
                s.lab.run(name, ["ip", "-6", "addr", "add", addr, "dev", dev, "nodad"])
        for name, addr, dev in added:
            s.lab.run(name, ["ip", "-6", "addr", "del", addr, "dev", dev])
        for name, key in enabled:
            s.lab.run(name, ["sysctl", "-qw", f"{key}=1"])


# Last: they stop and restart an agent.
def test_snmp_fault_stop_turns_target_down_and_fires_alert(stack):
    s, inv = stack
    victim = "core-2"
    lab_cli("fault", "snmp", victim, "stop", prefix=s.lab.prefix)
    try:
        wait_for("snmp_up 0", lambda: s.query(f'snmp_up{{job="snmp_if_mib",device="{victim}"}} == 0'), timeout=30)
        t0 = time.time()
        wait_for("others still scraped", lambda: len(s.query(
            f'timestamp(snmp_up{{job="snmp_if_mib",device!="{victim}"}} == 1) > {t0:f}')) == len(inv.devices) - 1, 15)
        wait_for("DeviceUnreachable firing", lambda: s.query(
            f'ALERTS{{alertname="DeviceUnreachable",alertstate="firing",device="{victim}"}}'), timeout=40)
    finally:
        lab_cli("fault", "snmp", victim, "start", prefix=s.lab.prefix)


def test_snmp_target_recovers_after_the_agent_restarts(stack):
    """Stops and restarts the agent itself (run alone, or after the test above, it sees the whole
    cycle): down while stopped, then scraped again with fresh samples from the restarted snmpd."""
    s, inv = stack
    victim = sorted(inv.devices)[-1]
    up = f'snmp_up{{job="snmp_if_mib",device="{victim}"}}'
    wait_for(f"{victim} scraped before the restart", lambda: s.query(f"{up} == 1"), 30)
    lab_cli("fault", "snmp", victim, "stop", prefix=s.lab.prefix)
    try:
        wait_for(f"snmp_up of {victim} 0 while its agent is stopped", lambda: s.query(f"{up} == 0"), 30)
    finally:
        lab_cli("fault", "snmp", victim, "start", prefix=s.lab.prefix)
    restarted = time.time()
    wait_for(f"snmp_up of {victim} back to 1 after the restart",
             lambda: s.query(f"timestamp({up} == 1) > {restarted:f}"), 30)
    # Real rows again, not only the up flag: IF-MIB counters of the restarted agent are scraped.
    wait_for(f"ifHCInOctets of {victim} after the restart", lambda: s.query(
        f'timestamp(ifHCInOctets{{device="{victim}"}}) > {restarted:f}'), 30)


