"""A twin session without namespace or SSH: the real Device and dialect, a kernel that reports
every link up (with a link-local address) and never touches the host.

What this tests is grammar, messages and rendering; tests/lab/twins and tests/lab/lab/test_twin_formats.py
run the same code on real namespaces over real SSH.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lab.twins.device import Device
from lab.twins.dialects import dialect_for
from lab.twins.kernel import KernelState, LinkState
from lab.twins.model import DeviceConfig


class OfflineKernel:
    def __init__(self, device: Device) -> None:
        self.device = device

    async def reconcile(self, cfg: DeviceConfig) -> list[str]:
        return []

    async def state(self) -> KernelState:
        links = {}
        for n, intf in enumerate(self.device.running.interfaces.values()):
            links[intf.kernel] = LinkState(intf.kernel, not intf.shutdown, not intf.shutdown,
                                           f"00:e0:fc:00:00:{n:02x}", 1500, f"fe80::2e0:fcff:fe00:{n:x}")
        return KernelState(links=links)


class Screen:
    def __init__(self) -> None:
        self.text = ""
        self.on_help = self.on_ctrl_z = None
        self.answers: list[str] = []

    def write(self, text: str) -> None:
        self.text += text

    async def readline(self, _prompt: str) -> str:
        if not self.answers:
            raise RuntimeError(f"the twin asked a question the test does not answer:\n{self.text[-300:]}")
        return self.answers.pop(0)


def twin(platform: str, tmp: Path, interfaces: dict[str, str] | None = None,
         startup: dict[str, Any] | None = None, **spec: Any) -> Any:
    """A dialect session on an offline device (``spec`` adds model, os_version, ...)."""
    spec = {"name": "r1", "platform": platform, "netns": "none", "sysname": "R1",
            "interfaces": interfaces or {}, "startup": startup or {}, **spec}
    device = Device(spec, tmp)
    device.kernel = OfflineKernel(device)  # type: ignore[assignment]
    dialect_for(platform).prepare(device.running)
    return dialect_for(platform)(device, Screen(), "netops")


def run(dialect: Any, *lines: str, answers: tuple[str, ...] = ()) -> str:
    """Type ``lines``; ``answers`` reply to the questions asked on the way (Y/N, ...)."""
    dialect.term.answers = list(answers)

    async def go() -> None:
        for line in lines:
            await dialect.execute(line)

    before = len(dialect.term.text)
    asyncio.run(go())
    return dialect.term.text[before:]


def frr_interface(frr: str, kernel: str) -> str:
    """The `interface <kernel>` section of an FRR configuration (lab.twins.frr_config.render_frr)."""
    return frr.split(f"interface {kernel}\n", 1)[1].split("exit", 1)[0]


# One VRP/Comware link: GigabitEthernet0/0/1 198.18.8.3/31 in area 1, loopback 198.18.4.21.
LINK_IFS = {"GigabitEthernet0/0/1": "ge0-0-1", "LoopBack0": "lo0"}
LINK_STARTUP = {"interfaces": {"GigabitEthernet0/0/1": {"ipv4": "198.18.8.3/31"},
                               "LoopBack0": {"ipv4": "198.18.4.21/32"}}}


def ospf3_link_lines(platform: str, ospf2_interface: list[str]) -> list[str]:
    """OSPFv2 on the link with `ospf2_interface` lines, then OSPFv3 on it with no line of its own but the
    area, as an operator types them on VRP (Comware 7 has no `ipv6` / `ipv6 enable` to type)."""
    lines = ["system-view", "ospf 1 router-id 198.18.4.21", "area 1", "network 198.18.8.2 0.0.0.1", "quit", "quit",
             "interface GigabitEthernet0/0/1", *ospf2_interface, "quit",
             "ipv6", "ospfv3 1", "router-id 198.18.4.21", "quit", "interface GigabitEthernet0/0/1", "ipv6 enable",
             "ipv6 address 2001:db8:2::1 127", "ospfv3 1 area 0.0.0.1"]
    return [line for line in lines if not (platform == "hp_comware" and line in ("ipv6", "ipv6 enable"))]
