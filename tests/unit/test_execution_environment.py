"""execution-environment.yml builds a valid ansible-builder context (`ansible-builder create` needs no
container engine): the image gets the ansible-core range pyproject.toml accepts, ansible-runner, and
every Python package of the govops distribution, installed from the checkout."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.paths import ROOT

BUILDER = Path(sys.executable).with_name("ansible-builder")


@pytest.fixture(scope="module")
def context(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ee") / "context"
    r = subprocess.run([str(BUILDER), "create", "-f", str(ROOT / "execution-environment.yml"), "-c", str(out),
                        "--output-filename", "Containerfile"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_image_pins_the_ansible_core_range_of_pyproject(context: Path):
    containerfile = (context / "Containerfile").read_text()
    core = next(d for d in pyproject()["project"]["dependencies"] if d.startswith("ansible-core"))
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', containerfile, re.M).group(1).split()
    assert core in refs and any(r.startswith("ansible-runner") for r in refs), refs


def test_the_image_installs_every_package_of_the_distribution_from_the_checkout(context: Path):
    source = context / "_build" / "govops"
    assert (source / "pyproject.toml").read_text() == (ROOT / "pyproject.toml").read_text()
    packages = [p.rstrip("*") for p in pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]]
    for package in packages:
        assert (source / package / "__init__.py").is_file(), f"{package} missing from the build context"
    containerfile = (context / "Containerfile").read_text()
    assert "COPY _build/govops /opt/govops/src" in containerfile
    assert "pip install --no-cache-dir /opt/govops/src" in containerfile
    assert "govops --help" in containerfile  # the build fails, not the first job, if the CLI cannot start


def test_the_image_has_ssh_for_ansible_and_netmiko(context: Path):
    assert "openssh-clients [platform:rpm]" in (context / "_build" / "bindep.txt").read_text().splitlines()
