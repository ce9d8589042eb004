"""`lab up` / `lab down` leave the machine exactly as it was, also after a crash."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lab import netns
from lab.lifecycle import lab_processes, start_time
from lab.state import run_dir
from tests.lab.labctl import INVENTORY, NOT_ROOT, lab_cli

pytestmark = pytest.mark.lab
CYCLE_PREFIX = os.environ.get("GOVOPS_LAB_PREFIX", "gt") + "c"


def root_network() -> str:
    """The root namespace's addresses, routes and links, as `ip` prints them."""
    out = []
    for argv in (["ip", "-d", "addr"], ["ip", "route"], ["ip", "-6", "route"], ["ip", "-d", "link"]):
        out.append(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
    return "\n".join(out)


@pytest.fixture
def cycle_prefix():
    if os.geteuid() != 0:
        pytest.skip(NOT_ROOT)
    lab_cli("down", prefix=CYCLE_PREFIX)
    yield CYCLE_PREFIX
    lab_cli("down", prefix=CYCLE_PREFIX)


def recorded_pids(prefix: str) -> list[int]:
    state = json.loads((run_dir(prefix) / "state.json").read_text())
    return [rec["pid"] for rec in state["records"].values()]


def test_up_then_down_leaves_root_namespace_byte_for_byte_identical(cycle_prefix):
    before = root_network()
    lab_cli("up", "-i", str(INVENTORY), prefix=cycle_prefix)
    assert root_network() == before, "lab up changed the root namespace"
    assert len(netns.existing(cycle_prefix)) == 16  # 7 devices, 4 hosts, mgmt, 4 private-network sites
    pids = recorded_pids(cycle_prefix)
    frr = 7 * 3 if json.loads((run_dir(cycle_prefix) / "state.json").read_text()).get("igp") == "ospf" else 0
    assert len(pids) == 1 + 7 + 4 + frr  # twins, snmpd per device, sshd per host, FRR's 3 daemons per device
    assert all(start_time(p) for p in pids)

    lab_cli("down", prefix=cycle_prefix)
    assert root_network() == before, "lab down left something in the root namespace"
    assert netns.existing(cycle_prefix) == []
    assert not any(start_time(p) for p in pids), "a lab process survived down"
    assert not run_dir(cycle_prefix).exists()
    assert "lab" not in lab_cli("down", prefix=cycle_prefix).stderr  # idempotent: a second down is fine


def test_down_after_a_crash_cleans_up_by_prefix_alone(cycle_prefix):
    lab_cli("up", "-i", str(INVENTORY), "--no-twins", prefix=cycle_prefix)
    pids = recorded_pids(cycle_prefix)
    (run_dir(cycle_prefix) / "state.json").unlink()  # as if `up` had died before writing it

    assert sorted(pids) == sorted(set(pids) & set(lab_processes(cycle_prefix, None)))
    lab_cli("down", prefix=cycle_prefix)
    assert netns.existing(cycle_prefix) == []
    assert not any(start_time(p) for p in pids)


def test_up_refuses_to_build_over_a_running_lab(lab):
    proc = lab_cli("up", "-i", str(INVENTORY), check=False)
    assert proc.returncode == 1
    assert "exists" in proc.stderr
    assert lab_cli("status").returncode == 0  # the running lab is untouched


def test_a_failed_up_removes_what_it_made(cycle_prefix, monkeypatch):
    from govops.sot import load_inventory
    from lab import hosts, lifecycle

    def sshd_that_dies(node, host_dir, log, admin=""):
        return subprocess.Popen(["sh", "-c", "echo 'sshd: bad config' >&2; exit 1"], stderr=open(log, "ab")).pid

    monkeypatch.setattr(hosts, "start", sshd_that_dies)
    before = root_network()
    with pytest.raises(lifecycle.LabError, match="sshd exited at start") as err:
        lifecycle.up(load_inventory(INVENTORY), cycle_prefix, twins=False)
    kept = Path(str(err.value).rsplit("logs kept in ", 1)[1].rstrip(")"))
    assert "bad config" in (kept / "logs" / "cloud-dr-1.sshd.log").read_text()
    shutil.rmtree(kept)
    assert netns.existing(cycle_prefix) == []
    assert not run_dir(cycle_prefix).exists()
    assert root_network() == before
