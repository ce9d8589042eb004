"""The layers of DESIGN.md hold, and the check that holds them (`make lint`: lint-imports) really fails
when one is broken: a copy of the tree with the core importing the lab again is rejected."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.architecture import PACKAGES, private_uses, shared_inside_a_subpackage, violations
from tests.paths import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)})


def copy_tree(dest: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / ".importlinter", dest)
    (dest / "tests").mkdir()
    shutil.copy(ROOT / "tests" / "architecture.py", dest / "tests")  # the public-names contract type
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
    # a room reaching into another module's private name (issue 16: private_network and render)
    ("network/private_network.py", "from network.render import _environment",
     "from network.render import _environment is"),
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


def test_modules_use_each_others_public_names_only():
    """Rooms, and a room's modules, reach each other through public names (issue 16: private_network
    called render._environment, change._rollback, ...). `make lint` runs the same check."""
    assert violations() == []


def test_the_private_name_check_sees_both_forms(tmp_path):
    sample = tmp_path / "network" / "intent.py"
    sample.parent.mkdir()
    sample.write_text("from network import change, render\nfrom network.change import _rollback\n\n"
                      "ENV = render._environment()\n")
    uses = private_uses(sample, tmp_path)
    assert uses == [("network/intent.py:2: from network.change import _rollback", "network.change"),
                    ("network/intent.py:4: render._environment", "network.render")]
    assert not any(shared_inside_a_subpackage(sample, owner, tmp_path) for _, owner in uses)
    snmp = tmp_path / "monitoring" / "snmp" / "fast.py"
    assert shared_inside_a_subpackage(snmp, "monitoring.snmp.ber", tmp_path)
