"""The systemd units under monitoring/systemd/ pass `systemd-analyze verify` with no warning and
are sandboxed (`systemd-analyze security --offline`: Debian 12's systemd 252).

verify refuses a unit whose ExecStart binary does not exist, so each unit is checked from a temp
copy whose /opt/govops/venv/bin/govops is replaced by this checkout's .venv/bin/govops (the path
the NOC playbook installs to is the only change)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.paths import ROOT

UNITS_DIR = ROOT / "monitoring" / "systemd"
UNITS = sorted(UNITS_DIR.glob("*.service"))
INSTALLED = "/opt/govops/venv/bin/govops"
pytestmark = pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")


def local_copy(unit, tmp_path):
    govops = ROOT / ".venv" / "bin" / "govops"
    assert govops.exists(), "the test points ExecStart at .venv/bin/govops"
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace(INSTALLED, str(govops)))
    return copy


def service_section(unit) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    section = None
    for line in unit.read_text().splitlines():
        if m := re.match(r"^\[(\w+)\]$", line):
            section = m.group(1)
        elif section == "Service" and "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            keys.setdefault(k, []).append(v)
    return keys


def test_one_unit_per_exporter_and_the_forwarder():
    assert [u.name for u in UNITS] == ["govops-migration-exporter.service", "govops-readiness-exporter.service",
                                       "govops-sa-forwarder.service", "govops-snmp-exporter.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_systemd_analyze_verify_clean(unit, tmp_path):
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", str(local_copy(unit, tmp_path))],
                          capture_output=True, text=True)
    # verify exits 0 on unknown keys and bad values (it only warns): any output is a failure.
    assert proc.returncode == 0 and not proc.stderr.strip() and not proc.stdout.strip(), proc.stderr + proc.stdout


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_sandboxed(unit, tmp_path):
    svc = service_section(unit)
    assert svc["User"][0] in ("govops-exporter", "govops-sa") and svc["Group"] == ["govops"]
    for key, want in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                      ("PrivateTmp", "yes"), ("CapabilityBoundingSet", ""), ("AmbientCapabilities", "")):
        assert svc.get(key) == [want], f"{unit.name}: {key}={svc.get(key)}, expected {want!r}"
    assert svc["ExecStart"][0].startswith(INSTALLED + " ")
    # Every listening port is unprivileged (no CAP_NET_BIND_SERVICE) and on loopback.
    for host, port in re.findall(r"--(?:listen|metrics) (\S+):(\d+)", svc["ExecStart"][0]):
        assert host == "127.0.0.1" and int(port) > 1024
    proc = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--no-pager",
                           str(local_copy(unit, tmp_path))], capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: ([\d.]+)", proc.stdout)
    assert m, proc.stdout[-2000:] + proc.stderr
    assert float(m.group(1)) <= 2.0, f"{unit.name}: exposure {m.group(1)} (systemd-analyze security)"


def test_sysusers_creates_the_unit_users():
    text = (UNITS_DIR / "govops.sysusers.conf").read_text()
    users = {line.split()[1] for line in text.splitlines() if line.startswith("u ")}
    assert users == {svc for u in UNITS for svc in service_section(u)["User"]}
    if shutil.which("systemd-sysusers"):
        proc = subprocess.run(["systemd-sysusers", "--dry-run", str(UNITS_DIR / "govops.sysusers.conf")],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr

