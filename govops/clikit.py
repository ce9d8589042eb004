"""What every room's command line shares: the -i/--vault-password-file options, loading the inventory
with every problem printed, and the consoles.

Core layer: rooms import this, never ``govops.cli`` (which sits on top and imports the rooms), so
the command line has no import cycle (DESIGN.md, "Layers"; checked by import-linter in `make lint`).
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from govops.sot import InventoryError, load_inventory, read_vault_password

DEFAULT_INVENTORY = "inventories/lab"

# Wide enough for prefixes when piped (CI logs, `| less`); a terminal sets its own width.
console = Console(width=None if sys.stdout.isatty() else 160)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def add_inventory_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-i", "--inventory", default=DEFAULT_INVENTORY,
                        help=f"inventory directory (default: {DEFAULT_INVENTORY})")
    parser.add_argument("--vault-password-file", help="ansible-vault password file "
                        "(default: $GOVOPS_VAULT_PASSWORD_FILE, or the inventory's .vault-pass)")


def vault_password(args: argparse.Namespace) -> str | None:
    """The password from --vault-password-file, if given; InventoryError naming the file if unusable."""
    path = getattr(args, "vault_password_file", None)
    return read_vault_password(path) if path else None


def load(args: argparse.Namespace):
    """Load the inventory named by -i; on problems print them all and exit 2."""
    try:
        return load_inventory(args.inventory, vault_password=vault_password(args))
    except InventoryError as exc:
        print_problems(exc)
        sys.exit(2)


def print_problems(exc: InventoryError) -> None:
    # Plain lines, one per problem, never wrapped: engineers grep and paste them.
    print(f"{len(exc.problems)} problem(s):", file=sys.stderr)
    for p in exc.problems:
        print(f"  {p}", file=sys.stderr)
