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


def _private_uses(path: Path, root: Path = ROOT) -> list[tuple[str, str]]:
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


def _shared_inside_a_subpackage(path: Path, owner: str, root: Path = ROOT) -> bool:
    """A sub-package (lab.twins, monitoring.snmp) is one unit: its modules may share a helper with
    each other and with its sub-packages. A room's top package is not (network.render's privates
    are not network.private_network's: issue 16)."""
    package = ".".join(owner.split(".")[:-1])
    user_package = ".".join(path.relative_to(root).parts[:-1])
    return package.count(".") >= 1 and (user_package == package or user_package.startswith(package + "."))


def test_modules_use_each_others_public_names_only():
    """Rooms, and a room's modules, reach each other through public names (issue 16: private_network
    called render._environment, change._rollback, ...)."""
    uses = [use for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            for use, owner in _private_uses(path) if not _shared_inside_a_subpackage(path, owner)]
    assert uses == []


def test_the_private_name_check_sees_both_forms(tmp_path):
    sample = tmp_path / "network" / "intent.py"
    sample.parent.mkdir()
    sample.write_text("from network import change, render\nfrom network.change import _rollback\n\n"
                      "ENV = render._environment()\n")
    uses = _private_uses(sample, tmp_path)
    assert uses == [("network/intent.py:2: from network.change import _rollback", "network.change"),
                    ("network/intent.py:4: render._environment", "network.render")]
    assert not any(_shared_inside_a_subpackage(sample, owner, tmp_path) for _, owner in uses)
    snmp = tmp_path / "monitoring" / "snmp" / "fast.py"
    assert _shared_inside_a_subpackage(snmp, "monitoring.snmp.ber", tmp_path)
