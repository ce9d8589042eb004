"""The network tests run on the shared session lab (fixture ``lab``, tests/lab/conftest.py).

``mgmt`` is that lab's ops workstation as these tests need it: Python calls (netmiko sessions,
the change engine) in threads that live in the mgmt namespace, and commands run there.
Faults go through `govops lab fault` (``fault``); every test that injects one clears it in a
finally block, and the session finaliser clears again, so the suites that run after these on the
same lab (security, test_lab_*, monitoring) find no fault left. The devices are left as the
playbook leaves them: dual-stack as planned, no hand edit.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from lab.state import Lab
from tests.lab.labctl import lab_cli
from tests.paths import ROOT


def _enter(namespace: str) -> None:
    from pyroute2 import netns

    netns.setns(namespace)


class Mgmt:
    """Run things on the lab's ops workstation (its mgmt namespace)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        # setns() switches only the calling thread: these threads stay in mgmt for good
        self._pool = ThreadPoolExecutor(max_workers=8, initializer=_enter, initargs=(lab.mgmt_netns,))

    def call(self, func: Callable, *args: Any, **kwargs: Any) -> Any:
        return self._pool.submit(func, *args, **kwargs).result(timeout=900)

    def run(self, *cmd: str, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
        return self.lab.exec_mgmt(list(cmd), cwd=ROOT, env=env or {}, timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def fault(*args: str) -> str:
    """`govops lab fault …` on this session's lab (e.g. fault("link", "core-1:Gi0/1/0", "down"))."""
    return lab_cli("fault", *args).stdout


@pytest.fixture(scope="session")
def mgmt(lab: Lab) -> Iterator[Mgmt]:
    ops = Mgmt(lab)
    try:
        yield ops
    finally:
        ops.close()
        fault("clear")
        assert fault("list").strip() == "", "a network test left a fault on the shared lab"
