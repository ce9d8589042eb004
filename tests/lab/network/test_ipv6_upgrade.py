"""The dual-stack upgrade end to end on the vendor twins of inventories/lab (real SSH, real pings)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from govops import ipv6
from govops.sot import load_inventory
from network import change, journal, platforms, render, session
from network import config as cfgtext

pytestmark = pytest.mark.lab
FAULTED = "ys-lf-acc-1"  # the township whose uplink goes down after push, before verify


@pytest.fixture(scope="module")
def wave(netlab, tmp_path_factory):
    inv = load_inventory(netlab.inventory)
    plan = ipv6.require_plan(inv)
    tmp = tmp_path_factory.mktemp("wave")
    uplink = next(here.interface for _, here, there in inv.links_of(FAULTED))

    def fault(device: str) -> None:
        if device == FAULTED:
            netlab.link(FAULTED, uplink, up=False)

    ctx = change.ChangeContext(inv, plan, journal.Journal(tmp / "journal.jsonl"), tmp / "backups",
                               session.SessionOptions(known_hosts=netlab.known_hosts), after_push=fault)
    first = netlab.in_mgmt(change.run_wave, ctx, list(inv.devices), 4)
    netlab.link(FAULTED, uplink, up=True)  # `fault clear`
    ctx.after_push = None
    second = netlab.in_mgmt(change.run_wave, ctx, list(inv.devices), 4)
    return {"inv": inv, "plan": plan, "ctx": ctx, "first": {o.device: o for o in first},
            "second": {o.device: o for o in second}, "tmp": tmp}


def _run(netlab, inv, name, func):
    def job():
        conn = session.open_session(inv.devices[name], session.SessionOptions(known_hosts=netlab.known_hosts))
        try:
            return func(platforms.driver_for(inv.devices[name].platform, conn))
        finally:
            conn.disconnect()
    return netlab.in_mgmt(job)


def test_fault_after_push_rolls_that_device_back_and_the_others_finish(wave):
    first = wave["first"]
    assert first[FAULTED].result == change.ROLLED_BACK
    assert all(o.result == change.UPGRADED for n, o in first.items() if n != FAULTED)
    entries = [e for e in wave["ctx"].journal.entries() if e["device"] == FAULTED]
    verify = [e for e in entries if e["step"] == "verify"][0]
    assert verify["outcome"] == "failed" and "ping ipv6" in verify["detail"]
    rollback = [e for e in entries if e["step"] == "rollback"][0]
    assert rollback["outcome"] == "ok" and "byte-identical" in rollback["detail"]


def test_rerun_after_fault_clear_upgrades_only_that_device(wave):
    second = wave["second"]
    assert second[FAULTED].result == change.UPGRADED
    assert {n for n, o in second.items() if o.result == change.DONE_BEFORE} == set(second) - {FAULTED}


def test_every_device_is_dual_stack_as_planned(netlab, wave):
    inv = wave["inv"]
    for name in inv.devices:
        intent = render.build_intent(inv, wave["plan"], name)
        running = _run(netlab, inv, name, lambda d: d.running())
        assert cfgtext.missing_lines(intent.blocks, cfgtext.parse(running, intent.platform)) == [], name


def test_townships_reach_both_core_loopbacks(netlab, wave):
    inv, plan = wave["inv"], wave["plan"]
    cores = [str(plan.loopbacks[n].ip) for n, d in inv.devices.items() if d.role == "core"]
    for name, dev in inv.devices.items():
        if dev.role != "access":
            continue
        results = _run(netlab, inv, name, lambda d: [d.ping(a) for a in cores])
        assert results == [True] * len(cores), name


def test_drift_is_clean_then_reports_exactly_the_hand_edited_device(netlab, wave, tmp_path):
    inv, _plan = wave["inv"], wave["plan"]
    metrics = tmp_path / "drift.prom"
    base = ["govops", "net", "drift", "-i", str(netlab.inventory), "--known-hosts", str(netlab.known_hosts),
            "--metrics", str(metrics)]
    ok = netlab.run_in_mgmt(*_govops(base))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "govops_net_drift_devices 0.0" in metrics.read_text()
    # hand edit on one twin: an unplanned IPv6 route
    _run(netlab, inv, "fy-agg-1", lambda d: d.conn.send_config_set(
        ["ipv6 route-static 2001:db8:4699:: 64 2001:db8:4600:1005::3"]))
    try:
        bad = netlab.run_in_mgmt(*_govops(base))
        assert bad.returncode == 1
        assert re.findall(r"drift: (\S+)", bad.stdout) == ["fy-agg-1"]
        assert 'govops_net_drift{device="fy-agg-1",site="fenyi",tier="aggregation"} 1.0' in metrics.read_text()
    finally:
        _run(netlab, inv, "fy-agg-1", lambda d: d.conn.send_config_set(
            ["undo ipv6 route-static 2001:db8:4699:: 64 2001:db8:4600:1005::3"]))


def test_playbook_second_run_changes_nothing(netlab, wave):
    tmp = wave["tmp"]
    proc = netlab.run_in_mgmt(
        str(Path(__import__("sys").executable).parent / "ansible-playbook"), "-i", str(netlab.inventory),
        "--vault-password-file", str(netlab.inventory / ".vault-pass"), "playbooks/ipv6_upgrade.yml",
        "-e", f"govops_known_hosts={netlab.known_hosts}", "-e", f"govops_journal={tmp / 'journal.jsonl'}",
        "-e", f"govops_backup_dir={tmp / 'backups'}")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r"changed=[1-9]", proc.stdout) is None, proc.stdout[-3000:]


def test_no_secret_in_journal_or_backups(wave):
    inv, tmp = wave["inv"], wave["tmp"]
    secrets = {d.password for d in inv.devices.values() if d.password}
    assert secrets
    files = [tmp / "journal.jsonl", *(tmp / "backups").rglob("*")]
    for f in files:
        if f.is_file():
            text = f.read_text()
            assert not any(s in text for s in secrets), f
    json.loads((tmp / "journal.jsonl").read_text().splitlines()[0])


def _govops(args):
    import sys

    return [sys.executable, "-c", "import sys; from govops.cli import main, build_parser; "
            "import network.cli as n, argparse; "
            "p = argparse.ArgumentParser(prog='govops'); s = p.add_subparsers(dest='c'); n.add_cli(s); "
            "a = p.parse_args(sys.argv[1:]); a.vault_password_file = None; sys.exit(a.func(a))", *args[1:]]


def test_demo_hook_reports_end_to_end_dual_stack(netlab, wave):
    from network import demo

    text = demo.run(netlab, journal=wave["tmp"] / "journal.jsonl", backup_dir=wave["tmp"] / "backups")
    assert "dual-stack: OK" in text, text
    pings = re.findall(r"^  (\S+) -> (core-\d) \S+: ok$", text, re.M)
    assert len(pings) == 2 * sum(1 for d in wave["inv"].devices.values() if d.role == "access"), text
