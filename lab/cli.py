"""`govops lab …`: up, down, status, exec, fault. `add_cli(subparsers)` adds the tree.

Exit codes: 0 ok, 1 failure, 2 usage (argparse) or an inventory that does not load.
Standalone: `python -m lab.cli lab up -i inventories/lab`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from rich.console import Console
from rich.table import Table

from govops.clikit import add_inventory_arg, load
from lab import faults, lifecycle
from lab.state import Lab, LabNotRunning
from lab.topology import DEFAULT_PREFIX

console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def _prefix_arg(p: argparse.ArgumentParser, leaf: bool = False) -> None:
    # A leaf under a parser that has --prefix too must not reset it with its own default.
    default = argparse.SUPPRESS if leaf else os.environ.get("GOVOPS_LAB_PREFIX", DEFAULT_PREFIX)
    p.add_argument("--prefix", default=default,
                   help="namespace prefix (default: $GOVOPS_LAB_PREFIX or govlab)")


def add_cli(subparsers) -> None:
    lab = subparsers.add_parser("lab", help="the live twin of an inventory in network namespaces")
    sub = lab.add_subparsers(dest="lab_cmd", required=True, metavar="LAB_COMMAND")

    p = sub.add_parser("up", help="build the lab: namespaces, links, twins, snmpd, hosts")
    add_inventory_arg(p)
    _prefix_arg(p)
    p.add_argument("--no-twins", action="store_true",
                   help="do not start the vendor CLI twins; the lab applies the startup IPv4 config itself")
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("down", help="remove everything the lab made (idempotent; works after a crash)")
    _prefix_arg(p)
    p.set_defaults(func=cmd_down)

    p = sub.add_parser("status", help="per node: namespace, twin/snmpd/sshd, link states")
    _prefix_arg(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("exec", help="run a command in the mgmt namespace (default) or in a node")
    _prefix_arg(p)
    p.add_argument("words", nargs=argparse.REMAINDER, metavar="[NODE] -- COMMAND …",
                   help="node name (default: mgmt, the ops workstation), then -- and the command")
    p.set_defaults(func=cmd_exec)

    fault_parser = sub.add_parser("fault", help="inject or clear faults")
    _prefix_arg(fault_parser)
    fault = fault_parser.add_subparsers(dest="fault_cmd", required=True)
    p = fault.add_parser("link", help="link NODE:IF down|up")
    p.add_argument("target")
    p.add_argument("state", choices=("down", "up"))
    p = fault.add_parser("delay", help="delay NODE:IF 30ms (tc netem)")
    p.add_argument("target")
    p.add_argument("amount")
    p = fault.add_parser("loss", help="loss NODE:IF 5%% (tc netem, or nftables without netem)")
    p.add_argument("target")
    p.add_argument("amount")
    p = fault.add_parser("kill-ssh", help="abort a device twin's SSH sessions")
    p.add_argument("node")
    p = fault.add_parser("snmp", help="snmp NODE stop|start")
    p.add_argument("node")
    p.add_argument("action", choices=("stop", "start"))
    p = fault.add_parser("ospf6", help="ospf6 NODE:IF block|unblock (drop OSPFv3 on that link, nftables)")
    p.add_argument("target")
    p.add_argument("action", choices=("block", "unblock"))
    p = fault.add_parser("clear", help="undo every fault")
    p = fault.add_parser("list", help="show active faults")
    for p in fault.choices.values():
        _prefix_arg(p, leaf=True)
        p.set_defaults(func=cmd_fault)


def _need_root() -> bool:
    if os.geteuid() != 0:
        errors.print("[red]the lab needs root[/] (network namespaces)")
        return False
    return True


def cmd_up(args: argparse.Namespace) -> int:
    if not _need_root():
        return 1
    inv = load(args)
    try:
        with console.status("lab up") as status:
            lab = lifecycle.up(inv, args.prefix, twins=not args.no_twins,
                               step=lambda m: (status.update(f"lab up: {m}"), console.log(m)))
    except lifecycle.LabError as exc:
        errors.print(f"[red]lab up failed:[/] {exc}")
        return 1
    console.print(f"[green]lab {args.prefix} up[/] in {lab.state['up_seconds']} s: "
                  f"{len(lab.devices)} devices, {len(lab.hosts)} hosts; run dir {lab.run_dir}")
    console.print(f"try: govops lab exec --prefix {args.prefix} -- ssh -F {lab.ssh_config} "
                  f"{lab.hosts[0] if lab.hosts else lab.devices[0]} hostname")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    if not _need_root():
        return 1
    done = lifecycle.down(args.prefix, step=lambda m: console.log(m))
    console.print(f"[green]lab {args.prefix} down[/]: stopped {done['processes']} processes, "
                  f"deleted {done['namespaces']} namespaces")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    st = lifecycle.status(args.prefix)
    if args.json:
        print(json.dumps(st, indent=1))
        return 0 if st["up"] else 1
    if not st["up"]:
        left = st["leftover_namespaces"]
        console.print(f"lab {args.prefix}: not up" + (f"; leftover namespaces: {', '.join(left)}" if left else ""))
        return 1
    table = Table(title=f"lab {args.prefix} ({st['run_dir']})")
    for col in ("node", "kind", "netns", "twin", "snmpd", "sshd", "links down"):
        table.add_column(col)

    def mark(v):
        return "" if v is None else ("[green]up[/]" if v else "[red]down[/]")
    healthy = True
    for name, row in st["nodes"].items():
        down = [k for k, v in row.get("links", {}).items() if v not in ("UP", "UNKNOWN")]
        healthy &= row["netns_present"] and all(row.get(k) is not False for k in ("twin", "snmpd", "sshd"))
        table.add_row(name, row["kind"], mark(row["netns_present"]), mark(row.get("twin")), mark(row.get("snmpd")),
                      mark(row.get("sshd")), ", ".join(down))
    console.print(table)
    return 0 if healthy else 1


def cmd_exec(args: argparse.Namespace) -> int:
    words = list(args.words)
    node = "mgmt"
    if "--" in words:
        i = words.index("--")
        if i > 1:
            errors.print("usage: govops lab exec [NODE] -- COMMAND …")
            return 2
        node, cmd = (words[0] if i == 1 else "mgmt"), words[i + 1:]
    else:
        cmd = words
    if not cmd:
        errors.print("usage: govops lab exec [NODE] -- COMMAND …")
        return 2
    try:
        lab = Lab.load(args.prefix)
        argv = lab.command(node, cmd)
    except (LabNotRunning, KeyError) as exc:
        errors.print(f"[red]{exc}[/]")
        return 1
    os.execvp(argv[0], argv)  # the command's own exit code and terminal


def cmd_fault(args: argparse.Namespace) -> int:
    try:
        lab = Lab.load(args.prefix)
        kind = args.fault_cmd
        if kind == "link":
            faults.link(lab, args.target, args.state)
        elif kind == "delay":
            faults.delay(lab, args.target, args.amount)
        elif kind == "loss":
            faults.loss(lab, args.target, args.amount)
        elif kind == "ospf6":
            faults.ospf6(lab, args.target, args.action)
        elif kind == "kill-ssh":
            console.print(f"dropped {faults.kill_ssh(lab, args.node)} SSH session(s)")
        elif kind == "snmp":
            faults.snmp(lab, args.node, args.action)
        elif kind == "clear":
            undone = faults.clear(lab)
            console.print(f"cleared {len(undone)} fault(s)")
        elif kind == "list":
            for f in faults.active(lab):
                console.print(json.dumps(f))
    except (LabNotRunning, faults.FaultError, lifecycle.LabError) as exc:
        errors.print(f"[red]{exc}[/]")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.cli")
    add_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
