"""`govops sec ...`: the MLPS baseline audit and the boundary policy.

    govops sec audit [-i INV] [--hosts a,b] [--lab] [--ssh-config FILE] [--json] [--out DIR] [--results FILE]
    govops sec boundary render [-i INV] [--centre ID] [--hook input|forward] [-o FILE]

Exit codes: 0 every control passes / rendered, 1 findings, 2 usage or bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from govops.clikit import add_inventory_arg, console, errors, load

# The engine modules (netmiko, pysnmp, Jinja2) are imported inside the commands that use them: every
# `govops` start builds all rooms' parsers, and importing them all up front costs ~0.25 s per command.


def _names(values: list[str] | None) -> list[str]:
    return [n for v in values or [] for n in v.split(",") if n]


def cmd_audit(args: argparse.Namespace) -> int:
    from govops.sot import InventoryError
    from security.audit import DEFAULT_OUT, DEFAULT_RESULTS, audit, control_dir, host_url
    from security.baseline.catalogue import load_controls

    inv = load(args)
    wanted = _names(args.hosts) or list(inv.groups.get("servers") or inv.hosts)
    unknown = [n for n in wanted if n not in inv.hosts]
    if unknown:
        errors.print(f"[red]not a host of {inv.path}:[/] {', '.join(unknown)} (hosts: {', '.join(inv.hosts)})")
        return 2
    try:
        controls = load_controls(args.catalogue) if args.catalogue else load_controls()
    except InventoryError as exc:
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 2
    ssh_config = args.ssh_config or os.environ.get("GOVOPS_SSH_CONFIG")
    lab = args.lab or os.environ.get("GOVOPS_LAB", "") in ("1", "true", "yes")
    sockets = control_dir()
    targets = {n: host_url(n, str(inv.hosts[n].mgmt_ipv4), ssh_config, sockets, inv.hosts[n].username) for n in wanted}
    facts = {n: {"site": inv.hosts[n].site or inv.hosts[n].centre, "department": inv.hosts[n].department}
             for n in wanted}
    out = Path(args.out or DEFAULT_OUT)
    results = Path(args.results or DEFAULT_RESULTS)
    try:
        reports = audit(targets, out, results, lab, facts, controls)
    finally:
        _close_masters(sockets, ssh_config, wanted)
    failed = sum(not x.passed for r in reports for x in r.results)
    if args.json:
        print((out / "report.json").read_text(encoding="utf-8"), end="")
    else:
        for r in reports:
            bad = [x.control for x in r.results if not x.passed]
            colour = "green" if not bad else "red"
            console.print(f"[{colour}]{r.host}: {len(r.results) - len(bad)}/{len(r.results)} controls pass "
                          f"({r.ratio:.0%})[/]" + (f" — {r.error}" if r.error else ""))
            for control in bad if not r.error else []:
                console.print(f"  FAIL {control}")
        console.print(f"report: {out / 'report.md'}, {out / 'report.json'}; metrics: {out / 'mlps.prom'}; "
                      f"{failed} failure(s) appended to {results}")
    return 1 if failed else 0


def _close_masters(sockets: str, ssh_config: str | None, names: list[str]) -> None:
    """End the multiplexing masters this audit opened (they would linger ControlPersist seconds)."""
    for name in names:
        path = os.path.join(sockets, name)
        if os.path.exists(path):
            cmd = ["ssh", *(["-F", ssh_config] if ssh_config else []), "-o", f"ControlPath={path}", "-O", "exit", name]
            subprocess.run(cmd, capture_output=True, timeout=10, check=False)
    shutil.rmtree(sockets, ignore_errors=True)


def cmd_boundary_render(args: argparse.Namespace) -> int:
    from security.boundary.render import BoundaryError, render_boundary

    inv = load(args)
    try:
        text = render_boundary(inv, centre=args.centre, hook=args.hook)
    except BoundaryError as exc:
        errors.print(f"[red]cannot render the boundary policy:[/] {exc}")
        return 2
    if args.output and args.output != "-":
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
        if args.json:
            print(json.dumps({"written": args.output}))
    else:
        sys.stdout.write(text)
    return 0


def add_cli(subparsers) -> None:
    """Register `sec audit` and `sec boundary render` on the govops CLI's subparsers."""
    sec = subparsers.add_parser("sec", help="MLPS level-3 baseline audit and boundary policy")
    sub = sec.add_subparsers(dest="sec_cmd", required=True, metavar="COMMAND")

    p = sub.add_parser("audit", help="check every MLPS control on hosts; report, metrics, compliance events")
    add_inventory_arg(p)
    p.add_argument("--hosts", action="append", metavar="NAME[,NAME]",
                   help="hosts to audit (default: the inventory's servers group)")
    p.add_argument("--lab", action="store_true",
                   help="hosts are lab namespaces: judge kernel-global settings from configuration ($GOVOPS_LAB=1)")
    p.add_argument("--ssh-config", metavar="FILE",
                   help="ssh_config naming the hosts (the lab's; $GOVOPS_SSH_CONFIG); default ssh://<ansible_user>@<mgmt address>, checks under sudo unless root")
    p.add_argument("--catalogue", metavar="FILE", help="controls.yml to use (default: security/baseline/controls.yml)")
    p.add_argument("--out", metavar="DIR", help="report.md, report.json, mlps.prom go here (default run/security/audit)")
    p.add_argument("--results", metavar="FILE",
                   help="compliance JSON-lines file failures are appended to (default run/security/compliance.jsonl)")
    p.add_argument("--json", action="store_true", help="print report.json instead of the summary")
    p.set_defaults(func=cmd_audit)

    b = sub.add_parser("boundary", help="the extranet-to-cloud boundary policy (nftables)")
    bsub = b.add_subparsers(dest="boundary_cmd", required=True, metavar="COMMAND")
    p = bsub.add_parser("render", help="render the nftables ruleset from the catalogue and the IPv6 plan")
    add_inventory_arg(p)
    p.add_argument("--centre", help="cloud centre whose edge this is (default: the production centre)")
    p.add_argument("--hook", choices=["forward", "input"], default="forward",
                   help="forward: a boundary firewall in front of the centre; input: enforced on a cloud host itself")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.add_argument("--json", action="store_true", help="print where it was written, as JSON")
    p.set_defaults(func=cmd_boundary_render)


def main(argv: list[str] | None = None) -> int:
    """`python -m security.cli sec audit …`: the same commands before they are wired into `govops`."""
    parser = argparse.ArgumentParser(prog="govops")
    add_cli(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
