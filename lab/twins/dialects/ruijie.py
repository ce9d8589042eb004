"""Ruijie RGOS (netmiko ``ruijie_os``): IOS-like; login lands in user mode, netmiko runs
``enable`` then ``terminal width 256`` and ``terminal length 0``; ``write`` saves.
Interfaces are written with a space: ``GigabitEthernet 0/1``.
"""

from __future__ import annotations

from lab.twins.dialects.cisco_style import CiscoStyle
from lab.twins.dialects.huawei_style import uptime_text


class Ruijie(CiscoStyle):
    platform = "ruijie_os"
    interface_types = ("GigabitEthernet", "TenGigabitEthernet", "AggregatePort", "Loopback", "VLAN")
    acl6_mode = "config-ipv6-nacl"

    def if_label(self, name: str) -> str:
        return name

    def render_version(self) -> str:
        spec = self.device.spec
        return "\n".join([
            f"System description      : Ruijie Networks {spec.get('model', 'RG-S5750C-28GT4XS-H')} By Ruijie Networks",
            f"System uptime           : {uptime_text(self.device.boot_time)}",
            "System hardware version : 1.00",
            f"System software version : {spec.get('os_version', 'S5750C_RGOS 11.4(1)B74P2')}",
            f"System serial number    : G1QH10Q00{abs(hash(self.device.name)) % 1000:03d}",
        ])
