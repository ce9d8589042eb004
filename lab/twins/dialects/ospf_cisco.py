"""OSPF and OSPFv3 in the IOS-like CLIs of Ruijie RGOS and ZTE ZXROS (unverified: see below).

``router ospf 1`` / ``router-id X`` / ``network ADDRESS WILDCARD area A`` / ``passive-interface IF``;
``ipv6 router ospf 1`` / ``router-id X``; in the interface ``ip ospf cost|network point-to-point|
hello-interval|dead-interval|message-digest-key`` and ``ipv6 ospf 1 area A``, ``ipv6 ospf
hello-interval|dead-interval|cost`` (OSPFv3's own timers and cost), ``passive-interface IF`` under
``ipv6 router ospf``. No Ruijie or ZTE
capture or command reference was found for these: the syntax and the ``show ip ospf neighbor``,
``show ipv6 ospf neighbor`` and ``show ipv6 route ospf`` layouts are IOS's (ntc-templates' cisco_ios
samples, tests/fixtures/real/cisco_ios), marked ``unverified`` in govops/vendors/ruijie_os.py and
zte_zxros.py.
"""

from __future__ import annotations

import ipaddress

from lab.twins.dialects.base import ANY, View, command
from lab.twins.dialects.ospf_huawei import OspfState, sets_ospf_interface
from lab.twins.dialects.simple_commands import Param
from lab.twins.grammar import ConfigError
from lab.twins.model import DeviceConfig, Ospf3Process, OspfArea, OspfProcess

ROUTER_MODES = ("config-router", "config-rtr")
ROUTER_PARENTS = {"config-router": "config", "config-rtr": "config"}


class CiscoOspf(OspfState):
    """Reuses the neighbour/route reading and interface helpers; its own syntax and layouts."""

    @command("config", "router ospf {proc}", "Open Shortest Path First (OSPF)")
    async def router_ospf(self, process: int) -> str:
        self.cfg.ospf.setdefault(process, OspfProcess(process))
        self.views.append(View("config-router", str(process)))
        return ""

    @command("config", "no router ospf {proc}")
    async def no_router_ospf(self, process: int) -> str:
        self.cfg.ospf.pop(process, None)
        return ""

    @command("config-router", "router-id {ipv4}", "Router-id for the OSPF process")
    async def router_ospf_id(self, router_id: str) -> str:
        self.cfg.ospf[int(self.view.context)].router_id = router_id
        return ""

    @command("config-router", "network {ipv4} {ipv4} area {area}", "Enable routing on an IP network")
    async def router_network(self, address: str, wildcard: str, area: str) -> str:
        statement = self._network_statement(address, wildcard)
        target = self.cfg.ospf[int(self.view.context)].areas.setdefault(area, OspfArea(area))
        if statement not in target.networks:
            target.networks.append(statement)
        return ""

    @command("config-router", "no network {ipv4} {ipv4} area {area}")
    async def no_router_network(self, address: str, wildcard: str, area: str) -> str:
        proc = self.cfg.ospf[int(self.view.context)]
        statement = f"{address} {wildcard}"
        if area not in proc.areas or statement not in proc.areas[area].networks:
            raise ConfigError("% Network not found")
        proc.areas[area].networks.remove(statement)
        if not proc.areas[area].networks:
            del proc.areas[area]
        return ""

    @command("config-router", "passive-interface {ifname}", "Suppress routing updates on an interface")
    async def router_passive(self, name: str) -> str:
        return self._set_passive(name, True)

    @command("config-router", "no passive-interface {ifname}")
    async def no_router_passive(self, name: str) -> str:
        return self._set_passive(name, False)

    @command("config", "ipv6 router ospf {proc}", "OSPFv3")
    async def ipv6_router_ospf(self, process: int) -> str:
        self.cfg.ospf3.setdefault(process, Ospf3Process(process))
        self.views.append(View("config-rtr", str(process)))
        return ""

    @command("config", "no ipv6 router ospf {proc}")
    async def no_ipv6_router_ospf(self, process: int) -> str:
        self.cfg.ospf3.pop(process, None)
        for intf in self.cfg.interfaces.values():
            if intf.ospf and intf.ospf.ospf3_process == process:
                intf.ospf.ospf3_process, intf.ospf.ospf3_area = 0, ""
                self._tidy(intf)
        return ""

    # OSPFv3's own passive interfaces (IOS `passive-interface IF` under `ipv6 router ospf`); unverified for RGOS/ZXROS.
    @command("config-rtr", "passive-interface {ifname}", "Suppress routing updates on an interface")
    async def ipv6_router_passive(self, name: str) -> str:
        return self._set_passive(name, True, version=3)

    @command("config-rtr", "no passive-interface {ifname}")
    async def no_ipv6_router_passive(self, name: str) -> str:
        return self._set_passive(name, False, version=3)

    @command("config-rtr", "router-id {ipv4}", "Router-id for the OSPFv3 process")
    async def ipv6_router_id(self, router_id: str) -> str:
        self.cfg.ospf3[int(self.view.context)].router_id = router_id
        return ""

    @command(ROUTER_MODES, "exit", "Exit from the current mode")
    async def exit_router_mode(self) -> str:
        self.views.pop()
        return ""

    @command(ROUTER_MODES, "end", "Exit to privileged EXEC mode")
    async def end_router_mode(self) -> str:
        self.views = [v for v in self.views if v.name in ("user", "enable")]
        return ""

    # ---- interface mode -------------------------------------------------------------------------
    ip_ospf_cost = sets_ospf_interface("config-if", "ip ospf cost {cost}", "Interface cost", cost=Param())
    no_ip_ospf_cost = sets_ospf_interface("config-if", "no ip ospf cost", cost=0)
    ip_ospf_p2p = sets_ospf_interface("config-if", "ip ospf network point-to-point", "Network type", p2p=True)
    no_ip_ospf_p2p = sets_ospf_interface("config-if", "no ip ospf network", p2p=False)
    ip_ospf_hello = sets_ospf_interface("config-if", "ip ospf hello-interval {timer}", "Time between HELLO packets",
                                        hello=Param())
    ip_ospf_dead = sets_ospf_interface("config-if", "ip ospf dead-interval {timer}",
                                       "Interval after which a neighbor is declared dead", dead=Param())

    @command("config-if", "ip ospf authentication message-digest", "Use message-digest authentication")
    async def ip_ospf_auth(self) -> str:
        return ""  # the key line below carries the key; both are rendered together

    @command("config-if", "ip ospf message-digest-key {keyid} md5 {word}", "Message digest authentication key")
    async def ip_ospf_md5(self, key_id: int, key: str) -> str:
        if not 1 <= len(key.encode()) <= 16:
            raise ConfigError("% Key length must be 1-16 characters")
        return await self._set_if(md5_key_id=key_id, md5_key=key)

    no_ip_ospf_md5 = sets_ospf_interface("config-if", "no ip ospf message-digest-key {keyid}", md5_key_id=0, md5_key="")

    @command("config-if", "ipv6 ospf {proc} area {area}", "Enable OSPFv3 on the interface")
    async def ipv6_ospf_area(self, process: int, area: str) -> str:
        if not self.interface().ipv6_enabled:
            raise ConfigError("% IPv6 is not enabled on this interface")
        self.cfg.ospf3.setdefault(process, Ospf3Process(process))
        return await self._set_if(ospf3_process=process, ospf3_area=area)

    no_ipv6_ospf_area = sets_ospf_interface("config-if", "no ipv6 ospf {proc} area {area}", ospf3_process=0, ospf3_area="")
    # OSPFv3's own cost (IOS `ipv6 ospf cost N`, `no ipv6 ospf cost`); unverified for RGOS/ZXROS.
    ipv6_ospf_cost = sets_ospf_interface("config-if", "ipv6 ospf cost {cost}", "Interface cost", ospf3_cost=Param())
    no_ipv6_ospf_cost = sets_ospf_interface("config-if", "no ipv6 ospf cost", ospf3_cost=0)
    no_ipv6_ospf_cost_value = sets_ospf_interface("config-if", "no ipv6 ospf cost {cost}", ospf3_cost=0)
    # OSPFv3's own network type, IOS's words (`ipv6 ospf network point-to-point`, `no ipv6 ospf network`;
    # default broadcast on Ethernet); unverified for RGOS/ZXROS.
    ipv6_ospf_p2p = sets_ospf_interface("config-if", "ipv6 ospf network point-to-point", "Network type", ospf3_p2p=True)
    no_ipv6_ospf_p2p = sets_ospf_interface("config-if", "no ipv6 ospf network", ospf3_p2p=False)
    # OSPFv3's own timers, IOS's words (`ipv6 ospf hello-interval|dead-interval SECONDS`, default 10/40:
    # ansible-collections/cisco.ios rm_templates/ospf_interfaces.py renders them); unverified for RGOS/ZXROS.
    ipv6_ospf_hello = sets_ospf_interface("config-if", "ipv6 ospf hello-interval {timer}", "Time between HELLO packets",
                                          ospf3_hello=Param())
    no_ipv6_ospf_hello = sets_ospf_interface("config-if", "no ipv6 ospf hello-interval", ospf3_hello=0)
    no_ipv6_ospf_hello_value = sets_ospf_interface("config-if", "no ipv6 ospf hello-interval {timer}", ospf3_hello=0)
    ipv6_ospf_dead = sets_ospf_interface("config-if", "ipv6 ospf dead-interval {timer}",
                                         "Interval after which a neighbor is declared dead", ospf3_dead=Param())
    no_ipv6_ospf_dead = sets_ospf_interface("config-if", "no ipv6 ospf dead-interval", ospf3_dead=0)
    no_ipv6_ospf_dead_value = sets_ospf_interface("config-if", "no ipv6 ospf dead-interval {timer}", ospf3_dead=0)

    # ---- rendering ------------------------------------------------------------------------------
    def render_ospf_interface(self, intf) -> list[str]:  # noqa: ANN001
        o = intf.ospf
        if o is None:
            return []
        lines = []
        if o.p2p:
            lines.append(" ip ospf network point-to-point")
        if o.cost:
            lines.append(f" ip ospf cost {o.cost}")
        if o.hello:
            lines.append(f" ip ospf hello-interval {o.hello}")
        if o.dead:
            lines.append(f" ip ospf dead-interval {o.dead}")
        if o.md5_key_id:
            lines += [" ip ospf authentication message-digest",
                      f" ip ospf message-digest-key {o.md5_key_id} md5 7 ********"]  # never the key itself
        if o.ospf3_process:
            lines.append(f" ipv6 ospf {o.ospf3_process} area {o.ospf3_area}")
        if o.ospf3_cost:  # after the area, then cost, hello, dead: IOS order unverified
            lines.append(f" ipv6 ospf cost {o.ospf3_cost}")
        if o.ospf3_p2p:  # after the cost, before the timers: IOS order unverified
            lines.append(" ipv6 ospf network point-to-point")
        if o.ospf3_hello:  # after the area, hello before dead: IOS order unverified
            lines.append(f" ipv6 ospf hello-interval {o.ospf3_hello}")
        if o.ospf3_dead:
            lines.append(f" ipv6 ospf dead-interval {o.ospf3_dead}")
        return lines

    def render_ospf(self, cfg: DeviceConfig) -> list[str]:
        lines: list[str] = []
        for proc in cfg.ospf.values():
            lines.append(f"router ospf {proc.process}")
            if proc.router_id:
                lines.append(f" router-id {proc.router_id}")
            lines += [f" passive-interface {name}" for name in proc.silent]
            for area in proc.areas.values():
                lines += [f" network {statement} area {area.area}" for statement in area.networks]
            lines.append("!")
        for proc3 in cfg.ospf3.values():
            lines.append(f"ipv6 router ospf {proc3.process}")
            if proc3.router_id:
                lines.append(f" router-id {proc3.router_id}")
            lines += [f" passive-interface {name}" for name in proc3.silent]
            lines.append("!")
        return lines

    # IOS layouts, unverified for RGOS/ZXROS: `show ip ospf neighbor` as ntc-templates' cisco_ios samples,
    # `show ipv6 ospf neighbor` as tests/fixtures/real/cisco_ios/show_ipv6_ospf_neighbor ("FULL/  -" on a
    # point-to-point link, "FULL/BDR", "2WAY/DROTHER").
    @staticmethod
    def ios_state(row: dict) -> str:
        role = {"-": "  -", "Backup": "BDR", "DROther": "DROTHER"}.get(row["role"], row["role"])
        return f"{row['state'].upper()}/{role}"

    @command(ANY, "show ip ospf neighbor", "OSPF neighbor list")
    async def show_ip_ospf_neighbor(self) -> str:
        lines = ["Neighbor ID     Pri   State           Dead Time   Address         Interface"]
        for r in await self.ospf_neighbours():
            dead = f"00:00:{min(int(r['dead']), 59):02d}"
            lines.append(f"{r['router_id']:<16}{r['priority']:>3}   {self.ios_state(r):<16}{dead:<12}{r['address']:<16}"
                         f"{r['interface']}")
        return "\n".join(lines) + "\n"

    # The Interface ID column is the neighbour's interface ID, which FRR's neighbour JSON does not carry: 0.
    @command(ANY, "show ipv6 ospf neighbor", "OSPFv3 neighbor list")
    async def show_ipv6_ospf_neighbor(self) -> str:
        cfg = self.device.running
        lines = []
        if cfg.ospf3:
            proc = cfg.ospf3[min(cfg.ospf3)]
            lines += ["", f"            OSPFv3 Router with ID ({proc.router_id or '0.0.0.0'}) (Process ID {proc.process})", ""]
        lines.append("Neighbor ID     Pri   State           Dead Time   Interface ID    Interface")
        for r in await self.ospf_neighbours(3):
            lines.append(f"{r['router_id']:<16}{r['priority']:>3}   {self.ios_state(r):<16}{r['dead']:<12}{0:<16}"
                         f"{r['interface']}")
        return "\n".join(lines) + "\n"

    # IOS `show ipv6 route ospf` (tests/fixtures/real/cisco_ios/show_ipv6_route_ospf; ntc-templates'
    # `show ipv6 route` parses it): the codes legend, then per prefix "O   PREFIX [distance/cost]" and one
    # "     via NEXTHOP, INTERFACE" line per next hop. The header counts the OSPFv3 routes shown (IOS counts
    # the whole table there; nothing reads that number).
    @command(ANY, "show ipv6 route ospf", "OSPFv3 routes")
    async def show_ipv6_route_ospf(self) -> str:
        rows, _ = await self.ospf3_routes()
        codes = {"IA": "O", "IE": "OI", "E1": "OE1", "E2": "OE2"}
        prefixes = list(dict.fromkeys(r["prefix"] for r in rows))
        lines = [f"IPv6 Routing Table - default - {len(prefixes)} entries",
                 "Codes: C - Connected, L - Local, S - Static, U - Per-user Static route",
                 "       B - BGP, R - RIP, I1 - ISIS L1, I2 - ISIS L2",
                 "       IA - ISIS interarea, IS - ISIS summary, D - EIGRP, EX - EIGRP external",
                 "       O - OSPF Intra, OI - OSPF Inter, OE1 - OSPF ext 1, OE2 - OSPF ext 2",
                 "       ON1 - OSPF NSSA ext 1, ON2 - OSPF NSSA ext 2"]
        for prefix in prefixes:
            hops = [r for r in rows if r["prefix"] == prefix]
            net = ipaddress.IPv6Network(prefix)
            lines.append(f"{codes.get(hops[0]['path'], 'O'):<4}{str(net.network_address).upper()}/{net.prefixlen} "
                         f"[{hops[0]['distance']}/{hops[0]['cost']}]")
            lines += [f"     via {r['nexthop'].upper()}, {r['interface']}" for r in hops]
        return "\n".join(lines) + "\n"

    @command(ANY, "show ip route ospf", "OSPF routes")
    async def show_ip_route_ospf(self) -> str:
        state = await self.routing_state()
        state.routes = [r for r in state.routes if r.protocol == "OSPF"]
        return self.render_routes(4, state)
