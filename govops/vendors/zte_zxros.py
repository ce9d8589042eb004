"""ZTE ZXROS / ZXR10 (Cisco-like CLI, names ``gei-0/1/0/1``, ``xgei-``, ``xxvgei-`` (25G), ``cgei-`` (100G),
``smartgroup1``): changes apply at once.

Sources (tests/fixtures/real/zte_zxros): ntc-templates' ``show version`` capture (ZXCTN 6120H-S).
The ``show ip interface brief`` columns are ZXR10 M6000's (Interface IP-Address Mask Admin Phy Prot
Description); the rest is ``unverified``.
"""

from __future__ import annotations

import re

from govops.vendors.base import CISCO_STYLE_PROMPT, SessionProfile, Vendor, cisco_like

_PORTS = "fei|gei|xgei|xxvgei|cgei|ptp"
_LOGICAL = "smartgroup|vlan|supervlan|loopback|tunnel|ulei|null"

_UNVERIFIED = "no public ZXROS capture found; layout from ZXR10 command-reference wording"

# Session choices (network.session), as netmiko's ZteZxrosBase: login lands in privileged mode
# (`H#`); `terminal length 0` is the one preparation command; configuration prompts `H(config)#`,
# `H(config-if-gei-0/1/0/1)#`.
SESSION = SessionProfile(
    prompt=CISCO_STYLE_PROMPT,
    config_prompt=r"\(config[^)]*\)#$",
    config_enter="configure terminal",
    config_exit="end",
    logout="exit",
    preparation=("terminal length 0",),
)

VENDOR = Vendor(
    platform="zte_zxros",
    names=("ZTE ZXROS", "ZXR10 / ZXCTN"),
    # "ZTE ZXCTN Software, Version: 6120H-S V5.10.00.50, Release software"
    version_pattern=re.compile(
        r"ZTE (?P<family>ZX\w+) Software, Version: (?:[^,]*?\s)?(?P<version>V\d+(?:\.\d+)+(?:\([\d.]+\))?)"
        r"(?:\w*)?, Release (?P<release>\w+)"),
    sot_version_pattern=re.compile(r"(?:ZX\w+\s+)?(?P<version>V\d+(?:\.\d+)+(?:\([\d.]+\))?)"),
    sot_version_example="V5.00.10(3.12.10)",
    loopback="loopback1",
    interface_pattern=re.compile(rf"(?:(?:{_PORTS})[-_]?\d+(?:/\d+)+|(?:{_LOGICAL})-?\d+|mgmt_eth)(?:\.\d+)?"),
    abbreviations={},
    **cisco_like("zte_zxros"),
    session=SESSION,
    unverified={
        "running": _UNVERIFIED, "ip_brief": _UNVERIFIED + " (columns: ZXR10 M6000)", "ipv6_brief": _UNVERIFIED,
        "ipv4_routes": _UNVERIFIED, "ping": _UNVERIFIED, "ping_vpn": _UNVERIFIED,
        "ospf_peer": _UNVERIFIED + " (IOS layout assumed)", "ospfv3_peer": _UNVERIFIED + " (IOS layout assumed)",
        "ospfv3_routes": _UNVERIFIED + " (IOS layout assumed)",
    },
)
