"""Plain YAML reading with what Ansible's loader does not report: duplicate keys
and syntax errors, each with the file and position."""

from __future__ import annotations

from pathlib import Path

import yaml

from .problems import Problem


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that records duplicate mapping keys instead of silently keeping the last."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[str, int]] = []

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def is_vaulted(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(14) == b"$ANSIBLE_VAULT"


def read_yaml(path: Path, shown: str) -> tuple[object, list[Problem]]:
    """Load one file; return (data, problems). Unreadable or malformed YAML gives data None and a problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, "(file)", f"cannot be read: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Named here, against this file: Ansible would escape the bytes and fail later on another file.
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(shown, f"line {line}, column {column}",
                              f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); expected a UTF-8 text file")]
    loader = _StrictLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(shown, where, f"malformed YAML: {reason}")]
    finally:
        loader.dispose()
    problems = [Problem(shown, f"line {line}", f"duplicate key {key!r} (YAML keeps only the last one)")
                for key, line in loader.duplicates]
    return data, problems


def inventory_yaml_files(root: Path) -> list[Path]:
    """Every YAML file Ansible would read for this inventory directory."""
    return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))
