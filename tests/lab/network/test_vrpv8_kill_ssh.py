"""Fault ``kill-ssh`` in the middle of a VRPv8 push: nothing committed, journalled, resume completes.

Both tests take core-1 back to IPv4-only first. The check-diff test goes first and leaves it so;
the kill-ssh test's resume upgrades it again, and the module fixture makes sure of it at the end:
the shared lab is left dual-stack as planned for the suites after this one.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from govops import ipv6, vendors
from govops.sot import load_inventory
from network import change, journal, platforms, render, session
from network import config as cfgtext
from tests.lab.network.conftest import fault

pytestmark = pytest.mark.lab
DEVICE = "core-1"  # the lab's huawei_vrpv8 twin


@pytest.fixture(scope="module")
def core(lab, mgmt, tmp_path_factory):
    inv = load_inventory(lab.inventory)
    plan = ipv6.require_plan(inv)
    yield inv, plan
    tmp = tmp_path_factory.mktemp("core-restore")
    ctx = change.ChangeContext(inv, plan, journal.Journal(tmp / "journal.jsonl"), tmp / "backups",
                               session.SessionOptions(known_hosts=lab.known_hosts))
    out = mgmt.call(change.upgrade_device, ctx, DEVICE)
    assert out.result in (change.UPGRADED, change.ALREADY), f"could not restore {DEVICE}: {out.detail}"


def _running(lab, mgmt, inv) -> str:
    def job():
        conn = session.open_session(inv.devices[DEVICE], session.SessionOptions(known_hosts=lab.known_hosts))
        try:
            return cfgtext.normalise_text(platforms.driver_for("huawei_vrpv8", conn).running(), vendors.get("huawei_vrpv8"))
        finally:
            conn.disconnect()
    return mgmt.call(job)


def _reset_to_ipv4_only(lab, mgmt, inv, plan) -> None:
    """Take whatever part of core-1's intent is present back out (the upgrade tests left it dual-stack)."""
    intent = render.build_intent(inv, plan, DEVICE)

    def job():
        conn = session.open_session(inv.devices[DEVICE], session.SessionOptions(known_hosts=lab.known_hosts))
        try:
            drv = platforms.driver_for("huawei_vrpv8", conn)
            running = cfgtext.parse(drv.running(), vendors.get("huawei_vrpv8"))
            have = cfgtext.keyed(running)
            present = []
            for b in intent.blocks:
                h = cfgtext.normalise_line(b.header)
                kids = [c for c in b.children if (h, cfgtext.normalise_line(c)) in have]
                if (h, "") in have and (kids or not b.children):
                    present.append(cfgtext.Block(b.header, kids))
            if present:
                bare = [cfgtext.Block(b.header) for b in running if b.header.startswith("interface ")]
                cmds = cfgtext.to_commands(cfgtext.undo_of(present, bare, vendors.get("huawei_vrpv8")), vendors.get("huawei_vrpv8"))
                conn.send_config_set(cmds + ["commit"], exit_config_mode=False)
                conn.exit_config_mode()
            return cfgtext.missing(intent.blocks, cfgtext.parse(drv.running(), vendors.get("huawei_vrpv8")))
        finally:
            conn.disconnect()

    assert mgmt.call(job), "core-1 should lack its intent after the reset"


def test_playbook_check_diff_shows_the_change_without_touching(lab, mgmt, core, tmp_path):
    inv, plan = core
    _reset_to_ipv4_only(lab, mgmt, inv, plan)
    before = _running(lab, mgmt, inv)
    proc = mgmt.run(
        str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(lab.inventory),
        "--vault-password-file", str(lab.inventory / ".vault-pass"), "playbooks/ipv6_upgrade.yml",
        "--check", "--diff", "--limit", f"{DEVICE},localhost",
        "-e", f"govops_known_hosts={lab.known_hosts}", "-e", f"govops_journal={tmp_path / 'j.jsonl'}",
        "-e", f"govops_backup_dir={tmp_path / 'b'}")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "ipv6 address 2001:db8:4600::1/128" in proc.stdout
    assert "would_change: 1" in proc.stdout.replace('"', "").replace("'", "")
    assert _running(lab, mgmt, inv) == before


def test_kill_ssh_mid_push_commits_nothing_and_resume_completes(lab, mgmt, core, tmp_path, monkeypatch):
    inv, plan = core
    _reset_to_ipv4_only(lab, mgmt, inv, plan)
    j = journal.Journal(tmp_path / "journal.jsonl")
    ctx = change.ChangeContext(inv, plan, j, tmp_path / "backups", session.SessionOptions(known_hosts=lab.known_hosts))
    original = platforms.Vrpv8.push
    dropped = []

    def push_then_lose_ssh(self, commands):
        half = len(commands) // 2
        self._send(commands[:half], exit_config_mode=False)  # half the candidate typed in
        dropped.append(fault("kill-ssh", DEVICE))  # `govops lab fault kill-ssh core-1`
        time.sleep(0.5)
        return original(self, commands[half:])

    monkeypatch.setattr(platforms.Vrpv8, "push", push_then_lose_ssh)
    out = mgmt.call(change.upgrade_device, ctx, DEVICE)
    assert dropped and re.search(r"dropped [1-9]", dropped[0]), dropped  # the fault cut the push's session
    assert out.result == change.ROLLED_BACK, out.detail
    steps = [(e["step"], e["outcome"]) for e in j.entries() if e["device"] == DEVICE]
    assert ("push", "failed") in steps
    rollback = [e for e in j.entries() if e["step"] == "rollback"][0]
    assert rollback["outcome"] == "ok" and "nothing was committed" in rollback["detail"]
    backup = (tmp_path / "backups" / f"{DEVICE}.pre-ipv6.cfg").read_text()
    assert _running(lab, mgmt, inv) == backup

    monkeypatch.setattr(platforms.Vrpv8, "push", original)
    again = mgmt.call(change.upgrade_device, ctx, DEVICE)
    assert again.result == change.UPGRADED, again.detail
    assert j.finished() == {DEVICE: change.UPGRADED}
