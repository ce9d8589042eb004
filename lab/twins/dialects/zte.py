"""ZTE ZXROS (netmiko ``zte_zxros``): IOS-like; login lands in privileged mode (netmiko sends
only ``terminal length 0``); ``write`` saves. Interfaces are named ``gei-0/1/0/1``.

ZXROS NG's optional manual commit mode (``commit``, ``rollback-configuration``) is not
modelled: the default ``commit-mode automatic`` applies each line at once, which is what this
twin does (see README.md).

Layouts: ``show version`` follows a real ZXROS capture (ntc-templates
tests/zte_zxros/show_version, ZXCTN 6120H-S V5.10.00.50) and parses with ntc-templates'
zte_zxros_show_version; ``show ip interface brief`` has ZXROS's own columns
``Interface IP-Address Mask Admin Phy Prot Description`` (ZXR10 command references).
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from lab.twins.dialects.cisco_style import CiscoStyle
from lab.twins.kernel import KernelState
from lab.twins.model import DeviceConfig


def zte_uptime(since: dt.datetime) -> str:
    minutes = int((dt.datetime.now() - since).total_seconds() // 60)
    days, rem = divmod(minutes, 24 * 60)
    return f"{days} day(s), {rem // 60} hour(s), {rem % 60} minute(s)"


class Zte(CiscoStyle):
    platform = "zte_zxros"
    interface_types = ("gei-", "xgei-", "xxvgei-", "cgei-", "loopback", "smartgroup", "vlan")
    initial_view = "enable"

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.views = [self.views[0].__class__("user"), self.views[0].__class__("enable")]

    def render_version(self) -> str:
        spec = self.device.spec
        # The SoT names the model "ZXR10 5960-56QU-HI"; the device's version line carries the
        # model without the family and the version after it ("Version: 6120H-S V5.10.00.50").
        family, _, model = str(spec.get("model", "ZXR10 M6000-8S PLUS")).rpartition(" ")
        family = family.split()[0] if family else "ZXR10"
        version = str(spec.get("os_version", "V5.00.10(1.0.13)"))
        image = f"{family}{model.replace('-', '')}_{version.split('(')[0]}.set"
        return "\n".join([
            f"ZTE {family} Software, Version: {model} {version}, Release software",
            f"Copyright (c) {dt.date.today().year} by ZTE Corporation",
            f"System image file is <sysdisk0: verset/{image}>, file size is 629,753,128 Bytes",
            "System image is loaded from local",
            f"System uptime is {zte_uptime(self.device.boot_time)}",
        ])

    def render_ip_brief(self, cfg: DeviceConfig, state: KernelState) -> str:
        lines = [f"{'Interface':<21}{'IP-Address':<16}{'Mask':<16}{'Admin':<6}{'Phy':<5}{'Prot':<5}Description"]
        for intf in sorted(cfg.interfaces.values(), key=lambda i: i.name):
            link = state.links.get(intf.kernel)
            admin = "down" if intf.shutdown else "up"
            phy = "up" if link is not None and link.oper_up and not intf.shutdown else "down"
            prot = "up" if phy == "up" and intf.ipv4 else "down"
            if intf.ipv4:
                addr = ipaddress.IPv4Interface(intf.ipv4[0])
                ip, mask = str(addr.ip), str(addr.netmask)
            else:
                ip = mask = "unassigned"
            lines.append(f"{intf.name:<21}{ip:<16}{mask:<16}{admin:<6}{phy:<5}{prot:<5}{intf.description}".rstrip())
        return "\n".join(lines)

    def render_ipv6_brief(self, cfg: DeviceConfig, state: KernelState) -> str:
        # [U] no public capture: the IPv4 brief's Admin/Phy/Prot columns, then the addresses (the
        # first on the row, the others indented below), as govops/vendors' template assumes.
        lines = [f"{'Interface':<21}{'Admin':<6}{'Phy':<5}{'Prot':<5}IPv6-Address"]
        for intf in sorted(cfg.interfaces.values(), key=lambda i: i.name):
            if not intf.ipv6_enabled:
                continue
            link = state.links.get(intf.kernel)
            admin = "down" if intf.shutdown else "up"
            phy = "up" if link is not None and link.oper_up and not intf.shutdown else "down"
            addrs = [a.upper() for a in intf.ipv6]
            if link and link.link_local:
                addrs.append(f"{link.link_local.upper()}/64")
            lines.append(f"{intf.name:<21}{admin:<6}{phy:<5}{phy:<5}{addrs[0] if addrs else ''}".rstrip())
            lines += [f"{'':<37}{a}" for a in addrs[1:]]
        return "\n".join(lines)

    def render_routes(self, family: int, state: KernelState) -> str:
        if family != 4:
            return super().render_routes(family, state)
        # ZXR10 "IPv4 Routing Table" with "Dest Mask Gw Interface Owner Pri Metric" ([U]: command-
        # reference wording, no public capture; the layout govops/vendors' template reads).
        cfg = self.device.running
        names = {i.kernel: i.name for i in cfg.interfaces.values() if not i.vpn}
        rows = []
        for r in state.routes:
            if r.family != 4 or r.table != 254 or r.interface not in names:
                continue
            net = ipaddress.IPv4Network(r.prefix)
            if r.gateway:
                rows.append((net, r.gateway, names[r.interface], "Static", 1))
            else:
                own = next((ipaddress.IPv4Interface(a).ip for a in cfg.interfaces[names[r.interface]].ipv4
                            if ipaddress.IPv4Interface(a).network == net), net.network_address)
                rows.append((net, str(own), names[r.interface], "Direct", 0))
        for intf in cfg.interfaces.values():
            if intf.vpn or intf.shutdown:
                continue
            for addr in intf.ipv4:
                host = ipaddress.IPv4Interface(addr).ip
                rows.append((ipaddress.IPv4Network(f"{host}/32"), str(host), intf.name, "Address", 0))
        lines = ["IPv4 Routing Table:",
                 f"  {'Dest':<16}{'Mask':<16}{'Gw':<16}{'Interface':<16}{'Owner':<9}{'Pri':<4}Metric"]
        for net, gw, name, owner, pri in sorted(rows, key=lambda r: (r[0].network_address, r[0].prefixlen)):
            lines.append(f"  {str(net.network_address):<15} {str(net.netmask):<15} {gw:<15} {name:<15} {owner:<8} {pri:<3} 0")
        return "\n".join(lines)

