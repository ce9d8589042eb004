"""H3C/HPE Comware 7: ``archive configuration`` first (needs ``archive configuration location``),
``configuration commit delay`` arms an automatic revert, ``configuration commit`` confirms.

Sources (tests/fixtures/real/hp_comware): a captured ``display version`` of an S6520-30SG-SI
(``H3C Comware Software, Version 7.1.070, Release 6308``), ntc-templates' ``display interface
brief`` and ``display ip routing-table`` captures, an HPE 5930 running configuration (7.1.045).
"""

from __future__ import annotations

import re

from govops.vendors.base import (
    HUAWEI_STYLE_PROMPT,
    SessionProfile,
    Template,
    Vendor,
    huawei_like,
    project_template,
)

# Long names as the running configuration writes them; `display interface brief` abbreviates.
ABBREVIATIONS = {
    "GE": "GigabitEthernet", "XGE": "Ten-GigabitEthernet", "FGE": "FortyGigE", "HGE": "HundredGigE",
    "WGE": "TwentyFiveGigE", "MGE": "M-GigabitEthernet", "Vlan": "Vlan-interface", "Loop": "LoopBack",
    "InLoop": "InLoopBack", "RAGG": "Route-Aggregation", "BAGG": "Bridge-Aggregation", "Tun": "Tunnel",
}
_LONG = ("GigabitEthernet", "Ten-GigabitEthernet", "FortyGigE", "HundredGigE", "TwentyFiveGigE",
         "M-GigabitEthernet", "Vlan-interface", "LoopBack", "InLoopBack", "Route-Aggregation",
         "Bridge-Aggregation", "Tunnel", "NULL")
_ALL = tuple(sorted(set(_LONG) | set(ABBREVIATIONS), key=len, reverse=True))

# Session choices (network.session):
# - prompts `<H>`, `[H]`, `[H-GigabitEthernet1/0/1]` as VRP (H3C Fundamentals Command Reference);
# - a login banner may ask "Press Y or ENTER to continue, N to exit." (netmiko HPComwareBase answers
#   Enter: the same here);
# - `screen-length disable` is the one preparation command (netmiko HPComwareBase);
# - Comware has no command to set the terminal width, which is why netmiko turns echo checking off
#   for hp_comware altogether and then waits for 2 s of silence after every configuration line. A
#   line that fits in 80 columns with its prompt cannot wrap, so its echo is checked; a longer one
#   is read to the next prompt without the echo check. Either way every line's output is read to the
#   prompt and checked for an error before the next line is sent.
SESSION = SessionProfile(
    prompt=HUAWEI_STYLE_PROMPT,
    config_prompt=r"^\[.*\]$",
    config_enter="system-view",
    config_exit="return",
    logout="quit",
    preparation=("screen-length disable",),
    login_questions=((r"to continue", ""),),
    echo_width=80,
)

VENDOR = Vendor(
    platform="hp_comware",
    names=("H3C Comware 7", "HPE Comware 7"),
    # "H3C Comware Software, Version 7.1.070, Release 6308" -- the comma is the device's.
    version_pattern=re.compile(
        r"(?P<family>Comware)(?: Platform)? Software, (?:Software )?Version (?P<version>\d+\.\d+\.\d+), "
        r"(?:Release|ESS|Feature|Alpha|Demo) (?P<release>\w+)"),
    sot_version_pattern=re.compile(
        r"(?:Comware\s+)?(?:Version\s+)?(?P<version>\d+\.\d+\.\d+)(?:,?\s+(?:Release|ESS)\s+(?P<release>\w+))?"),
    sot_version_example="7.1.070, Release 6308",
    interface_pattern=re.compile(rf"(?:{'|'.join(re.escape(t) for t in _ALL)})\d+(?:/\d+)*(?::\d+)?(?:\.\d+)?"),
    abbreviations=ABBREVIATIONS,
    commands={
        "version": "display version",
        "running": "display current-configuration",
        # ntc-templates parses it and has real captures (route- and bridge-mode sections, Description column).
        "ip_brief": "display interface brief",
        "ipv6_brief": "display ipv6 interface brief",
        "ipv4_routes": "display ip routing-table",
        "ospf_peer": "display ospf peer",
        "ospfv3_peer": "display ospfv3 peer",
        "ospfv3_routes": "display ipv6 routing-table protocol ospfv3",
        "ospf_routes": "display ip routing-table protocol ospf",
    },
    templates={
        "ip_brief": Template(command="display interface brief", ntc="hp_comware"),
        "ipv6_brief": project_template("hp_comware_display_ipv6_interface_brief.textfsm", "display ipv6 interface brief"),
        "ipv4_routes": Template(command="display ip routing-table", ntc="hp_comware"),
        "ping": project_template("hp_comware_ping.textfsm", "ping ipv6"),
        "ospf_peer": project_template("hp_comware_display_ospf_peer.textfsm", "display ospf peer"),
        "ospfv3_peer": project_template("hp_comware_display_ospfv3_peer.textfsm", "display ospfv3 peer"),
        "ospfv3_routes": project_template("hp_comware_display_ipv6_routing-table_protocol.textfsm",
                                          "display ipv6 routing-table protocol"),
        "ospf_routes": project_template("hp_comware_display_ip_routing-table_protocol.textfsm",
                                        "display ip routing-table protocol"),
    },
    # Comware writes the VPN option with a dash for both families (H3C Network Management command reference).
    ping_vpn="ping ipv6 -c 3 -vpn-instance {vpn} {addr}",
    commit_model="commit-delay-archive",
    drift_ignore=(),  # the real 7.1.045 configuration carries no IPv6 default line
    **huawei_like(),
    session=SESSION,
    unverified={
        "ipv6_brief": "no public Comware capture of `display ipv6 interface brief`; layout from the command reference",
        "ping": "no public Comware ping ipv6 capture; one-line statistics as the command reference shows",
        "ospf_peer": "HCL lab captures whose repository the index did not name (layout agrees across three of them)",
        "ospfv3_peer": "no public Comware capture of `display ospfv3 peer`; columns from the command reference wording",
        "ospfv3_routes": "the S6520X Release 1110 reference shows the brief blocks for `protocol static`/`direct` and "
                         "only a verbose OSPFv3 example (protocol O_INTRA/O_INTER); the brief OSPFv3 form is assumed alike",
        "ospf_routes": "HCL captures of the same command for IS-IS and BGP (repository not named by the index); no "
                       "public sample of the OSPF form: status line 'OSPF Routing table status', protocols as the full table's",
        "ping_vpn": "`-vpn-instance` from the H3C command reference wording; no captured sample",
        "drift_ignore": "no Comware factory-default IPv6 line identified (the real sample has none)",
        "archive": "no capture of `archive configuration` / `display archive configuration`; prompts and the "
                   "'Location:' line from the H3C Fundamentals command reference wording",
        "echo_width": "80 columns is the VT100 default; no capture shows where a Comware VTY wraps a long echo",
        "commit_delay": "no capture of `configuration commit delay` / `configuration replace file`; command-reference wording",
    },
)
