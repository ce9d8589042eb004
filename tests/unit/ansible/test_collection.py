"""The xinyu.govops collection as its users meet it: it builds, ansible-doc shows each module in
full, and ansible-test's validate-modules finds documentation and argument specs in agreement."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.paths import ROOT

BIN = Path(sys.executable).parent
COLLECTION = ROOT / "collections" / "ansible_collections" / "xinyu" / "govops"
MODULES = sorted(p.stem for p in (COLLECTION / "plugins" / "modules").glob("*.py"))
# Modules that only run on the controller: their attributes come from the doc fragment xinyu.govops.controller.
CONTROLLER_ONLY = {"migrate_system", "dr_drill", "lab_guard"}
ENV = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_COLLECTIONS_PATH": str(ROOT / "collections")}


def test_the_collection_has_the_playbooks_modules():
    assert set(MODULES) >= {"ipv6_upgrade", "private_network", "migrate_system", "dr_drill", "lab_guard"}


def test_galaxy_build_makes_an_installable_tarball(tmp_path):
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(COLLECTION), "--output-path",
                           str(tmp_path)], capture_output=True, text=True, env=ENV, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tarball,) = tmp_path.glob("xinyu-govops-*.tar.gz")
    names = set(tarfile.open(tarball).getnames())
    assert {"MANIFEST.json", "plugins/action/ipv6_upgrade.py", "plugins/modules/ipv6_upgrade.py",
            "plugins/callback/sot_preload.py", "meta/runtime.yml"} <= names
    assert {f"plugins/modules/{m}.yml" for m in MODULES} <= names  # the documentation (sidecars)
    assert not any(n.startswith("tests/") or "__pycache__" in n for n in names), sorted(names)


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_shows_documentation_examples_return_and_author(module):
    proc = subprocess.run([str(BIN / "ansible-doc"), "--json", f"xinyu.govops.{module}"], capture_output=True,
                          text=True, env=ENV, cwd="/", timeout=120)  # any folder: the environment finds it
    assert proc.returncode == 0, proc.stderr
    entry = json.loads(proc.stdout)[f"xinyu.govops.{module}"]
    doc = entry["doc"]
    assert doc["filename"] == str(COLLECTION / "plugins" / "modules" / f"{module}.yml")  # the sidecar is read
    assert doc["short_description"] and doc["description"] and doc["author"] and doc["options"]
    assert all(o.get("description") and o.get("type") for o in doc["options"].values()), doc["options"]
    assert entry["examples"].strip() and f"xinyu.govops.{module}:" in entry["examples"]
    assert entry["return"]
    if module in CONTROLLER_ONLY:  # the doc fragment xinyu.govops.controller extends the sidecar's DOCUMENTATION
        assert doc["attributes"]["platform"]["platforms"] == "posix", doc["attributes"]


def test_validate_modules_is_clean():
    """`make sanity`: ansible-test sanity --test validate-modules, without a container."""
    proc = subprocess.run(["make", "-s", "sanity"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert 'Running sanity test "validate-modules"' in proc.stdout + proc.stderr
