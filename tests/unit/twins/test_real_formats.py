"""The twins print what real devices print (issue 13, twin side): each test holds a few lines of
real output (provenance beside it) and checks the twin's output has the same shape -- parsed by
the same ntc-templates template where one exists, else matched by the same pattern.

The twin side of the same commands over real SSH: tests/lab/lab/test_twin_formats.py.
"""

from __future__ import annotations

import re

import pytest
from ntc_templates.parse import parse_output

from tests.unit.twins.offline import run, twin

# ---- real samples (public, quoted with provenance) ----------------------------------------------

# ntc-templates (Apache-2.0) tests/huawei_vrp/display_version/huawei_vrp_display_version.raw,
# NE40E-X2-M8A, V800R011C00SPC200 (first lines; the template stops at the blank line).
REAL_VRP_VERSION = """Huawei Versatile Routing Platform Software
VRP (R) software, Version 8.180 (NE40E V800R011C00SPC200)
Copyright (C) 2012-2018 Huawei Technologies Co., Ltd.
HUAWEI NE40E-X2-M8A uptime is 161 days, 0 hour, 20 minutes
"""

# ntc-templates (Apache-2.0) tests/zte_zxros/show_version/zte_zxros_show_version.raw,
# ZXCTN 6120H-S, V5.10.00.50 (the lines the template reads before EOF).
REAL_ZXROS_VERSION = """ZTE ZXCTN Software, Version: 6120H-S V5.10.00.50, Release software
Copyright (c) 2022 by ZTE Corporation
System image file is <sysdisk0: verset/ZXCTN6120HS_V5.10.00.50B03.set>, file size is 629,753,128 Bytes
System image is loaded from local
System uptime is 23 day(s), 10 hour(s), 59 minute(s)
"""

# A public capture of Comware 7 `display version` (H3C S6520-48S-EI, 7.1.045 Release 2429,
# found through the code index; first line quoted). The H3C S10500/S12500 references print the
# same shape ("H3C Comware Software, Version 7.1.070, Release 7596P10").
REAL_COMWARE_VERSION_LINE = "H3C Comware Software, Version 7.1.045, Release 2429"
COMWARE_VERSION = re.compile(r"^H3C Comware Software, Version (\d+\.\d+\.\d+), Release (\w+)$", re.M)

# RGOS 11 `show version` (public captures quoted in third-party parsers: "System software version :
# S6220_RGOS 11.0(5)B9P33", "System description : Ruijie Full 10G Routing Switch(S6220-48XS6QXS-H)
# By Ruijie Networks").
REAL_RGOS_SOFTWARE = "System software version : S6220_RGOS 11.0(5)B9P33"
RGOS_SOFTWARE = re.compile(r"^System software version\s*: (\w+)_RGOS (\d+\.\d+\(\d+\)\w+)$", re.M)
RGOS_DESCRIPTION = re.compile(r"^System description\s*: Ruijie .*\((S[\w-]+)\) By Ruijie Networks$", re.M)

# Real VRP running configuration, factory-default lines (a public capture of an S5735-L48T4XE-A-V2,
# V600R023C00SPC500); the first four are the ones issue 13 names.
REAL_VRP_FACTORY = [
    "undo telnet ipv6 server-source all-interface",
    "ntp ipv6 server source-interface all disable",
    "undo ssh ipv6 server-source all-interface",
    "undo snmp-agent protocol source-status ipv6 all-interface",
    "undo telnet server-source all-interface",
    "ntp server source-interface all disable",
]

# VRPv8 (NE40E/NE8000) `display ip interface brief`: legend, counters, a VPN column, and the rate
# suffix on GE ports running at another speed ("GigabitEthernet0/1/0.1003(10G)", issue 13; NetEngine
# 8000 F interface-management guide: "interfaces marked with 10G ... are GE interfaces whose bandwidth
# is 10 Gbit/s"). Column spacing is [U].
VRPV8_IP_BRIEF_HEADER = re.compile(r"^Interface\s+IP Address/Mask\s+Physical\s+Protocol\s+VPN\s*$", re.M)

# ZXROS `show ip interface brief` columns (ZXR10 command references, issue 13).
ZXROS_IP_BRIEF_HEADER = re.compile(r"^Interface\s+IP-Address\s+Mask\s+Admin\s+Phy\s+Prot\s+Description\s*$", re.M)


def _keys_and_rows(platform: str, command: str, text: str) -> tuple[set[str], list[dict]]:
    rows = parse_output(platform=platform, command=command, data=text)
    assert rows, f"{platform} {command!r}: nothing parsed from\n{text}"
    return set(rows[0]), rows


# ---- display version / show version -------------------------------------------------------------

@pytest.mark.parametrize("platform,model,os_version", [
    ("huawei", "S6730-H24X6C", "V200R021C00SPC100"),
    ("huawei_vrpv8", "NE40E-X8A", "V800R021C10SPC600"),
])
def test_vrp_version_parses_like_the_real_one(platform: str, model: str, os_version: str, tmp_path) -> None:  # noqa: ANN001
    real_keys, real = _keys_and_rows("huawei_vrp", "display version", REAL_VRP_VERSION)
    out = run(twin(platform, tmp_path, model=model, os_version=os_version), "display version")
    keys, rows = _keys_and_rows("huawei_vrp", "display version", out)
    assert keys == real_keys
    shape = {"vrp_version": r"\d\.\d{3}", "product_version": r"\S+ V\d{3}R\d{3}C\d{2}\w*",
             "model": r"\S+", "uptime": r"(\d+ weeks?, )?\d+ days?, \d+ hours?, \d+ minutes?"}
    for key, pattern in shape.items():
        assert re.fullmatch(pattern, real[0][key]), (key, real[0][key])
        assert re.fullmatch(pattern, rows[0][key]), (key, rows[0][key])
    assert rows[0]["model"] == model and rows[0]["product_version"].endswith(os_version)


def test_zxros_version_parses_like_the_real_one(tmp_path) -> None:  # noqa: ANN001
    real_keys, real = _keys_and_rows("zte_zxros", "show version", REAL_ZXROS_VERSION)
    out = run(twin("zte_zxros", tmp_path, model="ZXR10 5960-56QU-HI", os_version="V5.00.10(3.12.10)"),
              "show version")
    keys, rows = _keys_and_rows("zte_zxros", "show version", out)
    assert keys == real_keys
    for row in (real[0], rows[0]):
        assert re.fullmatch(r"\S+ V\d+\.\d+\.\d+\S*", row["version"]), row
        assert re.fullmatch(r"\d+ day\(s\), \d+ hour\(s\), \d+ minute\(s\)", row["uptime"]), row
    assert rows[0]["version"] == "5960-56QU-HI V5.00.10(3.12.10)"


@pytest.mark.parametrize("sot_version,shown", [
    ("7.1.064 Release 8305", ("7.1.064", "8305")),        # the SoT's spelling (no comma)
    ("7.1.070, Release 6615P01", ("7.1.070", "6615P01")),
])
def test_comware_version_has_the_real_comma(sot_version: str, shown: tuple[str, str], tmp_path) -> None:  # noqa: ANN001
    assert COMWARE_VERSION.search(REAL_COMWARE_VERSION_LINE)
    dialect = twin("hp_comware", tmp_path, model="SR6608-X", os_version=sot_version)
    found = COMWARE_VERSION.search(run(dialect, "display version"))
    assert found and found.groups() == shown
    assert f" version {shown[0]}, Release {shown[1]}" in run(dialect, "display current-configuration")


def test_rgos_version_has_the_real_layout(tmp_path) -> None:  # noqa: ANN001
    assert RGOS_SOFTWARE.search(REAL_RGOS_SOFTWARE)
    out = run(twin("ruijie_os", tmp_path, model="RG-S5750C-28GT4XS-H", os_version="RGOS 11.4(1)B12P10"),
              "enable", "show version")
    assert RGOS_SOFTWARE.search(out).groups() == ("S5750C", "11.4(1)B12P10")
    assert RGOS_DESCRIPTION.search(out).group(1) == "S5750C-28GT4XS-H"


# ---- interface briefs ----------------------------------------------------------------------------

def test_vrpv8_ip_brief_has_rate_suffix_vpn_column_and_legend(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("huawei_vrpv8", tmp_path, model="NE40E-X8A",
                   interfaces={"GigabitEthernet0/1/0": "ge0", "GigabitEthernet0/1/0.1003": "ge0v",
                               "LoopBack0": "lo0"},
                   startup={"interfaces": {"GigabitEthernet0/1/0": {"ipv4": "198.18.10.2/30"},
                                           "LoopBack0": {"ipv4": "198.18.4.1/32"}}})
    out = run(dialect, "system-view", "ip vpn-instance BDC", "ipv4-family", "route-distinguisher 65000:1",
              "quit", "interface GigabitEthernet0/1/0.1003", "ip binding vpn-instance BDC",
              "ip address 198.19.60.1 24", "commit", "return")
    assert "Error" not in out, out
    out = run(dialect, "display ip interface brief")
    assert VRPV8_IP_BRIEF_HEADER.search(out), out
    for legend in ("*down: administratively down", "^down: standby", "(s): spoofing"):
        assert legend in out.splitlines()
    assert re.search(r"^The number of interface that is UP in Physical is \d+$", out, re.M)
    rows = {line.split()[0]: line.split() for line in out.splitlines()[out.splitlines().index(
        VRPV8_IP_BRIEF_HEADER.search(out).group(0)) + 1:]}
    assert rows["GigabitEthernet0/1/0.1003(10G)"][1:] == ["198.19.60.1/24", "up", "up", "BDC"]
    assert rows["GigabitEthernet0/1/0(10G)"][-1] == "--"
    assert rows["LoopBack0"][1:] == ["198.18.4.1/32", "up", "up(s)", "--"]


def test_vrpv8_rate_suffix_follows_the_lab_spec(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("huawei_vrpv8", tmp_path, model="CE6850-48S6Q-HI",
                   interfaces={"100GE0/1/53": "c53", "GigabitEthernet0/1/1": "g1"},
                   port_rates={"100GE0/1/53": "100M"})
    out = run(dialect, "display ip interface brief")
    assert "100GE0/1/53(100M)" in out and "GigabitEthernet0/1/1 " in out  # CE: no default suffix


def test_zxros_ip_brief_has_its_own_columns_and_description(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("zte_zxros", tmp_path, interfaces={"gei-0/1/0/1": "g1", "xxvgei-1/1/0/24": "x24"},
                   startup={"interfaces": {"gei-0/1/0/1": {"ipv4": "198.18.31.1/30",
                                                           "description": "down-link to township"}}})
    out = run(dialect, "show ip interface brief")
    assert ZXROS_IP_BRIEF_HEADER.search(out), out
    row = next(line for line in out.splitlines() if line.startswith("gei-0/1/0/1"))
    assert row.split()[:6] == ["gei-0/1/0/1", "198.18.31.1", "255.255.255.252", "up", "up", "up"]
    assert row.endswith("down-link to township")
    assert next(line for line in out.splitlines() if line.startswith("xxvgei-1/1/0/24")).split()[1:3] == \
        ["unassigned", "unassigned"]


def test_comware_ip_brief_keeps_the_description_last(tmp_path) -> None:  # noqa: ANN001
    dialect = twin("hp_comware", tmp_path, interfaces={"GigabitEthernet1/0/1": "g1"},
                   startup={"interfaces": {"GigabitEthernet1/0/1": {"ipv4": "198.18.30.1/30",
                                                                    "description": "ADM-building down"}}})
    out = run(dialect, "display ip interface brief")
    header = next(line for line in out.splitlines() if line.startswith("Interface"))
    assert header.split()[-1] == "Description"
    row = next(line for line in out.splitlines() if line.startswith("GE1/0/1"))
    assert row.split()[1:3] == ["up", "up"] and row.endswith("ADM-building down")


# ---- running configuration ---------------------------------------------------------------------

@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8"])
def test_vrp_running_config_carries_the_factory_lines(platform: str, tmp_path) -> None:  # noqa: ANN001
    lines = run(twin(platform, tmp_path), "display current-configuration").splitlines()
    for line in REAL_VRP_FACTORY:
        assert line in lines, line


@pytest.mark.parametrize("platform,model", [("huawei", "S6730-H24X6C"), ("huawei_vrpv8", "NE40E-X8A")])
def test_vrp_interface_brief_parses_with_ntc_templates(platform: str, model: str, tmp_path) -> None:  # noqa: ANN001
    # ntc-templates' huawei_vrp template errors on any legend line real devices do not print.
    dialect = twin(platform, tmp_path, model=model, interfaces={"GigabitEthernet0/1/0": "g0", "LoopBack0": "lo0"})
    rows = parse_output(platform="huawei_vrp", command="display interface brief",
                        data=run(dialect, "display interface brief"))
    names = [r["interface"] for r in rows]
    assert names[0] == ("GigabitEthernet0/1/0(10G)" if platform == "huawei_vrpv8" else "GigabitEthernet0/1/0")
    assert "LoopBack0" in names and "NULL0" in names
