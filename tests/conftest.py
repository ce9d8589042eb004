"""Shared test helpers: the repository root and copies of inventories to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.paths import ROOT


@pytest.fixture
def lab_copy(tmp_path: Path) -> Path:
    """A writable copy of inventories/lab (with its vault password file)."""
    dest = tmp_path / "lab"
    shutil.copytree(ROOT / "inventories" / "lab", dest)
    return dest
