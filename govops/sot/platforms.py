"""Per-platform facts the source of truth checks against: valid interface names."""

from __future__ import annotations

import re

# Interface names as each vendor writes them (and as `display interface brief` shows them).
INTERFACE_PATTERNS: dict[str, re.Pattern[str]] = {
    "huawei": re.compile(r"(GigabitEthernet|XGigabitEthernet|40GE|100GE|Eth-Trunk|Vlanif|LoopBack)\d+(/\d+)*"),
    "huawei_vrpv8": re.compile(r"(GigabitEthernet|10GE|25GE|40GE|100GE|Eth-Trunk|Vlanif|LoopBack)\d+(/\d+)*"),
    "hp_comware": re.compile(r"(GigabitEthernet|Ten-GigabitEthernet|FortyGigE|HundredGigE|Vlan-interface|LoopBack)\d+(/\d+)*"),
    "ruijie_os": re.compile(r"(GigabitEthernet|TenGigabitEthernet|AggregatePort|VLAN|Loopback) \d+(/\d+)*"),
    "zte_zxros": re.compile(r"(gei|xgei|smartgroup|vlan|loopback)-?\d+(/\d+)*"),
}


def valid_interface(platform: str, name: str) -> bool:
    pattern = INTERFACE_PATTERNS.get(platform)
    return bool(pattern and pattern.fullmatch(name))
