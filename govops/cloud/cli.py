"""`govops cloud plan` and `govops cloud drift`: the Pulumi program under mocks, no CLI or cloud needed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from govops.clikit import DEFAULT_INVENTORY, add_inventory_arg, console, errors, load, print_problems
from govops.sot.problems import InventoryError


def _declare(args: argparse.Namespace):
    """(inventory, declaration) for the stack/inventory the arguments name; exits 2 on bad input."""
    from govops import ipv6

    from .mocks import run_program, run_stacks
    from .settings import StackSettings, stack_file
    from .stacks import StackNameError, parse_stack

    settings = None
    if args.stack:
        if not stack_file(args.stack).exists():
            errors.print(f"[red]no stack config {stack_file(args.stack)}[/]")
            sys.exit(2)
        settings = _stack_settings(args.stack)
    args.inventory = args.inventory or (settings.inventory if settings else DEFAULT_INVENTORY)
    inv = load(args)
    stack = args.stack or inv.name
    if settings is None:
        settings = _stack_settings(stack) if stack_file(stack).exists() else StackSettings(inventory=str(inv.path))
    try:
        plan = ipv6.require_plan(inv)
        scope = parse_stack(stack, inv)
        if getattr(args, "split", False) or scope.kind != "all":
            # A split stack reads its platform stacks' outputs: run them all, in `pulumi up` order.
            stacks = run_stacks(inv, plan, settings, scope.env)
            return inv, (stacks if scope.kind == "all" else stacks[stack])
        return inv, run_program(inv, plan, settings, stack=stack)
    except InventoryError as exc:
        print_problems(exc)
        sys.exit(2)
    except StackNameError as exc:
        errors.print(str(exc), markup=False)
        sys.exit(2)


def _stack_settings(stack: str):
    from .settings import load_stack_settings, stack_file

    try:
        return load_stack_settings(stack)
    except ValueError as exc:
        errors.print(f"{stack_file(stack)}: {exc}", markup=False)
        sys.exit(2)


def cmd_plan(args: argparse.Namespace) -> int:
    from . import policies
    from .report import build_report, split_markdown, split_report, to_markdown

    inv, decl = _declare(args)
    if args.split:
        report = split_report(inv, decl)
        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n" if args.json else split_markdown(report)
        _write(args, text, f"{len(report['stacks'])} stacks")
        return 1 if any(s["violations"] for s in report["stacks"]) else 0
    report = build_report(inv, decl)
    report["policies"] = policies.check_all(decl.resources, *policies.inventory_facts(inv))
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n" if args.json else to_markdown(report)
    if not args.json:
        text += "\n## Policies\n\n" + "\n".join(
            f"- {name}: {'ok' if not v else f'{len(v)} violation(s)'}" + "".join(f"\n  - {m}" for m in v)
            for name, v in report["policies"].items()) + "\n"
    _write(args, text, f"{report['resources']} resources")
    return 1 if any(report["policies"].values()) else 0


def _write(args: argparse.Namespace, text: str, what: str) -> None:
    if args.output:
        Path(args.output).write_text(text)
        errors.print(f"wrote {args.output} ({what})")
    else:
        sys.stdout.write(text)


def cmd_stacks(args: argparse.Namespace) -> int:
    """The stacks of a split environment, one per line in `pulumi up` order (for CI loops); with
    --changed-since, only those whose declared resources differ from that git revision's inventory."""
    from .stacks import split

    args.inventory = args.inventory or DEFAULT_INVENTORY
    inv = load(args)
    env = args.env or inv.name
    names = [scope.name for scope in split(inv, env)]
    if args.changed_since:
        names = _changed_stacks(inv, env, args.changed_since, names)
    for name in names:
        print(name)
    return 0


def _changed_stacks(inv, env: str, rev: str, names: list[str]) -> list[str]:
    """Stacks whose declaration (resources and inputs) differs between `rev` and the work tree."""
    import subprocess
    import tempfile

    from govops import ipv6
    from govops.sot import load_inventory

    from .mocks import run_stacks
    from .settings import StackSettings

    def fingerprint(inventory) -> dict[str, str]:
        decls = run_stacks(inventory, ipv6.require_plan(inventory), StackSettings(inventory=str(inventory.path)), env)
        return {n: json.dumps(sorted((r.urn, r.inputs) for r in d.resources if r.custom), sort_keys=True, default=str)
                for n, d in decls.items()}

    top = subprocess.run(["git", "-C", str(inv.path), "rev-parse", "--show-toplevel"], capture_output=True,
                         text=True, check=True).stdout.strip()
    rel = Path(inv.path).resolve().relative_to(top)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", top, "archive", rev, str(rel)], capture_output=True, check=False)
        if archive.returncode != 0:
            errors.print(f"cannot read {rel} at {rev}: {archive.stderr.decode().strip()}", markup=False)
            sys.exit(2)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        vault_pass = Path(inv.path) / ".vault-pass"
        if vault_pass.exists() and not (Path(tmp) / rel / ".vault-pass").exists():
            (Path(tmp) / rel / ".vault-pass").write_bytes(vault_pass.read_bytes())
        before = fingerprint(load_inventory(Path(tmp) / rel))
    after = fingerprint(inv)
    return [n for n in names if before.get(n) != after.get(n)]


def cmd_drift(args: argparse.Namespace) -> int:
    from .drift import ExportError, compare, read_export

    try:
        state = read_export(args.state)
    except ExportError as exc:
        errors.print(f"[red]{exc}[/]")
        return 2
    _, decl = _declare(args)
    report = compare(decl, state)
    if args.json:
        print(json.dumps(report.to_data(), indent=2, ensure_ascii=False))
        return 1 if report.drifted else 0
    for urn in report.missing:
        console.print(f"[red]missing[/]  {urn}", highlight=False)
    for urn in report.added:
        console.print(f"[yellow]added[/]    {urn}", highlight=False)
    for change in report.changed:
        console.print(f"[yellow]changed[/]  {change.urn}", highlight=False)
        for key, (want, have) in change.inputs.items():
            console.print(f"           {key}: declared {want!r}, state {have!r}", highlight=False, markup=False)
    summary = f"{len(report.missing)} missing, {len(report.added)} added, {len(report.changed)} changed"
    console.print(f"[{'red' if report.drifted else 'green'}]{'drift' if report.drifted else 'no drift'}:[/] {summary}")
    return 1 if report.drifted else 0


def add_cli(subparsers) -> None:
    cloud = subparsers.add_parser("cloud", help="the government cloud as code (Pulumi program under mocks)")
    sub = cloud.add_subparsers(dest="cloud_cmd", required=True)

    p = sub.add_parser("plan", help="resource inventory per centre, DR coverage and quota use (the review document)")
    add_inventory_arg(p)
    p.add_argument("--stack", help="stack whose pulumi/Pulumi.<stack>.yaml settings (and inventory) to use")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="machine-readable document")
    fmt.add_argument("--markdown", action="store_true", help="Markdown document (the default)")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.add_argument("--split", action="store_true",
                   help="per stack of the split layout (platform per centre, tenant per department): resources, "
                        "providers, StackReferences, policy violations")
    p.set_defaults(func=cmd_plan, inventory=None)

    p = sub.add_parser("stacks", help="the split layout's stacks in `pulumi up` order (platforms, then tenants)")
    add_inventory_arg(p)
    p.add_argument("--env", help="environment name (stack prefix); default: the inventory's name")
    p.add_argument("--changed-since", metavar="REV",
                   help="only stacks whose declared resources differ from the inventory at this git revision")
    p.set_defaults(func=cmd_stacks, inventory=None)

    p = sub.add_parser("drift", help="compare a `pulumi stack export` with the declared resources (exit 1 on drift)")
    add_inventory_arg(p)
    p.add_argument("--stack", help="stack whose settings (and inventory) to use")
    p.add_argument("--state", required=True, help="JSON from `pulumi stack export`")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=cmd_drift, inventory=None)
