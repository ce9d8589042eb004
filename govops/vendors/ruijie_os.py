"""Ruijie RGOS (Cisco-like CLI, names with a space: ``GigabitEthernet 0/1``): changes apply at once.

No public capture of any command govops sends was found (ntc-templates has no ruijie_os
templates); every parser here is ``unverified`` and follows RGOS command-reference wording.
"""

from __future__ import annotations

import re

from govops.vendors.base import CISCO_STYLE_PROMPT, SessionProfile, Vendor, cisco_like

INTERFACE_TYPES = ("GigabitEthernet", "TenGigabitEthernet", "TwentyFiveGigabitEthernet", "FortyGigabitEthernet",
                   "HundredGigabitEthernet", "FastEthernet", "AggregatePort", "VLAN", "Loopback", "Mgmt", "Tunnel",
                   "Null")
ABBREVIATIONS = {"Gi": "GigabitEthernet", "Te": "TenGigabitEthernet", "Fo": "FortyGigabitEthernet",
                 "Hu": "HundredGigabitEthernet", "Fa": "FastEthernet", "Ag": "AggregatePort", "Vl": "VLAN",
                 "Lo": "Loopback", "Mg": "Mgmt", "Tu": "Tunnel"}
_TYPES = "|".join(re.escape(t) for t in sorted(INTERFACE_TYPES, key=len, reverse=True))

_UNVERIFIED = "no public RGOS capture found (ntc-templates has no ruijie_os templates); layout from RGOS command references"

# Session choices (network.session), as netmiko's RuijieOSBase: an expired password may be offered
# for change before the first prompt ("Do you want to change the password": answered n); login lands
# in user mode (`H>`), `terminal width` needs privileged mode (`H#`), so `enable` comes first, then
# `terminal width 256` and `terminal length 0`. Configuration prompts `H(config)#`, `H(config-if-...)#`.
SESSION = SessionProfile(
    prompt=CISCO_STYLE_PROMPT,
    config_prompt=r"\(config[^)]*\)#$",
    config_enter="configure terminal",
    config_exit="end",
    logout="exit",
    preparation=("terminal width 256", "terminal length 0"),
    enable=True,
    login_questions=((r"Do you want to change the password", "n"),),
)

VENDOR = Vendor(
    platform="ruijie_os",
    names=("Ruijie RGOS",),
    version_pattern=re.compile(
        # "System software version : S6220_RGOS 11.0(5)B9P33" (series prefix) or "RGOS 11.4(1)B12P10".
        r"System software version\s*:\s*(?:\S+_)?(?P<family>RGOS) (?P<version>[\w.()]+?)"
        r"(?:,\s*Release\((?P<release>\w+)\))?\s*$",
        re.M),
    sot_version_pattern=re.compile(r"(?:RGOS\s+)?(?P<version>\d[\w.()]*)"),
    sot_version_example="RGOS 11.4(1)B12P10",
    loopback="Loopback 0",
    interface_pattern=re.compile(rf"(?:{_TYPES}) ?\d+(?:/\d+)*(?:\.\d+)?"),
    abbreviations=ABBREVIATIONS,
    **cisco_like("ruijie_os"),
    session=SESSION,
    unverified={key: _UNVERIFIED for key in
                ("version", "running", "ip_brief", "ipv6_brief", "ipv4_routes", "ping", "ping_vpn", "ospf_peer",
                 "ospfv3_peer", "ospfv3_routes")},
)
