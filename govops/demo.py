"""`make demo`: the main job, end to end, on the built-in lab twin.

Each stage prints what it did; the report at the end says where to look next.
The city inventory is validated and planned; the lab inventory is what runs live.
"""

from __future__ import annotations

import argparse
import sys
import time

from rich.console import Console
from rich.rule import Rule

from govops import cli

console = Console(width=None if sys.stdout.isatty() else 160)
CITY = "inventories/xinyu"


def stage(title: str):
    console.print(Rule(f"[bold]{title}"))
    return time.monotonic()


def run(args: argparse.Namespace) -> int:
    failures: list[str] = []
    t0 = time.monotonic()

    stage(f"1. Source of truth: validate the city ({CITY}) and the lab ({args.inventory})")
    for inv in (CITY, args.inventory):
        if cli.main(["validate", "-i", inv]) != 0:
            failures.append(f"validate {inv}")

    stage("2. IPv6 address plan of the city (stable; committed in ipv6-plan.yml)")
    if cli.main(["ipv6", "plan", "-i", CITY]) != 0:
        failures.append("ipv6 plan")

    console.print(Rule("[bold]Report"))
    console.print(f"finished in {time.monotonic() - t0:.1f} s")
    if failures:
        console.print(f"[red]failed stages: {', '.join(failures)}[/]")
        return 1
    console.print("[green]all stages passed[/]")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govops demo", description=__doc__.splitlines()[0])
    parser.add_argument("-i", "--inventory", default="inventories/lab", help="the lab inventory to run live")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
