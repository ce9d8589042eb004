"""Drift also compares saved with running: an upgrade that was never saved is lost at reboot."""

from __future__ import annotations

from types import SimpleNamespace

from govops import vendors
from network import config as cfgtext
from network import drift

INTENT = "ipv6\n#\ninterface GigabitEthernet0/0/1\n ipv6 enable\n ipv6 address 2001:DB8:4600:1000::1/64\n#\n"
IPV4_ONLY = "sysname fy-agg-1\n#\ninterface GigabitEthernet0/0/1\n ip address 198.18.1.1 255.255.255.0\n#\nreturn\n"
DUAL = ("sysname fy-agg-1\n#\nipv6\n#\ninterface GigabitEthernet0/0/1\n ip address 198.18.1.1 255.255.255.0\n"
        " ipv6 enable\n ipv6 address 2001:DB8:4600:1000::1/64\n#\nreturn\n")


def _intent():
    return SimpleNamespace(device="fy-agg-1", platform="huawei", blocks=cfgtext.parse(INTENT, vendors.get("huawei")),
                           ospf2=None)  # no routing design: OSPF drift is not judged


def test_running_upgraded_but_saved_ipv4_only_is_reported_as_unsaved():
    lines = drift.unsaved(_intent(), DUAL, IPV4_ONLY)
    assert "ipv6 address 2001:DB8:4600:1000::1/64" in " ".join(lines) and len(lines) >= 2
    report = drift.DriftReport("fy-agg-1", unsaved=lines)
    assert report.drifted and any("not saved" in ln for ln in drift.diff_lines(report))


def test_saved_equal_to_running_is_clean_and_missing_lines_are_not_counted_twice():
    assert drift.unsaved(_intent(), DUAL, DUAL) == []
    assert drift.unsaved(_intent(), IPV4_ONLY, IPV4_ONLY) == []  # missing in both: drift's `missing` says so
