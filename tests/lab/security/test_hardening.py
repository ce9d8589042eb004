"""MLPS level-3 hardening on lab hosts: audit before, harden, harden again, audit after, break one thing.

Ansible logs in as the inventory's named admin (opsadmin, key login) and escalates with sudo;
afterwards root's SSH login is refused. The hardened hosts are cloud-dr-1 and cloud-remote-1:
later suites of the session (tests/lab/lab/test_lab_hosts.py) still reach dept-srv-1 and
cloud-prod-1 as root, the lab's console path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from security.baseline.catalogue import load_controls
from tests.lab.security.conftest import ANSIBLE, PYTHON, ROOT, SecLab, audit, playbook

HOSTS = ("cloud-dr-1", "cloud-remote-1")
ADMIN = "opsadmin"  # inventories/lab/group_vars/servers.yml ansible_user
CONTROL_IDS = [c.id for c in load_controls()]


@dataclass
class Hardening:
    before_rc: int
    before: list[dict]
    before_events: list[dict]
    first_recap: dict
    second_recap: dict
    after_rc: int
    after: list[dict]
    work: Path
    machine_before: dict[str, str]
    machine_after: dict[str, str]
    root_before: list[int]


# What a lab host must never change on the machine itself: global kernel parameters and the real /etc.
MACHINE_SYSCTLS = ("kernel.randomize_va_space", "kernel.dmesg_restrict", "kernel.kptr_restrict", "kernel.sysrq",
                   "fs.suid_dumpable")
MACHINE_FILES = ("/etc/login.defs", "/etc/pam.d/common-auth", "/etc/pam.d/common-account", "/etc/ssh/sshd_config",
                 "/etc/security/faillock.conf", "/etc/security/pwquality.conf", "/etc/audit/auditd.conf",
                 "/etc/logrotate.d/rsyslog")


def machine_state() -> dict[str, str]:
    """Read in the root namespaces (this process): kernel values and the real files' digests."""
    state = {key: Path("/proc/sys", *key.split(".")).read_text().strip() for key in MACHINE_SYSCTLS
             if Path("/proc/sys", *key.split(".")).exists()}
    state |= {path: hashlib.sha256(Path(path).read_bytes()).hexdigest() for path in MACHINE_FILES if Path(path).exists()}
    state["sshd drop-in"] = str(Path("/etc/ssh/sshd_config.d/00-govops-mlps.conf").exists())
    state["sysctl.d file"] = str(Path("/etc/sysctl.d/90-govops-mlps.conf").exists())
    return state


def failed(report: list[dict], host: str) -> set[str]:
    return {r["control"] for h in report if h["host"] == host for r in h["results"] if not r["passed"]}


def events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture(scope="module")
def hardening(seclab: SecLab, tmp_path_factory) -> Hardening:
    work = tmp_path_factory.mktemp("hardening")
    machine_before = machine_state()
    results = work / "journal-compliance.jsonl"
    before_rc, before = audit(seclab, work / "before", results, hosts=",".join(HOSTS))
    before_events = events(results)
    root_before = [root_login(seclab, host).returncode for host in HOSTS]
    _, first = playbook(seclab, "harden.yml", limit=",".join(HOSTS))
    _, second = playbook(seclab, "harden.yml", limit=",".join(HOSTS))
    after_rc, after = audit(seclab, work / "after", results, hosts=",".join(HOSTS))
    return Hardening(before_rc, before, before_events, first, second, after_rc, after, work,
                     machine_before, machine_state(), root_before)


def admin_ssh(seclab: SecLab, host: str, command: str, sudo: bool = True):
    """The named admin's login (the lab's key), the command under `sudo -n` unless sudo=False."""
    return seclab.exec_mgmt("ssh", "-F", str(seclab.ssh_config), "-o", "ControlPath=none", "-l", ADMIN, host,
                            f"sudo -n sh -c {shlex.quote(command)}" if sudo else command, timeout=60)


def root_login(seclab: SecLab, host: str):
    return seclab.exec_mgmt("ssh", "-F", str(seclab.ssh_config), "-o", "ControlPath=none", "-l", "root", host,
                            "id -un", timeout=60)


def test_audit_finds_failures_before_hardening(hardening: Hardening):
    assert hardening.before_rc == 1
    for host in HOSTS:
        # A stock Debian host misses at least lockout, idle timeout, SSH crypto and log retention.
        assert {"L3-CES1-02.faillock", "L3-CES1-02.shell-timeout", "L3-CES1-03.ssh-crypto",
                "L3-CES1-14.log-retention"} <= failed(hardening.before, host)
    # Every failure became one compliance event, with its evidence.
    fails = {(h["host"], r["control"]) for h in hardening.before for r in h["results"] if not r["passed"]}
    assert {(e["host"], e["control"]) for e in hardening.before_events} == fails
    assert all(e["kind"] == "compliance" and e["outcome"] == "failure" and e["evidence"] for e in hardening.before_events)


def test_every_control_passes_after_the_role(hardening: Hardening):
    assert hardening.after_rc == 0, {h: failed(hardening.after, h) for h in HOSTS}
    for host_report in hardening.after:
        assert [r["control"] for r in host_report["results"]] == CONTROL_IDS
        assert host_report["compliance_ratio"] == 1.0
    prom = (hardening.work / "after" / "mlps.prom").read_text()
    assert 'govops_mlps_host_compliance_ratio{host="cloud-remote-1"} 1.0' in prom
    assert 'govops_mlps_control_pass{clause="身份鉴别",control="L3-CES1-02.faillock",host="cloud-dr-1"} 1.0' in prom
    assert "| `L3-CES1-14.log-retention` | 安全审计 | pass |" in (hardening.work / "after" / "report.md").read_text()


def test_the_role_changed_things_then_nothing(hardening: Hardening):
    for host in HOSTS:
        assert hardening.first_recap[host]["changed"] > 0 and hardening.first_recap[host]["failed"] == 0
        assert hardening.second_recap[host]["changed"] == 0, hardening.second_recap


def test_hardening_lab_hosts_leaves_the_machine_alone(hardening: Hardening):
    """Lab mode: kernel.*/fs.* only in the hosts' sysctl.d, files only in their overlays."""
    assert hardening.machine_after == hardening.machine_before
    assert hardening.machine_after["sshd drop-in"] == "False"


def test_root_login_is_refused_and_the_named_admin_gets_in_with_sudo(hardening: Hardening, seclab: SecLab):
    assert hardening.root_before == [0, 0], "root could not log in before hardening: the test proves nothing"
    for host in HOSTS:
        r = root_login(seclab, host)
        assert r.returncode == 255 and "Permission denied" in r.stderr, (r.stdout, r.stderr)
        r = admin_ssh(seclab, host, "id -un", sudo=False)
        assert r.returncode == 0 and r.stdout.strip() == ADMIN, r.stderr
        r = admin_ssh(seclab, host, "id -un")
        assert r.returncode == 0 and r.stdout.strip() == "root", r.stderr


def test_ssh_still_lets_the_workstation_in_with_its_key(hardening: Hardening, seclab: SecLab):
    for host in HOSTS:
        r = admin_ssh(seclab, host, "id -un")
        assert r.returncode == 0 and r.stdout.strip() == "root", r.stderr
        # ...and password login is no longer offered.
        r = seclab.exec_mgmt("ssh", "-F", str(seclab.ssh_config), "-o", "ControlPath=none",
                             "-o", "PreferredAuthentications=password",
                             "-o", "PubkeyAuthentication=no", "-l", ADMIN, host, "true")
        assert r.returncode == 255 and "Permission denied (publickey)" in r.stderr


def test_testinfra_suite_passes_on_a_hardened_host(hardening: Hardening, seclab: SecLab):
    url = f"ssh://{ADMIN}@cloud-remote-1?ssh_config={seclab.ssh_config}&controlpath={seclab.control_dir}/testinfra&sudo=true"
    r = seclab.exec_mgmt(PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "security/baseline/checks",
                         f"--hosts={url}", "--govops-lab", cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:]
    assert f"{len(CONTROL_IDS)} passed" in r.stdout


BREAKS = {
    # control id: (break it, put it back) — as an admin would by hand on the host
    "L3-CES1-01.ageing": ("sed -i 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS\t99999/' /etc/login.defs",
                          "sed -i 's/^PASS_MAX_DAYS.*/PASS_MAX_DAYS\t90/' /etc/login.defs"),
    "L3-CES1-22.network-sysctl": ("sysctl -qw net.ipv4.conf.all.send_redirects=1",
                                  "sysctl -qw net.ipv4.conf.all.send_redirects=0"),
    "L3-CES1-04.ssh-pubkey": ("sed -i 's/^PasswordAuthentication no/PasswordAuthentication yes/' "
                              "/etc/ssh/sshd_config.d/00-govops-mlps.conf",
                              "sed -i 's/^PasswordAuthentication yes/PasswordAuthentication no/' "
                              "/etc/ssh/sshd_config.d/00-govops-mlps.conf"),
}


@pytest.mark.parametrize("control", sorted(BREAKS))
def test_breaking_one_setting_fails_exactly_that_control(control: str, hardening: Hardening, seclab: SecLab,
                                                         tmp_path: Path):
    assert hardening.after_rc == 0
    breaker, fixer = BREAKS[control]
    results = tmp_path / "journal-compliance.jsonl"
    assert admin_ssh(seclab, "cloud-remote-1", breaker).returncode == 0
    try:
        rc, report = audit(seclab, tmp_path / "audit", results, hosts="cloud-remote-1")
    finally:
        assert admin_ssh(seclab, "cloud-remote-1", fixer).returncode == 0
    assert rc == 1
    assert failed(report, "cloud-remote-1") == {control}
    lines = events(results)
    assert [(e["kind"], e["host"], e["control"], e["outcome"]) for e in lines] == \
        [("compliance", "cloud-remote-1", control, "failure")]
    assert lines[0]["evidence"] and lines[0]["time"].endswith("Z")


def test_preflight_refuses_to_harden_when_ansible_logs_in_as_root(seclab: SecLab):
    """Disabling root's login while Ansible itself is root would lock the workstation out: stop first."""
    cmd = [ANSIBLE, *seclab.ansible_args, str(ROOT / "playbooks" / "harden.yml"), "-e", "govops_lab=true",
           "-e", "ansible_user=root", "--limit", "dept-srv-1"]
    r = seclab.exec_mgmt(*cmd, cwd=ROOT, env={**os.environ, "ANSIBLE_NOCOLOR": "1"}, timeout=300)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out[-3000:]
    assert "Ansible logged in as root" in out and "named administrator" in out, out[-3000:]
    drop_in = seclab.exec_mgmt("ssh", "-F", str(seclab.ssh_config), "-o", "ControlPath=none", "dept-srv-1",
                               "test -e /etc/ssh/sshd_config.d/00-govops-mlps.conf && echo present || echo absent")
    assert drop_in.stdout.strip() == "absent"  # stopped before any change
