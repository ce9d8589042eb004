"""Helpers for the lab tests: the prefix, the inventory, and `govops lab` as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.paths import ROOT

PREFIX = os.environ.get("GOVOPS_LAB_PREFIX", "gt")
INVENTORY = ROOT / "inventories" / "lab"
NOT_ROOT = "the lab needs root (network namespaces, mounts); run the lab tests as root"


def lab_cli(*args: str, prefix: str = PREFIX, check: bool = True) -> subprocess.CompletedProcess:
    """`govops lab …` as a user runs it (via `python -m lab.cli`, the same add_cli tree)."""
    proc = subprocess.run([sys.executable, "-m", "lab.cli", "lab", *args[:1], "--prefix", prefix, *args[1:]],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"lab {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc
