"""The change engine's reading of devices, judged on real captured output (tests/fixtures/real),
not on what our twins print: version precheck, interface states, routes, drift, trial status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govops import ipv6, vendors
from govops.sot import load_inventory
from network import drift, platforms, render

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT / "tests" / "fixtures" / "real"
LAB = ROOT / "inventories" / "lab"


def real(platform: str, command: str, name: str) -> str:
    return (REAL / platform / command / f"{name}.raw").read_text()


class RecordingConnection:
    """Stands in for netmiko's connection: answers each command with a captured device output."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers, self.sent = answers, []

    def send_command(self, command: str, **_kw) -> str:
        self.sent.append(command)
        return self.answers.get(command, f"Error: Unrecognized command found at '^' position.\n{command}")

    def send_config_set(self, commands, **_kw) -> str:
        self.sent.extend(commands)
        return "\n".join(self.answers.get(c, "") for c in commands)

    def check_config_mode(self) -> bool:
        return False

    def config_mode(self) -> str:
        return ""

    def exit_config_mode(self) -> str:
        return ""


def driver(platform: str, answers: dict[str, str]) -> platforms.Driver:
    return platforms.driver_for(platform, RecordingConnection(answers))


# ---- problem 1: the precheck parses `display version` and compares it with the SoT -------------
@pytest.mark.parametrize("platform,sample,os_version", [
    # Real Comware prints "Version 7.1.070, Release 6308" (with a comma); the SoT spells it without.
    ("hp_comware", ("display_version", "s6520_30sg_si_r6308"), "7.1.070 Release 6308"),
    ("hp_comware", ("display_version", "s6520_30sg_si_r6308"), "7.1.070, Release 6308"),
    ("huawei_vrpv8", ("display_version", "napalm_ne40e_x8a"), "V800R021C10SPC600"),
    ("huawei_vrpv8", ("display_version", "ce6800_yunshan_doc"), "V300R023C00"),
    ("huawei", ("display_version", "huawei_vrp_display_version5"), "V200R010C00SPC600"),
    ("zte_zxros", ("show_version", "zte_zxros_show_version"), "V5.10.00.50"),
])
def test_precheck_accepts_the_real_version_output(platform, sample, os_version):
    drv = driver(platform, {drv_cmd(platform): real(platform, *sample)})
    assert drv.version_problems(os_version) == []


def drv_cmd(platform: str) -> str:
    return "show version" if platform in ("zte_zxros", "ruijie_os") else "display version"


def test_precheck_refuses_another_release_or_another_platform():
    comware = real("hp_comware", "display_version", "s6520_30sg_si_r6308")
    problems = driver("hp_comware", {"display version": comware}).version_problems("7.1.070 Release 6615P01")
    assert problems == ["version: inventory says 7.1.070 Release 6615P01, device reports Comware 7.1.070 6308"]
    # A VRP5 box where the SoT says VRP V8, and the reverse: the platform itself is wrong.
    vrp5 = real("huawei", "display_version", "huawei_vrp_display_version5")
    assert driver("huawei_vrpv8", {"display version": vrp5}).version_problems("")[0].startswith("platform:")
    vrp8 = real("huawei_vrpv8", "display_version", "napalm_ne40e_x8a")
    assert driver("huawei", {"display version": vrp8}).version_problems("")[0].startswith("platform:")
    # A substring of the release is not the release.
    assert driver("huawei_vrpv8", {"display version": vrp8}).version_problems("V800R021C10")


# ---- problem 3: VRPv8 `display ip interface brief` (rate suffixes, VPN column, legends) ----------
def test_vrpv8_ip_brief_reads_rate_suffixed_ports_with_their_sot_names():
    out = real("huawei_vrpv8", "display_ip_interface_brief", "frinx_ne_rate_suffix")
    states = platforms.interface_states(out, vendors.get("huawei_vrpv8"))
    # "GigabitEthernet1/2/2(10G)  10.0.12.1/24  up  up  --" is the SoT's GigabitEthernet1/2/2.
    assert states["gigabitethernet1/2/2"] is True
    assert states["gigabitethernet1/2/4"] is True  # bound to VPN l3vpn: the VPN column is not a state
    assert states["gigabitethernet1/2/0"] is False
    assert not any("(" in name for name in states)
    assert len(states) == 12  # every row, no legend or counter line taken for an interface


def test_ce_ip_brief_and_ipv6_brief_from_the_command_reference():
    states = platforms.interface_states(real("huawei_vrpv8", "display_ip_interface_brief", "ce6800_doc"), vendors.get("huawei_vrpv8"))
    assert states == {"100ge1/0/1": True, "meth0/0/0": True, "null0": True}
    v6 = platforms.interface_states(real("huawei_vrpv8", "display_ipv6_interface_brief", "ce6800_doc"),
                                    vendors.get("huawei_vrpv8"), "ipv6_brief")
    assert v6 == {"100ge1/0/1": True, "100ge1/0/2": True}


# ---- problem 5: a word in the Description column must not flip the state ------------------------
@pytest.mark.parametrize("description", ["ADM-building", "down-link to township", "### WAN ###"])
def test_comware_description_never_changes_an_up_up_port(description):
    # Real Comware 7 output (ntc-templates, release 9119P17); only GE0/0/1's free-text description varies.
    out = real("hp_comware", "display_interface_brief", "hp_comware_display_interface_brief_release_9119P17")
    out = out.replace("### WAN ###", description)
    states = platforms.interface_states(out, vendors.get("hp_comware"))
    assert states["gigabitethernet0/0/1"] is True  # GE0/0/1  UP  UP  1.2.3.4  <description>
    assert states["gigabitethernet0/0/0"] is False  # ADM in the Link column: shut down
    assert states["tengigabitethernet0/0/10"] is False and states["vlaninterface1"] is True


def test_zxros_description_never_changes_an_up_up_port():
    # ZXR10 layout "Interface IP-Address Mask Admin Phy Prot Description" (unverified: no public capture).
    out = ("Interface            IP-Address      Mask            Admin Phy  Prot Description\n"
           "xgei-0/1/0/1         198.18.40.1     255.255.255.252 up    up   up   down-link to township\n"
           "xgei-0/1/0/2         unassigned      unassigned      down  down down ADM-building\n")
    states = platforms.interface_states(out, vendors.get("zte_zxros"))
    assert states == {"xgei0/1/0/1": True, "xgei0/1/0/2": False}


# ---- routes, ping, trial status --------------------------------------------------------------
def test_ipv4_routes_from_real_tables():
    ce = platforms.ipv4_route_set(real("huawei_vrpv8", "display_ip_routing-table", "ce6800_doc"), vendors.get("huawei_vrpv8"))
    assert ce == {"1.0.0.0/8", "1.1.1.0/24", "1.2.0.0/16", "2.1.1.0/24", "3.1.1.0/24"}
    cw = platforms.ipv4_route_set(real("hp_comware", "display_ip_routing-table", "hp_comware_display_ip_routing-table"),
                                  vendors.get("hp_comware"))
    assert {"0.0.0.0/32", "9.72.47.0/24", "10.1.0.0/16"} <= cw
    assert not any(r.startswith("172.16.43.") for r in cw)  # next hops are not destinations


def test_ping_reads_the_documented_statistics():
    drv = driver("huawei_vrpv8", {"ping ipv6 -c 3 2001:db8::1": real("huawei_vrpv8", "ping_ipv6", "ce6800_doc")})
    assert drv.ping("2001:db8::1")
    lost = real("huawei_vrpv8", "ping_ipv6", "ce6800_doc").replace("5 packet(s) received", "0 packet(s) received")
    assert not driver("huawei_vrpv8", {"ping ipv6 -c 3 2001:db8::1": lost}).ping("2001:db8::1")


def test_vpn_ping_uses_the_vendor_syntax():
    drv = driver("huawei_vrpv8", {})
    drv.vpn_ping("GOV-EDU", "2001:db8::1")
    drv.vpn_ping("GOV-EDU", "198.18.0.1")
    # Huawei documents `ping ipv6 vpn-instance NAME` (no dash) for IPv6; `-vpn-instance` is IPv4's.
    assert drv.conn.sent == ["ping ipv6 -c 3 vpn-instance GOV-EDU 2001:db8::1", "ping -c 3 -vpn-instance GOV-EDU 198.18.0.1"]


@pytest.mark.parametrize("sample,pending", [("ce6800_doc_active", True), ("ce6800_doc_inactive", False)])
def test_vrpv8_pending_trial_from_the_real_status(sample, pending):
    # Real output always prints "Trial time left (sec): N"; only "Trial status: ACTIVE" is a pending trial.
    text = real("huawei_vrpv8", "display_configuration_trial_status", sample)
    assert driver("huawei_vrpv8", {"display configuration trial status": text}).pending_revert() is pending


# ---- problem 4: drift of a real configuration with the intent applied is clean -----------------
def _with_intent(real_text: str, intent_text: str, ending: str) -> str:
    body = re.sub(rf"\n{ending}\s*$", "\n", real_text)
    return body + "#\n" + intent_text.rstrip("\n") + f"\n#\n{ending}\n"


@pytest.mark.parametrize("device,platform,sample", [
    ("ys-lf-acc-1", "huawei", "s5735_l48t4xe_a_v2"),
    ("ys-agg-1", "hp_comware", "hpe5930_cw7_1_045"),
])
def test_drift_of_a_real_config_with_the_intent_applied_is_clean(device, platform, sample):
    inv = load_inventory(LAB)
    intent = render.build_intent(inv, ipv6.require_plan(inv), device)
    assert intent.platform == platform
    running = _with_intent(real(platform, "display_current-configuration", sample), intent.text + intent.ospf2_text, "return")
    report = drift.compare(intent, running)
    assert (report.missing, report.unplanned) == ([], [])


def test_drift_still_reports_a_real_unplanned_ipv6_line():
    inv = load_inventory(LAB)
    intent = render.build_intent(inv, ipv6.require_plan(inv), "ys-lf-acc-1")
    text = _with_intent(real("huawei", "display_current-configuration", "s5735_l48t4xe_a_v2"), intent.text + intent.ospf2_text, "return")
    text = text.replace("undo telnet ipv6 server-source all-interface", "telnet ipv6 server-source all-interface")
    assert drift.compare(intent, text).unplanned == ["telnet ipv6 server-source all-interface"]


# ---- Comware: archive needs a location first (H3C/HPE Fundamentals Command Reference) -----------
@pytest.mark.parametrize("unset", [None, "Location: \nFilename prefix: \nArchive interval in minutes: 0\n"])
def test_comware_prepare_sets_the_archive_location_once_and_records_the_path(unset):
    answers = {"archive configuration": "Save the running configuration to an archive file. Continue? [Y/N]:",
               "y": "Please wait...\nInfo: The archive configuration file govops_1.cfg is saved."}
    drv = driver("hp_comware", {**answers, **({"display archive configuration": unset} if unset else {})})
    assert drv.prepare() == "archive flash:/archive/govops_1.cfg"
    assert drv.archive == "flash:/archive/govops_1.cfg"
    assert "archive configuration location flash:/archive filename-prefix govops" in drv.conn.sent
    assert drv.conn.sent.index("mkdir flash:/archive") < drv.conn.sent.index("archive configuration")
    # Already configured (an operator's location is kept): nothing is changed before archiving.
    drv = driver("hp_comware", {**answers, "display archive configuration":
                                "Location: flash:/cfgarch\nFilename prefix: ops\nArchive interval in minutes: 120\n",
                                "y": "Info: The archive configuration file ops_7.cfg is saved."})
    assert drv.prepare() == "archive flash:/cfgarch/ops_7.cfg"
    assert not any(c.startswith(("archive configuration location", "mkdir")) for c in drv.conn.sent)


def test_comware_archive_refused_is_a_clear_failure_not_a_timeout():
    drv = driver("hp_comware", {"display archive configuration": "Location: flash:/archive\nFilename prefix: govops\n",
                                "archive configuration": "The archive path and file name prefix are not configured."})
    with pytest.raises(platforms.ChangeFailed, match="archive configuration failed"):
        drv.prepare()


def test_vrpv8_rollback_aborts_a_pending_trial_with_the_documented_dialogue():
    doc = real("huawei_vrpv8", "abort_trial", "ce6800_doc").splitlines()
    drv = driver("huawei_vrpv8", {
        "display configuration trial status": real("huawei_vrpv8", "display_configuration_trial_status", "ce6800_doc_active"),
        "abort trial": doc[0].removesuffix("Y"),  # "Warning: ... Continue? [Y/N]:" then the answer
        "y": doc[1]})
    out = drv.rollback(["undo ipv6"])
    assert "rollback succeeded" in out
    assert drv.conn.sent == ["display configuration trial status", "abort trial", "y"]  # no line-by-line undo
