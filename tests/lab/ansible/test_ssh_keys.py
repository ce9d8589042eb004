"""Devices log in with the SSH key Ansible's host variables name (issue 15, point 2):
``ansible_ssh_private_key_file`` reaches the netmiko session (public-key login, host key still checked
against known_hosts). The twins accept publickey for their user (lab/twins/server.py ``begin_auth``:
the lab workstation's key, as `ssh user ... authentication-type rsa` does on VRP/Comware).

Proof that the key logs in: the password is overridden with a wrong one (-e, highest precedence)
and the run still reaches the device; with a key the device does not know, the same run is refused.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lab.state import ensure_key
from tests.lab.labctl import INVENTORY
from tests.paths import ROOT

pytestmark = pytest.mark.lab
PLAYBOOK = str(Path(sys.executable).parent / "ansible-playbook")
UNSET = ["env", "-u", "GOVOPS_VAULT_PASSWORD_FILE", "-u", "ANSIBLE_VAULT_PASSWORD_FILE", "-u", "GOVOPS_KNOWN_HOSTS"]


def check_run(lab, tmp: Path, key: Path) -> subprocess.CompletedProcess:
    argv = [*UNSET, PLAYBOOK, "-i", str(INVENTORY), "--vault-password-file", str(INVENTORY / ".vault-pass"),
            "playbooks/ipv6_upgrade.yml", "--check", "--limit", "core-1",
            "-e", f"govops_known_hosts={lab.known_hosts}", "-e", f"ansible_ssh_private_key_file={key}",
            "-e", "ansible_password=not-the-password",
            "-e", f"govops_journal={tmp / 'journal.jsonl'}", "-e", f"govops_backup_dir={tmp / 'backups'}"]
    return lab.exec_mgmt(argv, cwd=ROOT, env={"ANSIBLE_NOCOLOR": "1"}, timeout=300)


def test_the_private_key_from_hostvars_logs_in_and_an_unknown_key_is_refused(lab, tmp_path):
    good = check_run(lab, tmp_path / "good", lab.key)
    assert good.returncode == 0, (good.stdout + good.stderr)[-3000:]
    assert "core-1: authentication failed" not in good.stdout
    assert "'failed': 0" in good.stdout or '"failed": 0' in good.stdout, good.stdout[-2000:]

    stranger = tmp_path / "stranger_ed25519"
    ensure_key(stranger, "not-authorised")
    bad = check_run(lab, tmp_path / "bad", stranger)
    assert bad.returncode != 0
    assert "core-1: authentication failed for user" in bad.stdout, bad.stdout[-2000:]
    assert "not-the-password" not in bad.stdout + bad.stderr
