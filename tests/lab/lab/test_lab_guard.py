"""Lab devices are driven only from a lab's mgmt namespace: elsewhere govops refuses before any
packet leaves (issue 14, item 14).

Outside a lab's mgmt namespace (the machine's root namespace, or any other) a connection to the
lab's addresses would leave through that namespace's default route. The commands are run in a
throwaway namespace ``<prefix>guard-probe`` that stands for such a place: it routes 198.18.0.0/15 and
2001:db8::/32 to a veth whose far end, ``<prefix>guard-sink``, counts every TCP/UDP packet arriving
for them (nftables counters). A positive control proves a real connection attempt is counted;
then `govops net backup`, the IPv6 upgrade playbook (its preflight) and ssh with the lab's
ssh_config must be refused with the message naming `govops lab exec`, and the counter stay at 0.
No lab is needed, and nothing is added to the root namespace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab.labctl import INVENTORY, NOT_ROOT, PREFIX
from tests.paths import ROOT

pytestmark = pytest.mark.lab
BIN = Path(sys.executable).parent
PROBE, SINK = f"{PREFIX}guard-probe", f"{PREFIX}guard-sink"  # not "<prefix>-…": never a lab's own
COUNTERS = """table inet govops_guard_sink {
  counter lab4 { }
  counter lab6 { }
  chain pre {
    type filter hook prerouting priority 0;
    meta l4proto { tcp, udp } ip daddr 198.18.0.0/15 counter name lab4
    meta l4proto { tcp, udp } ip6 daddr 2001:db8::/32 counter name lab6
  }
}
"""


def sh(*argv: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=True, **kw)


@pytest.fixture(scope="module")
def probe() -> Iterator[str]:
    if os.geteuid() != 0:
        pytest.skip(NOT_ROOT)
    for ns in (PROBE, SINK):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        sh("ip", "netns", "add", ns)
    try:
        sh("ip", "-n", PROBE, "link", "add", "p0", "type", "veth", "peer", "name", "s0", "netns", SINK)
        for ns, dev, v4, v6 in ((PROBE, "p0", "198.19.254.0/31", "2001:db8:fffe::/127"),
                                (SINK, "s0", "198.19.254.1/31", "2001:db8:fffe::1/127")):
            sh("ip", "-n", ns, "addr", "add", v4, "dev", dev)
            sh("ip", "-n", ns, "addr", "add", v6, "dev", dev, "nodad")
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        # the probe's "default route" toward the lab's ranges: what root's would be
        sh("ip", "-n", PROBE, "route", "add", "198.18.0.0/15", "via", "198.19.254.1")
        sh("ip", "-n", PROBE, "-6", "route", "add", "2001:db8::/32", "via", "2001:db8:fffe::1")
        sh("ip", "netns", "exec", SINK, "nft", "-f", "-", input=COUNTERS)
        yield PROBE
    finally:
        for ns in (PROBE, SINK):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def arrived() -> int:
    out = sh("ip", "netns", "exec", SINK, "nft", "-j", "list", "counters", "table", "inet", "govops_guard_sink").stdout
    return sum(item["counter"]["packets"] for item in json.loads(out)["nftables"] if "counter" in item)


def known_hosts(tmp_path: Path) -> Path:
    """A known_hosts file, so that nothing but the guard stands between the command and a connect."""
    path = tmp_path / "known_hosts"
    path.write_text("")
    return path


def in_probe(*argv: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", PROBE, *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env={**os.environ, "ANSIBLE_NOCOLOR": "1"})


def test_the_sink_counts_a_real_connection_attempt(probe):
    before = arrived()
    in_probe(sys.executable, "-c", "import socket; s = socket.socket(); s.settimeout(1)\n"
             "try: s.connect(('198.18.0.11', 22))\nexcept OSError: pass")
    assert arrived() > before  # the watcher would see a leak


def test_net_backup_is_refused_and_nothing_leaves(probe, tmp_path):
    before = arrived()
    proc = in_probe(str(BIN / "govops"), "net", "backup", "-i", str(INVENTORY), "--vault-password-file",
                    str(INVENTORY / ".vault-pass"), "--known-hosts", str(known_hosts(tmp_path)),
                    "--dest", str(tmp_path / "backups"))
    out = proc.stdout + proc.stderr
    assert arrived() == before, "a packet for the lab left: a connection was attempted"
    assert proc.returncode != 0, out
    assert "refusing to connect to core-1 (198.18.0.11)" in out and "govops lab exec" in out, out
    assert not list((tmp_path / "backups").rglob("*.cfg"))


def test_upgrade_playbook_is_refused_before_its_preflight_and_nothing_leaves(probe, tmp_path):
    before = arrived()
    proc = in_probe(str(BIN / "ansible-playbook"), "-i", str(INVENTORY), "--vault-password-file",
                    str(INVENTORY / ".vault-pass"), "playbooks/ipv6_upgrade.yml",
                    "-e", f"govops_journal={tmp_path / 'j.jsonl'}", "-e", f"govops_backup_dir={tmp_path / 'b'}",
                    "-e", f"govops_known_hosts={known_hosts(tmp_path)}")
    out = proc.stdout + proc.stderr
    assert arrived() == before, "a packet for the lab left: a connection was attempted"
    assert proc.returncode != 0, out
    assert "refusing to run this playbook against" in out and "govops lab exec" in out, out
    assert "Preflight" not in out  # stopped at the guard, before the first real play
    assert not (tmp_path / "j.jsonl").exists()


def test_harden_playbook_with_limit_is_refused_before_ssh(probe):
    before = arrived()
    proc = in_probe(str(BIN / "ansible-playbook"), "-i", str(INVENTORY), "--vault-password-file",
                    str(INVENTORY / ".vault-pass"), "playbooks/harden.yml", "--limit", "dept-srv-1",
                    "-e", "govops_lab=true")
    out = proc.stdout + proc.stderr
    assert arrived() == before, "a packet for the lab left: a connection was attempted"
    assert proc.returncode != 0 and "govops lab exec" in out, out
    assert "Gathering Facts" not in out and "Harden servers" not in out, out


def test_ssh_with_the_labs_ssh_config_is_refused(probe, tmp_path):
    from lab.lifecycle import _outside_mgmt_guard

    config = tmp_path / "ssh_config"
    config.write_text(_outside_mgmt_guard(PREFIX) + "Host dept-srv-1\n    HostName 198.18.0.101\n"
                      "    ConnectTimeout 3\n    BatchMode yes\n")
    before = arrived()
    proc = in_probe("ssh", "-F", str(config), "dept-srv-1", "true", timeout=30)
    assert arrived() == before, "a packet for the lab left: a connection was attempted"
    assert proc.returncode != 0 and "govops lab exec" in proc.stderr, proc.stderr
