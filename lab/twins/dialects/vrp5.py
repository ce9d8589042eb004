"""Huawei VRP5 (S5700/S5720/AR, netmiko ``huawei``): changes take effect line by line.

Quirks: IPv6 needs the global ``ipv6`` switch before ``ipv6 enable`` on an interface; ``save``
asks Y/N with the wording of netmiko's HuaweiBase.save_config docstring.
"""

from __future__ import annotations

from lab.twins.dialects.base import command
from lab.twins.dialects.huawei_style import HuaweiStyle, VrpPing, VrpVty
from lab.twins.grammar import ConfigError
from lab.twins.model import DeviceConfig


class Vrp5(VrpPing, VrpVty, HuaweiStyle):
    platform = "huawei"
    need_global_ipv6 = "Error: Please enable IPv6 globally first."  # [U] wording

    @classmethod
    def prepare(cls, cfg: DeviceConfig) -> None:
        # Startup IPv6 addresses already switched ipv6_global on (model.startup_config).
        pass

    def render_global_ipv6(self, cfg: DeviceConfig) -> list[str]:
        return ["ipv6", "#"] if cfg.ipv6_global else []

    @command("system", "ipv6", "Enable IPv6 globally")
    async def ipv6_global(self) -> str:
        self.cfg.ipv6_global = True
        return ""

    @command("system", "undo ipv6")
    async def undo_ipv6_global(self) -> str:
        self.cfg.ipv6_global = False
        return ""

    async def ipv6_enable(self) -> str:
        if not self.cfg.ipv6_global:
            raise ConfigError(self.need_global_ipv6)
        return await super().ipv6_enable()
