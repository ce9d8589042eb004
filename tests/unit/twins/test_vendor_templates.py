"""Every command govops sends (``govops.vendors``), on every platform's twin, parses with the
vendor's template into the field names the real samples (tests/fixtures/real/) give, with the
fields every real row fills filled -- dual-stack, sub-interfaces, a VPN and a description
included, which the shared lab (tests/lab/lab/test_twin_formats.py) does not have at session start.
"""

from __future__ import annotations

import pytest

from govops import vendors
from govops.vendors import parsing
from tests.paths import ROOT
from tests.unit.twins.offline import run, twin

SETUPS = {
    "huawei": dict(model="S6730-H24X6C", os_version="V200R021C00SPC100",
                   interfaces={"GigabitEthernet0/0/1": "g1", "Vlanif100": "v100", "LoopBack0": "lo0"}),
    "huawei_vrpv8": dict(model="NE40E-X8A", os_version="V800R021C10SPC600",
                         interfaces={"GigabitEthernet0/1/0": "g0", "GigabitEthernet0/1/0.1003": "g0v",
                                     "LoopBack0": "lo0"}),
    "hp_comware": dict(model="SR6608-X", os_version="7.1.064 Release 8305",
                       interfaces={"GigabitEthernet1/0/1": "g1", "GigabitEthernet1/0/2": "g2", "LoopBack0": "lo0"}),
    "zte_zxros": dict(model="ZXR10 5960-56QU-HI", os_version="V5.00.10(3.12.10)",
                      interfaces={"gei-0/1/0/1": "g1", "xxvgei-1/1/0/24": "x24", "loopback1": "lo0"}),
    "ruijie_os": dict(model="RG-S5750C-28GT4XS-H", os_version="RGOS 11.4(1)B12P10",
                      interfaces={"GigabitEthernet 0/1": "g1", "TenGigabitEthernet 0/49": "t49", "Loopback 0": "lo0"}),
}
# (platform, key) -> reason, where govops' vendor facts and the twin's real format disagree (none now).
KNOWN: dict[tuple[str, str], str] = {}


def _startup(platform: str) -> dict:
    names = list(SETUPS[platform]["interfaces"])
    return {"interfaces": {
        names[0]: {"ipv4": "198.18.10.1/30", "ipv6": "2001:db8:10::1/64", "description": "down-link to township"},
        names[-1]: {"ipv4": "198.18.4.1/32", "ipv6": "2001:db8:4::1/128"},
    }, "static_routes_v4": [{"prefix": "0.0.0.0/0", "nexthop": "198.18.10.2"}]}


def _twin(platform: str, tmp_path):  # noqa: ANN001, ANN202
    dialect = twin(platform, tmp_path, startup=_startup(platform), **SETUPS[platform])
    if platform == "ruijie_os":
        run(dialect, "enable")
    return dialect


def _samples(platform: str, command: str) -> dict[str, str]:
    folder = ROOT / "tests" / "fixtures" / "real" / platform / command.replace(" ", "_")
    return {p.name: p.read_text() for p in sorted(folder.glob("*.raw"))}


# OSPF neighbour tables print FRR's live state: tests/unit/twins/test_ospf_twin.py feeds them FRR's JSON.
CASES = [(p, k) for p in SETUPS for k in vendors.get(p).templates
         if k in vendors.get(p).commands and not k.startswith("ospf")]


@pytest.mark.parametrize("platform", SETUPS)
def test_twin_version_satisfies_the_vendor_and_the_sot(platform: str, tmp_path) -> None:  # noqa: ANN001
    if (platform, "version") in KNOWN:
        pytest.xfail(KNOWN[(platform, "version")])
    vendor = vendors.get(platform)
    out = run(_twin(platform, tmp_path), vendor.commands["version"])
    assert vendor.check_version(out, SETUPS[platform]["os_version"]) == "", out


@pytest.mark.parametrize("platform,key", CASES, ids=[f"{p}:{k}" for p, k in CASES])
def test_twin_output_has_the_real_fields(platform: str, key: str, tmp_path) -> None:  # noqa: ANN001
    vendor = vendors.get(platform)
    command = vendor.commands[key]
    out = run(_twin(platform, tmp_path), command)
    rows = parsing.parse(vendor, key, out)
    assert rows, f"{platform} `{command}`: nothing parsed from the twin:\n{out}"
    if key in ("ip_brief", "ipv6_brief"):
        shown = {parsing.canonical(vendor.long_name(str(r["interface"]))) for r in rows}
        wanted = SETUPS[platform]["interfaces"] if key == "ip_brief" else list(_startup(platform)["interfaces"])
        for name in wanted:
            assert parsing.canonical(name) in shown, f"{platform} `{command}`: no row for {name}\n{out}"
    samples = _samples(platform, command)
    if not samples:
        pytest.skip(f"no real sample in tests/fixtures/real/{platform}/{command.replace(' ', '_')}/")
    for name, sample in samples.items():
        real = parsing.parse(vendor, key, sample)
        assert real and set(real[0]) == set(rows[0]), name
        for field in real[0]:
            if all(str(r[field]).strip() for r in real):
                assert all(str(r[field]).strip() for r in rows), (name, field, out)


@pytest.mark.parametrize("platform", ["huawei", "huawei_vrpv8", "hp_comware"])
def test_the_vpn_pings_govops_sends_are_accepted(platform: str, tmp_path) -> None:  # noqa: ANN001
    """VRP: ``ping ipv6 -c 3 vpn-instance V A`` (no dash); Comware: ``ping ipv6 -c 3 -vpn-instance V A``."""
    vendor = vendors.get(platform)
    dialect = _twin(platform, tmp_path)
    setup = ["system-view", "ip vpn-instance BDC", "ipv6-family", "quit", "quit"]
    out = run(dialect, *setup, *(["commit"] if platform == "huawei_vrpv8" else []), "return")
    assert "rror" not in out and "%" not in out, out
    for form, addr in ((vendor.ping_vpn, "2001:db8:60::1"), (vendor.ping_vpn_ipv4, "198.19.60.1")):
        out = run(dialect, form.format(vpn="BDC", addr=addr))
        assert "packet(s) transmitted" in out, (form, out)
        assert parsing.parse(vendor, "ping", out), (form, out)
