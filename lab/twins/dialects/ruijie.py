"""Ruijie RGOS (netmiko ``ruijie_os``): IOS-like; login lands in user mode, netmiko runs
``enable`` then ``terminal width 256`` and ``terminal length 0``; ``write`` saves.
Interfaces are written with a space: ``GigabitEthernet 0/1``.
"""

from __future__ import annotations

import datetime as dt

from lab.twins.dialects.cisco_style import CiscoStyle


class Ruijie(CiscoStyle):
    platform = "ruijie_os"
    interface_types = ("GigabitEthernet", "TenGigabitEthernet", "AggregatePort", "Loopback", "VLAN")
    acl6_mode = "config-ipv6-nacl"

    def if_label(self, name: str) -> str:
        return name

    def render_version(self) -> str:
        # RGOS 11 layout (public captures: "System description : Ruijie Full 10G Routing
        # Switch(S6220-48XS6QXS-H) By Ruijie Networks", "System software version :
        # S6220_RGOS 11.0(5)B9P33"): the model without "RG-", the software as SERIES_RGOS VERSION.
        spec = self.device.spec
        model = str(spec.get("model", "RG-S5750C-28GT4XS-H")).removeprefix("RG-")
        version = str(spec.get("os_version", "RGOS 11.4(1)B74P2")).removeprefix("RGOS").strip()
        series = model.split("-")[0]
        seconds = int((dt.datetime.now() - self.device.boot_time).total_seconds())
        days, rem = divmod(seconds, 86400)
        uptime = f"{days}:{rem // 3600:02d}:{rem % 3600 // 60:02d}:{rem % 60:02d}"
        return "\n".join([
            f"System description      : Ruijie 10G Routing Switch({model}) By Ruijie Networks",
            f"System start time       : {self.device.boot_time:%Y-%m-%d %H:%M:%S}",
            f"System uptime           : {uptime}",
            "System hardware version : 1.00",
            f"System software version : {series}_RGOS {version}",
            "System patch number     : NA",
            f"System serial number    : G1QH10Q00{abs(hash(self.device.name)) % 1000:03d}",
            "System boot version     : 1.3.8",
        ])
