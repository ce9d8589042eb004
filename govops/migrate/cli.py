"""`govops migrate ...`: the wave planner on the command line (registered in govops.cli's ROOMS)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from govops.clikit import add_inventory_arg, errors, load, print_problems
from govops.migrate.planner import PlanError, WaveLimits, load_catalogue, plan_inventory, plan_waves
from govops.migrate.render import plan_json, plan_markdown, write_runbooks


def add_cli(subparsers) -> None:
    migrate = subparsers.add_parser("migrate", help="cloud migration: wave plan and per-system runbooks")
    sub = migrate.add_subparsers(dest="migrate_command", required=True)
    p = sub.add_parser("plan", help="plan migration waves from the catalogue (easy first, dependencies, windows)")
    add_inventory_arg(p)
    p.add_argument("--catalogue", help="plan a stand-alone catalogue YAML (departments:, systems:) instead of -i")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the plan as JSON")
    fmt.add_argument("--markdown", action="store_true", help="print the plan as Markdown (default: a summary)")
    p.add_argument("--out", type=Path, help="write migration-plan.json and migration-plan.md into this directory")
    p.add_argument("--previous", type=Path,
                   help="previous plan JSON: systems keep their wave unless a constraint forces a move")
    p.add_argument("--runbooks", type=Path, metavar="DIR",
                   help="write one runbook per moving system into DIR (e.g. runbooks/migrations)")
    defaults = WaveLimits()
    for name in defaults.__dataclass_fields__:
        p.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name),
                       help=f"wave capacity (default {getattr(defaults, name)})")
    p.set_defaults(func=cmd_plan)


def cmd_plan(args: argparse.Namespace) -> int:
    limits = WaveLimits(**{k: getattr(args, k) for k in WaveLimits.__dataclass_fields__})
    try:
        previous = json.loads(args.previous.read_text()) if args.previous else None
    except (OSError, ValueError) as exc:
        errors.print(f"[red]cannot read previous plan {args.previous}:[/] {exc}")
        return 2
    try:
        if args.catalogue:
            departments, systems = load_catalogue(args.catalogue)
            plan = plan_waves(systems, departments, limits, previous, source=args.catalogue)
            inventory = args.catalogue
        else:
            inv = load(args)
            systems, inventory = inv.systems, args.inventory
            plan = plan_inventory(inv, limits, previous)
    except PlanError as exc:
        print_problems(exc)
        return 2
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "migration-plan.json").write_text(plan_json(plan))
        (args.out / "migration-plan.md").write_text(plan_markdown(plan, inventory))
        errors.print(f"wrote {args.out}/migration-plan.json and .md")
    if args.runbooks:
        written, removed = write_runbooks(plan, systems, args.runbooks, inventory)
        errors.print(f"runbooks in {args.runbooks}: {len(written)} written, {len(removed)} removed")
    if args.json:
        sys.stdout.write(plan_json(plan))
    elif args.markdown:
        sys.stdout.write(plan_markdown(plan, inventory))
    else:
        kpi = plan.kpi()
        for w in plan.to_data()["waves"]:
            print(f"wave {w['wave']:>2}  {w['window']:<20} {len(w['systems']):>2}/{w['capacity']['systems']} systems "
                  f"{w['data_gb']:>6}/{w['capacity']['data_gb']} GB  {' '.join(w['systems'])}")
        print(f"on cloud {kpi['on_cloud_pct']}% now, {kpi['after_plan_pct']}% after the plan (target 90%); "
              f"{len(plan.excluded)} classified excluded; {len(plan.moves)} change(s) against --previous")
    return 0
