"""An exporter whose port is taken says so in one line and exits 1 (no traceback)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("exporter, extra", [("snmp", []), ("readiness", ["--no-websites"]), ("migration", [])])
def test_port_in_use_is_one_line_and_exit_1(exporter, extra):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "govops.cli", "exporter", exporter, "-i",
                            str(ROOT / "inventories" / "lab"), "--listen", f"127.0.0.1:{port}", *extra],
                           capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert lines == [f"govops exporter {exporter}: cannot listen on 127.0.0.1:{port}: Address already in use "
                     "(another exporter running? choose another --listen)"]
