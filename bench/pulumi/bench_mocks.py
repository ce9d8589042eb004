"""Time the whole cloud program under mocks, per inventory, next to a peer on the same work.

    .venv/bin/python bench/pulumi/bench_mocks.py [--repeat 3]

- govops: `govops.cloud.mocks.run_program` (validation + the recording monitor `cloud plan` uses);
- peer:   the same program under Pulumi's stock MockMonitor with the minimal Mocks of the Pulumi
          unit-testing docs (no recording, the garbage collector left on): what the SDK alone
          costs for this many resources.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
warnings.simplefilter("ignore", DeprecationWarning)

import pulumi  # noqa: E402
from pulumi.runtime.settings import reset_options  # noqa: E402
from pulumi.runtime.stack import run_pulumi_func  # noqa: E402
from pulumi.runtime.sync_await import _sync_await  # noqa: E402

from govops import ipv6  # noqa: E402
from govops.cloud.mocks import run_program  # noqa: E402
from govops.cloud.program import declare_cloud  # noqa: E402
from govops.cloud.settings import load_stack_settings  # noqa: E402
from govops.sot import load_inventory  # noqa: E402


class Minimal(pulumi.runtime.Mocks):
    def __init__(self):
        self.count = 0

    def new_resource(self, args):
        self.count += 1
        return f"{args.name}-id", args.inputs

    def call(self, args):
        return {"id": "x", "userId": "u"}


def peer(inv, plan, settings) -> int:
    mocks = Minimal()
    reset_options(project="govops-cloud", stack="bench", preview=False)   # fresh root stack, as ours
    pulumi.runtime.set_mocks(mocks, project="govops-cloud", stack="bench", preview=False)
    _sync_await(run_pulumi_func(lambda: declare_cloud(inv, plan, settings)))
    return mocks.count


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print("| inventory | resources | govops run_program (s, median) | peer: stock mocks (s, median) |")
    print("|---|---:|---:|---:|")
    for name in ("lab", "xinyu"):
        inv = load_inventory(ROOT / "inventories" / name)
        plan = ipv6.require_plan(inv)
        settings = load_stack_settings(name)
        ours, theirs, count = [], [], 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            decl = run_program(inv, plan, settings, stack=name)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            count = peer(inv, plan, settings)
            theirs.append(time.perf_counter() - t)
            assert count == len(decl.resources)
        print(f"| {name} | {count} | {statistics.median(ours):.2f} | {statistics.median(theirs):.2f} |")


if __name__ == "__main__":
    main()
