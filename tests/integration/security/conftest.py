"""Fixtures for the SA forwarder tests (helpers live in sa_forwarder_helpers.py, shared with bench/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sa_forwarder_helpers import ForwarderProcess, Pki, StrictSyslogReceiver, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("sa-pki"))


@pytest.fixture
def receiver_factory():
    started = []

    def make(port: int, cert: tuple[str, str], host: str = "127.0.0.1", **kwargs):
        receiver = StrictSyslogReceiver(host, port, *cert, **kwargs).start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()


@pytest.fixture
def forwarder_factory(tmp_path, pki):
    started = []

    def make(target_port: int, spool: Path | None = None, extra: list[str] | None = None,
             host: str = "127.0.0.1") -> ForwarderProcess:
        process = ForwarderProcess(spool or tmp_path / "spool", target_port, pki, extra, host=host).start()
        started.append(process)
        return process

    yield make
    for process in started:
        process.stop()
