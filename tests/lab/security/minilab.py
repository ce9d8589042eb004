"""A small `gs-` twin for the security tests, used when the shared lab fixture is not available.

Same shape as the shared lab's hosts (lab/README.md): one network namespace per Linux host with
its own mount and UTS namespace (overlay /etc, /var, /root, /home; tmpfs /tmp and /run) running
sshd; a mgmt namespace with a bridge on the management block; and, for the boundary test, a
router namespace joining the extranet segment of dept-srv-1 and the cloud-prod segment of
cloud-prod-1 (the twins' routed path reduced to one hop), dual-stack from the IPv6 plan.
Nothing touches the root namespace; teardown kills the sshds it started (by PID) and deletes
the namespaces and overlay directories.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from govops import ipv6
from govops.sot import load_inventory

ROOT = Path(__file__).resolve().parents[3]
INVENTORY = ROOT / "inventories" / "lab"
HOSTS = ("dept-srv-1", "cloud-prod-1")


def sh(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


@dataclass
class MiniLab:
    prefix: str
    base: Path
    ssh_config: Path
    known_hosts: Path
    inventory: Path = INVENTORY
    hosts: dict[str, dict] = field(default_factory=dict)  # name -> {ns, pid, mgmt, v4, v6}
    pids: list[int] = field(default_factory=list)

    @property
    def control_dir(self) -> Path:
        """SSH ControlPath directory of everything run against this lab (never shared with another run)."""
        return self.base / "cp"

    @property
    def mgmt(self) -> str:
        return f"{self.prefix}-mgmt"

    def ns(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    def exec_mgmt(self, *cmd: str, **kw) -> subprocess.CompletedProcess:
        """A command on the ops workstation (the mgmt namespace)."""
        return subprocess.run(["ip", "netns", "exec", self.mgmt, *cmd], capture_output=True, text=True, **kw)

    def on_host(self, host: str, *cmd: str, **kw) -> subprocess.CompletedProcess:
        """A command inside a host: its network, mount and UTS namespaces (those of its sshd)."""
        pid = str(self.hosts[host]["pid"])
        return subprocess.run(["nsenter", "-t", pid, "-n", "-m", "-u", "--", *cmd], capture_output=True, text=True, **kw)

    def ssh(self, host: str, command: str, **kw) -> subprocess.CompletedProcess:
        return self.exec_mgmt("ssh", "-F", str(self.ssh_config), host, command, **kw)


def teardown(prefix: str, lab: MiniLab | None = None) -> None:
    if lab:
        # SSH multiplexing masters (ours and Ansible's) first: they hold sessions open on the hosts.
        for sock in sorted(lab.control_dir.glob("*")) if lab.control_dir.exists() else []:
            sh("ssh", "-o", f"ControlPath={sock}", "-O", "exit", "lab-host", check=False)
    names = [line.split()[0] for line in sh("ip", "netns", "list", check=False).stdout.splitlines() if line.strip()]
    names = [n for n in names if n.startswith(prefix + "-")]
    # The sshds we started, then whatever still runs inside our namespaces (their login sessions).
    pids = set(lab.pids if lab else [])
    for name in names:
        pids |= {int(p) for p in sh("ip", "netns", "pids", name, check=False).stdout.split()}
    for pid in sorted(pids):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for name in names:
        sh("ip", "netns", "del", name, check=False)
    if lab:
        # Overlay upper dirs were only mounted inside the hosts' mount namespaces, gone with the sshds.
        time.sleep(0.2)
        shutil.rmtree(lab.base, ignore_errors=True)


HOST_SCRIPT = """set -e
for d in etc var root home; do
  mkdir -p {base}/$d/upper {base}/$d/work
  mount -t overlay overlay -o lowerdir=/$d,upperdir={base}/$d/upper,workdir={base}/$d/work /$d
done
hostname {name}
mkdir -p /root/.ssh && chmod 700 /root/.ssh
cp {pubkey} /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys
# The inventory's named admin (ansible_user), as lab/hosts.py makes it: key login, sudo, password '*'.
id -u {admin} >/dev/null 2>&1 || useradd --create-home --shell /bin/bash {admin}
usermod -p '*' {admin}
install -d -m 700 -o {admin} -g {admin} /home/{admin}/.ssh
install -m 600 -o {admin} -g {admin} {pubkey} /home/{admin}/.ssh/authorized_keys
echo '{admin} ALL=(ALL:ALL) NOPASSWD: ALL' > /etc/sudoers.d/govops-admin && chmod 440 /etc/sudoers.d/govops-admin
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/sshd /run/lock
exec /usr/sbin/sshd -D -e -o PidFile=none
"""


def build(prefix: str) -> MiniLab:
    inv = load_inventory(INVENTORY)
    plan = ipv6.require_plan(inv)
    teardown(prefix)
    base = Path(tempfile.mkdtemp(prefix=f"govops-{prefix}-lab-"))
    lab = MiniLab(prefix, base, base / "ssh_config", base / "known_hosts")
    try:
        _build(lab, inv, plan)
    except BaseException:
        teardown(prefix, lab)
        raise
    return lab


def _build(lab: MiniLab, inv, plan) -> None:
    key = lab.base / "id_ed25519"
    lab.control_dir.mkdir()
    sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "govops-lab", "-f", str(key))
    mgmt_net = inv.city.ipv4_blocks.management
    gw = next(mgmt_net.hosts())
    sh("ip", "netns", "add", lab.mgmt)
    sh("ip", "-n", lab.mgmt, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", lab.mgmt, "addr", "add", f"{gw}/{mgmt_net.prefixlen}", "dev", "br0")
    for dev in ("br0", "lo"):
        sh("ip", "-n", lab.mgmt, "link", "set", dev, "up")
    rtr = f"{lab.prefix}-rtr"
    sh("ip", "netns", "add", rtr)
    sh("ip", "-n", rtr, "link", "set", "lo", "up")
    sh("ip", "netns", "exec", rtr, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")
    host_keys = sorted(Path("/etc/ssh").glob("ssh_host_*_key.pub"))
    known: list[str] = []
    cfg = []
    for i, name in enumerate(HOSTS):
        host = inv.hosts[name]
        ns = lab.ns(name)
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "link", "add", "mgmt0", "type", "veth", "peer", "name", f"m{i}", "netns", lab.mgmt)
        sh("ip", "-n", lab.mgmt, "link", "set", f"m{i}", "master", "br0", "up")
        sh("ip", "-n", ns, "addr", "add", f"{host.mgmt_ipv4}/{mgmt_net.prefixlen}", "dev", "mgmt0")
        sh("ip", "-n", ns, "link", "set", "mgmt0", "up")
        # Data plane: the host's uplink segment, with the router as its gateway (v4 and v6).
        v4 = host.uplink.ipv4
        v6 = plan.host_address(host)
        gw6 = plan.segment_gateway(host.uplink.device, host.uplink.interface)
        gw4 = ipaddress.IPv4Interface(f"{next(v4.network.hosts())}/{v4.network.prefixlen}")
        sh("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", f"s{i}", "netns", rtr)
        sh("ip", "-n", ns, "addr", "add", str(v4), "dev", "eth0")
        sh("ip", "-n", ns, "addr", "add", str(v6), "dev", "eth0", "nodad")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        sh("ip", "-n", rtr, "addr", "add", str(gw4), "dev", f"s{i}")
        sh("ip", "-n", rtr, "addr", "add", str(gw6), "dev", f"s{i}", "nodad")
        sh("ip", "-n", rtr, "link", "set", f"s{i}", "up")
        sh("ip", "-n", ns, "route", "add", "default", "via", str(gw4.ip))
        sh("ip", "-n", ns, "-6", "route", "add", "default", "via", str(gw6.ip))
        hdir = lab.base / name
        hdir.mkdir()
        script = HOST_SCRIPT.format(base=hdir, name=name, pubkey=f"{key}.pub", admin=host.username)
        proc = subprocess.Popen(["ip", "netns", "exec", ns, "unshare", "--mount", "--uts", "--propagation", "private",
                                 "sh", "-c", script], stdout=subprocess.DEVNULL, stderr=open(hdir / "sshd.log", "w"))
        lab.pids.append(proc.pid)
        lab.hosts[name] = {"ns": ns, "pid": proc.pid, "mgmt": str(host.mgmt_ipv4), "v4": str(v4.ip), "v6": str(v6.ip)}
        for pub in host_keys:
            known.append(f"{name},{host.mgmt_ipv4} {' '.join(pub.read_text().split()[:2])}")
        cfg.append(f"Host {name}\n  HostName {host.mgmt_ipv4}\n")
    cfg.append(f"Host *\n  User root\n  ControlMaster auto\n  ControlPersist 30\n  ControlPath {lab.control_dir}/%C\n  IdentityFile {key}\n  IdentitiesOnly yes\n  UserKnownHostsFile {lab.known_hosts}\n"
               "  StrictHostKeyChecking yes\n  BatchMode yes\n  ConnectTimeout 10\n")
    lab.known_hosts.write_text("\n".join(known) + "\n")
    lab.ssh_config.write_text("".join(cfg))
    deadline = time.monotonic() + 20
    for name in HOSTS:
        while True:
            r = lab.ssh(name, "hostname")
            if r.returncode == 0 and r.stdout.strip() == name:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"sshd on {name} did not come up: {r.stderr.strip()} "
                                   f"{(lab.base / name / 'sshd.log').read_text()[-2000:]}")
            time.sleep(0.3)
