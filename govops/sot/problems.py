"""Validation problems: each names the file, the key path and what was expected."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Numbers compare as numbers, so `links[2]` sorts before `links[16]` and `line 9` before `line 39`."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(text))


def has_control(text: str) -> bool:
    """Control characters (Unicode Cc: C0, DEL, C1), e.g. a terminal escape; other spaces are text."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def _printable(text: str) -> str:
    """Control characters from a bad inventory are shown escaped, never sent to the terminal."""
    return "".join(ascii(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in text)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return _printable(f"{self.file}: {self.key}: {self.message}")

    def sort_key(self) -> tuple:
        return natural_key(self.file), natural_key(self.key), self.message


class InventoryError(Exception):
    """Raised with every problem found in one run, never just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=Problem.sort_key)
        super().__init__(f"{len(self.problems)} problem(s) in the inventory:\n" + "\n".join(map(str, self.problems)))
