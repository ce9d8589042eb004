"""The device model: the one truth a twin renders as its configuration and applies to the kernel.

Plain dataclasses, deep-copied for the VRPv8 candidate, commit points and trial rollbacks, and
stored as JSON for ``save``. Vendor names are keys (``GigabitEthernet0/0/1``); the kernel name of
each interface comes from the lab's table and never changes.
"""

from __future__ import annotations

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

    @property
    def is_loopback(self) -> bool:
        return self.name.lower().startswith("loopback")


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
    table: int  # kernel routing table of the VRF device
    rd: str = ""
    description: str = ""
    ipv4_family: bool = False
    ipv6_family: bool = False


@dataclass
class Acl6:
    number: int
    rules: list[tuple[int, str]] = field(default_factory=list)  # (rule id, "permit ipv6 source ...")


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
    users: dict[str, LocalUser] = field(default_factory=dict)
    snmp: list[str] = field(default_factory=list)

    def copy(self) -> DeviceConfig:
        return copy.deepcopy(self)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceConfig:
        return cls(
            sysname=data["sysname"],
            interfaces={k: Interface(**v) for k, v in data.get("interfaces", {}).items()},
            ipv6_global=data.get("ipv6_global", False),
            routes=[StaticRoute(**r) for r in data.get("routes", [])],
            vpns={k: VpnInstance(**v) for k, v in data.get("vpns", {}).items()},
            acl6={
                int(k): Acl6(number=v["number"], rules=[(int(i), str(t)) for i, t in v["rules"]])
                for k, v in data.get("acl6", {}).items()
            },
            users={k: LocalUser(**v) for k, v in data.get("users", {}).items()},
            snmp=list(data.get("snmp", [])),
        )

    @classmethod
    def load(cls, path: Path) -> DeviceConfig:
        return cls.from_dict(json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json())
        tmp.replace(path)

    def next_vrf_table(self) -> int:
        return max((v.table for v in self.vpns.values()), default=1000) + 1

    def routes_in(self, family: int, vpn: str = "") -> list[StaticRoute]:
        return [r for r in self.routes if r.family == family and r.vpn == vpn]


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
    return cfg


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
