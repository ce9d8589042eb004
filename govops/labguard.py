"""Lab addresses are reached from a lab's management namespace, never from anywhere else.

A lab inventory's devices and hosts sit in 198.18.0.0/15 and 2001:db8::/32 (DESIGN.md, "Safe
lab"): benchmarking (RFC 2544) and documentation (RFC 3849) ranges that no production device
uses. Those addresses exist only inside the lab's namespaces, reached from its ops workstation,
the `<prefix>-mgmt` namespace (`govops lab exec -- …`). Started from the machine's root
namespace (or any other), a connection to them would leave through the machine's default route.
So anything about to connect to such an address calls ``require_lab_workstation`` first: it
refuses, before any packet, unless the calling *thread* is in a lab management namespace.

This is the core's view of the contract; it never imports the lab (which may not exist here).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from pathlib import Path

LAB_NETWORKS = (ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("2001:db8::/32"))
NETNS_DIR = Path("/run/netns")  # where `ip netns add` names namespaces (the lab's included)
MGMT_SUFFIX = "-mgmt"  # a lab's ops workstation is the namespace <prefix>-mgmt
HOW = "govops lab exec [--prefix PREFIX] -- <the same command>"


class OutsideLabNamespace(RuntimeError):
    """A lab address was about to be reached from outside a lab's management namespace."""


def is_lab_address(address: object) -> bool:
    try:
        ip = ipaddress.ip_address(str(address).split("/")[0])
    except ValueError:
        return False  # a name, not an address: nothing to judge here
    return any(ip in net for net in LAB_NETWORKS if net.version == ip.version)


def current_netns() -> str:
    """Name of the named namespace (/run/netns) the calling thread is in; "" for any other
    (the root namespace included). Per thread: setns() moves one thread only."""
    try:
        here = os.stat("/proc/thread-self/ns/net")
    except OSError:
        here = os.stat("/proc/self/ns/net")
    if not NETNS_DIR.is_dir():
        return ""
    for entry in sorted(NETNS_DIR.iterdir()):
        try:
            st = entry.stat()
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (here.st_dev, here.st_ino):
            return entry.name
    return ""


def in_lab_workstation() -> bool:
    return current_netns().endswith(MGMT_SUFFIX)


def require_lab_workstation(targets: Iterable[tuple[str, object]], action: str = "connect to") -> None:
    """Raise OutsideLabNamespace if any (name, address) is a lab address and this thread is not in
    a lab's management namespace. Production addresses pass untouched, wherever this runs."""
    lab = [(name, str(addr)) for name, addr in targets if is_lab_address(addr)]
    if not lab or in_lab_workstation():
        return
    where = current_netns()
    where = f"network namespace {where}" if where else "the machine's root network namespace"
    names = ", ".join(f"{n} ({a})" for n, a in lab[:3]) + (f" and {len(lab) - 3} more" if len(lab) > 3 else "")
    raise OutsideLabNamespace(
        f"refusing to {action} {names}: lab addresses ({', '.join(map(str, LAB_NETWORKS))}) are only reached "
        f"from a lab's management namespace, and this runs in {where}, where the connection would leave "
        f"through the machine's default route. Run it inside the lab: {HOW}")
