"""The twins accept and refuse what the real devices accept and refuse (issue 13, twin side).

- Huawei VRP: IPv6 ping in a VPN is ``ping ipv6 vpn-instance NAME HOST`` (no dash; Huawei S/CE and
  NE8000 command references, ``ping ipv6``); only IPv4 is ``ping -vpn-instance NAME HOST``.
- H3C Comware 7: ``ping ipv6 -vpn-instance NAME HOST`` (dash, both families; H3C Network
  Management and Monitoring Command Reference).
- Comware 7 ``archive configuration`` needs ``archive configuration location DIR filename-prefix P``
  first (H3C/HPE Fundamentals Command Reference: "Before archiving the running configuration,
  either manually or automatically, you must configure a directory and file name prefix").
"""

from __future__ import annotations

import pytest

from tests.unit.twins.offline import run, twin

VPN_STARTUP = {"interfaces": {}}


def _with_vpn(platform: str, tmp_path):  # noqa: ANN001, ANN202
    dialect = twin(platform, tmp_path)
    config = ["system-view", "ip vpn-instance BDC", "ipv6-family", "quit", "quit"]
    out = run(dialect, *config)
    assert "Error" not in out and "%" not in out, out
    run(dialect, "return" if platform != "huawei_vrpv8" else "commit", "return")
    return dialect


@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8"])
def test_vrp_ipv6_vpn_ping_has_no_dash(platform: str, tmp_path) -> None:  # noqa: ANN001
    dialect = _with_vpn(platform, tmp_path)
    assert "BDC" in dialect.device.running.vpns

    out = run(dialect, "ping ipv6 vpn-instance BDC 2001:db8:1::1")
    assert "PING 2001:DB8:1::1" in out and "packet(s) transmitted" in out

    prompt = dialect.prompt()
    out = run(dialect, "ping ipv6 -vpn-instance BDC 2001:db8:1::1")
    caret, message = out.splitlines()[:2]
    # Huawei's caret error; which of its kinds VRP names here is not in our sources ([U])
    assert message.startswith("Error: ") and message.endswith("found at '^' position.")
    assert caret.index("^") == len(prompt) + len("ping ipv6 ")  # under "-vpn-instance"
    assert "packet(s)" not in out


@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8"])
def test_vrp_ipv4_vpn_ping_keeps_the_dash(platform: str, tmp_path) -> None:  # noqa: ANN001
    dialect = _with_vpn(platform, tmp_path)
    assert "packet(s) transmitted" in run(dialect, "ping -vpn-instance BDC 198.18.1.1")
    assert "found at '^' position." in run(dialect, "ping vpn-instance BDC 198.18.1.1")


def test_comware_ipv6_vpn_ping_has_the_dash(tmp_path) -> None:  # noqa: ANN001
    dialect = _with_vpn("hp_comware", tmp_path)
    assert "packet(s) transmitted" in run(dialect, "ping ipv6 -vpn-instance BDC 2001:db8:1::1")
    out = run(dialect, "ping ipv6 vpn-instance BDC 2001:db8:1::1")
    assert out.splitlines()[1].startswith("% ") and out.splitlines()[1].endswith("found at '^' position.")


def test_comware_archive_needs_a_location(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("hp_comware", tmp_path)
    out = run(dialect, "archive configuration", answers=("y",))
    assert "[Y/N]" not in out  # refused at once: nothing to wait for
    assert "not configured" in out
    assert not (tmp_path / "r1" / "archive").exists()

    out = run(dialect, "system-view", "archive configuration location flash:/archive filename-prefix govops", "return")
    assert "does not exist" in out  # the directory must exist first
    assert "Creating directory flash:/archive... Done." in run(dialect, "mkdir flash:/archive")
    assert "already exists" in run(dialect, "mkdir flash:/archive")
    run(dialect, "system-view", "archive configuration location flash:/archive filename-prefix govops", "return")
    settings = run(dialect, "display archive configuration")
    assert "Location: flash:/archive" in settings and "Filename prefix: govops" in settings
    assert " archive configuration location flash:/archive filename-prefix govops" in \
        run(dialect, "display current-configuration")
    out = run(dialect, "archive configuration", answers=("y",))
    assert "Continue? [Y/N]" in out
    assert "The archive configuration file govops_1.cfg is saved." in out
    assert (tmp_path / "r1" / "archive" / "govops_1.cfg").exists()
    assert "Next archive file to be saved: govops_2.cfg" in run(dialect, "display archive configuration")

    run(dialect, "system-view", "undo archive configuration location", "return")
    assert "not configured" in run(dialect, "archive configuration")


def test_comware_archive_location_checks_its_words(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("hp_comware", tmp_path)
    out = run(dialect, "system-view", "archive configuration location flash:/a filename-prefix bad/prefix")
    assert "% Wrong parameter" in out
    assert dialect.device.running.archive_location == ""
