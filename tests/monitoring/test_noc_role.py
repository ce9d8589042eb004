"""playbooks/noc.yml rendered into a temp root on this machine (local connection, noc_root): --check
writes nothing, the first run installs, the second changes nothing, and what it installed passes
the real checkers (promtool, amtool, systemd-analyze verify). On a lab host:
tests/lab/monitoring/test_noc_playbook.py."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT

ANSIBLE = Path(sys.executable).with_name("ansible-playbook")
BASE = "https://git.example/govops/-/blob/main/"
pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("promtool", "amtool", "systemd-analyze")),
                                reason="promtool, amtool (Debian prometheus, prometheus-alertmanager), systemd needed")


def playbook(root: Path, *extra: str) -> dict[str, int]:
    inv = root.parent / "hosts.ini"
    inv.write_text(f"noc-local ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    cmd = [str(ANSIBLE), "-i", str(inv), str(ROOT / "playbooks" / "noc.yml"), "-e", "noc_hosts=noc-local",
           "-e", f"noc_root={root}", "-e", f"noc_sot={ROOT / 'inventories' / 'lab'}",
           "-e", f"noc_govops_bin={ROOT / '.venv' / 'bin' / 'govops'}", "-e", f"noc_runbook_base={BASE}", *extra]
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    m = re.search(r"^noc-local\s+:\s+(ok=.*)$", out, re.M)
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("noc") / "root"
    root.mkdir()
    check = playbook(root, "--check")
    written = sorted(p for p in root.rglob("*"))
    first = playbook(root)
    second = playbook(root)
    return root, check, written, first, second


def test_check_mode_writes_nothing_and_the_second_run_changes_nothing(installed):
    _, check, written, first, second = installed
    assert check["failed"] == 0 and check["changed"] > 0 and written == []
    assert first["changed"] > 0 and second["changed"] == 0, (first, second)


def test_installed_prometheus_and_alertmanager_configs_pass_their_checkers(installed):
    root = installed[0]
    prom = root / "etc" / "prometheus"
    out = subprocess.run(["promtool", "check", "config", str(prom / "prometheus.yml")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "rules/selfmon.yml" in (prom / "prometheus.yml").read_text()
    assert f"runbook_url: {BASE}runbooks/alerts/Watchdog.md" in (prom / "rules" / "selfmon.yml").read_text()
    out = subprocess.run(["amtool", "check-config", str(prom / "alertmanager.yml")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_installed_units_verify_and_run_this_govops(installed):
    root = installed[0]
    units = sorted((root / "etc" / "systemd" / "system").glob("*.service"))
    assert [u.name for u in units] == sorted(p.name for p in (ROOT / "monitoring" / "systemd").glob("*.service"))
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units)], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    env = (root / "etc" / "default" / "govops-snmp-exporter").read_text()
    assert "GOVOPS_VAULT_PASSWORD_FILE=/etc/govops/vault-pass" in env and "GOVOPS_SNMP_EXPORTER_ARGS=" in env
    assert oct((root / "etc" / "default" / "govops-snmp-exporter").stat().st_mode & 0o777) == "0o600"


def test_inventory_copied_without_the_vault_password_and_still_encrypted(installed):
    root = installed[0]
    inv = root / "etc" / "govops" / "inventory"
    assert (inv / "hosts.yml").is_file() and not (inv / ".vault-pass").exists()
    vaulted = [p for p in (ROOT / "inventories" / "lab" / "group_vars").rglob("*.yml")
               if p.read_text().startswith("$ANSIBLE_VAULT")]
    assert vaulted
    for src in vaulted:
        dst = inv / src.relative_to(ROOT / "inventories" / "lab")
        assert dst.read_text().startswith("$ANSIBLE_VAULT"), dst
    assert oct((root / "etc" / "govops" / "vault-pass").stat().st_mode & 0o777) == "0o640"


def test_grafana_provisioning_points_at_the_installed_dashboards(installed):
    root = installed[0]
    prov = yaml.safe_load((root / "etc/grafana/provisioning/dashboards/govops.yml").read_text())
    path = prov["providers"][0]["options"]["path"]
    assert sorted(p.name for p in (root / path.lstrip("/")).glob("*.json")) == sorted(
        p.name for p in (ROOT / "monitoring" / "dashboards").glob("*.json"))
    assert (root / "etc/grafana/provisioning/datasources/govops-prometheus.yml").is_file()
