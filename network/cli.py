"""``govops net render | backup | drift | upgrade``: the extranet commands (registered by add_cli)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.progress import Progress

from govops import ipv6
from govops.clikit import add_inventory_arg, console, errors, load, print_problems
from govops.sot.problems import InventoryError

# The engine modules (netmiko, pysnmp, Jinja2) are imported inside the commands that use them: every
# `govops` start builds all rooms' parsers, and importing them all up front costs ~0.25 s per command.


def _session_opts(args: argparse.Namespace):
    from network.session import SessionOptions

    return SessionOptions.from_env(known_hosts=args.known_hosts, accept_new_keys=args.lab_accept_new_keys)


def _names(inv, args: argparse.Namespace) -> list[str]:
    names = args.device or [n for n in inv.devices if n in inv.groups.get("extranet", tuple(inv.devices))]
    unknown = [n for n in names if n not in inv.devices]
    if unknown:
        errors.print(f"[red]no such device:[/] {', '.join(unknown)}")
        sys.exit(2)
    return names


def _prepare(args: argparse.Namespace):
    """Inventory, plan and rendered intents, or exit 2 before any device is touched."""
    from network import render

    inv = load(args)
    try:
        plan = ipv6.require_plan(inv)
        intents = render.render_all(inv, plan, _names(inv, args))
    except InventoryError as exc:
        print_problems(exc)
        sys.exit(2)
    return inv, plan, intents


def cmd_render(args: argparse.Namespace) -> int:
    _, _, intents = _prepare(args)
    if args.json:
        print(json.dumps({n: {"intent": i.text, "undo": i.undo_text} for n, i in intents.items()},
                         indent=2, ensure_ascii=False))
        return 0
    for name, intent in intents.items():
        print(f"# ---- {name} ({intent.platform}, {intent.role}) ----")
        print(intent.undo_text if args.undo else intent.text)
    return 0


def _fetch(inv, names, args):
    from network import backup

    with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("reading running configs", total=len(names))
        return backup.fetch_all(inv, names, _session_opts(args), args.workers,
                                progress=lambda _f: bar.advance(task),
                                with_saved=not getattr(args, "running_only", True))


def cmd_backup(args: argparse.Namespace) -> int:
    from network import backup

    inv = load(args)
    names = _names(inv, args)
    fetched = _fetch(inv, names, args)
    written = backup.write_backups(inv, fetched, Path(args.dest))
    failed = {n: f.error for n, f in fetched.items() if f.error}
    console.print(f"backed up {len(written)}/{len(names)} device(s) to {args.dest}")
    for n, err in sorted(failed.items()):
        console.print(f"[red]{n}[/]: {err}", markup=True, highlight=False)
    return 1 if failed else 0


def cmd_check_backups(args: argparse.Namespace) -> int:
    from network.masking import check_backups_command

    return check_backups_command(args.dir)


def cmd_drift(args: argparse.Namespace) -> int:
    from network import drift

    inv, _, intents = _prepare(args)
    fetched = _fetch(inv, list(intents), args)
    reports = []
    for name, intent in intents.items():
        f = fetched[name]
        reports.append(drift.DriftReport(name, error=f.error) if f.error else drift.compare(intent, f.text))
        if not f.error and f.saved is not None:  # saved vs running: what a reboot would lose
            reports[-1].unsaved = drift.unsaved(intent, f.text, f.saved)
    if args.metrics:
        drift.write_metrics(inv, reports, Path(args.metrics))
    drifted = [r for r in reports if r.drifted]
    if args.json:
        print(json.dumps([{"device": r.device, "drift": r.drifted, "unknown": r.unknown, "missing": r.missing,
                           "unplanned": r.unplanned, "unsaved": r.unsaved, "error": r.error} for r in reports], indent=2))
    else:
        for r in drifted:
            console.print(f"[bold red]drift: {r.device}[/]")
            for line in drift.diff_lines(r):
                console.print("  " + line, markup=False, highlight=False)
        unknown = [r for r in reports if r.unknown]
        for r in unknown:  # not drift: its state is unknown (exit 3 when nothing else drifted)
            console.print(f"[bold yellow]unknown: {r.device}[/] could not be read: {r.error}", highlight=False)
        console.print(f"{len(drifted)} of {len(reports)} device(s) drifted" if drifted
                      else f"no drift on {len(reports) - len(unknown)} device(s)")
    return 1 if drifted else 3 if any(r.unknown for r in reports) else 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    """The same engine the playbook's module calls, without Ansible (tier by tier)."""
    from network import change
    from network.journal import Journal

    inv = load(args)
    names = _names(inv, args)
    try:
        plan = change.preflight(inv, names)
    except InventoryError as exc:
        print_problems(exc)
        return 2
    ctx = change.ChangeContext(inv, plan, Journal(args.journal), Path(args.backup_dir), _session_opts(args),
                               check=args.check)
    change.stop_on_signals()  # Ctrl-C / SIGTERM: devices in flight finish or roll back, no other starts
    outcomes = change.run_wave(ctx, names, args.workers,
                               progress=lambda o: console.print(f"{o.device}: {o.result} {o.detail}",
                                                                markup=False, highlight=False))
    return 1 if any(o.failed for o in outcomes) else 0


def _common(p: argparse.ArgumentParser) -> None:
    add_inventory_arg(p)
    p.add_argument("--device", action="append", help="only this device (repeatable)")


def _ssh(p: argparse.ArgumentParser) -> None:
    p.add_argument("--known-hosts", help="known_hosts file to verify device keys (default $GOVOPS_KNOWN_HOSTS)")
    p.add_argument("--lab-accept-new-keys", action="store_true", help="lab only: trust unknown host keys")
    p.add_argument("--workers", type=int, default=20, help="concurrent sessions (default 20)")


def add_cli(subparsers) -> None:
    net = subparsers.add_parser("net", help="extranet: render intent, backups, drift, dual-stack upgrade")
    sub = net.add_subparsers(dest="net_cmd", required=True)

    p = sub.add_parser("render", help="print each device's dual-stack intent (or --undo set)")
    _common(p)
    p.add_argument("--undo", action="store_true", help="print the undo set instead")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("backup", help="back up every device's running config (one normalised file each)")
    _common(p)
    _ssh(p)
    p.add_argument("--dest", default="backups", help="directory (default ./backups; <site>/<device>.cfg)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("check-backups", help="exit 1 if a backup holds an unmasked secret or others can read it")
    p.add_argument("dir", help="backup folder (run it before `git commit`; runbooks/ipv6-upgrade.md)")
    p.set_defaults(func=cmd_check_backups)

    p = sub.add_parser("drift", help="running vs intended; exit 1 on drift, 3 when a device could not be read "
                       "(and none drifted); Prometheus textfile with --metrics")
    _common(p)
    _ssh(p)
    p.add_argument("--metrics", help="write govops_net_drift metrics to this .prom file")
    p.add_argument("--running-only", action="store_true",
                   help="skip the saved-vs-running comparison (lines running only are lost at reboot)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_drift)

    p = sub.add_parser("upgrade", help="dual-stack upgrade without Ansible (the playbook is the normal path)")
    _common(p)
    _ssh(p)
    p.add_argument("--check", action="store_true", help="show what would change; touch nothing")
    p.add_argument("--journal", default="journal/ipv6-upgrade.jsonl")
    p.add_argument("--backup-dir", default="backups/pre-ipv6")
    p.set_defaults(func=cmd_upgrade)
