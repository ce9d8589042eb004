"""The lab's kill-ssh fault: VRPv8 loses the uncommitted candidate, VRP5 keeps what it applied."""

from __future__ import annotations

import re
import threading
import time

import pytest
from gtw_lab import nsexec

from lab.twins import kill_sessions

pytestmark = pytest.mark.lab


def test_vrpv8_session_drop_discards_the_candidate(lab) -> None:  # noqa: ANN001
    conn = lab.connect("v8")
    out = conn.send_config_set(["interface LoopBack0", "description killed-before-commit"])
    assert "[*V8-LoopBack0]" in out  # uncommitted changes pending in this session
    assert kill_sessions(lab.state_dir, "v8") >= 1

    def after(c):  # noqa: ANN001, ANN202
        c.config_mode()
        return c.find_prompt(), c.send_command("display current-configuration", expect_string=r"\]")

    prompt, running = lab.netmiko("v8", after)
    assert "killed-before-commit" not in running
    assert prompt == "[~V8]"


def test_vrp5_session_drop_keeps_applied_lines(lab) -> None:  # noqa: ANN001
    conn = lab.connect("v5")
    conn.send_config_set(["interface GigabitEthernet0/0/2", "description applied-before-kill"], exit_config_mode=False)
    assert kill_sessions(lab.state_dir, "v5") >= 1
    running = lab.netmiko("v5", lambda c: c.send_command("display current-configuration"))
    assert "description applied-before-kill" in running


def test_vrp5_drop_in_the_middle_of_a_config_set_leaves_model_and_kernel_agreeing(lab) -> None:  # noqa: ANN001
    lines = [f"ip route-static 198.18.100.{n} 32 198.18.10.2" for n in range(200)]
    conn = lab.connect("v5")

    def push() -> None:
        try:
            conn.send_config_set(lines)
        except Exception:  # noqa: BLE001 - the session is meant to die under it
            pass

    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()

    def kernel_routes() -> list[str]:
        return re.findall(r"198\.18\.100\.(\d+) via", nsexec("v5", "ip", "route").stdout)

    deadline = time.monotonic() + 60
    while len(kernel_routes()) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kill_sessions(lab.state_dir, "v5") >= 1
    pusher.join(timeout=30)

    running = lab.netmiko("v5", lambda c: c.send_command("display current-configuration"))
    configured = re.findall(r"ip route-static 198\.18\.100\.(\d+) 255\.255\.255\.255", running)
    installed = kernel_routes()
    assert 5 <= len(configured) < len(lines)  # the drop really came mid-change
    # Lines went in order, each one whole: a prefix of the list, and the kernel agrees.
    assert [int(n) for n in configured] == list(range(len(configured)))
    assert sorted(installed, key=int) == configured

    lab.netmiko("v5", lambda c: c.send_config_set([f"undo {line}" for line in lines[: len(configured)]]))
