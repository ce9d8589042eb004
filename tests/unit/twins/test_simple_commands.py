"""Commands declared as table rows (lab/twins/dialects/simple_commands.py) behave as the
methods they replaced: values are per interface, limits and subclass overrides still apply."""

from __future__ import annotations

from tests.unit.twins.offline import run, twin

IFS = {"GigabitEthernet0/0/1": "ge0-0-1", "GigabitEthernet0/0/2": "ge0-0-2"}


def test_a_cleared_address_list_is_not_shared_between_interfaces(tmp_path) -> None:  # noqa: ANN001
    """VRPv8 edits one candidate across commands: a list set by one row must be each interface's own."""
    dialect = twin("huawei_vrpv8", tmp_path, IFS)
    out = run(dialect, "system-view",
              "interface GigabitEthernet0/0/1", "undo ipv6 enable", "quit",
              "interface GigabitEthernet0/0/2", "undo ipv6 enable", "ipv6 enable", "ipv6 address 2001:db8::2 64",
              "quit", "commit", "return")
    assert "Error" not in out, out
    interfaces = dialect.device.running.interfaces
    assert interfaces["GigabitEthernet0/0/2"].ipv6 == ["2001:db8::2/64"]
    assert interfaces["GigabitEthernet0/0/1"].ipv6 == []


def test_vrp_cuts_a_description_at_242_characters_and_ruijie_keeps_it(tmp_path) -> None:  # noqa: ANN001
    long_text = "x" * 300
    vrp = twin("huawei", tmp_path / "vrp", IFS)
    run(vrp, "system-view", "interface GigabitEthernet0/0/1", f"description {long_text}", "return")
    assert vrp.device.running.interfaces["GigabitEthernet0/0/1"].description == long_text[:242]
    ruijie = twin("ruijie_os", tmp_path / "ruijie", IFS)
    run(ruijie, "enable", "configure terminal", "interface GigabitEthernet0/0/1", f"description {long_text}", "end")
    assert ruijie.device.running.interfaces["GigabitEthernet0/0/1"].description == long_text


def test_vrp5_interface_ipv6_still_needs_the_global_switch(tmp_path) -> None:  # noqa: ANN001
    """vrp5 overrides the table row ``ipv6_enable`` by name and calls it through super()."""
    dialect = twin("huawei", tmp_path, IFS)
    dialect.device.running.ipv6_global = False
    out = run(dialect, "system-view", "interface GigabitEthernet0/0/1", "ipv6 enable")
    assert "Error" in out and not dialect.device.running.interfaces["GigabitEthernet0/0/1"].ipv6_enabled
    out = run(dialect, "quit", "ipv6", "interface GigabitEthernet0/0/1", "ipv6 enable", "return")
    assert "Error" not in out, out
    assert dialect.device.running.interfaces["GigabitEthernet0/0/1"].ipv6_enabled
