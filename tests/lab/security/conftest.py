"""Security lab tests.

Hardening runs on the shared lab (the session fixture ``lab``, tests/lab/conftest.py). The
boundary test needs IPv6 between dept-srv-1 and cloud-prod-1, which the shared lab's data plane
has only after the IPv6 upgrade; until then it builds a small dual-stack twin of its own
(minilab.py, prefix ``<GOVOPS_LAB_PREFIX>b``). Both are removed in finalisers, also on failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.lab.security.minilab import INVENTORY, ROOT, MiniLab, build, teardown

PREFIX = os.environ.get("GOVOPS_LAB_PREFIX", "gt")
PYTHON = sys.executable
ANSIBLE = str(Path(sys.executable).with_name("ansible-playbook"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/lab/security" in str(item.fspath):
            item.add_marker(pytest.mark.lab)
    # The secrets scan looks at what every other suite wrote: it goes last in the whole session.
    last = [i for i in items if Path(str(i.fspath)).name == "test_zz_no_secrets.py"]
    items[:] = [i for i in items if i not in last] + last


@dataclass
class SecLab:
    """What these tests need of a lab: the ops workstation, ssh_config, how Ansible reaches hosts."""

    mgmt_netns: str
    ssh_config: Path
    control_dir: Path  # SSH multiplexing sockets of this session's Ansible and audits
    ansible_args: list[str]
    inventory: Path = INVENTORY  # the source of truth `govops sec audit -i` reads

    def exec_mgmt(self, *cmd: str, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.mgmt_netns, *cmd], capture_output=True, text=True, **kw)

    def ssh(self, host: str, command: str, **kw) -> subprocess.CompletedProcess:
        return self.exec_mgmt("ssh", "-F", str(self.ssh_config), "-o", f"ControlPath={self.control_dir}/%C",
                              "-o", "ControlMaster=auto", "-o", "ControlPersist=30", host, command, **kw)

    def close_masters(self) -> None:
        for sock in sorted(self.control_dir.glob("*")):
            self.exec_mgmt("ssh", "-o", f"ControlPath={sock}", "-O", "exit", "lab-host")


@pytest.fixture(scope="session")
def seclab(lab, tmp_path_factory) -> Iterator[SecLab]:
    """The shared lab, as the hardening tests use it (its own ansible inventory, no vault needed)."""
    control = Path(tmp_path_factory.mktemp("ssh-cp", numbered=True))
    sec = SecLab(lab.mgmt_netns, lab.ssh_config, control, ["-i", str(lab.ansible_inventory)])
    try:
        yield sec
    finally:
        sec.close_masters()


@pytest.fixture(scope="session")
def minilab() -> Iterator[MiniLab]:
    if os.geteuid() != 0:
        pytest.skip("needs root: builds network namespaces and runs sshd in them")
    prefix = PREFIX + "b"
    mini = build(prefix)
    try:
        yield mini
    finally:
        teardown(prefix, mini)


def mini_seclab(mini: MiniLab) -> SecLab:
    return SecLab(mini.mgmt, mini.ssh_config, mini.control_dir,
                  ["-i", str(mini.inventory), "--vault-password-file", str(mini.inventory / ".vault-pass"),
                   "-e", f"ansible_ssh_common_args='-F {mini.ssh_config}'"])


def playbook(lab: SecLab, name: str, *extra: str, limit: str | None = None) -> tuple[str, dict[str, dict[str, int]]]:
    """Run a playbook from the mgmt namespace in lab mode; return its output and the PLAY RECAP per host."""
    cmd = [ANSIBLE, *lab.ansible_args, str(ROOT / "playbooks" / name), "-e", "govops_lab=true", *extra]
    if limit:
        cmd += ["--limit", limit]
    env = {**os.environ, "ANSIBLE_PIPELINING": "1", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0",
           "ANSIBLE_SSH_CONTROL_PATH_DIR": str(lab.control_dir)}
    result = lab.exec_mgmt(*cmd, cwd=ROOT, env=env, timeout=900)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    recap = {m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
             for m in re.finditer(r"^(\S+)\s+:\s+(ok=.*)$", out, re.M)}
    return out, recap


def audit(lab: SecLab, out: Path, results: Path, hosts: str = "dept-srv-1,cloud-prod-1") -> tuple[int, list[dict]]:
    """`govops sec audit --lab` from the mgmt namespace; (exit code, report.json)."""
    result = lab.exec_mgmt(PYTHON, "-m", "security.cli", "sec", "audit", "-i", str(lab.inventory), "--lab",
                           "--ssh-config", str(lab.ssh_config), "--hosts", hosts, "--out", str(out),
                           "--results", str(results), "--json", cwd=ROOT, timeout=900)
    assert result.returncode in (0, 1), result.stdout[-2000:] + result.stderr[-2000:]
    return result.returncode, json.loads(result.stdout)
