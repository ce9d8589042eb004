"""`govops monitoring generate --runbook-base URL` makes every runbook link absolute."""

from __future__ import annotations

import subprocess
import sys

import yaml

from tests.paths import ROOT


def test_runbook_base_on_the_command_line(tmp_path):
    base = "https://git.xinyu.example/govops/-/blob/main/"
    done = subprocess.run([sys.executable, "-m", "govops.cli", "monitoring", "generate", "-i", "inventories/lab",
                           "--out", str(tmp_path), "--runbook-base", base], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout
    urls = [rule["annotations"]["runbook_url"]
            for path in (tmp_path / "rules").glob("*.yml")
            for group in (yaml.safe_load(path.read_text()) or {}).get("groups", [])
            for rule in group["rules"] if "runbook_url" in rule.get("annotations", {})]
    assert urls and all(u.startswith(base) for u in urls)
    assert all((ROOT / u[len(base):].split("#")[0]).is_file() for u in urls)   # each link names a real file
