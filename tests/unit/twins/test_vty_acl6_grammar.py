"""The ACL6 on the SSH/VTY plane: each dialect's binding commands, their rendering, the model's
verdict for a source address, and the rendered intent/undo sets round-tripping through a twin.

The dialects run against a stand-in device (no kernel, no SSH): what is tested here is grammar,
model and rendering; tests/lab/twins/test_vty_acl6.py checks the enforcement over real TCP.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from govops import ipv6, vendors
from govops.sot import load_inventory
from lab.twins.dialects import dialect_for
from lab.twins.model import Acl6, DeviceConfig, Interface, NamedAcl6
from network import config as cfgtext
from network import render

ROOT = Path(__file__).resolve().parents[3]
MGMT = "2001:db8:ff::/64"


class StandInDevice:
    """What a dialect needs from lab.twins.device.Device, without a namespace."""

    def __init__(self, platform: str, cfg: DeviceConfig) -> None:
        self.name, self.platform, self.running = "r1", platform, cfg
        self.spec = {"name": "r1", "platform": platform, "netns": "none"}
        self.pending = None
        self.commits: list = []

    async def apply(self, cfg: DeviceConfig) -> list[str]:
        self.running = cfg.copy()
        return []

    async def commit(self, cfg: DeviceConfig, user: str, **_kw: object) -> None:
        self.running = cfg.copy()
        self.commits.append(user)

    def confirm_pending(self) -> bool:
        return False


class Screen:
    def __init__(self) -> None:
        self.text = ""
        self.on_help = self.on_ctrl_z = None

    def write(self, text: str) -> None:
        self.text += text


def session(platform: str, interfaces: list[str] = ()) -> tuple[object, StandInDevice, Screen]:
    cfg = DeviceConfig(sysname="R1", interfaces={n: Interface(n, f"k{i}") for i, n in enumerate(interfaces)})
    dialect_for(platform).prepare(cfg)
    device, screen = StandInDevice(platform, cfg), Screen()
    dialect = dialect_for(platform)(device, screen, "netops")
    return dialect, device, screen


def run(dialect, *lines: str) -> str:  # noqa: ANN001
    async def go() -> None:
        for line in lines:
            await dialect.execute(line)

    before = dialect.term.text
    asyncio.run(go())
    return dialect.term.text[len(before):]


def enter_config(platform: str) -> list[str]:
    if platform in ("ruijie_os",):
        return ["enable", "configure terminal"]
    if platform == "zte_zxros":
        return ["configure terminal"]
    return ["system-view"]


HUAWEI_BIND = ["acl ipv6 number 3000", f"rule 5 permit ipv6 source {MGMT}", "rule 10 deny ipv6", "quit",
               "user-interface vty 0 4", "acl ipv6 3000 inbound", "quit"]
CISCO_BIND = ["ipv6 access-list MGMT6", f"10 permit ipv6 {MGMT} any", "20 deny ipv6 any any", "exit",
              "line vty 0 4", "ipv6 access-class MGMT6 in", "exit"]
CASES = {
    "huawei": (HUAWEI_BIND, ["user-interface vty 0 4", " acl ipv6 3000 inbound"]),
    "huawei_vrpv8": (HUAWEI_BIND + ["commit"], ["user-interface vty 0 4", " acl ipv6 3000 inbound"]),
    "hp_comware": (["acl ipv6 advanced 3000", f"rule 5 permit ipv6 source {MGMT}", "rule 10 deny ipv6", "quit",
                    "ssh server ipv6 acl ipv6 3000"], [" ssh server ipv6 acl ipv6 3000"]),
    "ruijie_os": (CISCO_BIND, ["ipv6 access-list MGMT6", f" 10 permit ipv6 {MGMT} any", " 20 deny ipv6 any any",
                               "!", "line vty 0 4", " ipv6 access-class MGMT6 in"]),
    "zte_zxros": (CISCO_BIND, ["ipv6 access-list MGMT6", f" 10 permit ipv6 {MGMT} any", " 20 deny ipv6 any any",
                               "!", "line vty 0 4", " ipv6 access-class MGMT6 in"]),
}
UNBIND = {
    "huawei": ["user-interface vty 0 4", "undo acl ipv6 inbound", "quit"],
    "huawei_vrpv8": ["user-interface vty 0 4", "undo acl ipv6 3000 inbound", "commit", "quit"],
    "hp_comware": ["undo ssh server ipv6 acl"],
    "ruijie_os": ["line vty 0 4", "no ipv6 access-class MGMT6 in", "exit"],
    "zte_zxros": ["line vty 0 4", "no ipv6 access-class MGMT6 in", "exit"],
}


@pytest.mark.parametrize("platform", sorted(CASES))
def test_binding_is_accepted_rendered_and_decides_who_gets_in(platform: str) -> None:
    lines, expected = CASES[platform]
    dialect, device, screen = session(platform)
    out = run(dialect, *enter_config(platform), *lines)
    assert "Error" not in out and "% " not in out, out
    text = dialect.render_config(device.running)
    rendered = text.splitlines()
    start = rendered.index(expected[0])
    assert rendered[start:start + len(expected)] == expected, text
    assert device.running.ssh6_permitted("2001:db8:ff::10")
    assert not device.running.ssh6_permitted("2001:db8:fe::10")
    # The running config parses into the blocks the change engine compares.
    header = expected[0].strip()
    assert any(b.header == header for b in cfgtext.parse(text, vendors.get(platform)))

    out = run(dialect, *UNBIND[platform])
    assert "Error" not in out and "% " not in out, out
    assert device.running.vty_acl6 == ""
    assert device.running.ssh6_permitted("2001:db8:fe::10")
    assert expected[-1] not in dialect.render_config(device.running).splitlines()


def test_vrpv8_binding_waits_for_commit() -> None:
    dialect, device, _ = session("huawei_vrpv8")
    run(dialect, "system-view", *HUAWEI_BIND)
    assert device.running.vty_acl6 == ""
    assert "user-interface vty 0 4" in run(dialect, "display configuration candidate")
    assert dialect.prompt() == "[*R1]"
    run(dialect, "commit")
    assert device.running.vty_acl6 == "3000"


def test_huawei_vty_view_prompt_and_wrong_input() -> None:
    dialect, _, screen = session("huawei")
    run(dialect, "system-view", "user-interface vty 0 4")
    assert dialect.prompt() == "[R1-ui-vty0-4]"
    out = run(dialect, "acl ipv6 1999 inbound")
    assert "Error: Wrong parameter found at '^' position." in out
    out = run(dialect, "undo acl ipv6 inbound")
    assert "Error:" in out  # nothing bound yet


def test_comware_has_no_vrp_vty_acl_but_ssh_server_ipv6_acl() -> None:
    dialect, device, _ = session("hp_comware")
    out = run(dialect, "system-view", "user-interface vty 0 4")
    assert "% Unrecognized command" in out
    run(dialect, "ssh server ipv6 acl ipv6 2001")
    assert device.running.vty_acl6 == "2001"


def test_cisco_acl_entries_are_numbered_validated_and_removable() -> None:
    dialect, device, _ = session("ruijie_os")
    run(dialect, "enable", "configure terminal", "ipv6 access-list MGMT6")
    assert dialect.prompt() == "R1(config-ipv6-nacl)#"
    out = run(dialect, "permit ipv6 host 2001:db8:ff::1 any", "deny ipv6 any any", "permit ipv6 nonsense any")
    assert "% Invalid input detected" in out
    assert device.running.acl6_named["MGMT6"].rules == [(10, "permit ipv6 host 2001:db8:ff::1 any"),
                                                        (20, "deny ipv6 any any")]
    run(dialect, "no 20", "exit", "line vty 0 4")
    assert dialect.prompt() == "R1(config-line)#"
    run(dialect, "ipv6 access-class MGMT6 in", "end")
    cfg = device.running
    assert cfg.ssh6_permitted("2001:db8:ff::1") and not cfg.ssh6_permitted("2001:db8:ff::2")
    run(dialect, "configure terminal", "no ipv6 access-list MGMT6")
    assert cfg.vty_acl6 == "MGMT6" and "MGMT6" not in device.running.acl6_named
    assert device.running.ssh6_permitted("2001:db8:ff::2")  # bound but not defined: everyone


def test_model_verdicts() -> None:
    cfg = DeviceConfig("R1")
    assert cfg.ssh6_permitted("2001:db8:fe::1")  # nothing bound
    cfg.vty_acl6 = "3000"
    assert cfg.ssh6_permitted("2001:db8:fe::1")  # bound, ACL does not exist
    cfg.acl6[3000] = Acl6(3000)
    assert cfg.ssh6_permitted("2001:db8:fe::1")  # exists, no rules
    cfg.acl6[3000].rules = [(5, "permit ipv6 source 2001:db8:ff:: 64"), (10, "deny udp")]
    assert cfg.ssh6_permitted("2001:db8:ff::9")
    assert not cfg.ssh6_permitted("2001:db8:fe::1")  # matched by no rule (the udp rule never matches SSH)
    cfg.acl6[3000].rules = [(5, "deny ipv6 source 2001:db8:ff::9/128"), (10, "permit ipv6")]
    assert not cfg.ssh6_permitted("2001:db8:ff::9") and cfg.ssh6_permitted("2001:db8:ff::8")
    cfg.acl6[2000] = Acl6(2000, [(0, "permit source 2001:db8:ff::/64")])  # a basic ACL6 has no protocol
    cfg.vty_acl6 = "2000"
    assert cfg.ssh6_permitted("2001:db8:ff::9") and not cfg.ssh6_permitted("2001:db8:fe::9")
    cfg.acl6_named["M"] = NamedAcl6("M", [(10, "permit tcp 2001:db8:ff::/64 any eq 22"),
                                          (20, "permit ipv6 any host 2001:db8:1::1")])
    cfg.vty_acl6 = "M"
    assert cfg.ssh6_permitted("2001:db8:ff::9", "2001:db8:2::1")
    assert cfg.ssh6_permitted("2001:db8:fe::9", "2001:db8:1::1")  # destination rule
    assert not cfg.ssh6_permitted("2001:db8:fe::9", "2001:db8:2::1")
    assert DeviceConfig.from_dict(__import__("json").loads(cfg.to_json())) == cfg


@pytest.fixture(scope="module")
def lab_intents() -> dict[str, render.Intent]:
    inv = load_inventory(ROOT / "inventories" / "lab")
    return render.render_all(inv, ipv6.require_plan(inv))


def test_intent_and_undo_round_trip_through_each_twin(lab_intents: dict[str, render.Intent]) -> None:
    """Push each lab device's intent into its twin: nothing is refused, the running config then
    holds all of it (the binding included) and admits only the management prefix; the engine's
    undo set brings the running config back to what it was."""
    seen = set()
    for intent in lab_intents.values():
        if intent.platform in seen:
            continue
        seen.add(intent.platform)
        names = [a.interface for a in intent.addresses]
        dialect, device, _ = session(intent.platform, names)
        before_text = dialect.render_config(device.running)
        before = cfgtext.parse(before_text, vendors.get(intent.platform))
        pushed = cfgtext.missing(intent.blocks, before)
        commit = ["commit"] if intent.platform == "huawei_vrpv8" else []
        out = run(dialect, *enter_config(intent.platform), *cfgtext.to_commands(pushed, vendors.get(intent.platform)), *commit)
        assert "Error" not in out and "% " not in out, (intent.platform, out)
        running = cfgtext.parse(dialect.render_config(device.running), vendors.get(intent.platform))
        assert cfgtext.missing_lines(intent.blocks, running) == [], intent.platform
        inside = str(intent.mgmt_prefix.network_address + 5)
        assert device.running.ssh6_permitted(inside), intent.platform
        assert not device.running.ssh6_permitted("2001:db8:fe::5"), intent.platform
        undo = cfgtext.to_commands(cfgtext.undo_of(pushed, before, vendors.get(intent.platform)), vendors.get(intent.platform))
        out = run(dialect, *undo, *commit)
        assert "Error" not in out and "% " not in out, (intent.platform, out)
        assert device.running.vty_acl6 == "" and not device.running.acl6 and not device.running.acl6_named
        if intent.platform != "hp_comware":  # Comware's port keeps `ipv6 address auto link-local`
            assert dialect.render_config(device.running) == before_text, intent.platform
    assert seen == {"huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros"}
