"""`govops`: one command, a subcommand tree per room.

Exit codes: 0 ok, 1 findings or failure, 2 usage or bad input that stopped before any change.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from rich.markup import escape
from rich.table import Table

import lab.cli
import monitoring.cli
import network.cli
import security.cli
import security.sa.cli
from govops import ipv6
from govops.clikit import add_inventory_arg, console, errors, load, print_problems, vault_password
from govops.cloud import cli as cloud_cli
from govops.migrate import cli as migrate_cli
from govops.sot import InventoryError, load_inventory

# The one registry of rooms: each adds its subcommand tree to the subparsers it is given
# (`add_cli(subparsers)`). A new room is one line here. This module is the top floor (it imports
# the rooms); the rooms take their shared helpers from govops.clikit, never from here.
ROOMS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    lab.cli.add_cli, network.cli.add_cli, monitoring.cli.add_cli, security.sa.cli.add_cli,
    security.cli.add_cli, cloud_cli.add_cli, migrate_cli.add_cli,
)


# -- validate ------------------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace) -> int:
    try:
        password = vault_password(args)
    except InventoryError as exc:  # bad usage, not a finding about the inventory
        if args.json:
            print(json.dumps([p.__dict__ for p in exc.problems], ensure_ascii=False, indent=2))
        else:
            print_problems(exc)
        return 2
    try:
        inv = load_inventory(args.inventory, vault_password=password)
        problems, notes = ipv6.check_plan(inv)  # the committed plan is part of the source of truth
        if problems:
            raise InventoryError(problems)
    except InventoryError as exc:
        if args.json:
            print(json.dumps([p.__dict__ for p in exc.problems], ensure_ascii=False, indent=2))
        else:
            print_problems(exc)
        return 1
    if args.json:
        print(json.dumps([], indent=2))
        return 0
    counts = {k: len(getattr(inv, k)) for k in ("sites", "devices", "hosts", "links", "centres", "departments", "systems")}
    console.print(f"[green]{inv.path}: valid[/] — " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    table = Table(title=f"{inv.city.name}: devices by tier and platform")
    platforms = sorted({d.platform for d in inv.devices.values()})
    table.add_column("tier")
    for p in platforms:
        table.add_column(p, justify="right")
    for role in ("core", "aggregation", "access"):
        table.add_row(role, *[str(sum(1 for d in inv.devices.values() if d.role == role and d.platform == p))
                              for p in platforms])
    console.print(table)
    for note in notes[:10]:
        errors.print(f"[yellow]note:[/] {escape(str(note))}", highlight=False, soft_wrap=True)
    if len(notes) > 10:
        errors.print(f"[yellow]note:[/] and {len(notes) - 10} more entries not yet in the plan")
    return 0


# -- ipv6 ----------------------------------------------------------------------------------
def cmd_ipv6_plan(args: argparse.Namespace) -> int:
    inv = load(args)
    try:
        existing = ipv6.load_plan(inv)
        plan, added = ipv6.plan_ipv6(inv, existing)
    except ipv6.PlanError as exc:
        print_problems(exc)
        return 2
    if args.write and (added or existing is None):
        try:
            path = ipv6.write_plan(inv, plan)
        except ipv6.PlanError as exc:
            print_problems(exc)
            return 1
        errors.print(f"wrote {path} ({len(added)} new entr{'y' if len(added) == 1 else 'ies'})")
    if args.json:
        print(json.dumps({"plan": plan.to_data(), "added": added, "stale": ipv6.stale_entries(plan, inv)},
                         indent=2, ensure_ascii=False))
        return 0
    table = Table(title=f"IPv6 plan of {inv.city.name} ({plan.city})")
    for col in ("area", "name", "prefix", "townships", "devices", "links", "segments"):
        table.add_column(col, justify="right" if col in ("townships", "devices", "links", "segments") else "left")
    for row in ipv6.summary_rows(plan, inv):
        table.add_row(row["site"], row["name"], row["prefix"], *(str(row[k]) for k in ("townships", "devices", "links", "segments")))
    console.print(table)
    console.print(f"infrastructure {plan.infrastructure}: loopbacks {plan.loopback_pool} ({len(plan.loopbacks)} used), "
                  f"links {plan.link_pool} ({len(plan.links)} used), management {plan.management}")
    if added and not args.write:
        console.print(f"[yellow]{len(added)} new entr{'y' if len(added) == 1 else 'ies'} not yet in "
                      f"{ipv6.plan_file(inv)}; run with --write to record them:[/]")
        for line in added[:20]:
            console.print(f"  + {line}")
    for line in ipv6.stale_entries(plan, inv):
        console.print(f"[yellow]  stale (kept, no longer in the inventory): {line}[/]")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govops", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="validate an inventory; print every problem (exit 1) or a summary")
    add_inventory_arg(p)
    p.add_argument("--json", action="store_true", help="problems as JSON")
    p.set_defaults(func=cmd_validate)

    ip6 = sub.add_parser("ipv6", help="the dual-stack IPv6 address plan").add_subparsers(dest="ipv6_cmd", required=True)
    p = ip6.add_parser("plan", help="plan (stable; only adds entries) and summarise per county")
    add_inventory_arg(p)
    p.add_argument("--write", action="store_true", help="record new entries in <inventory>/ipv6-plan.yml")
    p.add_argument("--json", action="store_true", help="the whole plan as JSON")
    p.set_defaults(func=cmd_ipv6_plan)

    for add_cli in ROOMS:
        add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        errors.print("[red]interrupted[/]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
