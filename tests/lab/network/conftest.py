"""A `gn-` lab of inventories/lab for the network tests: one namespace per device running its
vendor twin (lab.twins), veth links as the topology says, a mgmt namespace with a bridge.

Used until the shared ``lab`` fixture (tests/lab/conftest.py) exists; it builds the same
thing from the same SoT. Everything is removed in the finaliser, also when a test fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from govops.sot import load_inventory
from lab.ifnames import kernel_name
from lab.lifecycle import redacted_twins_config
from network.render import LOOPBACK

PREFIX = os.environ.get("GOVOPS_LAB_PREFIX", "gn") + "-"
ROOT = Path(__file__).resolve().parents[3]
INVENTORY = ROOT / "inventories" / "lab"


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=check, capture_output=True, text=True)


def kname(vendor: str) -> str:
    try:
        return kernel_name(vendor)
    except ValueError:
        return vendor.replace(" ", "")


def teardown() -> None:
    for line in sh("ip", "netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(PREFIX):
            sh("ip", "netns", "del", name, check=False)


def build(tmp: Path) -> dict[str, Any]:
    inv = load_inventory(INVENTORY)
    teardown()
    mgmt = PREFIX + "mgmt"
    sh("ip", "netns", "add", mgmt)
    sh("ip", "-n", mgmt, "link", "add", "br0", "type", "bridge")
    block = inv.city.ipv4_blocks.management
    sh("ip", "-n", mgmt, "addr", "add", f"{next(block.hosts())}/{block.prefixlen}", "dev", "br0")
    for dev in ("br0", "lo"):
        sh("ip", "-n", mgmt, "link", "set", dev, "up")
    devices = []
    linked = {(lk.a.device, lk.a.interface) for lk in inv.links} | {(lk.b.device, lk.b.interface) for lk in inv.links}
    for i, (name, dev) in enumerate(inv.devices.items()):
        n = PREFIX + name
        sh("ip", "netns", "add", n)
        sh("ip", "-n", n, "link", "set", "lo", "up")
        sh("ip", "-n", n, "link", "add", "mgmt0", "type", "veth", "peer", "name", f"m{i}", "netns", mgmt)
        sh("ip", "-n", mgmt, "link", "set", f"m{i}", "master", "br0", "up")
        sh("ip", "-n", n, "addr", "add", f"{dev.mgmt_ipv4}/{block.prefixlen}", "dev", "mgmt0")
        sh("ip", "-n", n, "link", "set", "mgmt0", "up")
        loop = LOOPBACK[dev.platform]
        interfaces = [loop] + [e.interface for _, e, _ in inv.links_of(name)] + [s.interface for s in dev.segments]
        startup: dict[str, Any] = {"interfaces": {loop: {"ipv4": f"{dev.loopback_ipv4}/32"}}}
        for link, here, _ in inv.links_of(name):
            a, b = link.addresses()
            startup["interfaces"][here.interface] = {"ipv4": str(a if here == link.a else b)}
        for seg in dev.segments:
            startup["interfaces"][seg.interface] = {"ipv4": str(seg.ipv4)}
        for vendor in interfaces:
            if (name, vendor) not in linked:
                # Loopbacks and segment ports: a veth whose peer stays inside, so the port is up.
                sh("ip", "-n", n, "link", "add", kname(vendor), "type", "veth", "peer", "name", "p" + kname(vendor)[:14])
                sh("ip", "-n", n, "link", "set", "p" + kname(vendor)[:14], "up")
        devices.append({"name": name, "platform": dev.platform, "netns": n, "listen": [str(dev.mgmt_ipv4)],
                        "port": 22, "username": dev.username, "password": dev.password, "authorized_keys": [],
                        "host_key": str(tmp / "keys" / f"{name}_ed25519"), "model": dev.model,
                        "os_version": dev.os_version, "sysname": name, "mgmt_interface": "mgmt0",
                        "interfaces": {v: kname(v) for v in interfaces}, "startup": startup})
    for link in inv.links:
        sh("ip", "-n", PREFIX + link.a.device, "link", "add", kname(link.a.interface), "type", "veth", "peer",
           "name", kname(link.b.interface), "netns", PREFIX + link.b.device)
    config = {"state_dir": str(tmp / "state"), "ready_file": str(tmp / "ready"), "time_scale": 1.0,
              "devices": devices}
    (tmp / "twins.json").write_text(json.dumps(config, indent=1))
    return config


def _enter_mgmt() -> None:
    from pyroute2 import netns

    netns.setns(PREFIX + "mgmt")


class NetLab:
    def __init__(self, config: dict[str, Any], tmp: Path, process: subprocess.Popen) -> None:
        self.config = config
        self.tmp = tmp
        self.process = process
        self.inventory = INVENTORY
        self.mgmt_namespace = PREFIX + "mgmt"
        self.known_hosts = tmp / "known_hosts"
        lines = []
        for dev in config["devices"]:
            pub = Path(dev["host_key"] + ".pub").read_text().split()
            lines.append(f"{dev['listen'][0]} {pub[0]} {pub[1]}")
        self.known_hosts.write_text("\n".join(lines) + "\n")
        self._pool = ThreadPoolExecutor(max_workers=8, initializer=_enter_mgmt)

    def in_mgmt(self, func: Callable, *args: Any, **kwargs: Any) -> Any:
        return self._pool.submit(func, *args, **kwargs).result(timeout=900)

    def run_in_mgmt(self, *cmd: str, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.mgmt_namespace, *cmd], capture_output=True, text=True,
                              cwd=ROOT, env={**os.environ, **(env or {})}, timeout=timeout)

    def link(self, device: str, interface: str, up: bool) -> None:
        sh("ip", "-n", PREFIX + device, "link", "set", kname(interface), "up" if up else "down")

    def kill_ssh(self, device: str) -> None:
        from lab.twins import control

        control.kill_sessions(self.config["state_dir"], device)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


@pytest.fixture(scope="session")
def netlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetLab]:
    if os.geteuid() != 0:
        pytest.skip("network lab tests need root (network namespaces)")
    tmp = tmp_path_factory.mktemp("netlab")
    process = None
    try:
        config = build(tmp)
        log = (tmp / "twins.log").open("w")
        process = subprocess.Popen([sys.executable, "-m", "lab.twins", "--config", str(tmp / "twins.json")],
                                   cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while not Path(config["ready_file"]).exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"twin server did not start:\n{(tmp / 'twins.log').read_text()}")
            time.sleep(0.1)
        # the twins have read their passwords: keep no secret on disk (test_zz_no_secrets checks)
        (tmp / "twins.json").write_text(json.dumps(redacted_twins_config(config), indent=1))
        lab = NetLab(config, tmp, process)
        yield lab
        lab.close()
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        teardown()
