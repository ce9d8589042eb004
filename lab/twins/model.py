"""The device model: the one truth a twin renders as its configuration and applies to the kernel.

Plain dataclasses, deep-copied for the VRPv8 candidate, commit points and trial rollbacks, and
stored as JSON for ``save``. Vendor names are keys (``GigabitEthernet0/0/1``); the kernel name of
each interface comes from the lab's table and never changes.
"""

from __future__ import annotations

import base64
import copy
import ipaddress
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Interface:
    name: str
    kernel: str
    description: str = ""
    shutdown: bool = False
    ipv4: list[str] = field(default_factory=list)  # "198.18.1.1/30", primary first
    ipv6_enabled: bool = False
    ipv6: list[str] = field(default_factory=list)  # "2001:db8::1/64"
    vpn: str = ""  # bound VPN instance, "" = public
    ospf: OspfInterface | None = None  # per-interface OSPF settings ("" / 0: the default)

    @property
    def is_loopback(self) -> bool:
        return self.name.lower().startswith("loopback")


@dataclass
class OspfInterface:
    """Interface-level OSPF and OSPFv3 settings, as every dialect writes them in the interface view."""

    cost: int = 0
    p2p: bool = False           # network type point-to-point (the extranet's /31 links)
    hello: int = 0
    dead: int = 0
    conservative: bool = False  # VRP `ospf timer hello N conservative`: a dead under the floor holds
    md5_key_id: int = 0         # MD5 authentication: key id and secret (never rendered in clear)
    md5_key: str = ""
    ospf3_process: int = 0      # OSPFv3 enabled on the interface (VRP/Comware `ospfv3 P area A`)
    ospf3_area: str = ""
    ospf3_cost: int = 0
    ospf3_hello: int = 0        # OSPFv3's own timers (VRP/Comware `ospfv3 timer hello|dead`, IOS-like
    ospf3_dead: int = 0         # `ipv6 ospf hello-interval|dead-interval`); 0: the vendor default 10/40
    ospf3_p2p: bool = False     # OSPFv3's own network type (VRP/Comware `ospfv3 network-type p2p`, IOS-like
                                # `ipv6 ospf network point-to-point`); False: broadcast, the Ethernet default
    ospf3_conservative: bool = False  # VRP `ospfv3 timer hello N conservative`: a dead under 10 s holds

    def is_default(self) -> bool:
        return self == OspfInterface()


@dataclass
class OspfArea:
    area: str                                             # dotted, "0.0.0.1"
    networks: list[str] = field(default_factory=list)     # "198.18.8.2 0.0.0.1" (address wildcard)


@dataclass
class OspfProcess:
    process: int
    router_id: str = ""
    areas: dict[str, OspfArea] = field(default_factory=dict)
    silent: list[str] = field(default_factory=list)  # silent/passive interfaces (user segments)


@dataclass
class Ospf3Process:
    process: int
    router_id: str = ""
    silent: list[str] = field(default_factory=list)  # OSPFv3's own silent/passive interfaces (not OSPFv2's)


@dataclass
class StaticRoute:
    prefix: str  # network in CIDR form, normalised
    nexthop: str
    vpn: str = ""

    @property
    def family(self) -> int:
        return ipaddress.ip_network(self.prefix).version


@dataclass
class VpnInstance:
    name: str
    table: int  # kernel routing table the instance's policy rules look up (kernel.py)
    rd: str = ""
    description: str = ""
    ipv4_family: bool = False
    ipv6_family: bool = False


@dataclass
class Acl6:
    number: int
    rules: list[tuple[int, str]] = field(default_factory=list)  # (rule id, "permit ipv6 source ...")


@dataclass
class NamedAcl6:
    """IOS-like ``ipv6 access-list NAME`` (Ruijie, ZTE): (sequence, "permit ipv6 SRC DST")."""

    name: str
    rules: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class LocalUser:
    name: str
    password: str = ""
    privilege: int = 15
    service: str = "ssh"


@dataclass
class DeviceConfig:
    sysname: str
    interfaces: dict[str, Interface] = field(default_factory=dict)
    ipv6_global: bool = False  # VRP5's system-view ``ipv6`` switch
    routes: list[StaticRoute] = field(default_factory=list)
    vpns: dict[str, VpnInstance] = field(default_factory=dict)
    acl6: dict[int, Acl6] = field(default_factory=dict)
    acl6_named: dict[str, NamedAcl6] = field(default_factory=dict)
    vty_acl6: str = ""  # ACL6 (number or name) bound inbound to the SSH/VTY plane, "" = none
    users: dict[str, LocalUser] = field(default_factory=dict)
    snmp: list[str] = field(default_factory=list)
    # Comware ``archive configuration location DIR filename-prefix P`` ("" = not configured:
    # ``archive configuration`` is refused, as on the device)
    archive_location: str = ""
    archive_prefix: str = ""
    # Lab-only, not vendor config: the kernel table each VPN instance name gets when created
    # (the SoT's `private_networks[].vpn.table`), so the lab's tables match the inventory.
    vpn_tables: dict[str, int] = field(default_factory=dict)
    ospf: dict[int, OspfProcess] = field(default_factory=dict)
    ospf3: dict[int, Ospf3Process] = field(default_factory=dict)

    def copy(self) -> DeviceConfig:
        return copy.deepcopy(self)

    def to_json(self) -> str:
        data = asdict(self)
        for intf in data["interfaces"].values():
            if intf.get("ospf") and intf["ospf"]["md5_key"]:
                intf["ospf"]["md5_key"] = cipher(intf["ospf"]["md5_key"])
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceConfig:
        return cls(
            sysname=data["sysname"],
            interfaces={k: _interface(v) for k, v in data.get("interfaces", {}).items()},
            ipv6_global=data.get("ipv6_global", False),
            routes=[StaticRoute(**r) for r in data.get("routes", [])],
            vpns={k: VpnInstance(**v) for k, v in data.get("vpns", {}).items()},
            acl6={
                int(k): Acl6(number=v["number"], rules=[(int(i), str(t)) for i, t in v["rules"]])
                for k, v in data.get("acl6", {}).items()
            },
            acl6_named={k: NamedAcl6(name=v["name"], rules=[(int(i), str(t)) for i, t in v["rules"]])
                        for k, v in data.get("acl6_named", {}).items()},
            vty_acl6=str(data.get("vty_acl6", "")),
            users={k: LocalUser(**v) for k, v in data.get("users", {}).items()},
            snmp=list(data.get("snmp", [])),
            archive_location=str(data.get("archive_location", "")),
            archive_prefix=str(data.get("archive_prefix", "")),
            vpn_tables={str(k): int(v) for k, v in data.get("vpn_tables", {}).items()},
            ospf={int(k): OspfProcess(process=v["process"], router_id=v.get("router_id", ""),
                                      areas={a: OspfArea(**area) for a, area in v.get("areas", {}).items()},
                                      silent=list(v.get("silent", [])))
                  for k, v in data.get("ospf", {}).items()},
            ospf3={int(k): Ospf3Process(**v) for k, v in data.get("ospf3", {}).items()},
        )

    @classmethod
    def load(cls, path: Path) -> DeviceConfig:
        return cls.from_dict(json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json())
        tmp.replace(path)

    def next_vrf_table(self, name: str = "") -> int:
        """The table for a new VPN instance: the lab's planned one, else one above every table in use."""
        taken = {v.table for v in self.vpns.values()}
        if name in self.vpn_tables and self.vpn_tables[name] not in taken:
            return self.vpn_tables[name]
        return max(taken | set(self.vpn_tables.values()), default=1000) + 1

    def routes_in(self, family: int, vpn: str = "") -> list[StaticRoute]:
        return [r for r in self.routes if r.family == family and r.vpn == vpn]

    def ssh6_permitted(self, source: str, destination: str = "") -> bool:
        """Whether the VTY ACL6 lets a new SSH connection from ``source`` in (see README: ACL6 on
        the VTY plane). Nothing bound, an ACL that does not exist or has no rules: everyone (as
        the Huawei and H3C manuals say); otherwise the first matching rule decides, and a source
        no rule matches is refused."""
        if not self.vty_acl6:
            return True
        acl = (self.acl6.get(int(self.vty_acl6)) if self.vty_acl6.isdigit()
               else self.acl6_named.get(self.vty_acl6))
        if acl is None or not acl.rules:
            return True
        src = ipaddress.IPv6Address(source)
        dst = ipaddress.IPv6Address(destination) if destination else None
        for _, text in sorted(acl.rules):
            verdict = _acl6_rule_verdict(text, src, dst)
            if verdict is not None:
                return verdict
        return False


def cipher(key: str) -> str:
    """How the twin stores an OSPF key (saved.json, commit points): reversible, as the devices'
    own `cipher` form is, and never the clear text on disk."""
    return CIPHER + base64.b64encode(key.encode()).decode()


def decipher(text: str) -> str:
    return base64.b64decode(text[len(CIPHER):]).decode() if text.startswith(CIPHER) else text


CIPHER = "%^%#"


def _interface(data: dict[str, Any]) -> Interface:
    data = dict(data)
    ospf = data.pop("ospf", None)
    if ospf:
        ospf = {**ospf, "md5_key": decipher(ospf.get("md5_key", ""))}
    return Interface(**data, ospf=OspfInterface(**ospf) if ospf else None)


def acl6_address(words: list[str], i: int) -> tuple[ipaddress.IPv6Network, int]:
    """An address at ``words[i]``: ``any``, ``host X``, ``X/LEN`` or Huawei's ``X LEN``; returns (net, next i)."""
    word = words[i]
    if word == "any":
        return ipaddress.IPv6Network("::/0"), i + 1
    if word == "host":
        return ipaddress.IPv6Network(f"{words[i + 1]}/128"), i + 2
    if "/" in word:
        return ipaddress.IPv6Network(word, strict=False), i + 1
    if i + 1 < len(words) and words[i + 1].isdigit():
        return ipaddress.IPv6Network(f"{word}/{words[i + 1]}", strict=False), i + 2
    return ipaddress.IPv6Network(f"{word}/128"), i + 1


def _acl6_rule_verdict(text: str, src: ipaddress.IPv6Address, dst: ipaddress.IPv6Address | None) -> bool | None:
    """True/False when the rule matches an SSH (TCP) packet from ``src`` to ``dst``, None otherwise.

    Huawei/H3C write ``permit ipv6 source X/LEN destination ...``; IOS-like CLIs write
    ``permit ipv6 SRC DST`` with ``any``/``host X``/``X/LEN``. Port qualifiers are not modelled."""
    words = text.lower().split()
    if len(words) < 2 or words[0] not in ("permit", "deny"):
        return None
    if words[1] in ("source", "destination", "logging"):
        words.insert(1, "ipv6")  # a basic ACL6 rule has no protocol word
    elif words[1] not in ("ipv6", "tcp", "6"):
        return None  # udp, icmpv6, ...: never an SSH connection
    keyed = "source" in words or "destination" in words
    try:
        if keyed:
            for key, addr in (("source", src), ("destination", dst)):
                if key in words:
                    net, _ = acl6_address(words, words.index(key) + 1)
                    if addr is not None and addr not in net:
                        return None
        elif len(words) > 2:
            net, i = acl6_address(words, 2)
            if src not in net:
                return None
            while i < len(words) and words[i] in ("eq", "gt", "lt", "neq"):
                i += 2
            if i < len(words) and dst is not None:
                net, _ = acl6_address(words, i)
                if dst not in net:
                    return None
    except (ValueError, IndexError):
        return None
    return words[0] == "permit"


def startup_config(sysname: str, interfaces: dict[str, str], startup: dict[str, Any]) -> DeviceConfig:
    """The model described by the lab config's ``startup`` block (see README: config contract)."""
    cfg = DeviceConfig(sysname=sysname)
    for vendor, kernel in interfaces.items():
        cfg.interfaces[vendor] = Interface(name=vendor, kernel=kernel)
    for vendor, spec in (startup.get("interfaces") or {}).items():
        if vendor not in cfg.interfaces:
            raise ValueError(f"startup.interfaces.{vendor}: not in the device's interfaces table")
        intf = cfg.interfaces[vendor]
        intf.description = spec.get("description", "")
        intf.shutdown = bool(spec.get("shutdown", False))
        for key in ("ipv4",):
            if spec.get(key):
                intf.ipv4 = [str(ipaddress.IPv4Interface(spec[key]))]
        if spec.get("ipv6"):
            values = spec["ipv6"] if isinstance(spec["ipv6"], list) else [spec["ipv6"]]
            intf.ipv6 = [str(ipaddress.IPv6Interface(v)) for v in values]
            intf.ipv6_enabled = True
            cfg.ipv6_global = True
    for route in startup.get("static_routes_v4") or []:
        cfg.routes.append(StaticRoute(str(ipaddress.IPv4Network(route["prefix"], strict=False)), route["nexthop"]))
    for route in startup.get("static_routes_v6") or []:
        cfg.routes.append(StaticRoute(str(ipaddress.IPv6Network(route["prefix"], strict=False)), route["nexthop"]))
    users = startup.get("users") or []
    if isinstance(users, dict):
        users = [{"name": k, **(v if isinstance(v, dict) else {"password": v})} for k, v in users.items()]
    for user in users:
        cfg.users[user["name"]] = LocalUser(
            name=user["name"],
            password=user.get("password", ""),
            privilege=int(user.get("privilege", 15)),
            service=user.get("service", "ssh"),
        )
    snmp = startup.get("snmp") or []
    if isinstance(snmp, dict):
        snmp = _snmp_lines(snmp)
    cfg.snmp = [str(line) for line in snmp]
    cfg.vpn_tables = {str(k): int(v) for k, v in (startup.get("vpn_tables") or {}).items()}
    if startup.get("ospf"):
        _startup_ospf(cfg, startup["ospf"])
    return cfg


def _startup_ospf(cfg: DeviceConfig, spec: dict[str, Any]) -> None:
    """The ``startup.ospf`` block (lab/topology.py: the SoT's plan): one process, its areas' networks,
    silent segments, and each OSPF interface's cost, network type, timers and MD5 key."""
    proc = OspfProcess(process=int(spec["process"]), router_id=str(spec["router_id"]))
    for item in spec.get("interfaces", []):
        name = item["interface"]
        if name not in cfg.interfaces:
            raise ValueError(f"startup.ospf.interfaces: {name} not in the device's interfaces table")
        net = ipaddress.IPv4Interface(item["ipv4"]).network
        area = proc.areas.setdefault(item["area"], OspfArea(item["area"]))
        area.networks.append(f"{net.network_address} {ipaddress.IPv4Address(int(net.hostmask))}")
        if item.get("passive"):
            if not cfg.interfaces[name].is_loopback:  # a loopback sends no hellos anyway
                proc.silent.append(name)
            continue
        cfg.interfaces[name].ospf = OspfInterface(
            cost=int(item.get("cost", 0)), p2p=bool(item.get("p2p", False)), hello=int(spec.get("hello", 0)),
            dead=int(spec.get("dead", 0)), conservative=bool(spec.get("conservative", False)),
            md5_key_id=1 if spec.get("md5_key") else 0,
            md5_key=str(spec.get("md5_key", "")))
    cfg.ospf[proc.process] = proc


def _snmp_lines(snmp: dict[str, Any]) -> list[str]:
    """A small structured SNMP block turned into agent lines (communities, location, contact)."""
    lines = []
    for community in snmp.get("communities", []):
        lines.append(f"snmp-agent community read {community}")
    if snmp.get("location"):
        lines.append(f"snmp-agent sys-info location {snmp['location']}")
    if snmp.get("contact"):
        lines.append(f"snmp-agent sys-info contact {snmp['contact']}")
    lines.extend(snmp.get("lines", []))
    return lines
