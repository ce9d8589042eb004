"""What Ruijie RGOS and ZTE ZXROS share: IOS-like modes ``>``, ``#``, ``(config)#``,
``(config-if-…)#``, ``no`` forms, ``show`` commands and the ``% Invalid input`` caret errors.
"""

from __future__ import annotations

import ipaddress

from lab.twins.dialects.base import ANY, Dialect, View, command
from lab.twins.dialects.ospf_cisco import ROUTER_MODES, ROUTER_PARENTS, CiscoOspf
from lab.twins.dialects.simple_commands import KERNEL, ROUTES, RUNNING, Param, sets_interface, shows
from lab.twins.grammar import (
    AMBIGUOUS,
    INCOMPLETE,
    TOO_MANY,
    UNRECOGNIZED,
    WRONG_PARAMETER,
    CliError,
    ConfigError,
)
from lab.twins.kernel import KernelState, ping
from lab.twins.model import DeviceConfig, Interface, NamedAcl6, StaticRoute, acl6_address

SUB_MODES = ("config", "config-if", "config-ipv6-acl", "config-line")


class CiscoStyle(CiscoOspf, Dialect):
    parents = {"config-if": "config", "config-ipv6-acl": "config", "config-line": "config", "config": "",
               "enable": "", "user": "", **ROUTER_PARENTS}
    error_texts = {
        UNRECOGNIZED: "% Invalid input detected at '^' marker.",
        WRONG_PARAMETER: "% Invalid input detected at '^' marker.",
        TOO_MANY: "% Invalid input detected at '^' marker.",
        INCOMPLETE: "% Incomplete command.",
        AMBIGUOUS: "% Ambiguous command.",
    }
    interface_types = ("GigabitEthernet", "TenGigabitEthernet", "Loopback", "VLAN")
    version_text = ""
    acl6_mode = "config-ipv6-acl"  # the prompt label of ``ipv6 access-list NAME`` mode

    def format_error(self, err: CliError, prompt_len: int) -> str:
        if err.kind in (INCOMPLETE, AMBIGUOUS):
            return self.error_texts[err.kind]
        return super().format_error(err, prompt_len)

    def if_label(self, name: str) -> str:
        return name

    def prompt(self) -> str:
        name = self.device.running.sysname
        view = self.view.name
        if view == "user":
            return f"{name}>"
        if view == "enable":
            return f"{name}#"
        if view == "config":
            return f"{name}(config)#"
        if view == "config-ipv6-acl":
            return f"{name}({self.acl6_mode})#"
        if view == "config-line":
            return f"{name}(config-line)#"
        if view in ROUTER_MODES:
            return f"{name}({view})#"
        return f"{name}(config-if-{self.if_label(self.view.context)})#"

    # ---- modes ---------------------------------------------------------------------------------
    @command("user", "enable", "Turn on privileged commands")
    async def enable(self) -> str:
        secret = self.device.spec.get("enable_password")
        if secret:
            given = await self.ask("Password:")
            if given != secret:
                return "% Access denied"
        self.views.append(View("enable"))
        return ""

    @command("enable", "disable", "Turn off privileged commands")
    async def disable(self) -> str:
        self.views = [View("user")]
        return ""

    @command(("user", "enable"), "exit", "Exit from the EXEC")
    async def exit_session(self) -> str:
        self.closing = True
        return ""

    @command(("user", "enable"), "terminal length {screenlen}", "Set number of lines on a screen")
    async def terminal_length(self, _n: int) -> str:
        return ""

    @command(("user", "enable"), "terminal width {width}", "Set width of the display terminal")
    async def terminal_width(self, _n: int) -> str:
        return ""

    @command("enable", "configure terminal", "Enter configuration mode")
    async def configure(self) -> str:
        self.views.append(View("config"))
        return "Enter configuration commands, one per line.  End with CNTL/Z."

    @command(SUB_MODES, "exit", "Exit from the current mode")
    async def exit_mode(self) -> str:
        self.views.pop()
        return ""

    @command(SUB_MODES, "end", "Exit to privileged EXEC mode")
    async def end(self) -> str:
        self.views = [v for v in self.views if v.name in ("user", "enable")]
        return ""

    def ctrl_z(self) -> None:
        self.views = [v for v in self.views if v.name in ("user", "enable")]

    @command("enable", "write", "Save the running configuration")
    async def write_memory(self) -> str:
        self.device.save(self.render_config(self.device.running))
        return "Building configuration...\n[OK]"

    @command("enable", "write memory")
    async def write_memory_long(self) -> str:
        return await self.write_memory()

    # ---- config mode ---------------------------------------------------------------------------
    @command("config", "hostname {word}", "Set system's network name")
    async def hostname(self, name: str) -> str:
        self.cfg.sysname = name
        return ""

    @command("config", "interface {ifname}", "Select an interface to configure")
    async def enter_interface(self, name: str) -> str:
        self.views.append(View("config-if", name))
        return ""

    @command("config", "ip route {ipv4} {ipv4} {ipv4}", "Establish static routes")
    async def ip_route(self, dest: str, mask: str, nexthop: str) -> str:
        return self._route(f"{dest}/{mask}", nexthop, add=True)

    @command("config", "no ip route {ipv4} {ipv4} {ipv4}")
    async def no_ip_route(self, dest: str, mask: str, nexthop: str) -> str:
        return self._route(f"{dest}/{mask}", nexthop, add=False)

    @command("config", "ipv6 route {ipv6pfx} {ipv6}", "Establish IPv6 static routes")
    async def ipv6_route(self, prefix: str, nexthop: str) -> str:
        return self._route(prefix, nexthop, add=True)

    @command("config", "no ipv6 route {ipv6pfx} {ipv6}")
    async def no_ipv6_route(self, prefix: str, nexthop: str) -> str:
        return self._route(prefix, nexthop, add=False)

    def _route(self, prefix: str, nexthop: str, add: bool) -> str:
        try:
            net = str(ipaddress.ip_network(prefix, strict=False))
        except ValueError:
            raise ConfigError("% Invalid input detected at '^' marker.") from None
        route = StaticRoute(net, nexthop)
        if add and route not in self.cfg.routes:
            self.cfg.routes.append(route)
        elif not add:
            if route not in self.cfg.routes:
                raise ConfigError("% No matching route to delete.")
            self.cfg.routes.remove(route)
        return ""

    @command("config", "snmp-server {text}", "Modify SNMP parameters")
    async def snmp_server(self, text: str) -> str:
        if ("snmp-server " + text) not in self.cfg.snmp:
            self.cfg.snmp.append("snmp-server " + text)
        return ""

    @command("config", "no snmp-server {text}")
    async def no_snmp_server(self, text: str) -> str:
        self.cfg.snmp = [x for x in self.cfg.snmp if not x.startswith("snmp-server " + text)]
        return ""

    # ---- IPv6 ACL and the VTY lines ----------------------------------------------------------------
    # ``ipv6 access-list NAME`` with ``[seq] permit|deny PROTO SRC DST`` entries, bound to the
    # SSH/VTY plane by ``line vty 0 4`` / ``ipv6 access-class NAME in``. A bound name with no
    # list (or an empty one) lets everyone in; the twin's SSH server enforces it (server.py).
    @command("config", "ipv6 access-list {word}", "Configure an IPv6 access list")
    async def ipv6_access_list(self, name: str) -> str:
        self.cfg.acl6_named.setdefault(name, NamedAcl6(name))
        self.views.append(View("config-ipv6-acl", name))
        return ""

    @command("config", "no ipv6 access-list {word}")
    async def no_ipv6_access_list(self, name: str) -> str:
        if self.cfg.acl6_named.pop(name, None) is None:
            raise ConfigError(f"% Access list {name} does not exist.")  # [U] wording
        return ""

    @command("config-ipv6-acl", "{ruleid} permit {text}", "Sequence number")
    async def acl6_seq_permit(self, seq: int, text: str) -> str:
        return self._acl6_entry(seq, "permit " + text)

    @command("config-ipv6-acl", "{ruleid} deny {text}")
    async def acl6_seq_deny(self, seq: int, text: str) -> str:
        return self._acl6_entry(seq, "deny " + text)

    @command("config-ipv6-acl", "permit {text}", "Specify packets to forward")
    async def acl6_permit(self, text: str) -> str:
        return self._acl6_entry(None, "permit " + text)

    @command("config-ipv6-acl", "deny {text}", "Specify packets to reject")
    async def acl6_deny(self, text: str) -> str:
        return self._acl6_entry(None, "deny " + text)

    @command("config-ipv6-acl", "no {ruleid}", "Delete an entry")
    async def acl6_no_seq(self, seq: int) -> str:
        acl = self.cfg.acl6_named[self.view.context]
        if not any(n == seq for n, _ in acl.rules):
            raise ConfigError("% Entry not found.")  # [U] wording
        acl.rules = [(n, t) for n, t in acl.rules if n != seq]
        return ""

    def _acl6_entry(self, seq: int | None, text: str) -> str:
        words = text.split()
        protocols = ("ipv6", "tcp", "udp", "icmp", "icmpv6")
        if len(words) < 4 or not (words[1] in protocols or words[1].isdigit()):
            raise ConfigError(self.error_texts[WRONG_PARAMETER])
        try:
            _, i = acl6_address(words, 2)
            while i < len(words) and words[i] in ("eq", "gt", "lt", "neq"):
                i += 2
            acl6_address(words, i)
        except (ValueError, IndexError):
            raise ConfigError(self.error_texts[WRONG_PARAMETER]) from None
        acl = self.cfg.acl6_named[self.view.context]
        if seq is None:
            seq = max((n for n, _ in acl.rules), default=0) + 10
        acl.rules = sorted([(n, t) for n, t in acl.rules if n != seq] + [(seq, text)])
        return ""

    @command("config", "line vty {vty} {vty}", "Configure a terminal line")
    async def line_vty(self, first: int, last: int) -> str:
        if last < first:
            raise ConfigError(self.error_texts[WRONG_PARAMETER])
        self.views.append(View("config-line", f"{first} {last}"))
        return ""

    @command("config-line", "ipv6 access-class {word} in", "Filter incoming IPv6 connections")
    async def ipv6_access_class(self, name: str) -> str:
        self.cfg.vty_acl6 = name
        return ""

    @command("config-line", "no ipv6 access-class {word} in")
    async def no_ipv6_access_class(self, name: str) -> str:
        if self.cfg.vty_acl6 != name:
            raise ConfigError("% Access class not configured.")  # [U] wording
        self.cfg.vty_acl6 = ""
        return ""

    def render_acl6(self, cfg: DeviceConfig) -> list[str]:
        lines = []
        for acl in cfg.acl6_named.values():
            lines += ["!", f"ipv6 access-list {acl.name}"] + [f" {n} {t}" for n, t in acl.rules]
        if cfg.vty_acl6:  # the range is not modelled: the default VTYs 0-4 are shown
            lines += ["!", "line vty 0 4", f" ipv6 access-class {cfg.vty_acl6} in"]
        return lines

    # ---- interface mode ------------------------------------------------------------------------
    def interface(self) -> Interface:
        return self.cfg.interfaces[self.view.context]

    description = sets_interface("config-if", "description {text}", "Interface specific description",
                                 description=Param())
    no_description = sets_interface("config-if", "no description", description="")
    shutdown = sets_interface("config-if", "shutdown", "Shutdown the selected interface", shutdown=True)
    no_shutdown = sets_interface("config-if", "no shutdown", shutdown=False)

    @command("config-if", "ip address {ipv4} {ipv4}", "Interface Internet Protocol config commands")
    async def ip_address(self, address: str, mask: str) -> str:
        try:
            value = str(ipaddress.IPv4Interface(f"{address}/{mask}"))
        except ValueError:
            raise ConfigError("% Bad mask " + mask + " for address " + address) from None
        self.interface().ipv4 = [value]
        return ""

    no_ip_address = sets_interface("config-if", "no ip address", ipv4=[])
    ipv6_enable = sets_interface("config-if", "ipv6 enable", "Enable IPv6 on interface", ipv6_enabled=True)
    no_ipv6_enable = sets_interface("config-if", "no ipv6 enable", ipv6_enabled=False, ipv6=[])

    @command("config-if", "ipv6 address {ipv6pfx}", "Configure IPv6 address on interface")
    async def ipv6_address(self, value: str) -> str:
        intf = self.interface()
        addr = ipaddress.IPv6Interface(value)
        if addr.ip.is_multicast or addr.ip.is_unspecified:
            raise ConfigError(self.error_texts[WRONG_PARAMETER])
        intf.ipv6_enabled = True
        if str(addr) not in intf.ipv6:
            intf.ipv6.append(str(addr))
        return ""

    @command("config-if", "no ipv6 address {ipv6pfx}")
    async def no_ipv6_address(self, value: str) -> str:
        intf = self.interface()
        text = str(ipaddress.IPv6Interface(value))
        if text not in intf.ipv6:
            raise ConfigError("% Address not found on this interface.")
        intf.ipv6.remove(text)
        return ""

    # ---- exec ----------------------------------------------------------------------------------
    @command(ANY, "ping {ipv4}", "Send echo messages")
    async def ping4(self, target: str) -> str:
        return await self._ping(target, 5)

    @command(ANY, "ping ipv6 {ipv6}")
    async def ping6(self, target: str) -> str:
        return await self._ping(target, 5)

    async def _ping(self, target: str, count: int) -> str:
        self.write(f"Sending {count}, 100-byte ICMP Echoes to {target}, timeout is 2 seconds:")
        replies = await ping(self.device.spec["netns"], target, count)
        marks = "".join("!" if r else "." for r in replies)
        got = [max(1, round(r.time_ms)) for r in replies if r]
        tail = f", round-trip min/avg/max = {min(got)}/{sum(got) // len(got)}/{max(got)} ms" if got else ""
        return f"  < press Ctrl+C to break >\n{marks}\nSuccess rate is {100 * len(got) // count} percent ({len(got)}/{count}){tail}"

    @command(ANY, "show running-config", "Current operating configuration")
    async def show_running(self) -> str:
        body = self.render_config(self.device.running)
        return f"Building configuration...\nCurrent configuration : {len(body)} bytes\n\n{body}"

    @command(ANY, "show startup-config", "Contents of startup configuration")
    async def show_startup(self) -> str:
        # What `write` stored (Device.save): a reboot would load exactly this.
        path = self.device.state_dir / "saved.cfg"
        return path.read_text() if path.exists() else "% startup-config is not present"

    show_version = shows("show version", "System hardware and software status", "render_version")
    show_ip_interface_brief = shows("show ip interface brief", "Brief summary of IP status and configuration",
                                    "render_ip_brief", RUNNING, KERNEL)
    show_ipv6_interface_brief = shows("show ipv6 interface brief", "", "render_ipv6_brief", RUNNING, KERNEL)
    show_ip_route = shows("show ip route", "IP routing table", "render_routes", 4, ROUTES)
    show_ipv6_route = shows("show ipv6 route", "IPv6 routing table", "render_routes", 6, ROUTES)

    # ---- rendering -----------------------------------------------------------------------------
    def status(self, intf: Interface, state: KernelState) -> tuple[str, str]:
        link = state.links.get(intf.kernel)
        if intf.shutdown:
            return "administratively down", "down"
        if link is None or not link.oper_up:
            return "down", "down"
        return "up", "up"

    def render_config(self, cfg: DeviceConfig) -> str:
        lines = ["!", f"hostname {cfg.sysname}", "!"]
        for intf in sorted(cfg.interfaces.values(), key=lambda i: (i.is_loopback, i.name)):
            lines.append(f"interface {intf.name}")
            if intf.description:
                lines.append(f" description {intf.description}")
            for addr in intf.ipv4[:1]:
                a = ipaddress.IPv4Interface(addr)
                lines.append(f" ip address {a.ip} {a.netmask}")
            if intf.ipv6_enabled:
                lines.append(" ipv6 enable")
            for addr in intf.ipv6:
                lines.append(f" ipv6 address {addr}")
            if intf.shutdown:
                lines.append(" shutdown")
            lines += self.render_ospf_interface(intf)
            lines.append("!")
        lines += self.render_ospf(cfg)
        for r in cfg.routes:
            net = ipaddress.ip_network(r.prefix)
            if net.version == 4:
                lines.append(f"ip route {net.network_address} {net.netmask} {r.nexthop}")
            else:
                lines.append(f"ipv6 route {net} {r.nexthop}")
        lines += cfg.snmp
        lines += self.render_acl6(cfg)
        lines += ["!", "end"]
        return "\n".join(lines)

    def render_ip_brief(self, cfg: DeviceConfig, state: KernelState) -> str:
        lines = [f"{'Interface':<33}{'IP-Address(Pri)':<21}{'IP-Address(Sec)':<21}{'Status':<23}Protocol"]
        for intf in sorted(cfg.interfaces.values(), key=lambda i: i.name):
            status, proto = self.status(intf, state)
            pri = intf.ipv4[0] if intf.ipv4 else "no address"
            sec = intf.ipv4[1] if len(intf.ipv4) > 1 else "no address"
            lines.append(f"{intf.name:<33}{pri:<21}{sec:<21}{status:<23}{proto}")
        return "\n".join(lines)

    def render_ipv6_brief(self, cfg: DeviceConfig, state: KernelState) -> str:
        lines = []
        for intf in sorted(cfg.interfaces.values(), key=lambda i: i.name):
            status, proto = self.status(intf, state)
            lines.append(f"{intf.name:<33}[{status}/{proto}]")
            link = state.links.get(intf.kernel)
            if intf.ipv6_enabled and link and link.link_local:
                lines.append(f"    {link.link_local.upper()}")
            for addr in intf.ipv6:
                lines.append(f"    {str(ipaddress.IPv6Interface(addr).ip).upper()}")
            if not intf.ipv6_enabled:
                lines.append("    unassigned")
        return "\n".join(lines)

    def render_routes(self, family: int, state: KernelState) -> str:
        cfg = self.device.running
        names = {i.kernel: i.name for i in cfg.interfaces.values() if not i.vpn}
        lines = ["Codes:  C - Connected, L - Local, S - Static", "        R - RIP, O - OSPF, B - BGP, I - IS-IS",
                 "        * - candidate default", ""]
        default = [r for r in state.routes if r.family == family and r.table == 254 and r.gateway
                   and ipaddress.ip_network(r.prefix).prefixlen == 0]
        if family == 4:
            lines.append(f"Gateway of last resort is {default[0].gateway} to network 0.0.0.0" if default
                         else "Gateway of last resort is not set")
        lines.append("")
        for r in state.routes:
            if r.family != family or r.table != 254 or r.interface not in names:
                continue
            if r.gateway and r.protocol == "OSPF":
                # IOS-like: "O     PREFIX [110/COST] via NEXTHOP, INTERFACE" (OSPF distance 110)
                lines.append(f"O     {r.prefix} [110/{r.metric}] via {r.gateway}, {names[r.interface]}")
            elif r.gateway:
                code = "S*" if ipaddress.ip_network(r.prefix).prefixlen == 0 else "S "
                lines.append(f"{code}    {r.prefix} [1/0] via {r.gateway}")
            else:
                lines.append(f"C     {r.prefix} is directly connected, {names[r.interface]}")
        for intf in cfg.interfaces.values():
            if intf.vpn or intf.shutdown:
                continue
            for addr in intf.ipv4 if family == 4 else intf.ipv6:
                host = ipaddress.ip_interface(addr).ip
                lines.append(f"L     {host}/{host.max_prefixlen} is directly connected, {intf.name}")
        return "\n".join(lines)

    def render_version(self) -> str:
        raise NotImplementedError
