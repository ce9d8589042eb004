"""The rollback stage of playbooks/ipv6_upgrade.yml (issue 15, point 3): ``--tags rollback`` with
``-e govops_rollback_change=<change id>`` backs a finished upgrade out from its pre-change backup
(network.transaction.back_out: locked, journalled, byte-identical check, then saved).

Its own small lab (prefix ``<prefix>r``, inventories/lab, ~3 s to bring up): the shared lab's devices
may already be dual-stack when this runs (tests/lab/network), and a back-out needs a change of its own.
Two devices keep it lean and cover both back-out paths: core-1 (VRPv8: no trial left after the
confirm, so undo lines + commit) and core-2 (Comware: `configuration replace` of the journalled archive).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from govops import vendors
from govops.sot import load_inventory
from lab.lifecycle import down
from lab.state import Lab
from network import config as cfgtext
from tests.lab.ansible.test_playbook_contract import Workstation
from tests.lab.labctl import INVENTORY, NOT_ROOT, PREFIX, lab_cli
from tests.paths import ROOT

pytestmark = pytest.mark.lab
OWN = f"{PREFIX}r"
PLAYBOOK = str(Path(sys.executable).parent / "ansible-playbook")
UNSET = ["env", "-u", "GOVOPS_VAULT_PASSWORD_FILE", "-u", "ANSIBLE_VAULT_PASSWORD_FILE", "-u", "GOVOPS_KNOWN_HOSTS"]


@pytest.fixture(scope="module")
def own_lab() -> Iterator[Lab]:
    import os

    if os.geteuid() != 0:
        pytest.skip(NOT_ROOT)
    down(OWN)
    try:
        lab_cli("up", "-i", str(INVENTORY), prefix=OWN)
        yield Lab.load(OWN)
    finally:
        down(OWN)


def play(lab: Lab, tmp: Path, device: str, *extra: str) -> subprocess.CompletedProcess:
    argv = [*UNSET, PLAYBOOK, "-i", str(INVENTORY), "--vault-password-file", str(INVENTORY / ".vault-pass"),
            "playbooks/ipv6_upgrade.yml", "--limit", device, "-e", f"govops_known_hosts={lab.known_hosts}",
            "-e", f"govops_journal={tmp / 'journal.jsonl'}", "-e", f"govops_backup_dir={tmp / 'backups'}", *extra]
    return lab.exec_mgmt(argv, cwd=ROOT, env={"ANSIBLE_NOCOLOR": "1"}, timeout=300)


@pytest.mark.parametrize("device", ["core-1", "core-2"])
def test_rollback_tag_backs_a_finished_upgrade_out_from_its_backup(own_lab, tmp_path, device):
    ws = Workstation(own_lab)
    try:
        before = ws.running(INVENTORY)[device]
        up = play(own_lab, tmp_path, device)
        assert up.returncode == 0 and ("'upgraded': 1" in up.stdout or '"upgraded": 1' in up.stdout), up.stdout[-3000:]
        upgraded = ws.running(INVENTORY)[device]
        assert upgraded != before
        journal = [json.loads(ln) for ln in (tmp_path / "journal.jsonl").read_text().splitlines()]
        change = next(e["change"] for e in journal if e["device"] == device and e["step"] == "done"
                      and e["outcome"] == "upgraded")

        dry = play(own_lab, tmp_path, device, "--tags", "rollback", "--check", "--diff", "-e", f"govops_rollback_change={change}")
        assert dry.returncode == 0, dry.stdout[-3000:]
        assert "undo ipv6" in dry.stdout, dry.stdout[-3000:]  # the lines that would be undone
        assert "Upgrade to dual-stack" not in dry.stdout  # --tags rollback: no upgrade task
        assert ws.running(INVENTORY)[device] == upgraded  # check mode sent nothing

        back = play(own_lab, tmp_path, device, "--tags", "rollback", "-e", f"govops_rollback_change={change}")
        assert back.returncode == 0, back.stdout[-3000:]
        assert "'backed_out': 1" in back.stdout or '"backed_out": 1' in back.stdout, back.stdout[-3000:]
        after = ws.running(INVENTORY)[device]
        backup = next(e["backup"] for e in journal if e.get("change") == change and e["step"] == "begin")
        vendor = vendors.get(load_inventory(INVENTORY).devices[device].platform)
        assert cfgtext.normalise_text(after, vendor) == Path(backup).read_text()  # the engine's promise
        # ... which is the config before the upgrade, plus (Comware) the archive location the change set up
        assert [ln for ln in before.splitlines() if ln not in after.splitlines()] == []
        assert {ln.strip() for ln in after.splitlines() if ln not in before.splitlines()} <= {
            "archive configuration location flash:/archive filename-prefix govops", "#"}
        steps = [(e["step"], e["outcome"]) for e in map(json.loads, (tmp_path / "journal.jsonl").read_text().splitlines())
                 if e.get("change") == change]
        assert steps[-4:] == [("rollback", "ok"), ("save", "started"), ("save", "ok"), ("done", "backed_out")], steps

        again = play(own_lab, tmp_path, device, "--tags", "rollback", "-e", "govops_rollback_change=latest")
        assert again.returncode == 0 and "already_backed_out" in again.stdout, again.stdout[-3000:]
    finally:
        ws.close()
