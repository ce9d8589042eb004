"""VRPv8 trial commit and rollback, Comware confirmed commit: config text and kernel both revert.

The lab runs the twins with ``time_scale`` 0.1, so ``commit trial 60`` expires after 6 s and
``configuration commit delay 1`` (one minute) after 6 s; checks made while the change is pending
happen in the same SSH session, right after the change.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from gtw_lab import nsexec

pytestmark = pytest.mark.lab


def _running(lab, name: str) -> str:  # noqa: ANN001
    return lab.netmiko(name, lambda c: c.send_command("display current-configuration"))


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_vrpv8_unconfirmed_commit_trial_reverts_config_and_kernel(lab) -> None:  # noqa: ANN001
    before = _running(lab, "v8")

    def trial(conn):  # noqa: ANN001, ANN202
        conn.send_config_set(["interface LoopBack0", "ipv6 enable", "ipv6 address 2001:db8:ff::8 128"])
        conn.send_command("commit trial 60", expect_string=r"\]")
        kernel = nsexec("v8", "ip", "-6", "addr", "show", "dev", "lo0").stdout
        return conn.send_command("display current-configuration", expect_string=r"\]"), kernel

    during, kernel = lab.netmiko("v8", trial)
    assert "ipv6 address 2001:DB8:FF::8/128" in during
    assert "2001:db8:ff::8/128" in kernel

    assert _wait_for(lambda: "2001:db8:ff::8" not in nsexec("v8", "ip", "-6", "addr", "show").stdout)
    assert _running(lab, "v8") == before
    listing = lab.netmiko("v8", lambda c: c.send_command("display configuration commit list verbose"))
    assert "Type: ROLLBACK" in listing


def test_vrpv8_confirmed_commit_trial_stays(lab) -> None:  # noqa: ANN001
    def trial(conn):  # noqa: ANN001, ANN202
        conn.send_config_set(["interface LoopBack0", "description confirmed-trial"])
        conn.send_command("commit trial 60", expect_string=r"\]")
        conn.commit()  # a plain commit confirms the trial

    lab.netmiko("v8", trial)
    time.sleep(7)
    assert "description confirmed-trial" in _running(lab, "v8")


def test_vrpv8_rollback_last_1_restores_previous_config_exactly(lab) -> None:  # noqa: ANN001
    before = _running(lab, "v8")

    def change(conn):  # noqa: ANN001, ANN202
        conn.send_config_set(["interface GigabitEthernet0/1/1", "description rollback-me",
                              "ip route-static 198.18.99.0 24 198.18.20.2"])
        conn.commit(comment="to be rolled back")

    lab.netmiko("v8", change)
    assert "rollback-me" in _running(lab, "v8")
    assert "198.18.99.0/24" in nsexec("v8", "ip", "route").stdout

    def rollback(conn):  # noqa: ANN001, ANN202
        out = conn.send_command("rollback configuration last 1", expect_string=r"\[Y/N\]:")
        out += conn.send_command("y", expect_string=r">")
        return out

    out = lab.netmiko("v8", rollback)
    assert "succeeded" in out
    assert _running(lab, "v8") == before
    assert "198.18.99.0/24" not in nsexec("v8", "ip", "route").stdout


def test_comware_unconfirmed_commit_delay_reverts(lab) -> None:  # noqa: ANN001
    before = _running(lab, "cw")

    def change(conn):  # noqa: ANN001, ANN202
        conn.send_config_set(["configuration commit delay 1", "interface LoopBack0", "ip address 198.18.255.13 32",
                              "description pending-confirmation"])
        kernel = nsexec("cw", "ip", "addr", "show", "dev", "lo0").stdout
        return conn.send_command("display current-configuration"), kernel

    during, kernel = lab.netmiko("cw", change)
    assert "pending-confirmation" in during
    assert "198.18.255.13/32" in kernel
    assert _wait_for(lambda: "198.18.255.13" not in nsexec("cw", "ip", "addr", "show", "dev", "lo0").stdout)
    assert _running(lab, "cw") == before


def test_comware_confirmed_commit_delay_stays(lab) -> None:  # noqa: ANN001
    lab.netmiko("cw", lambda c: c.send_config_set(
        ["configuration commit delay 1", "interface LoopBack0", "description confirmed-in-time", "quit",
         "configuration commit"]))
    time.sleep(7)
    assert "description confirmed-in-time" in _running(lab, "cw")


def test_vrpv8_leaving_with_uncommitted_changes_asks_and_no_discards(lab) -> None:  # noqa: ANN001
    def session(conn):  # noqa: ANN001, ANN202
        conn.send_config_set(["interface LoopBack0", "description never-committed"])
        question = conn.send_command("return", expect_string=r"\[Y\(yes\)/N\(no\)/C\(cancel\)\]:")
        retry = conn.send_command("maybe", expect_string=r"\[Y/N/C\]:")
        conn.send_command("n", expect_string=r">")
        return question, retry, conn.send_command("display current-configuration")

    question, retry, running = lab.netmiko("v8", session)
    assert "Warning: Uncommitted configurations found, commit them before exiting?" in question
    assert "Error: Please choose 'YES', 'NO' or 'CANCEL' first before pressing 'Enter'." in retry
    assert "never-committed" not in running


def test_comware_configuration_replace_restores_an_archive(lab) -> None:  # noqa: ANN001
    def session(conn):  # noqa: ANN001, ANN202
        # Comware archives only once a location is set (the directory must exist first).
        refused = conn.send_command("archive configuration")
        made = conn.send_command("mkdir flash:/archive")
        conn.send_config_set(["archive configuration location flash:/archive filename-prefix lab"])
        settings = conn.send_command("display archive configuration")
        archived = conn.send_command("display current-configuration")
        out = conn.send_command("archive configuration", expect_string=r"\[Y/N\]:")
        out += conn.send_command("y", expect_string=r">")
        name = re.search(r"file (\S+\.cfg) is saved", out).group(1)
        conn.send_config_set(["interface LoopBack0", "description replaced-away"])
        conn.config_mode()
        out = conn.send_command(f"configuration replace file {name}", expect_string=r"\[Y/N\]:")
        out += conn.send_command("n", expect_string=r"\]")
        conn.exit_config_mode()
        return refused, made, settings, archived, out, conn.send_command("display current-configuration")

    refused, made, settings, archived, out, running = lab.netmiko("cw", session)
    assert "not configured" in refused and "[Y/N]" not in refused
    assert "Creating directory flash:/archive... Done." in made
    assert "Location: flash:/archive" in settings and "Filename prefix: lab" in settings
    assert "with the file lab_1.cfg." in out  # the archive took the prefix set above
    assert "Succeeded in replacing current configuration" in out
    assert running == archived
