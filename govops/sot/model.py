"""The typed source-of-truth model: what every other part of govops reads.

Addresses are ipaddress objects; names are the inventory's own. Derived views
(Ansible, Prometheus targets, Pulumi tenants, the lab) never add facts here.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

PLATFORMS = ("huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros")
ROLES = ("core", "aggregation", "access")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteKind(StrEnum):
    city = "city"
    county = "county"
    township = "township"


class Site(Strict):
    id: str
    name: str
    kind: SiteKind
    parent: str | None = None
    name_en: str | None = None
    sample: bool = False  # a made-up name standing in for a real township


class CityBlocks(Strict):
    management: ipaddress.IPv4Network
    loopbacks: ipaddress.IPv4Network
    links: ipaddress.IPv4Network
    segments: ipaddress.IPv4Network


class City(Strict):
    id: str
    name: str
    ipv4_blocks: CityBlocks
    ipv6_allocation: ipaddress.IPv6Network


class Segment(Strict):
    """A routed LAN behind a device interface: a /24 now, a /64 after the upgrade."""

    interface: str
    name: str
    ipv4: ipaddress.IPv4Interface


class Snmp(Strict):
    community: str
    v3_user: str
    v3_auth_key: str
    v3_priv_key: str


class Device(Strict):
    name: str
    platform: str
    model: str
    role: str
    site: str
    mgmt_ipv4: ipaddress.IPv4Address
    loopback_ipv4: ipaddress.IPv4Address
    os_version: str
    segments: tuple[Segment, ...] = ()
    username: str = ""
    password: str = Field(default="", repr=False)
    snmp: Snmp | None = Field(default=None, repr=False)
    # OSPF: the router id is the loopback and the area is the county's unless the inventory says otherwise.
    ospf_router_id: ipaddress.IPv4Address | None = None
    ospf_area: ipaddress.IPv4Address | None = None
    ospf_auth_key: str = Field(default="", repr=False)  # from the vault; MD5 authentication on every OSPF link

    @property
    def router_id(self) -> ipaddress.IPv4Address:
        return self.ospf_router_id or self.loopback_ipv4


class Uplink(Strict):
    device: str
    interface: str
    ipv4: ipaddress.IPv4Interface


class Host(Strict):
    """A Linux server: department server, cloud-centre server or boundary firewall."""

    name: str
    host_role: str
    mgmt_ipv4: ipaddress.IPv4Address
    site: str | None = None
    centre: str | None = None
    department: str | None = None
    uplink: Uplink | None = None
    username: str = "root"


class Endpoint(Strict):
    device: str
    interface: str

    def __str__(self) -> str:
        return f"{self.device}:{self.interface}"


class Link(Strict):
    a: Endpoint
    b: Endpoint
    ipv4: ipaddress.IPv4Network
    cost: int | None = Field(default=None, ge=1, le=65535)  # OSPF cost on both ends; None: routing.ospf.cost

    @property
    def key(self) -> str:
        """Stable identity of a link, used as the key of its IPv6 allocation."""
        return f"{self.a}--{self.b}"

    def addresses(self) -> tuple[ipaddress.IPv4Interface, ipaddress.IPv4Interface]:
        hosts = list(self.ipv4.hosts()) if self.ipv4.prefixlen < 31 else list(self.ipv4)
        n = self.ipv4.prefixlen
        return ipaddress.IPv4Interface(f"{hosts[0]}/{n}"), ipaddress.IPv4Interface(f"{hosts[1]}/{n}")


class CentreRole(StrEnum):
    production = "production"
    same_city_dr = "same_city_dr"
    remote_dr = "remote_dr"


class Capacity(Strict):
    vcpu: int
    ram_gb: int
    storage_tb: int


class Arch(StrEnum):
    """CPU architectures of the xinchuang cloud's compute pools (Kunpeng: aarch64; Hygon: x86_64)."""

    x86_64 = "x86_64"
    aarch64 = "aarch64"


class ComputePool(Strict):
    """One architecture's hypervisors in a centre: a Nova host aggregate and its flavors."""

    arch: Arch
    cpu: str                          # what the hosts run, e.g. "Kunpeng 920", "Hygon C86 7285"
    hosts: tuple[str, ...] = ()       # hypervisor host names; the aggregate is managed with exactly these


class Centre(Strict):
    id: str
    name: str
    site: str
    role: CentreRole
    capacity: Capacity
    name_en: str | None = None
    pools: tuple[ComputePool, ...] = Field(default=(ComputePool(arch=Arch.x86_64, cpu="x86_64"),), min_length=1)

    @property
    def archs(self) -> tuple[Arch, ...]:
        return tuple(dict.fromkeys(p.arch for p in self.pools))


class Department(Strict):
    id: str
    name: str
    name_en: str
    downtime_window: str = "Sat 22:00-Sun 06:00"


class Classification(StrEnum):
    non_classified = "non_classified"
    classified = "classified"  # 涉密: never on the cloud


class Location(StrEnum):
    on_prem = "on_prem"
    cloud = "cloud"


class System(Strict):
    id: str
    name: str
    department: str
    classification: Classification
    dr_tier: int = Field(ge=1, le=6)
    location: Location
    target: Location
    status: str
    complexity: int = Field(ge=1, le=5)
    data_gb: int = Field(ge=0)
    size: str = "medium"
    depends_on: tuple[str, ...] = ()
    ports: tuple[int, ...] = (443,)
    owner: str = ""
    website: str | None = None
    name_en: str | None = None
    # Architectures the system's software runs on, in order of preference; `runs_on` is where it
    # runs today. Landing on another architecture means rebuilding it (replatform/refactor).
    arch: tuple[Arch, ...] = Field(default=(Arch.x86_64,), min_length=1)
    runs_on: Arch = Arch.x86_64
    os: str | None = None             # cloud image family; None: the stack's default image


class VpnSpec(Strict):
    """The VPN instance a private network becomes on the extranet devices."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,30}$")
    rd: str = Field(pattern=r"^(\d{1,10}|\d{1,3}(\.\d{1,3}){3}):\d{1,10}$")  # ASN:nn or IPv4:nn
    table: int = Field(ge=1000, le=4095)  # kernel table in the lab twin; unique per VPN


class PrivateSite(Strict):
    """One site of a department's private network, on a device interface (the gateway addresses)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,11}$")
    device: str
    interface: str
    ipv4: ipaddress.IPv4Interface
    ipv6: ipaddress.IPv6Interface

    def endpoint_ipv4(self) -> ipaddress.IPv4Interface:
        """The site's own host in the lab: the address after the gateway."""
        return ipaddress.IPv4Interface(f"{self.ipv4.ip + 1}/{self.ipv4.network.prefixlen}")

    def endpoint_ipv6(self) -> ipaddress.IPv6Interface:
        return ipaddress.IPv6Interface(f"{self.ipv6.ip + 1}/{self.ipv6.network.prefixlen}")


class Transit(Strict):
    """The VPN's own interconnect between its two devices (VRF-lite: a dedicated port or sub-interface)."""

    a: Endpoint
    b: Endpoint
    ipv4: ipaddress.IPv4Network = Field(description="a /31")
    ipv6: ipaddress.IPv6Network = Field(description="a /127")

    def addresses(self) -> tuple[tuple[ipaddress.IPv4Interface, ipaddress.IPv6Interface], ...]:
        v4 = list(self.ipv4)
        v6 = list(self.ipv6)
        return tuple((ipaddress.IPv4Interface(f"{v4[i]}/{self.ipv4.prefixlen}"),
                      ipaddress.IPv6Interface(f"{v6[i]}/{self.ipv6.prefixlen}")) for i in (0, 1))


class PrivateNetwork(Strict):
    """A department's private network (业务专网) carried on the extranet as its own VPN instance."""

    department: str
    name: str
    vpn: VpnSpec
    sites: tuple[PrivateSite, ...]
    transit: Transit | None = None

    def devices(self) -> list[str]:
        """The devices the VPN instance lives on, in site order."""
        return list(dict.fromkeys(s.device for s in self.sites))


class OspfDesign(Strict):
    """The extranet's IGP: one OSPF process (and, after the IPv6 upgrade, one OSPFv3 process) per device."""

    process: int = Field(default=1, ge=1, le=65535)
    # County (or city) site id -> area. The city's core is the backbone: area 0.0.0.0.
    areas: dict[str, ipaddress.IPv4Address]
    cost: int = Field(default=10, ge=1, le=65535)   # interface cost where a link sets none
    hello: int = Field(default=1, ge=1, le=65535)   # seconds; dead must be a multiple the neighbours share
    dead: int = Field(default=4, ge=2, le=65535)


class Routing(Strict):
    ospf: OspfDesign | None = None


class Inventory(Strict):
    """One environment's source of truth, as loaded and validated from an inventory directory."""

    name: str
    path: Path
    city: City
    sites: dict[str, Site]
    devices: dict[str, Device]
    hosts: dict[str, Host]
    links: tuple[Link, ...]
    centres: dict[str, Centre]
    departments: dict[str, Department]
    systems: dict[str, System]
    groups: dict[str, tuple[str, ...]]  # Ansible group -> sorted host names (direct and inherited)
    private_networks: dict[str, PrivateNetwork] = {}  # department id -> its private network (optional)
    routing: Routing | None = None  # the IGP design (optional: without it every route is static)

    def links_of(self, device: str) -> list[tuple[Link, Endpoint, Endpoint]]:
        """(link, this end, far end) for every link of a device, in topology order."""
        out = []
        for link in self.links:
            if link.a.device == device:
                out.append((link, link.a, link.b))
            elif link.b.device == device:
                out.append((link, link.b, link.a))
        return out
