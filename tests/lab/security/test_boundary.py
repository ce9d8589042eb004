"""Boundary policy with real connections: dept-srv-1 (extranet) -> cloud-prod-1 (production centre).

Runs on the dual-stack mini twin (conftest.py: the shared lab has no IPv6 data plane before the
IPv6 upgrade). Lab simplification: the policy is enforced on cloud-prod-1's own input chain, standing for the
production centre's edge firewall (security/baseline/README.md). Addresses come from the
inventory and its IPv6 plan: 198.19.0.10 / 2001:db8:4601::a for cloud-prod-1.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator

import pytest

from govops.sot import load_inventory
from security.boundary.render import cloud_services
from tests.lab.security.conftest import PYTHON, mini_seclab, playbook
from tests.lab.security.minilab import INVENTORY, MiniLab

ALLOWED = sorted({p for s in cloud_services(load_inventory(INVENTORY)) for p in s.ports})
NOT_ALLOWED = 8443  # no system of the catalogue uses it

# A dual-stack TCP listener that accepts and closes: enough to tell "connected" from "dropped".
LISTENER = """
import selectors, socket, sys
sel = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    s = socket.create_server(("::", port), family=socket.AF_INET6, dualstack_ipv6=True, reuse_port=False)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        conn, _ = key.fileobj.accept()
        conn.close()
"""

CONNECT = """
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()
    print("connected")
except (TimeoutError, socket.timeout):
    print("timeout")
except OSError as exc:
    print(f"error {exc.errno}")
"""


@pytest.fixture(scope="module")
def boundary(minilab: MiniLab) -> Iterator[MiniLab]:
    seclab = minilab
    ports = [str(p) for p in ALLOWED] + [str(NOT_ALLOWED)]
    server = subprocess.Popen(["ip", "netns", "exec", seclab.ns("cloud-prod-1"), PYTHON, "-c", LISTENER, *ports],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        sec = mini_seclab(seclab)
        first = playbook(sec, "boundary.yml", "-e", "boundary_hosts=cloud-prod-1", "-e", "boundary_hook=input")
        second = playbook(sec, "boundary.yml", "-e", "boundary_hosts=cloud-prod-1", "-e", "boundary_hook=input")
        seclab.recaps = (first[1], second[1])  # type: ignore[attr-defined]
        yield seclab
    finally:
        server.terminate()
        server.wait(timeout=5)
        subprocess.run(["ip", "netns", "exec", seclab.ns("cloud-prod-1"), "nft", "delete", "table", "inet",
                        "govops_boundary"], capture_output=True, check=False)


def connect(lab: MiniLab, address: str, port: int, timeout: float = 2.0) -> str:
    r = subprocess.run(["ip", "netns", "exec", lab.ns("dept-srv-1"), PYTHON, "-c", CONNECT, address, str(port),
                        str(timeout)], capture_output=True, text=True, timeout=30)
    return r.stdout.strip()


def dropped(lab: MiniLab) -> int:
    r = subprocess.run(["ip", "netns", "exec", lab.ns("cloud-prod-1"), "nft", "-j", "list", "counter", "inet",
                        "govops_boundary", "dropped"], capture_output=True, text=True, check=True)
    return next(item["counter"]["packets"] for item in json.loads(r.stdout)["nftables"] if "counter" in item)


def test_playbook_applies_once_then_changes_nothing(boundary: MiniLab):
    first, second = boundary.recaps  # type: ignore[attr-defined]
    assert first["cloud-prod-1"]["changed"] > 0
    assert second["cloud-prod-1"]["changed"] == 0


@pytest.mark.parametrize("family", ["v4", "v6"])
def test_allowed_department_service_connects(boundary: MiniLab, family: str):
    address = boundary.hosts["cloud-prod-1"][family]
    for port in ALLOWED:
        assert connect(boundary, address, port) == "connected", (family, port)


@pytest.mark.parametrize("family", ["v4", "v6"])
def test_other_ports_are_dropped_and_counted(boundary: MiniLab, family: str):
    address = boundary.hosts["cloud-prod-1"][family]
    before = dropped(boundary)
    # The listener is there: without the policy this port would connect (checked from mgmt below).
    assert connect(boundary, address, NOT_ALLOWED, timeout=2.0) == "timeout"
    time.sleep(0.2)
    assert dropped(boundary) > before
    # SSH from the extranet is dropped too; management SSH (mgmt namespace) still works.
    assert connect(boundary, address, 22, timeout=1.5) == "timeout"
    assert boundary.ssh("cloud-prod-1", "true").returncode == 0


def test_the_dropped_port_is_really_listening(boundary: MiniLab):
    """The drop test cannot pass by accident: the same port answers from inside the host."""
    r = subprocess.run(["ip", "netns", "exec", boundary.ns("cloud-prod-1"), PYTHON, "-c", CONNECT,
                        boundary.hosts["cloud-prod-1"]["v4"], str(NOT_ALLOWED), "2"], capture_output=True, text=True)
    assert r.stdout.strip() == "connected"
