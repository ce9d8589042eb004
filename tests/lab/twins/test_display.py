"""Display conveniences engineers' scripts rely on: output pipes and ``display this``."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.lab


def test_pipe_include_filters_display_output(lab) -> None:  # noqa: ANN001
    out = lab.netmiko("v5", lambda c: c.send_command("display current-configuration | include sysname"))
    assert out.strip() == "sysname V5"
    out = lab.netmiko("rj", lambda c: c.send_command("show running-config | include hostname"))
    assert out.strip() == "hostname RJ"


def test_display_this_shows_the_current_interface(lab) -> None:  # noqa: ANN001
    def session(conn):  # noqa: ANN001, ANN202
        conn.config_mode()
        conn.send_command("interface GigabitEthernet0/0/1", expect_string=r"\]")
        out = conn.send_command("display this", expect_string=r"\]")
        conn.exit_config_mode()
        return out

    out = lab.netmiko("v5", session)
    assert "interface GigabitEthernet0/0/1" in out and "ip address 198.18.10.1 255.255.255.252" in out
    assert "LoopBack0" not in out
