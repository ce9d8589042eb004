"""The session fixture: build the gtw-* lab, start the twin server, tear everything down."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gtw_lab import ROOT, Lab, build_lab, teardown_lab


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    if os.geteuid() != 0:
        pytest.skip("twin lab tests need root (network namespaces)")
    tmp = tmp_path_factory.mktemp("twins")
    process = None
    log = tmp / "twins.log"
    try:
        config = build_lab(tmp)
        with log.open("w") as out:
            process = subprocess.Popen([sys.executable, "-m", "lab.twins", "--config", str(tmp / "twins.json")],
                                       cwd=ROOT, stderr=out, stdout=out)
        deadline = time.monotonic() + 30
        while not Path(config["ready_file"]).exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"twin server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        lab = Lab(config, process, log)
        yield lab
        lab.close()
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        teardown_lab()
