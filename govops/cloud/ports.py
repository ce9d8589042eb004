"""Port facts the components and the policies share."""

from __future__ import annotations

# Ports that manage a host or device: never reachable from 0.0.0.0/0 or ::/0.
MANAGEMENT_PORTS: dict[int, str] = {
    22: "ssh", 23: "telnet", 161: "snmp", 830: "netconf", 2375: "docker", 3389: "rdp",
    5900: "vnc", 5985: "winrm", 5986: "winrm-tls", 6443: "kube-apiserver", 10250: "kubelet",
}
# Served to the public when a system has a government website.
WEB_PORTS = frozenset({80, 443})
# Ports whose service speaks UDP (as well as, or instead of, TCP).
UDP_PORTS = frozenset({53, 123, 161, 162, 514, 5060})
TCP_TOO = frozenset({53, 514, 5060})


def protocols(port: int) -> tuple[str, ...]:
    if port in UDP_PORTS:
        return ("tcp", "udp") if port in TCP_TOO else ("udp",)
    return ("tcp",)
