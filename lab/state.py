"""The lab's run directory and the `Lab` handle other rooms and tests use.

    /run/govops/<prefix>/
        state.json             what `up` created: nodes, namespaces, PIDs, commands to restart
        twins.json             the twins' config (lab/twins/README.md)
        known_hosts            host keys of twins and hosts, by management address (v4 and v6)
        ssh_config             `ssh -F ssh_config <node>` from the mgmt namespace
        ansible-inventory.yml  the hosts, reachable from mgmt
        id_ed25519[.pub]       the ops workstation's key (authorised on hosts and twins)
        keys/                  host keys; hosts/<host>/ overlay dirs; snmp/<dev>/; logs/

Usage::

    from lab.state import Lab
    lab = Lab.load("govlab")
    lab.exec_mgmt(["ssh", "-F", str(lab.ssh_config), "dept-srv-1", "hostname"])
    lab.run("core-1", ["ip", "-br", "addr"])
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

RUN_ROOT = Path(os.environ.get("GOVOPS_LAB_RUN_ROOT", "/run/govops"))


def run_dir(prefix: str) -> Path:
    return RUN_ROOT / prefix


def ensure_key(path: Path, comment: str) -> str:
    """An ed25519 key pair at `path` (+ .pub), created once; returns the public line."""
    pub = path.with_name(path.name + ".pub")
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
        line = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH).decode()
        pub.write_text(f"{line} {comment}\n")
    return pub.read_text().strip()


class LabNotRunning(RuntimeError):
    pass


@dataclass
class Lab:
    """A running lab, loaded from its state file."""

    prefix: str
    run_dir: Path
    state: dict

    @classmethod
    def load(cls, prefix: str = "govlab") -> Lab:
        path = run_dir(prefix) / "state.json"
        if not path.exists():
            raise LabNotRunning(f"no lab with prefix {prefix!r} (no {path}); run `govops lab up`")
        return cls(prefix, path.parent, json.loads(path.read_text()))

    # -- what other rooms need ---------------------------------------------------------------
    @property
    def inventory(self) -> Path:
        return Path(self.state["inventory"])

    @property
    def nodes(self) -> dict[str, dict]:
        """node -> {kind, netns, mgmt_ipv4, mgmt_ipv6, platform, interfaces, ...}."""
        return self.state["nodes"]

    @property
    def devices(self) -> list[str]:
        return [n for n, v in self.nodes.items() if v["kind"] == "device"]

    @property
    def hosts(self) -> list[str]:
        return [n for n, v in self.nodes.items() if v["kind"] == "host"]

    @property
    def mgmt_netns(self) -> str:
        return self.nodes["mgmt"]["netns"]

    def netns(self, node: str) -> str:
        return self._node(node)["netns"]

    def mgmt_ipv4(self, node: str) -> str:
        return self._node(node)["mgmt_ipv4"].split("/")[0]

    def mgmt_ipv6(self, node: str) -> str:
        return self._node(node)["mgmt_ipv6"].split("/")[0]

    def kernel_name(self, node: str, vendor_interface: str) -> str:
        return self._node(node)["interfaces"][vendor_interface]

    @property
    def known_hosts(self) -> Path:
        return self.run_dir / "known_hosts"

    @property
    def ssh_config(self) -> Path:
        return self.run_dir / "ssh_config"

    @property
    def ansible_inventory(self) -> Path:
        return self.run_dir / "ansible-inventory.yml"

    @property
    def key(self) -> Path:
        """The workstation's private key (authorised for root on hosts and for the twins' user)."""
        return self.run_dir / "id_ed25519"

    @property
    def twins_state_dir(self) -> Path:
        """The twins' state_dir (saved configs, control.sock)."""
        return self.run_dir / "twins"

    def pid(self, node: str, service: str) -> int | None:
        """PID of a node's `sshd` (hosts) or `snmpd` (devices); the twins process is node 'twins'."""
        return self.state.get("pids", {}).get(f"{node}/{service}")

    # -- running commands ----------------------------------------------------------------------
    def exec_mgmt(self, argv: list[str], **kw) -> subprocess.CompletedProcess:
        """Run on the ops workstation (the mgmt namespace). Defaults: capture text output."""
        return self.run("mgmt", argv, **kw)

    def run(self, node: str, argv: list[str], **kw) -> subprocess.CompletedProcess:
        """Run `argv` in a node's namespace; for hosts also in its mount and UTS namespaces.

        `env` adds to the current environment (it does not replace it)."""
        if kw.get("env") is not None:
            kw["env"] = {**os.environ, **kw["env"]}
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run(self.command(node, argv), **kw)

    def command(self, node: str, argv: list[str]) -> list[str]:
        """The argv that runs `argv` inside `node` (for Popen or a shell)."""
        info = self._node(node)
        if info["kind"] == "host":
            pid = self.pid(node, "sshd")
            if pid:
                return ["nsenter", "-t", str(pid), "-n", "-m", "-u", "--", *argv]
        return ["ip", "netns", "exec", info["netns"], *argv]

    def _node(self, node: str) -> dict:
        try:
            return self.nodes[node]
        except KeyError:
            raise KeyError(f"no node {node!r} in lab {self.prefix!r} (nodes: {', '.join(self.nodes)})") from None
