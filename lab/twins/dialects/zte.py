"""ZTE ZXROS (netmiko ``zte_zxros``): IOS-like; login lands in privileged mode (netmiko sends
only ``terminal length 0``); ``write`` saves. Interfaces are named ``gei-0/1/0/1``.

ZXROS NG's optional manual commit mode (``commit``, ``rollback-configuration``) is not
modelled: the default ``commit-mode automatic`` applies each line at once, which is what this
twin does (see README.md).
"""

from __future__ import annotations

from lab.twins.dialects.cisco_style import CiscoStyle
from lab.twins.dialects.huawei_style import uptime_text


class Zte(CiscoStyle):
    platform = "zte_zxros"
    interface_types = ("gei-", "xgei-", "loopback", "smartgroup", "vlan")
    initial_view = "enable"

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.views = [self.views[0].__class__("user"), self.views[0].__class__("enable")]

    def render_version(self) -> str:
        spec = self.device.spec
        return "\n".join([
            f"ZTE ZXR10 Software, Version: {spec.get('os_version', 'V5.00.10(1.0.13)')}, Release software",
            "Copyright (c) 2000-2024 by ZTE Corporation",
            f"ZXR10 {spec.get('model', 'M6000-8S PLUS')} uptime is {uptime_text(self.device.boot_time)}",
        ])
