"""Twin output parses like real output (issue 13: "twins print what real devices print").

On the shared lab (one twin per platform), every command govops sends (``govops.vendors``:
``commands`` and the IPv6 ping) is run over real SSH with netmiko and parsed by
``govops.vendors.parsing.parse`` -- the same templates (ntc-templates' or the vendor's own) that
parse the real samples in tests/fixtures/real/<platform>/<command>/. The twin's rows must carry
the real samples' field names, fill the fields the real samples fill, hold addresses/numbers where
they hold addresses/numbers, and have a row for every interface the lab gives the device.
``display version`` must satisfy the vendor's version pattern and the SoT's os_version.
"""

from __future__ import annotations

import ipaddress
import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from govops import vendors
from govops.sot import load_inventory
from govops.vendors import parsing
from network import session
from tests.paths import ROOT

pytestmark = pytest.mark.lab

# One device per platform in inventories/lab.
DEVICES = {"huawei": "fy-agg-1", "huawei_vrpv8": "core-1", "hp_comware": "ys-agg-1",
           "zte_zxros": "fy-fyz-acc-1", "ruijie_os": "fy-yq-acc-1"}
# OSPFv3 starts with the IPv6 upgrade, so it has no neighbours at session start (tests/lab/routing).
CASES = [(p, key) for p in DEVICES for key in vendors.get(p).templates
         if key in vendors.get(p).commands and key != "ospfv3_peer"]
CASES += [(p, "ping") for p in DEVICES if "ping" in vendors.get(p).templates]


# Where govops' vendor facts and the twin's real format disagree, the owner of the vendor facts
# has been told (issue 13); the case stays visible as xfail until one of them changes.
KNOWN: dict[tuple[str, str], str] = {}


def kind(value: object) -> str:
    """What a field holds: nothing, a placeholder, an address, a number or text."""
    text = str(value).strip()
    if not text:
        return ""
    if text in ("--", "unassigned", "Unassigned", "N/A"):
        return "none"
    try:
        return f"ip{ipaddress.ip_interface(text).version}"
    except ValueError:
        return "int" if text.isdigit() else "text"


def real_samples(platform: str, command: str) -> dict[str, str]:
    folder = ROOT / "tests" / "fixtures" / "real" / platform / command.replace(" ", "_")
    return {p.name: p.read_text() for p in sorted(folder.glob("*.raw"))}


@pytest.fixture(scope="module")
def outputs(lab) -> dict[str, dict[str, str]]:  # noqa: ANN001
    """Each platform's outputs (key -> text), over real SSH from the lab's mgmt namespace."""
    from pyroute2 import netns

    inv = load_inventory(lab.inventory)

    def collect(platform: str, name: str) -> dict[str, str]:
        vendor = vendors.get(platform)
        conn = session.open_session(inv.devices[name], session.SessionOptions(known_hosts=lab.known_hosts))
        try:
            out = {key: conn.send_command(cmd, read_timeout=60) for key, cmd in vendor.commands.items()}
            out["ping"] = conn.send_command(vendor.ping.format(addr=lab.mgmt_ipv6(name)), read_timeout=60)
            return out
        finally:
            conn.disconnect()

    with ThreadPoolExecutor(max_workers=5, initializer=netns.setns, initargs=(lab.mgmt_netns,)) as pool:
        futures = {p: pool.submit(collect, p, n) for p, n in DEVICES.items()}
        return {p: f.result(timeout=300) for p, f in futures.items()}


@pytest.mark.parametrize("platform", DEVICES)
def test_twin_version_is_the_sot_version_in_the_real_shape(lab, outputs, platform: str) -> None:  # noqa: ANN001
    if (platform, "version") in KNOWN:
        pytest.xfail(KNOWN[(platform, "version")])
    vendor = vendors.get(platform)
    dev = load_inventory(lab.inventory).devices[DEVICES[platform]]
    text = outputs[platform]["version"]
    assert vendor.check_version(text, dev.os_version) == "", text
    for name, sample in real_samples(platform, vendor.commands["version"]).items():
        assert vendor.parse_version(sample) is not None, f"{name}: the version pattern does not read this real sample"


@pytest.mark.parametrize("platform,key", CASES, ids=[f"{p}:{k}" for p, k in CASES])
def test_twin_output_parses_like_real_output(lab, outputs, platform: str, key: str) -> None:  # noqa: ANN001
    vendor = vendors.get(platform)
    template = vendor.templates[key]
    text = outputs[platform][key]
    if (platform, key) in KNOWN:
        pytest.xfail(KNOWN[(platform, key)])
    if key == "ospf_peer" and lab.state.get("igp") != "ospf":
        pytest.skip("this lab routes statically (GOVOPS_LAB_IGP): no OSPF neighbours to print")
    rows = parsing.parse(vendor, key, text)
    ipv6_less = key == "ipv6_brief" and not re.search(r"\b[0-9a-f]{1,4}:[0-9a-f]{0,4}:", text, re.I)
    assert rows or ipv6_less, f"{platform} `{template.command}`: the template parsed nothing from the twin:\n{text}"

    column = next((k for k in (rows[0] if rows else {}) if k in ("interface", "intf")), None)
    if column and key in ("ip_brief", "ipv6_brief"):
        shown = {parsing.canonical(vendor.long_name(str(r[column]))) for r in rows}
        config = json.loads((lab.run_dir / "twins.json").read_text())
        device = next(d for d in config["devices"] if d["name"] == DEVICES[platform])
        expect = device["interfaces"] if key == "ip_brief" else [
            n for n, spec in (device.get("startup") or {}).get("interfaces", {}).items() if spec.get("ipv6")]
        for intf in expect:
            assert parsing.canonical(intf) in shown, f"{platform} `{template.command}`: no row for {intf}\n{text}"

    command = vendor.commands.get(key, template.command)
    samples = real_samples(platform, command if key != "ping" else "ping ipv6")
    if not samples:
        pytest.skip(f"tests/fixtures/real/{platform}/{command.replace(' ', '_')}/ has no real sample yet "
                    "(twin output parsed; nothing real to compare with)")
    real_rows = [row for sample in samples.values() for row in parsing.parse(vendor, key, sample)]
    assert real_rows, f"{template.command}: the template parses nothing from {sorted(samples)}"
    if not rows:
        pytest.skip(f"{platform}: no IPv6 interface yet, nothing to compare")
    assert set(rows[0]) == set(real_rows[0]), "field names differ from the real samples'"
    for field in real_rows[0]:
        real_kinds = {kind(r[field]) for r in real_rows}
        twin_kinds = {kind(r[field]) for r in rows}
        if "" not in real_kinds:  # every real row fills it: so must the twin's
            assert "" not in twin_kinds, f"{field}: filled in every real row, empty in a twin row"
        values = real_kinds - {"", "none"}
        if values and values <= {"ip4", "ip6", "int"}:
            assert twin_kinds - {"", "none"} <= values, (field, twin_kinds, real_kinds)
