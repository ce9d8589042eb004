"""The users' pipeline, ci/gitlab-ci.yml, job by job against the shared lab (no GitLab runner).

Each job's `before_script` and `script` lines run in order in one bash (`set -eo pipefail`, as
GitLab's shell executor does), in the lab's mgmt namespace (the ops network's runner), with the
YAML's variables, the job's own, and what GitLab provides: CI_PROJECT_DIR (a throwaway checkout:
links to this tree, so artifacts stay out of it), HOME, and the File variables as files
(SSH_KNOWN_HOSTS = the lab's device host keys, GOVOPS_VAULT_PASSWORD_FILE = the lab's vault
password). INVENTORY is set to inventories/lab, as a pipeline variable of a lab schedule would.
`make setup` is left out: this test runs after it, and it would reinstall the venv concurrently.

The drift job needs devices that carry their intent: in a whole session the network suite has
upgraded them already; alone, the fixture runs `govops net upgrade` first (once; ~10 s here).
"""

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

pytestmark = pytest.mark.lab
CI = ROOT / "ci" / "gitlab-ci.yml"
BIN = Path(sys.executable).parent
RUN_HERE = ("inventory", "promtool", "net-drift", "ansible-check")
NOT_RUN = {  # job: why it cannot run here (it is checked elsewhere)
    "cloud-plan": "tests/pulumi runs in the suite itself; the plan needs no lab",
    "pulumi-preview": "needs the Pulumi CLI, a state backend and the cloud",
    "cloud-drift": "needs the Pulumi CLI and a state backend",
}
HAND_EDIT = ("fy-agg-1", "ipv6 route-static 2001:db8:4699:: 64 2001:db8:4600:1005::3")  # an unplanned route

EDIT = """
import sys
from govops.sot import load_inventory
from network import session
inv = load_inventory(sys.argv[1])
conn = session.open_session(inv.devices[sys.argv[2]], session.SessionOptions(known_hosts=sys.argv[3]))
try:
    conn.send_config_set([sys.argv[4]])
finally:
    conn.disconnect()
"""


def pipeline() -> dict:
    return yaml.safe_load(CI.read_text())


def jobs(spec: dict) -> dict[str, dict]:
    return {k: v for k, v in spec.items() if isinstance(v, dict) and "script" in v}


def job_script(spec: dict, name: str) -> str:
    job = jobs(spec)[name]
    before = job.get("before_script", spec.get("default", {}).get("before_script", []))
    lines = [line for line in before if not line.startswith("make setup")] + job["script"]
    return "set -eo pipefail\n" + "\n".join(lines) + "\n"


class Runner:
    """Runs jobs the way a GitLab runner in the ops network would, in the lab's mgmt namespace."""

    def __init__(self, lab, work: Path) -> None:
        self.lab = lab
        self.checkout = work / "checkout"
        self.checkout.mkdir()
        for entry in ROOT.iterdir():
            if entry.name not in (".git", "run", "journal", "backups"):
                (self.checkout / entry.name).symlink_to(entry)
        self.home = work / "home"
        self.home.mkdir()
        files = work / "file-variables"
        files.mkdir()
        shutil.copy(lab.known_hosts, files / "SSH_KNOWN_HOSTS")
        shutil.copy(ROOT / "inventories" / "lab" / ".vault-pass", files / "GOVOPS_VAULT_PASSWORD_FILE")
        self.files = {name: str(files / name) for name in ("SSH_KNOWN_HOSTS", "GOVOPS_VAULT_PASSWORD_FILE")}

    def run(self, name: str, **override: str) -> subprocess.CompletedProcess:
        spec = pipeline()
        job = jobs(spec)[name]
        # Nothing of this test session's own settings leaks in: a runner starts from a clean environment.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVOPS_", "ANSIBLE_", "VIRTUAL_ENV"))}
        env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        env |= {k: str(v) for k, v in spec.get("variables", {}).items()}
        env |= {k: str(v) for k, v in job.get("variables", {}).items()}
        env |= {"CI": "true", "CI_PROJECT_DIR": str(self.checkout), "CI_PIPELINE_SOURCE": "schedule",
                "CI_JOB_NAME": name, "HOME": str(self.home), "INVENTORY": "inventories/lab", **self.files, **override}
        argv = self.lab.command("mgmt", ["bash", "-c", job_script(spec, name)])
        return subprocess.run(argv, cwd=self.checkout, env=env, capture_output=True, text=True, timeout=900)


def govops_mgmt(lab, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return lab.exec_mgmt([str(BIN / "govops"), *args], cwd=ROOT, timeout=timeout)


def hand_edit(lab, line: str) -> None:
    device = HAND_EDIT[0]
    r = lab.exec_mgmt([sys.executable, "-c", EDIT, str(ROOT / "inventories" / "lab"), device, str(lab.known_hosts), line],
                      cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.fixture(scope="module")
def runner(lab, tmp_path_factory) -> Runner:
    drift = govops_mgmt(lab, "net", "drift", "-i", "inventories/lab", "--known-hosts", str(lab.known_hosts))
    if drift.returncode == 1:  # a fresh lab (this module alone): bring the devices to their intent first
        up = govops_mgmt(lab, "net", "upgrade", "-i", "inventories/lab", "--known-hosts", str(lab.known_hosts),
                         "--journal", str(tmp_path_factory.mktemp("upgrade") / "journal.jsonl"),
                         "--backup-dir", str(tmp_path_factory.mktemp("backups")))
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    return Runner(lab, tmp_path_factory.mktemp("pipeline"))


def test_every_job_of_the_pipeline_is_run_here_or_says_why_not():
    assert set(jobs(pipeline())) == set(RUN_HERE) | set(NOT_RUN)


def test_inventory_job(runner: Runner):
    r = runner.run("inventory")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


def test_promtool_job_runs_the_rule_tests_and_fails_loudly_without_them(runner: Runner):
    r = runner.run("promtool")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "Unit Testing:" in r.stdout + r.stderr and "SUCCESS" in r.stdout + r.stderr
    moved = runner.run("promtool", PROM_RULE_TESTS="tests/no-such-folder")
    assert moved.returncode != 0
    assert "no rule tests (*_test.yml) in tests/no-such-folder" in moved.stderr


def test_net_drift_job_passes_then_fails_on_a_hand_edited_twin(runner: Runner, lab):
    metrics = runner.checkout / "net-drift.prom"
    ok = runner.run("net-drift")
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-3000:]
    assert "govops_net_drift_devices 0.0" in metrics.read_text()
    assert (runner.home / ".ssh" / "known_hosts").read_text() == lab.known_hosts.read_text()  # the job's own file
    device, line = HAND_EDIT
    hand_edit(lab, line)
    try:
        bad = runner.run("net-drift")
    finally:
        hand_edit(lab, "undo " + line)
    assert bad.returncode == 1, bad.stdout[-3000:] + bad.stderr[-3000:]
    assert re.findall(r"drift: (\S+)", bad.stdout) == [device]
    assert re.search(rf'govops_net_drift{{device="{device}"[^}}]*}} 1\.0', metrics.read_text())
    again = runner.run("net-drift")  # the lab is left as it was found
    assert again.returncode == 0, again.stdout[-3000:]


def test_ansible_check_job(runner: Runner):
    r = runner.run("ansible-check")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "no vault secrets" not in out
    assert re.search(r"core-1\s+: ok=\d+\s+changed=0 .*failed=0", out), out[-3000:]
