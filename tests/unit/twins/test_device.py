"""A twin restarted after ``save`` comes back with the saved model, not the startup block."""

from __future__ import annotations

from pathlib import Path

from lab.twins.device import Device

SPEC = {"name": "r1", "platform": "huawei", "netns": "gtw-unit-never-entered", "sysname": "R1",
        "interfaces": {"GigabitEthernet0/0/1": "ge0-0-1"},
        "startup": {"interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.1.1/30"}}}}


def test_saved_model_wins_over_startup_after_restart(tmp_path: Path) -> None:
    first = Device(SPEC, tmp_path)
    assert first.running.interfaces["GigabitEthernet0/0/1"].ipv4 == ["198.18.1.1/30"]
    first.running.interfaces["GigabitEthernet0/0/1"].description = "saved before restart"
    first.save("text rendering")
    first.kernel.close()

    again = Device(SPEC, tmp_path)
    assert again.running.interfaces["GigabitEthernet0/0/1"].description == "saved before restart"
    assert (tmp_path / "r1" / "saved.cfg").read_text() == "text rendering"
    again.kernel.close()
