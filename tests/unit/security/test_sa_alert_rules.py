"""The forwarder's alert rules load and fire when they should (promtool, Debian's Prometheus 2.42)."""

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent

pytestmark = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian prometheus) not installed")


def test_rules_are_valid():
    result = subprocess.run(["promtool", "check", "rules", str(HERE.parents[2] / "security/sa/alerts.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_fire_on_backlog_full_spool_drops_and_down():
    result = subprocess.run(["promtool", "test", "rules", "sa_alerts_test.yml"], cwd=HERE,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
