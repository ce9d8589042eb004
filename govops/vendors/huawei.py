"""Huawei VRP5 (S-series V200, AR V300: ``VRP (R) software, Version 5.170``): changes apply line by line.

Sources (tests/fixtures/real/huawei/*/PROVENANCE.yml): ntc-templates' display version captures
(AR6280 V300R019, S7706 V200R010); an S5735-L V600R022 running configuration (same config
dialect) for the factory-default IPv6 lines; FRINX cli-units' ``display ip interface brief``
without the VPN column.
"""

from __future__ import annotations

import re

from govops.vendors.base import (
    HUAWEI_STYLE_PROMPT,
    SessionProfile,
    Template,
    Vendor,
    compile_lines,
    huawei_like,
    project_template,
)

# Interface type words VRP5 and V600 campus releases print (S5735-L V600 writes GE1/0/1, 10GE1/0/1).
INTERFACE_TYPES = ("GigabitEthernet", "XGigabitEthernet", "MultiGE", "GE", "10GE", "25GE", "40GE", "100GE",
                   "Ethernet", "Eth-Trunk", "Vlanif", "LoopBack", "MEth", "NULL", "Tunnel", "Stack-Port")


def interface_pattern(types: tuple[str, ...]) -> re.Pattern[str]:
    """``<Type><n>/<n>...`` with an optional sub-interface ``.<n>`` (GigabitEthernet0/1/0.1003)."""
    alternatives = "|".join(re.escape(t) for t in sorted(types, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})\d+(?:/\d+)*(?:\.\d+)?")


# Factory-default lines that mention IPv6 (seen in the S5735-L sample; the rest are the same
# family's defaults named in issue 13): drift must not call them unplanned.
DRIFT_IGNORE = compile_lines(
    r"undo (telnet|ssh|stelnet|sftp|scp) ipv6 server-source all-interface",
    r"undo ftp ipv6 server[- ]source all-interface",
    r"ntp(-service)? ipv6 server source-interface all disable",
    r"undo snmp-agent (proxy )?protocol source-status ipv6 all-interface",
)

COMMANDS = {
    "version": "display version",
    "running": "display current-configuration",
    "ip_brief": "display ip interface brief",
    "ipv6_brief": "display ipv6 interface brief",
    "ipv4_routes": "display ip routing-table",
    "ospf_peer": "display ospf peer brief",
    "ospfv3_peer": "display ospfv3 peer",
    "ospfv3_routes": "display ipv6 routing-table protocol ospfv3",
    "ospf_routes": "display ip routing-table protocol ospf",
}

TEMPLATES: dict[str, Template] = {
    "ip_brief": project_template("huawei_display_ip_interface_brief.textfsm", "display ip interface brief"),
    "ipv6_brief": project_template("huawei_display_ipv6_interface_brief.textfsm", "display ipv6 interface brief"),
    # ntc-templates has only `display ip routing-table verbose` for huawei_vrp.
    "ipv4_routes": project_template("huawei_display_ip_routing-table.textfsm", "display ip routing-table"),
    "ping": project_template("huawei_ping.textfsm", "ping ipv6"),
    "ospf_peer": project_template("huawei_display_ospf_peer_brief.textfsm", "display ospf peer brief"),
    "ospfv3_peer": project_template("huawei_display_ospfv3_peer.textfsm", "display ospfv3 peer"),
    "ospfv3_routes": project_template("huawei_display_ipv6_routing-table_protocol.textfsm",
                                      "display ipv6 routing-table protocol"),
    # VRP5 and V8 alike (tests/fixtures/real/huawei*/display_ip_routing-table_protocol_ospf).
    "ospf_routes": project_template("huawei_display_ip_routing-table_protocol.textfsm",
                                    "display ip routing-table protocol"),
}

# Session choices (network.session), the same for VRP V8 (its `~`/`*` prompt marks are in the pattern):
# - prompts `<H>` (user view), `[H]`, `[H-GigabitEthernet0/0/1]` (VRP command references); V8 writes
#   `[~H]`, or `[*H]` while the candidate has uncommitted changes (NE/CE "commit" documentation);
# - before the first prompt VRP may ask to change an expired password ("Change now? [Y/N]",
#   "Please choose") and to re-save a configuration file with security risks; netmiko's HuaweiSSH
#   answers N, then Y, Y: the same here;
# - `screen-length 0 temporary` is the one preparation command (netmiko HuaweiBase; "takes effect on
#   the current user terminal interface only");
# - VRP redraws long input with " ESC[1D" cursor moves: ANSI codes are stripped (netmiko
#   HuaweiBase.strip_ansi_escape_codes), so the echo of every line can be checked.
SESSION = SessionProfile(
    prompt=HUAWEI_STYLE_PROMPT,
    config_prompt=r"^\[.*\]$",
    config_enter="system-view",
    config_exit="return",
    logout="quit",
    preparation=("screen-length 0 temporary",),
    login_questions=((r"Change now\?|Please choose", "N"),
                     (r"(?i:security\srisks\sin\sthe\sconfiguration\sfile.*\[y/n\])", "Y"),
                     (r"(?i:continue.*\[y/n\])", "Y")),
    ansi_escape_codes=True,
)

VENDOR = Vendor(
    platform="huawei",
    names=("Huawei VRP5", "VRP V200/V300 (S-series switches, AR routers)"),
    version_pattern=re.compile(
        r"(?P<family>VRP \(R\) software), Version (?P<version>5\.\d+) \((?:[^)]*?\s)?(?P<release>V\d{3}R\d{3}\w*)\)"),
    sot_version_pattern=re.compile(r"(?:(?:VRP\s+)?(?:Version\s+)?(?P<version>5\.\d+),?\s+)?(?P<release>V\d{3}R\d{3}\w*)"),
    sot_version_example="V200R021C10SPC600",
    interface_pattern=interface_pattern(INTERFACE_TYPES),
    abbreviations={},  # VRP prints names in full in `display ip interface brief`
    commands=COMMANDS,
    templates=TEMPLATES,
    # `ping ipv6 vpn-instance NAME` (no dash) for IPv6; `-vpn-instance` is the IPv4 form (S/CE command references).
    ping_vpn="ping ipv6 -c 3 vpn-instance {vpn} {addr}",
    commit_model="immediate",
    # `ospf timer hello interval [conservative]`: "the value configured for the dead timer ... takes effect
    # even when the value is less than 20s" only with `conservative` (USG/campus VRP command reference,
    # https://usg.zrnko.cz/resources/cli_vrp/ospf_timer_hello.html; `ospf timer dead` precautions,
    # http://a10.tagan.ru/huawei/dc/ospf_timer_dead.html). OSPFv3: 10 s (EDOC1100064351 "ospfv3 timer
    # hello", NE8000).
    ospf_dead_floor=20,
    ospf3_dead_floor=10,
    drift_ignore=DRIFT_IGNORE,
    **huawei_like(),
    session=SESSION,
    unverified={
        "ipv6_brief": "no VRP5 capture; template follows the CE V8 documentation layout and VRP5's "
                      "'[IPv6 Address] <addr>' lines",
        "ipv4_routes": "one VRP5 capture (eNSP AR lab notes whose repository the index did not name)",
        "ospf_routes": "VRP5 samples from eNSP lab notes whose repository the index did not name; none shows a "
                       "non-empty <Inactive> block (its rows assumed as VRP V8 prints them)",
        "ping": "no VRP5 capture; statistics wording as documented for CE V300R023 (ping ipv6)",
        "ip_brief": "VRP5 sample from FRINX cli-units (model and release not stated)",
        "ospf_peer": "VRP5 samples from a Huawei HCIA lab guide and lab notes whose repository the index did not name",
        "ospfv3_peer": "no VRP5 capture; layout as the CE V300R023 documentation",
        "ospfv3_routes": "no VRP5 capture; blocks as the CE V300R023 documentation's `display ipv6 routing-table "
                         "vpn-instance V protocol` example",
        "ospf3_dead_floor": "no campus/VRP5 `ospfv3 timer hello` page found: the NE8000 floor (10 s) is assumed",
    },
)
