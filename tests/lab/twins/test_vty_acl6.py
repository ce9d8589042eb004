"""The ACL6 bound to the SSH/VTY plane is what the twin's SSH server enforces, over real TCP.

From the mgmt namespace: 2001:db8:ff::1 is inside the permitted prefix, 2001:db8:fe::1 (a second
address on the same bridge) is not. IPv4 logins are never filtered by an IPv6 ACL, and a session
that was open before the binding stays open.
"""

from __future__ import annotations

import socket

import paramiko
import pytest
from gtw_lab import DEVICES, PASSWORD, USERNAME, mgmt6

pytestmark = pytest.mark.lab

PERMITTED, OTHER = "2001:db8:ff::1", "2001:db8:fe::1"
ACL = {"acl": ["acl ipv6 number 3000", "rule 5 permit ipv6 source 2001:db8:ff:: 64", "rule 10 deny ipv6", "quit"],
       "bind": ["user-interface vty 0 4", "acl ipv6 3000 inbound", "quit"],
       "unbind": ["user-interface vty 0 4", "undo acl ipv6 inbound", "quit"]}
COMWARE = {"acl": ["acl ipv6 advanced 3000", "rule 5 permit ipv6 source 2001:db8:ff::/64", "rule 10 deny ipv6",
                   "quit"],
           "bind": ["ssh server ipv6 acl ipv6 3000"], "unbind": ["undo ssh server ipv6 acl"]}
CISCO = {"acl": ["ipv6 access-list GOVOPS-MGMT-V6", "10 permit ipv6 2001:db8:ff::/64 any", "20 deny ipv6 any any",
                 "exit"],
         "bind": ["line vty 0 4", "ipv6 access-class GOVOPS-MGMT-V6 in", "exit"],
         "unbind": ["line vty 0 4", "no ipv6 access-class GOVOPS-MGMT-V6 in", "exit"]}
LINES = {"v5": ACL, "v8": ACL, "cw": COMWARE, "rj": CISCO, "zte": CISCO}
SHOW = {"v5": "display current-configuration", "v8": "display current-configuration",
        "cw": "display current-configuration", "rj": "show running-config", "zte": "show running-config"}


def configure(lab, name: str, lines: list[str]) -> str:  # noqa: ANN001
    def job(conn) -> str:  # noqa: ANN001
        if DEVICES[name]["platform"] == "huawei_vrpv8":
            out = conn.send_config_set(lines, exit_config_mode=False)
            return out + conn.commit()
        return conn.send_config_set(lines)

    return lab.netmiko(name, job)


def login(target: str, source: str | None) -> paramiko.Transport:
    """An authenticated SSH transport to ``target`` from ``source`` (None: the IPv4 management path)."""
    if source is None:
        sock = socket.create_connection((target, 22), timeout=10)
    else:
        sock = socket.create_connection((target, 22), timeout=10, source_address=(source, 0))
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=10)
        transport.auth_password(USERNAME, PASSWORD)
    except BaseException:
        transport.close()
        raise
    return transport


def gets_in(lab, target: str, source: str | None) -> bool:  # noqa: ANN001
    def job() -> bool:
        try:
            transport = login(target, source)
        except (paramiko.SSHException, EOFError, OSError):
            return False
        ok = transport.is_authenticated()
        transport.close()
        return ok

    return lab.in_mgmt(job)


def prompt_over(transport: paramiko.Transport) -> str:
    chan = transport.open_session(timeout=10)
    chan.get_pty()
    chan.invoke_shell()
    chan.settimeout(10)
    seen = b""
    while not seen.rstrip().endswith((b">", b"#", b"]")):
        seen += chan.recv(4096)
    chan.close()
    return seen.decode(errors="replace").strip().splitlines()[-1]


@pytest.mark.parametrize("name", sorted(LINES))
def test_bound_acl6_admits_only_the_management_prefix(lab, name: str) -> None:  # noqa: ANN001
    target = mgmt6(name)
    lines = LINES[name]
    assert gets_in(lab, target, OTHER), "before the binding every IPv6 source gets in"
    try:
        configure(lab, name, lines["bind"])  # bound, ACL not defined yet: still open to everyone
        assert gets_in(lab, target, OTHER)
        configure(lab, name, lines["acl"])
        running = lab.netmiko(name, lambda c: c.send_command(SHOW[name]))
        assert (lines["bind"][-1] if name == "cw" else lines["bind"][1]) in running
        assert gets_in(lab, target, PERMITTED)
        assert not gets_in(lab, target, OTHER)
        assert gets_in(lab, DEVICES[name]["mgmt"], None), "IPv4 logins are not filtered by an IPv6 ACL"
    finally:
        configure(lab, name, lines["unbind"])
    assert gets_in(lab, target, OTHER), "unbound: the non-management source gets in again"


def test_session_open_before_the_binding_is_not_cut(lab) -> None:  # noqa: ANN001
    name, lines = "v5", LINES["v5"]
    open_session = lab.in_mgmt(login, mgmt6(name), OTHER)
    try:
        configure(lab, name, lines["acl"] + lines["bind"])
        assert not gets_in(lab, mgmt6(name), OTHER)
        assert lab.in_mgmt(prompt_over, open_session) == "<V5>"
    finally:
        open_session.close()
        configure(lab, name, lines["unbind"] + ["undo acl ipv6 number 3000"])
