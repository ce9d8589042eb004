"""The playbooks keep Ansible's contract (issue 15): they act on the inventory given with -i, with
Ansible's vault, and --check --diff, --limit and tags mean what an Ansible user expects.

A second lab (prefix ``$GOVOPS_LAB_PREFIX_SECOND``, default ``<prefix>b``) is brought up from a copy
of inventories/lab whose devices have other names (``b-core-1``…) and other management addresses
(198.18.2.0/24), with no ``.vault-pass`` of its own. The playbooks run from that lab's mgmt
namespace with ``-i <copy> --vault-password-file F`` only (no GOVOPS_/ANSIBLE_ vault variable).
The shared lab (fixture ``lab``) is the "original": its running configs, read over SSH from its
mgmt namespace, must be byte-identical before and after everything the copy's runs do. To keep
CI short the real upgrade is limited to one device (``--limit b-core-1``), which also shows the
preflight and summary survive the limit and that only that device changes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from govops import ipv6, vendors
from govops.sot import load_inventory
from govops.sot.yamlfiles import is_vaulted
from lab.lifecycle import down
from lab.state import Lab
from network import config as cfgtext
from network import platforms, render, session
from tests.lab.labctl import INVENTORY, PREFIX, lab_cli
from tests.paths import ROOT

pytestmark = pytest.mark.lab
SECOND = os.environ.get("GOVOPS_LAB_PREFIX_SECOND", f"{PREFIX}b")
PLAYBOOK = str(Path(sys.executable).parent / "ansible-playbook")
PASSWORD = INVENTORY / ".vault-pass"  # the lab's password; the copy carries no password file
CORE = "b-core-1"
# Only what the user passes: no vault variable may help the playbooks find the password.
UNSET = ["env", "-u", "GOVOPS_VAULT_PASSWORD_FILE", "-u", "ANSIBLE_VAULT_PASSWORD_FILE", "-u", "GOVOPS_KNOWN_HOSTS"]


def copy_lab_inventory(dest: Path) -> dict[str, str]:
    """inventories/lab with devices renamed b-<name> and management addresses in 198.18.2.0/24."""
    names = {n: f"b-{n}" for n in load_inventory(INVENTORY).devices}
    shutil.copytree(INVENTORY, dest)
    (dest / ".vault-pass").unlink()
    # a name stands alone: not inside another word; "--" joins the two ends of a link in the plan
    word = re.compile(r"(?<![\w.])(?<!\w-)(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w-])")
    for path in dest.rglob("*.yml"):
        if is_vaulted(path):
            continue
        text = word.sub(lambda m: names[m[1]], path.read_text(encoding="utf-8"))
        text = text.replace("ansible_host: 198.18.0.", "ansible_host: 198.18.2.")
        text = text.replace("management: 198.18.0.0/24", "management: 198.18.2.0/24")
        path.write_text(text, encoding="utf-8")
    return names


class Workstation:
    """Python calls in threads that live in one lab's mgmt namespace (SSH to its twins)."""

    def __init__(self, lab: Lab) -> None:
        from pyroute2 import netns

        self.lab = lab
        self.pool = ThreadPoolExecutor(max_workers=8, initializer=netns.setns, initargs=(lab.mgmt_netns,))

    def running(self, inventory: Path) -> dict[str, str]:
        """Every device's running config, as its twin prints it."""
        inv = load_inventory(inventory, vault_password=PASSWORD.read_text().strip())
        opts = session.SessionOptions(known_hosts=self.lab.known_hosts)

        def one(name: str) -> str:
            conn = session.open_session(inv.devices[name], opts)
            try:
                return platforms.driver_for(inv.devices[name].platform, conn).running()
            finally:
                conn.disconnect()

        futures = {n: self.pool.submit(one, n) for n in inv.devices}
        return {n: f.result(timeout=120) for n, f in futures.items()}

    def playbook(self, inventory: Path, name: str, *extra: str, password: Path = PASSWORD) -> subprocess.CompletedProcess:
        argv = [*UNSET, PLAYBOOK, "-i", str(inventory), "--vault-password-file", str(password), f"playbooks/{name}",
                "-e", f"govops_known_hosts={self.lab.known_hosts}", "-e", f"known_hosts={self.lab.known_hosts}", *extra]
        return self.lab.exec_mgmt(argv, cwd=ROOT, env={"ANSIBLE_NOCOLOR": "1"}, timeout=600)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


@pytest.fixture(scope="module")
def second(lab, tmp_path_factory) -> Iterator[tuple[Lab, Path]]:
    inventory = tmp_path_factory.mktemp("second-lab") / "lab-b"
    copy_lab_inventory(inventory)
    down(SECOND)
    try:
        lab_cli("up", "-i", str(inventory), "--vault-password-file", str(PASSWORD), prefix=SECOND)
        yield Lab.load(SECOND), inventory
    finally:
        down(SECOND)


@pytest.fixture(scope="module")
def runs(lab, second, tmp_path_factory) -> dict:
    """Every playbook run of this module, in the order an engineer would make them; the tests
    below only read what happened."""
    lab_b, inv_b = second
    tmp = tmp_path_factory.mktemp("runs")
    wrong = tmp / "wrong-pass"
    wrong.write_text("not-the-password\n")
    original, other = Workstation(lab), Workstation(lab_b)
    state = {"inv_b": inv_b}

    def files(tag: str) -> list[str]:
        return ["-e", f"govops_journal={tmp / tag / 'journal.jsonl'}", "-e", f"govops_backup_dir={tmp / tag / 'backups'}",
                "-e", f"journal={tmp / tag / 'pn.jsonl'}", "-e", f"backup_dir={tmp / tag / 'pn-backups'}"]

    try:
        state["original_before"] = original.running(INVENTORY)
        state["b_before"] = other.running(inv_b)
        state["wrong"] = other.playbook(inv_b, "ipv6_upgrade.yml", *files("wrong"), password=wrong)
        state["b_after_wrong"] = other.running(inv_b)
        state["check"] = {pb: other.playbook(inv_b, pb, "--check", "--diff", "-e", "department=bdc", *files(f"check-{pb}"))
                          for pb in ("ipv6_upgrade.yml", "migrate_private_network.yml")}
        # the host migrations have no dry run: in check mode they must skip, exit 0 and change nothing
        state["check_hosts"] = {pb: other.playbook(inv_b, pb, "--check", "--diff", "-e", f"lab_prefix={SECOND}",
                                                   "-e", f"journal={tmp / 'hosts' / pb}.jsonl")
                                for pb in ("migrate_system.yml", "dr_drill.yml")}
        state["pn_limit"] = other.playbook(inv_b, "migrate_private_network.yml", "--check", "--diff", "-v",
                                           "--limit", CORE, "-e", "department=bdc", *files("pn-limit"))
        # credentials are Ansible's variables: an -e password (highest precedence) is the one used
        state["bad_login"] = other.playbook(inv_b, "ipv6_upgrade.yml", "--check", "--limit", "b-core-2",
                                            "-e", "ansible_password=not-the-password", *files("bad-login"))
        state["b_after_check"] = other.running(inv_b)
        state["original_check"] = original.playbook(INVENTORY, "ipv6_upgrade.yml", "--check", "--diff",
                                                    "--limit", "core-1", *files("original-check"))
        state["upgrade"] = other.playbook(inv_b, "ipv6_upgrade.yml", "--limit", CORE, "-v", *files("upgrade"))
        state["b_after"] = other.running(inv_b)
        state["original_after"] = original.running(INVENTORY)
        state["tmp"] = tmp
    finally:
        original.close()
        other.close()
    return state


def _out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout + proc.stderr


def _changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {n for n in before if before[n] != after[n]}


def test_upgrade_on_a_copy_acts_on_that_inventory_only(runs):
    proc = runs["upgrade"]
    assert proc.returncode == 0, _out(proc)[-4000:]
    assert f"ok: [{CORE}]" in proc.stdout or f"changed: [{CORE}]" in proc.stdout
    assert re.search(r"^core-1\s*:", proc.stdout, re.M) is None  # no host of the original in the recap
    assert runs["original_after"] == runs["original_before"]  # byte-identical, read back over SSH


def test_limit_keeps_preflight_and_summary_and_changes_only_that_device(runs):
    out = runs["upgrade"].stdout
    assert "Validate every extranet device can be rendered" in out and f"ok: [{CORE} -> localhost]" in out
    assert "'upgraded': 1" in out or '"upgraded": 1' in out, out[-3000:]
    assert _changed(runs["b_before"], runs["b_after"]) == {CORE}
    inv = load_inventory(runs["inv_b"], vault_password=PASSWORD.read_text().strip())
    intent = render.build_intent(inv, ipv6.require_plan(inv), CORE)
    assert cfgtext.missing_lines(intent.blocks, cfgtext.parse(runs["b_after"][CORE], vendors.get(intent.platform))) == []
    assert cfgtext.missing_lines(intent.blocks, cfgtext.parse(runs["b_before"][CORE], vendors.get(intent.platform)))


def test_vault_password_file_alone_works_and_a_wrong_one_stops_before_any_device(runs):
    assert runs["upgrade"].returncode == 0  # --vault-password-file only; the copy has no .vault-pass
    wrong = runs["wrong"]
    assert wrong.returncode != 0
    assert "Decryption failed" in _out(wrong), _out(wrong)[-2000:]
    # ... and the message names the file and the cause (the callback xinyu.govops.sot_preload, before any task)
    assert re.search(r"vault\.yml: \(vault\): the vault password .*does not decrypt", _out(wrong)), _out(wrong)[-2000:]
    assert "Validate every extranet device" not in wrong.stdout  # stopped before the preflight
    assert runs["b_after_wrong"] == runs["b_before"]
    assert not (runs["tmp"] / "wrong").exists()  # no journal, no backup: no device step began


@pytest.mark.parametrize("playbook", ["ipv6_upgrade.yml", "migrate_private_network.yml"])
def test_check_diff_shows_the_lines_and_changes_nothing(runs, playbook):
    proc = runs["check"][playbook]
    assert proc.returncode == 0, _out(proc)[-4000:]
    assert "ipv6 address" in proc.stdout or "ip vpn-instance" in proc.stdout or "vrf" in proc.stdout, proc.stdout[-3000:]
    assert re.search(r"^b-core-1\s*:.*changed=[1-9]", proc.stdout, re.M), proc.stdout[-2000:]
    assert runs["b_after_check"] == runs["b_before"]


def test_private_network_limit_decides_which_devices(runs):
    proc = runs["pn_limit"]
    assert proc.returncode == 0, _out(proc)[-3000:]
    assert '"skipped_by_limit": ["b-fy-agg-1"]' in proc.stdout, proc.stdout[-3000:]
    assert f'"devices": {{"{CORE}": {{"detail"' in proc.stdout, proc.stdout[-3000:]  # only the core acted on


def test_device_credentials_come_from_ansible_variables(runs):
    proc = runs["bad_login"]
    assert proc.returncode != 0
    assert "b-core-2: authentication failed for user netops" in proc.stdout, proc.stdout[-2000:]
    assert "not-the-password" not in _out(proc)  # and the password is not echoed


@pytest.mark.parametrize("playbook", ["migrate_system.yml", "dr_drill.yml"])
def test_check_on_host_migrations_skips_and_changes_nothing(runs, playbook):
    proc = runs["check_hosts"][playbook]
    assert proc.returncode == 0, _out(proc)[-3000:]
    assert re.search(r"^localhost\s+:.*\bchanged=0\b.*\bfailed=0\b", proc.stdout, re.M), proc.stdout[-2000:]
    assert "skipping: [localhost]" in proc.stdout
    assert not (runs["tmp"] / "hosts").exists()  # no journal: no step began


def test_check_diff_with_limit_on_the_original_lab_keeps_preflight(runs):
    proc = runs["original_check"]
    assert proc.returncode == 0, _out(proc)[-4000:]
    assert "ok: [core-1 -> localhost]" in proc.stdout  # preflight and summary ran under --limit core-1
    assert "PLAY [Summary]" in proc.stdout
    assert runs["original_after"] == runs["original_before"]


def test_tags_select_stages(lab, second):
    """--tags preflight runs the guard and the preflight only: no device task, nothing journalled."""
    lab_b, inv_b = second
    ws = Workstation(lab_b)
    try:
        proc = ws.playbook(inv_b, "ipv6_upgrade.yml", "--tags", "preflight", "--list-tasks")
    finally:
        ws.close()
    assert proc.returncode == 0, _out(proc)[-2000:]
    assert "Validate every extranet device can be rendered" in proc.stdout
    assert "Upgrade to dual-stack" not in proc.stdout and "Verify" not in proc.stdout


def test_the_sot_is_loaded_once_per_run_not_per_task(runs):
    """The callback xinyu.govops.sot_preload (ansible.cfg) loads the SoT in ansible-playbook's main
    process when a play starts; every task's worker (preflight, upgrade, verify) inherits it."""
    out = runs["upgrade"].stdout
    cached = re.findall(r'"sot_cached": (true|false)', out)
    assert len(cached) >= 3 and set(cached) == {"true"}, cached
