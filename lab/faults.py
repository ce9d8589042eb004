"""Faults injected into a running lab, recorded in <run_dir>/faults.json so `clear` undoes them.

link down/up   `ip link set` on the node's kernel interface (both ends see carrier loss)
delay, loss    `tc qdisc netem` on the interface; when the kernel has no netem (some CI
               kernels), loss falls back to an nftables `numgen random` drop rule on that
               interface, and delay to an iptables NFQUEUE rule feeding `lab.delayline`,
               which holds each outgoing packet for the delay
kill-ssh       the twins' control socket aborts the device's SSH sessions (lab/twins/README.md)
snmp stop      kills the device's snmpd; `start` brings it back with the same config
ospf6 block    an nftables rule in the device's namespace drops OSPFv3 (IPv6 next header 89) in
               and out of the interface: the OSPFv3 adjacency on that link never forms while IPv4
               (OSPFv2 is IPv4 protocol 89) and every other IPv6 packet pass; `unblock` removes it
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys

from lab import lifecycle, netns
from lab.state import Lab

NFT_TABLE = "govops_fault"


class FaultError(RuntimeError):
    pass


def _faults(lab: Lab) -> list[dict]:
    path = lab.run_dir / "faults.json"
    return json.loads(path.read_text()) if path.exists() else []


def _save(lab: Lab, faults: list[dict]) -> None:
    (lab.run_dir / "faults.json").write_text(json.dumps(faults, indent=1))


def _add(lab: Lab, fault: dict) -> None:
    faults = [f for f in _faults(lab) if not _same(f, fault)]
    _save(lab, faults + [fault])


def _same(a: dict, b: dict) -> bool:
    return a["kind"] == b["kind"] and a.get("node") == b.get("node") and a.get("interface") == b.get("interface")


def _ip(lab: Lab, node: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(["ip", "-n", lab.netns(node), *args], capture_output=True, text=True)
    if check and proc.returncode:
        raise FaultError(f"ip {' '.join(args)} in {node}: {proc.stderr.strip()}")
    return proc


def _target(lab: Lab, spec: str) -> tuple[str, str, str]:
    """NODE:IF (vendor name) -> (node, vendor interface, kernel name)."""
    node, sep, vendor = spec.partition(":")
    if not sep or not vendor:
        raise FaultError(f"{spec!r}: expected NODE:INTERFACE (vendor name, e.g. core-1:GigabitEthernet0/1/0)")
    interfaces = lab.nodes.get(node, {}).get("interfaces")
    if interfaces is None:
        raise FaultError(f"{spec!r}: no node {node!r} with interfaces (devices: {', '.join(lab.devices)})")
    if vendor not in interfaces:
        raise FaultError(f"{spec!r}: {node} has no interface {vendor!r} (has: {', '.join(interfaces)})")
    return node, vendor, interfaces[vendor]


def link(lab: Lab, spec: str, state: str) -> None:
    node, vendor, kname = _target(lab, spec)
    _ip(lab, node, "link", "set", "dev", kname, state)
    if state == "down":
        _add(lab, {"kind": "link", "node": node, "interface": vendor})
    else:
        _save(lab, [f for f in _faults(lab) if not _same(f, {"kind": "link", "node": node, "interface": vendor})])


def _tc(lab: Lab, node: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", "netns", "exec", lab.netns(node), "tc", *args], capture_output=True, text=True)


def _netem(lab: Lab, node: str, kname: str, params: list[str]) -> bool:
    """Replace the root qdisc with netem; False when the kernel has no netem."""
    proc = _tc(lab, node, "qdisc", "replace", "dev", kname, "root", "netem", *params)
    if proc.returncode == 0:
        return True
    if "unknown" in proc.stderr.lower():
        return False
    raise FaultError(f"tc netem {' '.join(params)} on {node}:{kname}: {proc.stderr.strip()}")


def delay(lab: Lab, spec: str, amount: str) -> None:
    node, vendor, kname = _target(lab, spec)
    if not re.fullmatch(r"\d+(\.\d+)?(us|ms|s)", amount):
        raise FaultError(f"delay {amount!r}: expected a time like 30ms")
    _undo_all(lab, [f for f in _faults(lab) if _same(f, {"kind": "delayline", "node": node, "interface": vendor})])
    if _netem(lab, node, kname, ["delay", amount]):
        _add(lab, {"kind": "netem", "node": node, "interface": vendor, "what": f"delay {amount}"})
        return
    # No netem: queue the interface's outgoing packets to a delay line in the namespace.
    if not shutil.which("iptables"):
        raise FaultError("this kernel has no sch_netem and iptables is not installed: cannot delay")
    queue = next(link["ifindex"] for link in netns.links(lab.netns(node)) if link["ifname"] == kname)
    argv = ["nsenter", f"--net=/run/netns/{lab.netns(node)}", "--", sys.executable, "-m", "lab.delayline",
            "--queue", str(queue), "--delay", amount]
    log = open(lab.run_dir / "logs" / "delayline.log", "ab")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    record = lifecycle.process_record(proc.pid)
    fault = {"kind": "delayline", "node": node, "interface": vendor, "what": f"delay {amount}",
             "queue": queue, "process": record}
    _add(lab, fault)
    # Send packets to the queue only once it is bound (--queue-bypass would pass them undelayed).
    try:
        lifecycle.wait_for(f"the delay line of {node}:{vendor}", lambda: _bound(record, queue), timeout=15)
    except lifecycle.LabError as exc:
        _undo_all(lab, [fault])
        raise FaultError(f"{exc}; see {lab.run_dir / 'logs' / 'delayline.log'}") from None
    for tool in ("iptables", "ip6tables"):
        proc = subprocess.run(["ip", "netns", "exec", lab.netns(node), tool, "-t", "mangle", "-A", "POSTROUTING",
                               *_queue_rule(kname, queue)], capture_output=True, text=True)
        if proc.returncode:
            _undo_all(lab, [fault])
            raise FaultError(f"{tool} NFQUEUE on {node}:{kname}: {proc.stderr.strip()}")


def _bound(record: dict, queue: int) -> bool:
    """Is `queue` bound in the namespace of the delay line's process? (nfnetlink_queue's proc table)"""
    if not lifecycle.alive(record):
        raise lifecycle.LabError("lab.delayline exited at start")
    try:
        table = open(f"/proc/{record['pid']}/net/netfilter/nfnetlink_queue").read()
    except OSError:
        return False
    return any(line.split()[:1] == [str(queue)] for line in table.splitlines())


def _queue_rule(kname: str, queue: int) -> list[str]:
    return ["-o", kname, "-j", "NFQUEUE", "--queue-num", str(queue), "--queue-bypass"]


def loss(lab: Lab, spec: str, amount: str) -> None:
    node, vendor, kname = _target(lab, spec)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%", amount)
    if not m or float(m.group(1)) > 100:
        raise FaultError(f"loss {amount!r}: expected a percentage like 5%")
    if _netem(lab, node, kname, ["loss", amount]):
        _add(lab, {"kind": "netem", "node": node, "interface": vendor, "what": f"loss {amount}"})
        return
    # No netem: drop the same share of packets leaving the interface with nftables.
    chain = f"loss_{kname.replace('-', '_')}"
    percent = round(float(m.group(1)))
    rules = [f"add table inet {NFT_TABLE}",
             f"add chain inet {NFT_TABLE} {chain} {{ type filter hook postrouting priority 0 ; }}",
             f"flush chain inet {NFT_TABLE} {chain}",
             f"add rule inet {NFT_TABLE} {chain} oifname \"{kname}\" {_share(percent)} drop"]
    proc = subprocess.run(["ip", "netns", "exec", lab.netns(node), "nft", "-f", "-"],
                          input="\n".join(rules) + "\n", capture_output=True, text=True)
    if proc.returncode:
        raise FaultError(f"nft loss on {node}:{kname}: {proc.stderr.strip()}")
    _add(lab, {"kind": "nft-loss", "node": node, "interface": vendor, "what": f"loss {amount}"})


def _share(percent: int) -> str:
    # numgen's range is 0-99: "< 100" is refused, so 100% is an unconditional drop.
    return "" if percent >= 100 else f"numgen random mod 100 < {percent}"


def _ospf6_chains(kname: str) -> tuple[str, str]:
    base = kname.replace("-", "_").replace(".", "_")
    return f"ospf6_in_{base}", f"ospf6_out_{base}"


def ospf6(lab: Lab, spec: str, action: str) -> None:
    """Drop OSPFv3 on one link of a device (both directions, in its namespace only), or stop dropping."""
    node, vendor, kname = _target(lab, spec)
    if node not in lab.devices:
        raise FaultError(f"ospf6 {spec!r}: {node} is not a device of this lab")
    fault = {"kind": "nft-ospf6", "node": node, "interface": vendor, "what": "OSPFv3 blocked"}
    if action == "unblock":
        _undo_all(lab, [f for f in _faults(lab) if _same(f, fault)])
        return
    chain_in, chain_out = _ospf6_chains(kname)
    # meta l4proto follows IPv6 extension headers to the transport header (ip6 nexthdr would not);
    # nfproto ipv6 keeps IPv4's OSPFv2 (also protocol 89) out of the match.
    match = "meta nfproto ipv6 meta l4proto 89"
    rules = [f"add table inet {NFT_TABLE}",
             f"add chain inet {NFT_TABLE} {chain_in} {{ type filter hook input priority 0 ; }}",
             f"add chain inet {NFT_TABLE} {chain_out} {{ type filter hook output priority 0 ; }}",
             f"flush chain inet {NFT_TABLE} {chain_in}",
             f"flush chain inet {NFT_TABLE} {chain_out}",
             f"add rule inet {NFT_TABLE} {chain_in} iifname \"{kname}\" {match} drop",
             f"add rule inet {NFT_TABLE} {chain_out} oifname \"{kname}\" {match} drop"]
    proc = subprocess.run(["ip", "netns", "exec", lab.netns(node), "nft", "-f", "-"],
                          input="\n".join(rules) + "\n", capture_output=True, text=True)
    if proc.returncode:
        raise FaultError(f"nft ospf6 block on {node}:{kname}: {proc.stderr.strip()}")
    _add(lab, fault)


def kill_ssh(lab: Lab, node: str) -> int:
    if node not in lab.devices:
        raise FaultError(f"kill-ssh {node!r}: not a device of this lab")
    if not lab.state.get("twins"):
        raise FaultError("kill-ssh needs the twins (this lab was started with --no-twins)")
    from lab.twins import kill_sessions

    return kill_sessions(lab.twins_state_dir, node)


def snmp(lab: Lab, node: str, action: str) -> None:
    if node not in lab.devices:
        raise FaultError(f"snmp {node!r}: not a device of this lab")
    key = f"{node}/snmpd"
    if action == "stop":
        lifecycle.stop_process(lab, key)
        _add(lab, {"kind": "snmp", "node": node})
    else:
        if not lifecycle.alive(lab.state.get("records", {}).get(key)):
            lifecycle.restart_snmpd(lab, node)
        _save(lab, [f for f in _faults(lab) if not _same(f, {"kind": "snmp", "node": node})])


def active(lab: Lab) -> list[dict]:
    return _faults(lab)


def clear(lab: Lab) -> list[dict]:
    """Undo every recorded fault; returns what was undone."""
    return _undo_all(lab, _faults(lab))


def _undo_all(lab: Lab, faults: list[dict]) -> list[dict]:
    undone = []
    for fault in faults:
        node = fault["node"]
        if fault["kind"] == "link":
            _ip(lab, node, "link", "set", "dev", lab.kernel_name(node, fault["interface"]), "up")
        elif fault["kind"] == "netem":
            _tc(lab, node, "qdisc", "del", "dev", lab.kernel_name(node, fault["interface"]), "root")
        elif fault["kind"] == "nft-loss":
            subprocess.run(["ip", "netns", "exec", lab.netns(node), "nft", "delete", "table", "inet", NFT_TABLE],
                           capture_output=True)
        elif fault["kind"] == "nft-ospf6":
            # Only this link's chains: another fault's rules may share the table.
            for chain in _ospf6_chains(lab.kernel_name(node, fault["interface"])):
                subprocess.run(["ip", "netns", "exec", lab.netns(node), "nft", "delete", "chain", "inet", NFT_TABLE,
                                chain], capture_output=True)
        elif fault["kind"] == "delayline":
            kname = lab.kernel_name(node, fault["interface"])
            for tool in ("iptables", "ip6tables"):
                subprocess.run(["ip", "netns", "exec", lab.netns(node), tool, "-t", "mangle", "-D", "POSTROUTING",
                                *_queue_rule(kname, fault["queue"])], capture_output=True)
            if lifecycle.alive(fault["process"]):
                os.kill(fault["process"]["pid"], signal.SIGTERM)
        elif fault["kind"] == "snmp":
            lab = Lab.load(lab.prefix)
            if not lifecycle.alive(lab.state.get("records", {}).get(f"{node}/snmpd")):
                lifecycle.restart_snmpd(lab, node)
        undone.append(fault)
    _save(lab, [f for f in _faults(lab) if f not in undone])
    return undone
