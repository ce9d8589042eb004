"""Where things are, for tests anywhere in the tree."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
