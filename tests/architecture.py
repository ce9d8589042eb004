"""The public-names rule of DESIGN.md ("Layers"), as an import-linter contract `make lint` runs
(`.importlinter`, type public_names) and tests/unit/test_layers.py tests.

import-linter sees which modules import which, not which names they use, so this contract reads
the source: `from other import _name` and `other._name`, where `other` is a project module.
"""

from __future__ import annotations

import ast
from pathlib import Path

from importlinter import Contract, ContractCheck, output

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("govops", "network", "monitoring", "security", "lab", "bench")


def private_uses(path: Path, root: Path = ROOT) -> list[tuple[str, str]]:
    """(where and what, the module that owns the name) for `from other import _name` and
    `other._name`, where `other` is a project module imported here."""
    tree = ast.parse(path.read_text())
    where = path.relative_to(root)
    modules: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] in PACKAGES:
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append((f"{where}:{node.lineno}: from {node.module} import {alias.name}", node.module))
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append((f"{where}:{node.lineno}: {node.value.id}.{node.attr}", modules[node.value.id]))
    return found


def shared_inside_a_subpackage(path: Path, owner: str, root: Path = ROOT) -> bool:
    """A sub-package (lab.twins, monitoring.snmp) is one unit: its modules may share a helper with
    each other and with its sub-packages. A room's top package is not (network.render's privates
    are not network.private_network's: issue 16)."""
    package = ".".join(owner.split(".")[:-1])
    user_package = ".".join(path.relative_to(root).parts[:-1])
    return package.count(".") >= 1 and (user_package == package or user_package.startswith(package + "."))


def violations(root: Path = ROOT) -> list[str]:
    return [use for package in PACKAGES if (root / package).is_dir()
            for path in sorted((root / package).rglob("*.py"))
            for use, owner in private_uses(path, root) if not shared_inside_a_subpackage(path, owner, root)]


class PublicNamesContract(Contract):
    """Modules reach each other through public names only (a sub-package may share within itself)."""

    def check(self, graph, verbose: bool) -> ContractCheck:
        found = violations(Path.cwd())
        return ContractCheck(kept=not found, metadata={"uses": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for use in check.metadata["uses"]:
            output.print_error(f"{use} is another module's private name")
            output.new_line()
