"""Linux hosts: a namespace running `sshd` in its own mount and UTS namespaces.

Each host sees private, writable overlays of /etc, /var, /root and /home (upper and work
dirs under the run directory) and a tmpfs /tmp, and has its own hostname, so Ansible and
testinfra treat hosts as separate machines and hardening edits never reach the real /etc.
The sshd is the namespaces' anchor: `nsenter -t <sshd pid> -n -m -u` enters the host.

Each host also has the inventory's named administrator (its `ansible_user`, e.g. `opsadmin`):
key login with the workstation's key and passwordless sudo, the way Ansible manages a real
server (become) once the MLPS baseline has disabled root's SSH login.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from lab.topology import Node

OVERLAID = ("etc", "var", "root", "home")
CHECKOUT = Path(__file__).resolve().parents[1]

# Runs inside the fresh mount/UTS namespaces; $1 host name, $2 host dir, $3 sshd_config, $4 the
# govops checkout: held aside while the tmpfs covers /tmp, then moved back to its own path; $5 the
# named administrator ('' or root: none). Its password is '*', not useradd's '!': with UsePAM no,
# sshd refuses a '!'-locked account even for key login (OpenSSH auth.c, LOCKED_PASSWD_PREFIX).
_ENTER = r"""
set -e
hostname "$1"
for d in etc var root home; do
  mount -t overlay "govops-$d" -o "lowerdir=/$d,upperdir=$2/$d/upper,workdir=$2/$d/work" "/$d"
done
case "$4" in /tmp/*) mkdir -p "$2/checkout" && mount --bind "$4" "$2/checkout" ;; esac
mount -t tmpfs -o mode=1777 govops-tmp /tmp
case "$4" in /tmp/*) mkdir -p "$4" && mount --move "$2/checkout" "$4" ;; esac
echo "$1" > /etc/hostname
printf '127.0.1.1\t%s\n' "$1" >> /etc/hosts
if [ -n "$5" ] && [ "$5" != root ]; then
  id -u "$5" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --comment "named administrator" "$5"
  usermod -p '*' "$5"
  printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$5" > /etc/sudoers.d/govops-admin
  chmod 0440 /etc/sudoers.d/govops-admin
fi
exec /usr/sbin/sshd -D -e -f "$3"
"""


def sshd_config(host_dir: Path, host_key: Path, authorized_keys: Path) -> str:
    return "\n".join([
        "# written by govops lab",
        "Port 22",
        f"HostKey {host_key}",
        "PidFile none",
        f"AuthorizedKeysFile {authorized_keys}",
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "UseDNS no",
        "Subsystem sftp internal-sftp",
        "AcceptEnv LANG LC_*",
    ]) + "\n"


def prepare(node: Node, run_dir: Path, authorized_keys: Path) -> Path:
    """Directories and sshd_config for one host; returns the host dir."""
    host_dir = run_dir / "hosts" / node.name
    for d in OVERLAID:
        (host_dir / d / "upper").mkdir(parents=True, exist_ok=True)
        (host_dir / d / "work").mkdir(parents=True, exist_ok=True)
    key = run_dir / "keys" / f"{node.name}_host_ed25519"
    (host_dir / "sshd_config").write_text(sshd_config(host_dir, key, authorized_keys))
    return host_dir


def start(node: Node, host_dir: Path, log: Path, admin: str = "") -> int:
    """Start the host's sshd in its namespaces, with `admin` as its sudo administrator (none when
    '' or root); returns the sshd PID (nsenter, unshare and sh exec)."""
    # sshd refuses to start without its privilege-separation directory (Debian creates it at boot).
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    argv = ["nsenter", f"--net=/run/netns/{node.netns}", "--",
            "unshare", "--mount", "--uts", "--propagation", "private", "--",
            "sh", "-c", _ENTER, "govops-host", node.name, str(host_dir), str(host_dir / "sshd_config"), str(CHECKOUT), admin]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=open(log, "ab"), start_new_session=True)
    return proc.pid
