"""The small lab the twin tests share (conftest.py holds the session fixture): one namespace per twin, a mgmt namespace with a bridge, veth links.

Topology (all names prefixed ``gtw-``, addresses from 198.18.0.0/15 and 2001:db8::/32)::

    gtw-mgmt (br0 198.18.0.1/24) --- mgmt0 of every twin (198.18.0.1x)
             (br0 2001:db8:ff::1/64 and 2001:db8:fe::1/64 --- mgmt0 2001:db8:ff::1x/64: SSH over IPv6)
    v5 GigabitEthernet0/0/1 ------ v8 GigabitEthernet0/1/0      (198.18.10.0/30, CLI adds 2001:db8:10::/64)
    v8 GigabitEthernet0/1/1 ------ gtw-h1 eth0                  (198.18.20.0/30, 2001:db8:20::/64)
    cw GigabitEthernet1/0/1 ------ rj GigabitEthernet 0/1       (198.18.30.0/30)
    zte gei-0/1/0/1 -------------- (peer end left in zte's namespace)

The kernel here has no ``dummy`` module, so LoopBack0 is one end of a veth pair kept inside
the namespace. Everything is removed in the finaliser, also when a test fails.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lab.ifnames import kernel_name

PREFIX = "gtw-"
ROOT = Path(__file__).resolve().parents[3]

DEVICES: dict[str, dict[str, Any]] = {
    "v5": {"platform": "huawei", "mgmt": "198.18.0.11", "model": "S5720-28X-SI-AC", "os_version": "V200R011C10SPC500",
           "interfaces": ["GigabitEthernet0/0/1", "GigabitEthernet0/0/2", "LoopBack0"],
           "startup": {"interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.10.1/30", "description": "to v8"},
                                      "LoopBack0": {"ipv4": "198.18.255.5/32"}}}},
    "v8": {"platform": "huawei_vrpv8", "mgmt": "198.18.0.12", "model": "CE6850-48S6Q-HI",
           "os_version": "V200R005C10SPC800",
           "interfaces": ["GigabitEthernet0/1/0", "GigabitEthernet0/1/1", "LoopBack0"],
           "startup": {"interfaces": {"GigabitEthernet0/1/0": {"ipv4": "198.18.10.2/30"},
                                      "GigabitEthernet0/1/1": {"ipv4": "198.18.20.1/30", "ipv6": "2001:db8:20::1/64"},
                                      "LoopBack0": {"ipv4": "198.18.255.8/32"}}}},
    "cw": {"platform": "hp_comware", "mgmt": "198.18.0.13", "model": "S6520X-30QC-EI",
           "interfaces": ["GigabitEthernet1/0/1", "LoopBack0"],
           "startup": {"interfaces": {"GigabitEthernet1/0/1": {"ipv4": "198.18.30.1/30", "description": "to rj"}},
                       "static_routes_v4": [{"prefix": "0.0.0.0/0", "nexthop": "198.18.30.2"}]}},
    "rj": {"platform": "ruijie_os", "mgmt": "198.18.0.14",
           "interfaces": ["GigabitEthernet 0/1", "Loopback 0"],
           "startup": {"interfaces": {"GigabitEthernet 0/1": {"ipv4": "198.18.30.2/30"}}}},
    "zte": {"platform": "zte_zxros", "mgmt": "198.18.0.15",
            "interfaces": ["gei-0/1/0/1", "loopback1"],
            "startup": {"interfaces": {"gei-0/1/0/1": {"ipv4": "198.18.40.1/30"}}}},
}
LINKS = [("v5", "GigabitEthernet0/0/1", "v8", "GigabitEthernet0/1/0"),
         ("cw", "GigabitEthernet1/0/1", "rj", "GigabitEthernet 0/1")]
USERNAME, PASSWORD = "netops", "Lab-Twin-2026"


def ns(name: str) -> str:
    return PREFIX + name


def mgmt6(name: str) -> str:
    """The twin's IPv6 management address (its SSH server listens there too)."""
    return "2001:db8:ff::" + DEVICES[name]["mgmt"].rsplit(".", 1)[1]


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=check, capture_output=True, text=True)


def nsexec(name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return sh("ip", "netns", "exec", ns(name), *args, check=check)


def kname(vendor: str) -> str:
    # loopback1 (ZTE) has no table entry in lab.ifnames; it is still short enough as is.
    try:
        return kernel_name(vendor)
    except ValueError:
        return vendor


def teardown_lab() -> None:
    for line in sh("ip", "netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(PREFIX):
            sh("ip", "netns", "del", name, check=False)


def build_lab(tmp: Path) -> dict[str, Any]:
    teardown_lab()
    sh("ip", "netns", "add", ns("mgmt"))
    sh("ip", "-n", ns("mgmt"), "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", ns("mgmt"), "addr", "add", "198.18.0.1/24", "dev", "br0")
    for addr in ("2001:db8:ff::1/64", "2001:db8:fe::1/64"):  # the second one is outside the mgmt prefix
        sh("ip", "-n", ns("mgmt"), "addr", "add", addr, "dev", "br0", "nodad")
    sh("ip", "-n", ns("mgmt"), "link", "set", "br0", "up")
    sh("ip", "-n", ns("mgmt"), "link", "set", "lo", "up")
    import asyncssh

    client_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key.write_private_key(str(tmp / "client_ed25519"))
    (tmp / "client_ed25519").chmod(0o600)
    public = client_key.export_public_key().decode().strip()
    devices = []
    for i, (name, spec) in enumerate(DEVICES.items()):
        sh("ip", "netns", "add", ns(name))
        sh("ip", "-n", ns(name), "link", "set", "lo", "up")
        sh("ip", "-n", ns(name), "link", "add", "mgmt0", "type", "veth", "peer", "name", f"m{i}",
           "netns", ns("mgmt"))
        sh("ip", "-n", ns("mgmt"), "link", "set", f"m{i}", "master", "br0", "up")
        sh("ip", "-n", ns(name), "addr", "add", f"{spec['mgmt']}/24", "dev", "mgmt0")
        sh("ip", "-n", ns(name), "addr", "add", f"{mgmt6(name)}/64", "dev", "mgmt0", "nodad")
        sh("ip", "-n", ns(name), "link", "set", "mgmt0", "up")
        sh("ip", "-n", ns(name), "-6", "route", "add", "2001:db8:fe::/64", "dev", "mgmt0")  # on the same bridge
        linked = {(a, ia) for a, ia, _, _ in LINKS} | {(b, ib) for _, _, b, ib in LINKS} | {("v8", "GigabitEthernet0/1/1")}
        for vendor in spec["interfaces"]:
            if (name, vendor) not in linked:
                # Unlinked ports and loopbacks: a veth whose peer stays in the namespace, so it is up.
                sh("ip", "-n", ns(name), "link", "add", kname(vendor), "type", "veth", "peer", "name",
                   "p" + kname(vendor)[:14])
                sh("ip", "-n", ns(name), "link", "set", "p" + kname(vendor)[:14], "up")
        devices.append({
            "name": name, "platform": spec["platform"], "netns": ns(name), "listen": [spec["mgmt"], mgmt6(name)], "port": 22,
            "username": USERNAME, "password": PASSWORD, "authorized_keys": [public],
            "host_key": str(tmp / "keys" / f"{name}_ed25519"), "model": spec.get("model", ""),
            "os_version": spec.get("os_version", ""), "sysname": name.upper(), "mgmt_interface": "mgmt0",
            "interfaces": {v: kname(v) for v in spec["interfaces"]}, "startup": spec["startup"],
        })
        for key in ("model", "os_version"):
            if not devices[-1][key]:
                devices[-1].pop(key)
    for a, ia, b, ib in LINKS:
        sh("ip", "-n", ns(a), "link", "add", kname(ia), "type", "veth", "peer", "name", kname(ib), "netns", ns(b))
    # The third namespace behind v8, reachable only through v8's routes.
    sh("ip", "netns", "add", ns("h1"))
    sh("ip", "-n", ns("h1"), "link", "set", "lo", "up")
    sh("ip", "-n", ns("v8"), "link", "add", kname("GigabitEthernet0/1/1"), "type", "veth", "peer", "name", "eth0",
       "netns", ns("h1"))
    sh("ip", "-n", ns("h1"), "addr", "add", "198.18.20.2/30", "dev", "eth0")
    sh("ip", "-n", ns("h1"), "addr", "add", "2001:db8:20::2/64", "dev", "eth0", "nodad")
    sh("ip", "-n", ns("h1"), "link", "set", "eth0", "up")
    sh("ip", "-n", ns("h1"), "route", "add", "default", "via", "198.18.20.1")
    sh("ip", "-n", ns("h1"), "-6", "route", "add", "default", "via", "2001:db8:20::1")
    config = {"state_dir": str(tmp / "state"), "ready_file": str(tmp / "ready"), "time_scale": 0.1,
              "devices": devices}
    (tmp / "twins.json").write_text(json.dumps(config, indent=1))
    return config


class Lab:
    def __init__(self, config: dict[str, Any], process: subprocess.Popen, log: Path) -> None:
        self.config = config
        self.process = process
        self.log = log
        self._mgmt = ThreadPoolExecutor(max_workers=8, initializer=_enter_mgmt)

    def in_mgmt(self, func: Callable, *args: Any, **kwargs: Any) -> Any:
        """Run ``func`` on a thread inside the mgmt namespace (where an ops workstation sits)."""
        return self._mgmt.submit(func, *args, **kwargs).result(timeout=300)

    def connect(self, name: str, **kwargs: Any):  # noqa: ANN201
        from netmiko import ConnectHandler

        spec = DEVICES[name]
        params = {"device_type": spec["platform"], "host": spec["mgmt"], "username": USERNAME,
                  "password": PASSWORD, "fast_cli": False, **kwargs}
        return self.in_mgmt(ConnectHandler, **params)

    def netmiko(self, name: str, func: Callable, **kwargs: Any) -> Any:
        """Open a netmiko session to twin ``name`` from mgmt, run ``func(conn)``, disconnect."""

        def job() -> Any:
            from netmiko import ConnectHandler

            spec = DEVICES[name]
            conn = ConnectHandler(device_type=spec["platform"], host=spec["mgmt"], username=USERNAME,
                                  password=PASSWORD, **kwargs)
            try:
                return func(conn)
            finally:
                conn.disconnect()

        return self.in_mgmt(job)

    @property
    def state_dir(self) -> Path:
        return Path(self.config["state_dir"])

    def close(self) -> None:
        self._mgmt.shutdown(wait=False, cancel_futures=True)


def _enter_mgmt() -> None:
    from pyroute2 import netns

    netns.setns(ns("mgmt"))
