"""Options of the MLPS testinfra suite (pytest-testinfra provides ``host`` and ``--hosts``)."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--govops-lab", action="store_true", default=os.environ.get("GOVOPS_LAB", "") in ("1", "true"),
                     help="hosts are lab namespaces: judge kernel-global settings from configuration ($GOVOPS_LAB=1)")


@pytest.fixture(scope="session")
def govops_lab(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--govops-lab"))
