"""The layers of DESIGN.md hold, and the check that holds them (`make lint`: lint-imports) really fails
when one is broken: a copy of the tree with the core importing the lab again is rejected."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

PACKAGES = ("govops", "network", "monitoring", "security", "lab", "bench")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)})


def copy_tree(dest: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / ".importlinter", dest)
    return dest


def test_the_tree_keeps_its_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module, line, broken", [
    # the fault issue 16 found: the SoT checked interface names with the lab's shortener
    ("govops/sot/checks.py", "from lab.ifnames import kernel_name", "govops.sot is not allowed to import lab"),
    # the old cycle: a room taking its CLI helpers from the command line that imports the rooms
    ("network/cli.py", "from govops.cli import build_parser", "network is not allowed to import govops.cli"),
    # a room under the core
    ("govops/ipv6.py", "from network import render", "govops.ipv6 is not allowed to import network"),
])
def test_lint_fails_when_a_layer_is_broken(tmp_path, module, line, broken):
    tree = copy_tree(tmp_path)
    path = tree / module
    text = path.read_text()
    path.write_text(text.replace("from __future__ import annotations\n",
                                 f"from __future__ import annotations\n\n{line}  # noqa: F401\n", 1))
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout, result.stdout


def _private_uses(path: Path, root: Path = ROOT) -> list[str]:
    """`from other import _name` and `other._name` where `other` is a project module imported here."""
    tree = ast.parse(path.read_text())
    modules: dict[str, str] = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] in PACKAGES:
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: from {node.module} import {alias.name}")
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES:
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def _same_package(use: str, path: Path) -> bool:
    # lab/twins/dialects/base.py: from lab.twins.grammar import _int_range (one package's own helper)
    owner = ".".join(path.relative_to(ROOT).parts[:2])
    return f"from {owner}." in use


def test_modules_use_each_others_public_names_only():
    """Rooms reach each other through public names (issue 16: private_network called
    render._environment, change._rollback, ...); a package's own sub-modules may share a helper."""
    uses = [u for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            for u in _private_uses(path) if not _same_package(u, path)]
    assert uses == []


def test_the_private_name_check_sees_both_forms(tmp_path):
    sample = tmp_path / "network" / "intent.py"
    sample.parent.mkdir()
    sample.write_text("from network import change, render\nfrom network.change import _rollback\n\n"
                      "ENV = render._environment()\n")
    assert _private_uses(sample, tmp_path) == ["network/intent.py:2: from network.change import _rollback",
                                               "network/intent.py:4: render._environment"]
