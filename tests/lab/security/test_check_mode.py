"""`--check --diff` on the host playbooks (harden, boundary, noc) against the shared lab: each exits 0,
shows what it would change, and leaves every host file byte-identical (the hosts' overlay upper
dirs: whatever a host writes to /etc, /var, /root or /home lands there) and the nftables ruleset
as it was. Ansible logs in as the inventory's named admin and escalates with sudo, as in production.
"""

from __future__ import annotations

import hashlib
import os
import re

import pytest

from tests.lab.security.conftest import ROOT, SecLab, playbook
from tests.lab.security.minilab import INVENTORY

HOST = "cloud-dr-1"
# Written by every SSH login or by Ansible's own transfer, not by a playbook's tasks (.pyenv: this
# machine's root shell profile, which lab hosts share through their /root overlay's lower dir).
NOT_HOST_STATE = re.compile(r"^var/(log|cache|lib/sudo)/|/\.(ansible|cache|pyenv)(/|$)")


def host_files(seclab: SecLab, host: str) -> dict[str, str]:
    """Digest of every file, link and directory the host changed, read from its overlay upper dirs."""
    base = seclab.run_dir / "hosts" / host
    state = {}
    for top in ("etc", "var", "root", "home"):
        upper = base / top / "upper"
        for path in sorted(upper.rglob("*")):
            rel = f"{top}/{path.relative_to(upper)}"
            if NOT_HOST_STATE.search(rel):
                continue
            st = path.lstat()
            if path.is_symlink():
                what = "link:" + os.readlink(path)
            elif path.is_file():
                what = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                what = "dir"
            state[rel] = f"{oct(st.st_mode)} {st.st_uid}:{st.st_gid} {what}"
    return state


@pytest.fixture(scope="module")
def sot_lab(seclab: SecLab, lab) -> SecLab:
    """The shared lab reached through the source of truth itself (-i inventories/lab, vault), as an
    engineer runs boundary.yml and noc.yml: both render from the inventory Ansible loaded."""
    sec = SecLab(seclab.mgmt_netns, seclab.ssh_config, seclab.control_dir,
                 ["-i", str(INVENTORY), "--vault-password-file", str(INVENTORY / ".vault-pass"),
                  "-e", f"ansible_ssh_common_args='-F {seclab.ssh_config}'"])
    sec.run_dir = lab.run_dir  # type: ignore[attr-defined]
    return sec


@pytest.fixture(scope="module")
def lab_dirs(seclab: SecLab, lab) -> SecLab:
    seclab.run_dir = lab.run_dir  # type: ignore[attr-defined]
    return seclab


def nft_ruleset(lab, host: str) -> str:
    r = lab.run(host, ["nft", "list", "ruleset"])
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_harden_check_diff_changes_nothing_and_tags_select_one_control(lab_dirs: SecLab):
    before = host_files(lab_dirs, HOST)
    out, recap = playbook(lab_dirs, "harden.yml", "--check", "--diff", limit=HOST)
    assert recap[HOST]["failed"] == 0 and recap[HOST]["changed"] > 0, recap
    assert "+++ after: " in out and "PermitRootLogin no" in out  # the drop-in it would write, shown as a diff
    tagged, _ = playbook(lab_dirs, "harden.yml", "--check", "--diff", "--tags", "L3-CES1-04", limit=HOST)
    assert "SSH hardening drop-in" in tagged and "Refuse to disable root's SSH login" in tagged  # + preflight
    assert "Password quality" not in tagged and "Audit rules" not in tagged
    assert host_files(lab_dirs, HOST) == before


def test_boundary_check_diff_on_a_fresh_checkout_changes_nothing(sot_lab: SecLab, lab):
    rendered = ROOT / "run" / "boundary" / "cloud-prod-1.nft"
    rendered.unlink(missing_ok=True)  # a fresh checkout has no rendered policy yet
    before, rules = host_files(sot_lab, "cloud-prod-1"), nft_ruleset(lab, "cloud-prod-1")
    out, recap = playbook(sot_lab, "boundary.yml", "--check", "--diff", "-e", "boundary_hosts=cloud-prod-1",
                          "-e", "boundary_hook=input")
    assert recap["cloud-prod-1"]["failed"] == 0 and recap["cloud-prod-1"]["changed"] > 0, recap
    assert "+++ after: " in out and "table inet govops_boundary" in out
    assert host_files(sot_lab, "cloud-prod-1") == before
    assert nft_ruleset(lab, "cloud-prod-1") == rules


def test_noc_check_diff_changes_nothing(sot_lab: SecLab):
    before = host_files(sot_lab, HOST)
    out, recap = playbook(sot_lab, "noc.yml", "--check", "--diff", "-e", f"noc_hosts={HOST}")
    assert recap[HOST]["failed"] == 0 and recap[HOST]["changed"] > 0, recap
    assert "+++ after: " in out
    assert host_files(sot_lab, HOST) == before
