"""Namespaces, veth pairs, the management bridge and sysctls, with batched `ip` calls.

Every `ip` command here runs with `-n <namespace>` (or creates/deletes a namespace), so
nothing is ever added to the root namespace: veth pairs are created from inside one
namespace with their peer placed directly in the other.
"""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lab.topology import MGMT_BRIDGE, MGMT_IF, LabTopology, Node

NETNS_DIR = Path("/run/netns")
WORKERS = 8


class LabCommandError(RuntimeError):
    """An `ip`/`sysctl` call the lab needed failed; the message carries its stderr."""


def run(argv: list[str], stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise LabCommandError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


def ip_batch(netns: str | None, lines: Iterable[str]) -> None:
    lines = list(lines)
    if not lines:
        return
    argv = ["ip"] + (["-n", netns] if netns else []) + ["-batch", "-"]
    run(argv, stdin="\n".join(lines) + "\n")


def parallel(func, items: Iterable) -> list:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(func, items))


def existing(prefix: str) -> list[str]:
    """Namespaces of this lab prefix that exist now."""
    if not NETNS_DIR.is_dir():
        return []
    return sorted(p.name for p in NETNS_DIR.iterdir() if p.name.startswith(prefix + "-"))


def create(topo: LabTopology) -> None:
    """Namespaces, veths, management addresses, sysctls. Data-plane addresses are the twins' job."""
    ip_batch(None, [f"netns add {ns}" for ns in topo.namespaces()])
    # Phase 1: each pair is created from its first namespace, the peer lands in the second.
    by_ns: dict[str, list[str]] = defaultdict(list)
    for v in topo.veths:
        by_ns[v.netns].append(f"link add name {v.name} type veth peer name {v.peer} netns {v.peer_netns}")
    mgmt = topo.mgmt
    by_ns[mgmt.netns].append(f"link add name {MGMT_BRIDGE} type bridge")
    parallel(lambda item: ip_batch(*item), by_ns.items())
    # Phase 2: addresses and link state, per namespace.
    up: dict[str, list[str]] = defaultdict(list)
    for v in topo.veths:
        up[v.netns].append(f"link set dev {v.name} up")
        up[v.peer_netns].append(f"link set dev {v.peer} up")
    for port in topo.mgmt_ports.values():
        up[mgmt.netns].append(f"link set dev {port} master {MGMT_BRIDGE}")
    up[mgmt.netns] += _addresses(MGMT_BRIDGE, mgmt) + [f"link set dev {MGMT_BRIDGE} up"]
    for node in topo.nodes.values():
        up[node.netns].insert(0, "link set dev lo up")
        if node.kind != "mgmt":
            up[node.netns] += _addresses(MGMT_IF, node)
    parallel(lambda node: _configure(node, up[node.netns]), topo.nodes.values())


def _addresses(dev: str, node: Node) -> list[str]:
    # nodad: the address is usable at once (no 1-2 s of duplicate address detection).
    return [f"address add {node.mgmt_ipv4} dev {dev}", f"address add {node.mgmt_ipv6} dev {dev} nodad"]


def _configure(node: Node, lines: list[str]) -> None:
    # Forwarding before the links come up; hosts and the workstation do not forward.
    forward = "1" if node.kind == "device" else "0"
    sysctls = [f"net.ipv4.ip_forward={forward}", f"net.ipv6.conf.all.forwarding={forward}"]
    run(["ip", "netns", "exec", node.netns, "sysctl", "-q", "-w", *sysctls])
    ip_batch(node.netns, lines)


def apply_startup(topo: LabTopology) -> None:
    """What the twins would apply from `startup` (for `--no-twins`): data-plane IPv4 and routes."""
    def one(node: Node) -> None:
        lines = [f"address add {cfg['ipv4']} dev {node.interfaces[vendor]}"
                 for vendor, cfg in node.startup_interfaces.items() if cfg.get("ipv4")]
        lines += [f"route add {r['prefix']} via {r['nexthop']} proto static" for r in node.static_routes_v4]
        ip_batch(node.netns, lines)
    parallel(one, topo.devices())


def configure_hosts(topo: LabTopology) -> None:
    """Host data-plane address on eth1 and a default route via the segment gateway."""
    def one(node: Node) -> None:
        if node.data_ipv4 is None:
            return
        ip_batch(node.netns, [f"address add {node.data_ipv4} dev eth1",
                              f"route add default via {node.gateway_ipv4} dev eth1"])
    parallel(one, topo.hosts())


def configure_sites(topo: LabTopology) -> None:
    """Private-network site endpoints: eth1 up with their IPv4/IPv6 and defaults via the site
    gateway on the device port (which answers only once the network is migrated)."""
    def one(site) -> None:  # noqa: ANN001 - a topology.SiteEndpoint
        # No duplicate address detection: the site is usable as soon as the port is configured.
        # keep_addr_on_down: a link flap (a fault test) must not lose the static IPv6 address.
        run(["ip", "netns", "exec", site.netns, "sysctl", "-q", "-w", "net.ipv6.conf.eth1.accept_dad=0",
             "net.ipv6.conf.eth1.keep_addr_on_down=1", "net.ipv4.ip_forward=0", "net.ipv6.conf.all.forwarding=0"])
        ip_batch(site.netns, ["link set dev lo up", "link set dev eth1 up",
                              f"address add {site.ipv4} dev eth1", f"address add {site.ipv6} dev eth1 nodad",
                              f"route add default via {site.gateway_ipv4} dev eth1",
                              f"route add default via {site.gateway_ipv6} dev eth1"])
    parallel(one, topo.sites.values())


def delete(namespaces: Iterable[str]) -> None:
    """Delete namespaces (their veths go with them). Missing ones are fine."""
    names = [ns for ns in namespaces if (NETNS_DIR / ns).exists()]
    if names:
        # -force: go on after an error so one stuck namespace does not keep the rest.
        run(["ip", "-force", "-batch", "-"], stdin="".join(f"netns del {ns}\n" for ns in names), check=False)


def links(netns: str) -> list[dict]:
    """`ip -j link` of a namespace."""
    out = run(["ip", "-n", netns, "-j", "link", "show"], check=False)
    return json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else []
