"""Bad input gets the vendor's error line with the caret under the culprit, and changes nothing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.lab

HUAWEI_CASES = [
    # (command typed in interface view, error kind, column of the caret within the command)
    ("foo bar", "Unrecognized command", 0),
    ("ipv6 address", "Incomplete command", 12),
    ("ipv6 address 2001:db8::zz 64", "Wrong parameter", 13),
    ("undo shutdown now", "Too many parameters", 14),
]


def _errors(lab, name: str, interface: str, commands: list[str], show: str, terminator: str):  # noqa: ANN001, ANN202
    def session(conn):  # noqa: ANN001, ANN202
        before = conn.send_command(show)
        conn.config_mode()
        conn.send_command(f"interface {interface}", expect_string=terminator)
        prompt = conn.find_prompt()
        outputs = [conn.send_command(cmd, expect_string=terminator, strip_command=True) for cmd in commands]
        conn.exit_config_mode()
        return before, prompt, outputs, conn.send_command(show)

    return lab.netmiko(name, session)


@pytest.mark.parametrize("name,interface,prefix", [("v5", "GigabitEthernet0/0/2", "Error: "),
                                                   ("v8", "GigabitEthernet0/1/1", "Error: "),
                                                   ("cw", "GigabitEthernet1/0/1", "% ")])
def test_huawei_and_comware_errors(lab, name: str, interface: str, prefix: str) -> None:  # noqa: ANN001
    before, prompt, outputs, after = _errors(lab, name, interface, [c for c, _, _ in HUAWEI_CASES],
                                             "display current-configuration", r"\]")
    for (command, kind, column), output in zip(HUAWEI_CASES, outputs, strict=True):
        lines = [line for line in output.splitlines() if line.strip()]
        assert lines[-1] == f"{prefix}{kind} found at '^' position.", command
        assert lines[-2] == " " * (len(prompt) + column) + "^", command
    assert after == before


def test_cisco_like_errors(lab) -> None:  # noqa: ANN001
    commands = ["foo bar", "ipv6 address", "ipv6 address 2001:db8::zz/64"]
    before, prompt, outputs, after = _errors(lab, "rj", "GigabitEthernet 0/1", commands, "show running-config", "#")
    assert outputs[0].splitlines()[-1] == "% Invalid input detected at '^' marker."
    assert outputs[0].splitlines()[-2] == " " * len(prompt) + "^"
    assert outputs[1].strip() == "% Incomplete command."
    assert outputs[2].splitlines()[-1] == "% Invalid input detected at '^' marker."
    assert after == before


def test_vrp5_interface_ipv6_needs_global_ipv6(lab) -> None:  # noqa: ANN001
    def session(conn):  # noqa: ANN001, ANN202
        conn.send_config_set(["undo ipv6"])
        out = conn.send_config_set(["interface GigabitEthernet0/0/2", "ipv6 enable"])
        conn.send_config_set(["ipv6"])
        return out

    out = lab.netmiko("v5", session)
    assert "Error: Please enable IPv6 globally first." in out


def test_question_mark_lists_top_level_commands(lab) -> None:  # noqa: ANN001
    def session(conn):  # noqa: ANN001, ANN202
        conn.write_channel("?")
        return conn.read_until_pattern(pattern=r"<V5>$")

    out = lab.netmiko("v5", session)
    assert "system-view" in out and "display" in out and "save" in out
