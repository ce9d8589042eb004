"""Hosts are separate machines: own file systems and hostnames, reachable by ssh from mgmt."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.lab


def ssh(lab, host: str, command: str, known_hosts: Path | None = None):
    argv = ["ssh", "-F", str(lab.ssh_config), "-o", "BatchMode=yes"]
    if known_hosts:
        argv += ["-o", f"UserKnownHostsFile={known_hosts}"]
    return lab.exec_mgmt([*argv, host, command], timeout=30)


def test_ssh_with_generated_config_and_strict_host_keys(lab):
    out = ssh(lab, "dept-srv-1", "hostname; id -u")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["dept-srv-1", "0"]
    # over IPv6 too, with the same known_hosts
    out = lab.exec_mgmt(["ssh", "-F", str(lab.ssh_config), "-o", "BatchMode=yes",
                         "-o", f"HostName={lab.mgmt_ipv6('cloud-prod-1')}", "cloud-prod-1", "hostname"], timeout=30)
    assert out.returncode == 0 and out.stdout.strip() == "cloud-prod-1", out.stderr


def test_unknown_host_key_is_refused(lab, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    out = ssh(lab, "dept-srv-1", "true", known_hosts=empty)
    assert out.returncode != 0
    assert "Host key verification failed" in out.stderr


def test_hosts_have_their_own_file_systems_and_hostnames(lab, tmp_path):
    marker = "/etc/govops-lab-marker"
    assert not Path(marker).exists()
    try:
        assert ssh(lab, "dept-srv-1", f"echo hardened > {marker}; echo x > /tmp/t; echo y > /root/r").returncode == 0
        assert ssh(lab, "dept-srv-1", f"cat {marker}").stdout.strip() == "hardened"
        other = ssh(lab, "cloud-prod-1", f"test -e {marker} || echo absent; test -e /root/r || echo absent")
        assert other.stdout.split() == ["absent", "absent"]
        assert not Path(marker).exists(), "a host's /etc edit reached the real machine"
        assert not Path("/root/r").exists()
        names = {h: lab.run(h, ["hostname"]).stdout.strip() for h in lab.hosts}
        assert names == {h: h for h in lab.hosts}
        assert lab.run("dept-srv-1", ["cat", "/etc/hostname"]).stdout.strip() == "dept-srv-1"
    finally:
        ssh(lab, "dept-srv-1", f"rm -f {marker} /tmp/t /root/r")


def test_ansible_and_testinfra_reach_every_host_from_mgmt(lab):
    import sys

    out = lab.exec_mgmt([str(Path(sys.executable).with_name("ansible")), "-i", str(lab.ansible_inventory), "all",
                         "-m", "ping", "-o"], env={"ANSIBLE_HOST_KEY_CHECKING": "True"}, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert sorted(line.split()[0] for line in out.stdout.splitlines() if "SUCCESS" in line) == sorted(lab.hosts)
    probe = ("import testinfra, sys; h = testinfra.get_host('paramiko://root@dept-srv-1', ssh_config=sys.argv[1]);"
             "print(h.check_output('hostname'), h.file('/etc/hostname').content_string.strip())")
    out = lab.exec_mgmt([sys.executable, "-c", probe, str(lab.ssh_config)], timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["dept-srv-1", "dept-srv-1"]
