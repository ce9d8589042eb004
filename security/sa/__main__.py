"""`python -m security.sa forward ...` (the same command as `govops sa forward ...`)."""

import argparse
import sys

from security.sa.cli import add_forward_parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m security.sa")
    commands = parser.add_subparsers(dest="command", required=True)
    add_forward_parser(commands)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
