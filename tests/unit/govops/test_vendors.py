"""The vendor place: every registered vendor is complete, its templates parse its real samples,
and an unknown platform is a clear error (never another vendor's syntax)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from govops import vendors
from govops.sot.platforms import valid_interface
from govops.vendors import parsing
from govops.vendors.base import COMMAND_KEYS, PARSED_KEYS

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT / "tests" / "fixtures" / "real"

# (platform, corpus folder) -> the command key whose template must read every sample there.
CORPUS_KEYS = {"display_ip_interface_brief": "ip_brief", "display_interface_brief": "ip_brief",
               "display_ipv6_interface_brief": "ipv6_brief", "display_ip_routing-table": "ipv4_routes",
               "show_ip_route": "ipv4_routes", "ping_ipv6": "ping",
               "display_configuration_trial_status": "trial_status",
               "display_ipv6_routing-table_protocol": "ospfv3_routes"}


@pytest.mark.parametrize("platform", sorted(vendors.VENDORS))
def test_every_vendor_is_complete(platform):
    v = vendors.get(platform)
    for f in dataclasses.fields(v):
        if f.name not in ("unverified", "drift_ignore", "abbreviations"):
            assert getattr(v, f.name) not in (None, "", (), {}), f"{platform}: field {f.name} is empty"
    assert set(COMMAND_KEYS) <= set(v.commands), f"{platform}: commands lack {set(COMMAND_KEYS) - set(v.commands)}"
    assert set(PARSED_KEYS) <= set(v.templates), f"{platform}: templates lack {set(PARSED_KEYS) - set(v.templates)}"
    for key, tpl in v.templates.items():
        assert tpl.ntc or (tpl.path and tpl.path.is_file()), f"{platform}: template for {key} missing: {tpl.path}"
    assert "{addr}" in v.ping and {"{vpn}", "{addr}"} <= set(re.findall(r"\{\w+\}", v.ping_vpn))
    assert v.commit_model in ("immediate", "commit-trial", "commit-delay-archive")
    # Whatever has no real sample says so: each parsed command has a sample folder or an unverified reason.
    folders = {p.name for p in (REAL / platform).glob("*")} if (REAL / platform).is_dir() else set()
    for key in PARSED_KEYS + ("version", "running"):
        sampled = any(CORPUS_KEYS.get(f) == key or f.replace("_", " ") == v.commands.get(key) for f in folders)
        assert sampled or key in v.unverified, f"{platform}: {key} has neither a real sample nor an unverified reason"


def _samples():
    for folder in sorted(REAL.glob("*/*")):
        if folder.parent.name in vendors.VENDORS and folder.is_dir():
            for raw in sorted(folder.glob("*.raw")):
                yield pytest.param(folder.parent.name, folder.name, raw, id=f"{folder.parent.name}/{folder.name}/{raw.stem}")


@pytest.mark.parametrize("platform,command,raw", list(_samples()))
def test_every_real_sample_parses_and_has_provenance(platform, command, raw):
    prov = yaml.safe_load((raw.parent / "PROVENANCE.yml").read_text())
    entry = prov["samples"][raw.name]
    assert {"source", "licence", "model", "software"} <= set(entry), f"{raw}: provenance incomplete"
    v = vendors.get(platform)
    text = raw.read_text()
    if command in ("display_version", "show_version"):
        assert v.parse_version(text) is not None, f"{raw}: version pattern does not parse it"
    elif command in CORPUS_KEYS:
        rows = parsing.parse(v, CORPUS_KEYS[command], text)
        assert rows, f"{raw}: {CORPUS_KEYS[command]} template gives no rows"


def test_unknown_platform_is_a_clear_error_everywhere():
    from network import platforms
    with pytest.raises(vendors.UnknownPlatform, match="cisco_ios.*huawei"):
        vendors.get("cisco_ios")
    # network.config used to fall back to Huawei syntax for any unknown platform; its syntax now
    # comes only from the Vendor a driver or intent holds, and there is no driver without a vendor.
    with pytest.raises(vendors.UnknownPlatform):
        platforms.driver_for("cisco_ios", None)
    assert not valid_interface("cisco_ios", "GigabitEthernet0/0")


@pytest.mark.parametrize("platform,name", [
    ("huawei", "GE1/0/0"), ("huawei", "10GE1/0/4"), ("huawei_vrpv8", "MEth0/0/0"),
    ("huawei_vrpv8", "100GE1/0/1"), ("huawei_vrpv8", "GigabitEthernet0/1/0.1003"),
    ("hp_comware", "Route-Aggregation1"), ("hp_comware", "Ten-GigabitEthernet1/0/49"),
    ("zte_zxros", "xxvgei-1/1/0/24"), ("zte_zxros", "cgei-0/2/0/1"), ("zte_zxros", "smartgroup1"),
    ("ruijie_os", "TenGigabitEthernet 0/1"), ("ruijie_os", "AggregatePort 1"),
])
def test_sot_accepts_real_interface_names(platform, name):
    """Problem 7: names real devices print (corpus: S5735-L config GE1/0/1 and 10GE1/0/1; CE6800
    MEth0/0/0, 100GE1/0/1; FRINX NE sub-interfaces) are valid in the source of truth."""
    assert valid_interface(platform, name)


def test_sot_accepts_every_interface_name_in_the_real_configs():
    text = (REAL / "huawei" / "display_current-configuration" / "s5735_l48t4xe_a_v2.raw").read_text()
    names = re.findall(r"^interface (\S+)$", text, re.M)
    assert "GE1/0/48" in names and "10GE1/0/6" in names
    assert [n for n in names if not valid_interface("huawei", n)] == []
    cw = (REAL / "hp_comware" / "display_current-configuration" / "hpe5930_cw7_1_045.raw").read_text()
    cw_names = re.findall(r"^interface (\S+)$", cw, re.M)
    assert cw_names and [n for n in cw_names if not valid_interface("hp_comware", n)] == []


@pytest.mark.parametrize("name", ["GigabitEthernet0/0/1 ", "Vlanif", "GE1/0/1; shutdown", "gei-0/1/0/1"])
def test_sot_still_rejects_what_no_vrp_prints(name):
    assert not valid_interface("huawei", name)
