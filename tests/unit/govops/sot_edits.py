"""Helpers for the source-of-truth tests: edit a copy of the lab inventory, collect its problems."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from govops.sot import InventoryError, load_inventory

TIER_KEY = "all.children.extranet.children.{tier}.hosts.{host}"


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def problems_of(inv_dir: Path) -> list[str]:
    with pytest.raises(InventoryError) as err:
        load_inventory(inv_dir)
    return [str(p) for p in err.value.problems]


def find(problems: list[str], file_suffix: str, key: str, words: str) -> str | None:
    for p in problems:
        file, k, message = p.split(": ", 2)
        if file.endswith(file_suffix) and k == key and re.search(words, message):
            return p
    return None


def assert_reported(problems: list[str], file_suffix: str, key: str, words: str) -> None:
    if find(problems, file_suffix, key, words) is None:
        raise AssertionError(f"no problem {file_suffix}: {key}: /{words}/ in:\n" + "\n".join(problems))
