"""Private-network migration rehearsal (issue 9, item 3) on the shared lab, with real pings.

Two departments (inventories/lab private_networks: bdc, gov-office) each have a site behind the
city core (core-1, VRPv8) and one behind the Fenyi county device (fy-agg-1, VRP5). Before the
migration their sites cannot reach each other over the extranet; after it each department's
sites reach each other inside its VPN instance (both directions, IPv4 and IPv6), never the
other department's nor the public extranet, and the extranet's own reachability is what it was.
A forced verify failure (the site link cut right after the push) rolls the core back to its
backup and leaves the county untouched. It runs last in tests/lab/network, after the upgrade
has left the lab dual-stack (tests/lab/order.py; run alone, it upgrades the extranet first). The
finaliser takes both networks off again (the playbook's `remove`), so later suites find the lab
as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govops import ipv6
from govops.sot import load_inventory
from lab.topology import build_topology
from tests.lab.migrate.conftest import ANSIBLE_PLAYBOOK, changed
from tests.paths import ROOT

pytestmark = pytest.mark.lab
DEPARTMENTS = ("bdc", "gov-office")


def ping(lab, netns: str, target: str, source: str | None = None) -> bool:
    argv = ["ip", "netns", "exec", netns, "ping", "-n", "-c", "2", "-i", "0.2", "-w", "3"]
    argv += (["-I", source] if source else []) + [target]
    return lab.exec_mgmt(argv, timeout=30).returncode == 0


def migrate(lab, department: str, journal: Path, operation: str = "migrate", env: dict | None = None):
    argv = [ANSIBLE_PLAYBOOK, "-i", str(lab.inventory), "--vault-password-file", str(lab.inventory / ".vault-pass"),
            "playbooks/migrate_private_network.yml", "-e", f"lab_prefix={lab.prefix}",
            "-e", f"department={department}", "-e", f"operation={operation}", "-e", f"journal={journal}",
            "-e", f"backup_dir={journal.parent / 'backups'}"]
    return lab.exec_mgmt(argv, cwd=ROOT, timeout=600, env={"ANSIBLE_NOCOLOR": "1", **(env or {})})


def reachability(lab, inv) -> dict[str, bool]:
    """The extranet as the townships see it: each township loopback -> each core loopback, IPv4
    and IPv6 (the IPv6 plan's loopbacks; they answer once the extranet is dual-stack)."""
    plan = ipv6.require_plan(inv)
    out = {}
    for town, dev in inv.devices.items():
        if dev.role != "access":
            continue
        for core, cdev in inv.devices.items():
            if cdev.role != "core":
                continue
            ns = f"{lab.prefix}-{town}"
            out[f"{town}->{core} v4"] = ping(lab, ns, str(cdev.loopback_ipv4), str(dev.loopback_ipv4))
            out[f"{town}->{core} v6"] = ping(lab, ns, str(plan.loopbacks[core].ip), str(plan.loopbacks[town].ip))
    return out


@pytest.fixture(scope="module")
def pn(lab, tmp_path_factory):
    inv = load_inventory(lab.inventory)
    sites = build_topology(inv, lab.prefix).sites
    tmp = tmp_path_factory.mktemp("private-network")
    before_cross = ping(lab, sites["bdc/city"].netns, str(sites["bdc/fenyi"].ipv4.ip))
    baseline = reachability(lab, inv)
    if not all(baseline.values()):
        # Private networks ride on the dual-stack extranet. After the network room's upgrade it is;
        # run alone, upgrade it first, so the "unchanged" check covers IPv6 too.
        up = lab.exec_mgmt([ANSIBLE_PLAYBOOK, "-i", str(lab.inventory), "--vault-password-file",
                            str(lab.inventory / ".vault-pass"), "playbooks/ipv6_upgrade.yml",
                            "-e", f"govops_known_hosts={lab.known_hosts}", "-e", f"govops_journal={tmp / 'upgrade.jsonl'}",
                            "-e", f"govops_backup_dir={tmp / 'upgrade-backups'}"],
                           cwd=ROOT, timeout=900, env={"ANSIBLE_NOCOLOR": "1"})
        assert up.returncode == 0, up.stdout[-3000:]
        baseline = reachability(lab, inv)
    assert all(baseline.values()), f"the extranet is not fully reachable before the migration: {baseline}"
    runs = {}
    try:
        for dept in DEPARTMENTS:
            runs[dept] = migrate(lab, dept, tmp / f"{dept}.jsonl")
        yield {"inv": inv, "sites": sites, "tmp": tmp, "runs": runs, "baseline": baseline,
               "before_cross": before_cross}
    finally:
        for dept in DEPARTMENTS:
            migrate(lab, dept, tmp / f"{dept}.jsonl", operation="remove")


def test_before_migration_the_sites_do_not_reach_each_other(pn):
    assert pn["before_cross"] is False  # the department network is not on the extranet yet


def test_playbook_migrates_core_then_county(pn):
    for dept, run in pn["runs"].items():
        assert run.returncode == 0, run.stdout[-3000:]
        steps = [(e["device"], e["step"], e["outcome"]) for e in map(json.loads, (pn["tmp"] / f"{dept}.jsonl")
                                                                      .read_text().splitlines())]
        devices = [d for d, s, o in steps if s == "done"]
        assert devices == ["core-1", "fy-agg-1"], steps
        assert all(o == "migrated" for _, s, o in steps if s == "done"), steps
        assert ("fy-agg-1", "verify", "ok") in steps


def test_sites_reach_each_other_inside_their_vpn_both_directions(lab, pn):
    s = pn["sites"]
    for dept in DEPARTMENTS:
        city, fenyi = s[f"{dept}/city"], s[f"{dept}/fenyi"]
        for src, dst in ((city, fenyi), (fenyi, city)):
            assert ping(lab, src.netns, str(dst.ipv4.ip)), f"{src.netns} -> {dst.ipv4.ip}"
            assert ping(lab, src.netns, str(dst.ipv6.ip)), f"{src.netns} -> {dst.ipv6.ip}"


def test_departments_are_isolated_from_each_other_and_from_the_public_extranet(lab, pn):
    s, inv = pn["sites"], pn["inv"]
    for a, b in (("bdc/city", "gov-office/fenyi"), ("gov-office/fenyi", "bdc/city"),
                 ("gov-office/city", "bdc/fenyi"), ("bdc/fenyi", "gov-office/city"),
                 ("bdc/city", "gov-office/city")):
        for target in (s[b].ipv4.ip, s[b].ipv6.ip):
            assert not ping(lab, s[a].netns, str(target)), f"{a} reached {b} at {target}"
    core_loopback = str(inv.devices["core-1"].loopback_ipv4)
    assert not ping(lab, s["bdc/city"].netns, core_loopback)  # the VPN does not see the public side
    # ... nor the public side the VPN: a township and a cloud server try a department site
    town = inv.devices["ys-lf-acc-1"]
    assert not ping(lab, f"{lab.prefix}-ys-lf-acc-1", str(s["bdc/fenyi"].ipv4.ip), str(town.loopback_ipv4))
    assert not ping(lab, f"{lab.prefix}-cloud-prod-1", str(s["bdc/city"].ipv4.ip))
    public = lab.run("core-1", ["ip", "route", "show", "table", "main"]).stdout
    assert "198.19.100.0/24" not in public and "198.19.110.0/24" not in public, public


def test_extranet_reachability_is_unchanged(lab, pn):
    after = reachability(lab, pn["inv"])
    assert after == pn["baseline"]
    assert any(v for k, v in after.items() if k.endswith("v4")), after  # there was something to keep


def test_second_run_changes_nothing(lab, pn):
    run = migrate(lab, "bdc", pn["tmp"] / "bdc-rerun.jsonl")
    assert run.returncode == 0, run.stdout[-2000:]
    assert changed(run) == 0
    assert "already_migrated" in run.stdout


def test_forced_verify_failure_rolls_back_to_the_backup(lab, pn):
    s = pn["sites"]
    tmp = pn["tmp"]
    removed = migrate(lab, "bdc", tmp / "bdc-remove.jsonl", operation="remove")
    assert removed.returncode == 0, removed.stdout[-3000:]
    assert not ping(lab, s["bdc/city"].netns, str(s["bdc/fenyi"].ipv4.ip))
    site = s["bdc/city"].netns
    hook = f'[ "$GOVOPS_DEVICE" = core-1 ] && ip netns exec {site} ip link set eth1 down || true'
    jpath = tmp / "bdc-fault.jsonl"
    try:
        run = migrate(lab, "bdc", jpath, env={"GOVOPS_AFTER_PUSH_HOOK": hook})
    finally:
        # the site's link back, and its default routes (a link going down drops them)
        ep = s["bdc/city"]
        for argv in (["ip", "link", "set", "eth1", "up"],
                     ["ip", "route", "replace", "default", "via", str(ep.gateway_ipv4), "dev", "eth1"],
                     ["ip", "-6", "route", "replace", "default", "via", str(ep.gateway_ipv6), "dev", "eth1"]):
            lab.exec_mgmt(["ip", "netns", "exec", site, *argv])
    assert run.returncode != 0, run.stdout[-2000:]
    entries = [json.loads(line) for line in jpath.read_text().splitlines()]
    verify = next(e for e in entries if e["step"] == "verify")
    assert verify["device"] == "core-1" and verify["outcome"] == "failed" and "vpn-instance BDC" in verify["detail"]
    rollback = next(e for e in entries if e["step"] == "rollback" and e["outcome"] != "started")
    assert rollback["outcome"] == "ok" and "byte-identical" in rollback["detail"]
    assert not any(e["device"] == "fy-agg-1" for e in entries)  # the county was never touched
    # kernel truth on the core: no rule into BDC's table (1101), the table empty; gov-office's kept
    rules = lab.run("core-1", ["ip", "rule"]).stdout
    assert "lookup 1101" not in rules and "lookup 1102" in rules, rules
    assert lab.run("core-1", ["ip", "route", "show", "table", "1101"]).stdout.strip() == ""
    # and a re-run after the fault is gone completes
    again = migrate(lab, "bdc", tmp / "bdc-again.jsonl")
    assert again.returncode == 0, again.stdout[-2000:]
    assert ping(lab, s["bdc/city"].netns, str(s["bdc/fenyi"].ipv6.ip))
    assert ping(lab, s["bdc/fenyi"].netns, str(s["bdc/city"].ipv4.ip))
