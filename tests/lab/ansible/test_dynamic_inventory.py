"""A dynamic inventory drives the playbooks (issue 15, point 2): ``-i <script>`` (Ansible's script
inventory protocol, tests/lab/ansible/cmdb_inventory.py standing in for a CMDB export) in a directory
beside the lab's group_vars/ and IPv6 plan. ``--check --diff --limit core-1`` works on the shared lab
and govops' SoT is the one of that directory (the ``inventory_dir`` Ansible gives the script's hosts),
checked against the `extranet` hosts Ansible loaded: when they differ, nothing is touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.lab.labctl import INVENTORY
from tests.paths import ROOT

pytestmark = pytest.mark.lab
PLAYBOOK = str(Path(sys.executable).parent / "ansible-playbook")
SCRIPT = Path(__file__).with_name("cmdb_inventory.py")
UNSET = ["env", "-u", "GOVOPS_VAULT_PASSWORD_FILE", "-u", "ANSIBLE_VAULT_PASSWORD_FILE", "-u", "GOVOPS_KNOWN_HOSTS"]


def script_dir(dest: Path, *extra: str) -> Path:
    """group_vars/, the IPv6 plan (and `extra` files of the lab inventory) with the script as inventory.py."""
    dest.mkdir(parents=True)
    shutil.copytree(INVENTORY / "group_vars", dest / "group_vars")
    for name in ("ipv6-plan.yml", *extra):
        shutil.copy(INVENTORY / name, dest / name)
    script = dest / "inventory.py"
    # this interpreter (PyYAML), whatever python3 the mgmt namespace's PATH finds
    script.write_text(f"#!{sys.executable}\n" + SCRIPT.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    script.chmod(0o755)
    return script


def run(lab, tmp: Path, script: Path, hosts: Path) -> subprocess.CompletedProcess:
    argv = [*UNSET, f"GOVOPS_CMDB_HOSTS={hosts}", PLAYBOOK, "-i", str(script),
            "--vault-password-file", str(INVENTORY / ".vault-pass"), "playbooks/ipv6_upgrade.yml",
            "--check", "--diff", "--limit", "core-1", "-v", "-e", f"govops_known_hosts={lab.known_hosts}",
            "-e", f"govops_journal={tmp / 'journal.jsonl'}", "-e", f"govops_backup_dir={tmp / 'backups'}"]
    return lab.exec_mgmt(argv, cwd=ROOT, env={"ANSIBLE_NOCOLOR": "1"}, timeout=300)


def test_a_dynamic_inventory_script_drives_the_upgrade_playbook(lab, tmp_path):
    script = script_dir(tmp_path / "cmdb")
    proc = run(lab, tmp_path / "run", script, INVENTORY / "hosts.yml")
    out = proc.stdout
    assert proc.returncode == 0, (out + proc.stderr)[-3000:]
    assert f'"inventory": "{script.parent}"' in out, out[-3000:]  # the SoT of the script's directory
    assert "ok: [core-1 -> localhost]" in out and "PLAY [Summary]" in out  # preflight and summary kept
    assert "ipv6 address" in out or "ipv6 route-static" in out or '"already_dual_stack"' in out, out[-3000:]
    assert not (tmp_path / "run" / "backups").exists()  # --check: no backup taken, nothing changed


def test_a_sot_that_differs_from_what_ansible_loaded_touches_nothing(lab, tmp_path):
    """The script's directory also holds hosts.yml (a source Ansible was not given) while the CMDB
    export has no access devices: the SoT loader would see them, Ansible does not."""
    data = yaml.safe_load((INVENTORY / "hosts.yml").read_text(encoding="utf-8"))
    del data["all"]["children"]["extranet"]["children"]["access"]
    export = tmp_path / "export.yml"
    export.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = run(lab, tmp_path / "run", script_dir(tmp_path / "cmdb", "hosts.yml"), export)
    assert proc.returncode != 0
    assert "does not describe the devices Ansible loaded" in proc.stdout, proc.stdout[-3000:]
    assert "only in the SoT: fy-fyz-acc-1, fy-yq-acc-1, ys-lf-acc-1" in proc.stdout
    assert "Upgrade to dual-stack" not in proc.stdout  # stopped at the preflight
    assert not (tmp_path / "run").exists()
