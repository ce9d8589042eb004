"""Pulumi components, one per real-world entity: a Centre, a department's Tenant, a catalogue System.

Every resource gets an explicit provider: the centre's admin provider for platform resources
(projects, quotas, RBAC, pools, flavors, volume types) and a project-scoped provider per tenant
for what lives inside the tenant (networks, instances, volumes), because pulumi_openstack
creates instances and volumes in the provider's project (they take no project argument).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_openstack as openstack
from pulumi import ResourceOptions

from govops.sot.model import Centre as CentreModel
from govops.sot.model import CentreRole

from . import dr
from .intent import SIZES, SystemIntent, TenantIntent, Transit, as_tags
from .ports import MANAGEMENT_PORTS, WEB_PORTS, protocols
from .settings import IMAGES, CentreAccess, centre_secret

ANYWHERE = {"IPv4": "0.0.0.0/0", "IPv6": "::/0"}
# Tenant IPv6: dhcpv6-stateful for both the RA and the address mode. Neutron's IPAM hands out the
# address, so the port record is the truth the boundary firewall, DNS and the MLPS asset register
# copy; with SLAAC, guests' privacy addresses (RFC 8981, on by default in Kylin/UOS) are dropped by
# port security. The router's RA sets the M flag and carries the default route (no DHCPv6 route option).
IPV6_RA_MODE = "dhcpv6-stateful"
IPV6_ADDRESS_MODE = "dhcpv6-stateful"


def volume_type_name(replicas: tuple[dr.Replication, ...]) -> str:
    return "replicated-" + "+".join(r.value.split("-")[0] for r in replicas) if replicas else "standard"


def _replication_specs(mode: str, peer: str) -> dict[str, str]:
    # Cinder convention: a replication-capable backend is selected by `replication_enabled`;
    # `replication_type` is read by the common drivers (Pure, PowerMax, Huawei OceanStor). The peer
    # is ours, for the operators and the policy; the backend pairing itself is storage configuration.
    return {"replication_enabled": "<is> True", "replication_type": f"<in> {mode}", "govops:replication_peer": peer}


@dataclass(frozen=True)
class CentreArgs:
    centre: CentreModel
    access: CentreAccess
    prefix: ipaddress.IPv6Network            # the centre's /48 from the IPv6 plan
    transit: Transit                         # the extranet segment the centre hangs off
    peers: dict[dr.Replication, str]         # replication -> peer centre id, from this centre's view
    tenant_ipv4_pool: str
    extranet_asn: int
    management: tuple[str, str]              # (IPv4, IPv6) prefixes ops manage from
    meta: dict[str, str]
    credentials: object = None               # the stack's secret `credentials` Output, or None (clouds.yaml)
    image_mirror: str = "https://mirror.cloud.xinyu.example/images"


def flavor_name(size: str, arch: str) -> str:
    return f"g.{size}.{arch}"


def provider_auth(access: CentreAccess, credentials, centre_id: str, admin: bool) -> dict:
    """Provider arguments for one centre. Secrets stay secret Outputs; none is ever a plain string.

    The admin provider may use an application credential; a tenant provider cannot (Keystone binds
    an application credential to the project it was made in), so it re-scopes the operator account
    by password (``tenant_id`` set by the caller)."""
    args: dict = {"auth_url": access.auth_url, "region": access.region, "cloud": access.cloud}
    if admin and access.application_credential_id:
        return args | {"application_credential_id": access.application_credential_id,
                       "application_credential_secret": centre_secret(credentials, centre_id,
                                                                      "application_credential_secret")}
    if access.user_name:
        args |= {"user_name": access.user_name, "user_domain_name": access.user_domain_name,
                 "password": centre_secret(credentials, centre_id, "password")}
        if admin and access.project_name:
            args |= {"tenant_name": access.project_name, "project_domain_name": access.project_domain_name}
    return args


# Tenants and Systems used to sit at the stack root; now under their Centre. The alias keeps their
# URNs (and every child's) so a `pulumi up` after the move changes nothing.
WAS_AT_ROOT = [pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]


class Centre(pulumi.ComponentResource):
    """One cloud centre: provider, extranet uplink, address scope and pools, BGP, shared services,
    flavors and volume types."""

    def __init__(self, args: CentreArgs, opts: ResourceOptions | None = None):
        cid = args.centre.id
        super().__init__("govops:cloud:Centre", cid, None, opts)
        self.id = cid
        self.access = args.access
        tags = as_tags(args.meta)
        self.credentials = args.credentials
        self.provider = openstack.Provider(cid, **provider_auth(args.access, args.credentials, cid, admin=True),
                                           opts=ResourceOptions(parent=self))
        admin = ResourceOptions(parent=self, provider=self.provider)
        net = openstack.networking

        # The extranet segment is the external network; IPv6 is routed (one address scope with the
        # tenant pool, announced by BGP), IPv4 leaves through the routers' SNAT.
        self.extranet = net.Network(f"{cid}-extranet", name="extranet", external=True, tags=tags,
                                    description=f"e-government extranet via {args.transit.device}",
                                    segments=[{"network_type": "vlan", "physical_network": "extranet"}], opts=admin)
        self.scope = net.AddressScope(f"{cid}-scope-v6", name=f"{cid}-v6", ip_version=6, shared=True, opts=admin)
        transit_pool = net.SubnetPool(f"{cid}-pool-v6-transit", name=f"{cid}-transit-v6", ip_version=6,
                                      prefixes=[str(args.transit.ipv6)], address_scope_id=self.scope.id,
                                      default_prefixlen=64, tags=tags, opts=admin)
        self.pool_v6 = net.SubnetPool(f"{cid}-pool-v6", name=f"{cid}-v6", ip_version=6, prefixes=[str(args.prefix)],
                                      address_scope_id=self.scope.id, default_prefixlen=64, min_prefixlen=64,
                                      max_prefixlen=64, shared=True, tags=tags, opts=admin)
        self.pool_v4 = net.SubnetPool(f"{cid}-pool-v4", name=f"{cid}-v4", ip_version=4,
                                      prefixes=[args.tenant_ipv4_pool], default_prefixlen=24, shared=True,
                                      tags=tags, opts=admin)
        net.Subnet(f"{cid}-extranet-v4", name="extranet-v4", network_id=self.extranet.id, ip_version=4,
                   cidr=str(args.transit.ipv4.network), gateway_ip=str(args.transit.ipv4.ip), enable_dhcp=False,
                   tags=tags, opts=admin)
        net.Subnet(f"{cid}-extranet-v6", name="extranet-v6", network_id=self.extranet.id, ip_version=6,
                   cidr=str(args.transit.ipv6), subnetpool_id=transit_pool.id,
                   gateway_ip=str(args.transit.ipv6.network_address + 1), enable_dhcp=False, tags=tags, opts=admin)
        # neutron-dynamic-routing: announce tenant /64s of the scope to the extranet core.
        peer = net.BgpPeerV2(f"{cid}-bgp-core", name=f"{args.transit.device}", peer_ip=str(args.transit.peer_ipv6.ip),
                             remote_as=args.extranet_asn, opts=admin)
        net.BgpSpeakerV2(f"{cid}-bgp", name=f"{cid}-v6", local_as=args.access.local_asn, ip_version=6,
                         advertise_tenant_networks=True, advertise_floating_ip_host_routes=False,
                         networks=[self.extranet.id], peers=[peer.id], opts=admin)

        # Who operates tenants: the provider's own user gets the member role on each tenant project.
        invoke = pulumi.InvokeOutputOptions(provider=self.provider, parent=self)
        self.operator_user_id = openstack.identity.get_auth_scope_output(name=cid, opts=invoke).user_id
        self.member_role_id = openstack.identity.get_role_output(name="member", opts=invoke).id

        # Shared services: bastion and monitoring projects; the services network is shared by RBAC.
        self.bastion = openstack.identity.Project(f"{cid}-bastion", name=f"{cid}-bastion", tags=tags,
                                                  description="bastion hosts (堡垒机) for tenant administration",
                                                  opts=admin)
        self.monitoring = openstack.identity.Project(f"{cid}-monitoring", name=f"{cid}-monitoring", tags=tags,
                                                     description="Prometheus, exporters, log forwarders", opts=admin)
        self.services = DualStackNetwork(f"{cid}-services", self, self.monitoring.id, tags, admin)
        bastion_sg = net.SecGroup(f"{cid}-bastion-ssh", name="bastion-ssh", delete_default_rules=True,
                                  tenant_id=self.bastion.id, tags=tags, opts=admin)
        for ethertype, prefix in zip(("IPv4", "IPv6"), args.management, strict=True):
            net.SecGroupRule(f"{cid}-bastion-ssh-{ethertype.lower()}", security_group_id=bastion_sg.id,
                             direction="ingress", ethertype=ethertype, protocol="tcp", port_range_min=22,
                             port_range_max=22, remote_ip_prefix=prefix, tenant_id=self.bastion.id, opts=admin)

        # One host aggregate per architecture pool; flavors and images are tied to it, so an instance
        # lands on the pool its flavor names (AggregateInstanceExtraSpecsFilter) and its image's
        # hw_architecture allows (ImagePropertiesFilter) - nova scheduler documentation.
        self.aggregates = {p.arch: openstack.compute.AggregateV2(
            f"{cid}-{p.arch}", name=f"{cid}-{p.arch}", hosts=list(p.hosts), metadata={"arch": str(p.arch), "cpu": p.cpu},
            opts=admin) for p in args.centre.pools}
        self.flavors = {(s.name, arch): openstack.compute.Flavor(
            f"{cid}-{s.name}-{arch}", name=flavor_name(s.name, arch), vcpus=s.vcpus, ram=s.ram_gb * 1024,
            disk=s.disk_gb, is_public=True, extra_specs={"aggregate_instance_extra_specs:arch": str(arch)}, opts=admin)
            for arch in args.centre.archs for s in SIZES.values()}
        self.images = {(family, arch): openstack.images.Image(
            f"{cid}-{family}-{arch}", name=f"{family}-{arch}", container_format="bare", disk_format="qcow2",
            image_source_url=f"{args.image_mirror}/{family}-{arch}.qcow2", web_download=True, visibility="public",
            properties={"hw_architecture": str(arch), **props}, tags=tags, opts=admin)
            for arch in args.centre.archs for family, props in IMAGES.items()}
        types = {"standard": {"replication_enabled": "<is> False"}}
        for repl, peer_id in args.peers.items():
            types[volume_type_name((repl,))] = _replication_specs(repl.value.split("-")[0], peer_id)
        if args.centre.role == CentreRole.production:
            both = tuple(args.peers)
            types[volume_type_name(both)] = {"replication_enabled": "<is> True", "replication_type": "<in> sync",
                                             "govops:replication_peer": ",".join(args.peers[r] for r in both)}
        self.volume_types = {name: openstack.blockstorage.VolumeTypeV3(
            f"{cid}-vt-{name}", name=name, extra_specs=specs, is_public=True, opts=admin) for name, specs in types.items()}
        self.register_outputs({"extranet": self.extranet.id, "pool_v6": self.pool_v6.id})

    def exports(self) -> dict:
        """What tenant stacks build on (read back through StackReference by :class:`CentreRef`)."""
        return {"extranet": self.extranet.id, "services_network": self.services.network.id,
                "pool_v4": self.pool_v4.id, "pool_v6": self.pool_v6.id,
                "operator_user_id": self.operator_user_id, "member_role_id": self.member_role_id,
                "flavors": {f"{size}.{arch}": f.id for (size, arch), f in self.flavors.items()},
                "images": {f"{family}.{arch}": i.id for (family, arch), i in self.images.items()}}


@dataclass(frozen=True)
class _Ref:
    """Something of the platform stack seen from a tenant stack: only its id."""

    id: object


class CentreRef(pulumi.ComponentResource):
    """A centre as a tenant stack sees it: its platform stack's outputs and its own admin provider.

    Same type token and name as :class:`Centre`, so a Tenant or System keeps the same URN whether it
    is declared in the environment's single stack or in its department's stack (`pulumi state move`
    between them keeps every URN)."""

    def __init__(self, centre: CentreModel, access: CentreAccess, reference: str, credentials=None,
                 opts: ResourceOptions | None = None):
        cid = centre.id
        super().__init__("govops:cloud:Centre", cid, None, opts)
        self.id, self.access, self.credentials = cid, access, credentials
        ref = pulumi.StackReference(f"{cid}-platform", stack_name=reference, opts=ResourceOptions(parent=self))
        out = ref.get_output
        self.provider = openstack.Provider(cid, **provider_auth(access, credentials, cid, admin=True),
                                           opts=ResourceOptions(parent=self))
        self.extranet = _Ref(out("extranet"))
        self.services = type("Services", (), {"network": _Ref(out("services_network"))})()
        self.pool_v4, self.pool_v6 = _Ref(out("pool_v4")), _Ref(out("pool_v6"))
        self.operator_user_id, self.member_role_id = out("operator_user_id"), out("member_role_id")
        flavors, images = out("flavors"), out("images")
        self.flavors = {(size, arch): _Ref(flavors.apply(lambda f, k=f"{size}.{arch}": f[k]))
                        for arch in centre.archs for size in SIZES}
        self.images = {(family, arch): _Ref(images.apply(lambda i, k=f"{family}.{arch}": i[k]))
                       for arch in centre.archs for family in IMAGES}
        self.register_outputs({})


class DualStackNetwork:
    """A network with an IPv4 and an IPv6 subnet from the centre's pools and a router to the extranet.
    Not a component of its own: it is part of a Tenant (or of a centre's shared services)."""

    def __init__(self, name: str, centre: Centre, tenant_id, tags: list[str], opts: ResourceOptions):
        net = openstack.networking
        scoped = {"tenant_id": tenant_id} if tenant_id is not None else {}
        self.network = net.Network(f"{name}-net", name=f"{name}-net", tags=tags, **scoped, opts=opts)
        self.subnet_v4 = net.Subnet(f"{name}-net-v4", name=f"{name}-net-v4", network_id=self.network.id,
                                    ip_version=4, subnetpool_id=centre.pool_v4.id, prefix_length=24, tags=tags,
                                    **scoped, opts=opts)
        self.subnet_v6 = net.Subnet(f"{name}-net-v6", name=f"{name}-net-v6", network_id=self.network.id,
                                    ip_version=6, subnetpool_id=centre.pool_v6.id, prefix_length=64,
                                    ipv6_ra_mode=IPV6_RA_MODE, ipv6_address_mode=IPV6_ADDRESS_MODE, tags=tags,
                                    **scoped, opts=opts)
        self.router = net.Router(f"{name}-router", name=f"{name}-router", external_network_id=centre.extranet.id,
                                 enable_snat=True, tags=tags, **scoped, opts=opts)
        for v, subnet in (("v4", self.subnet_v4), ("v6", self.subnet_v6)):
            net.RouterInterface(f"{name}-router-{v}", router_id=self.router.id, subnet_id=subnet.id, opts=opts)


@dataclass(frozen=True)
class TenantArgs:
    intent: TenantIntent
    meta: dict[str, str]


class Tenant(pulumi.ComponentResource):
    """A department's project in one centre: quotas, its own provider, a dual-stack network, default deny."""

    def __init__(self, args: TenantArgs, centre: Centre, opts: ResourceOptions | None = None):
        t = args.intent
        name = f"{centre.id}-{t.department.id}"
        super().__init__("govops:cloud:Tenant", name, None,
                         ResourceOptions.merge(ResourceOptions(parent=centre, aliases=WAS_AT_ROOT), opts))
        self.centre = centre
        tags = as_tags(args.meta)
        admin = ResourceOptions(parent=self, provider=centre.provider)
        self.project = openstack.identity.Project(name, name=name, description=t.department.name, tags=tags,
                                                  opts=admin)
        grant = openstack.identity.RoleAssignment(f"{name}-operator", project_id=self.project.id,
                                                  user_id=centre.operator_user_id, role_id=centre.member_role_id,
                                                  opts=admin)
        q = t.quota()
        openstack.compute.QuotaSetV2(f"{name}-compute", project_id=self.project.id, cores=q["cores"],
                                     ram=q["ram_gb"] * 1024, instances=q["instances"],
                                     server_groups=max(10, len(t.systems) + len(t.replicas)),
                                     server_group_members=10, opts=admin)
        openstack.networking.QuotaV2(f"{name}-network", project_id=self.project.id, network=4, subnet=8, router=2,
                                     port=max(50, q["instances"] * 2), security_group=max(10, q["volumes"] + 2),
                                     security_group_rule=200, rbac_policy=10, floatingip=0, opts=admin)
        openstack.blockstorage.QuoteSetV3(f"{name}-blockstorage", project_id=self.project.id, volumes=q["volumes"],
                                          gigabytes=q["gigabytes"], snapshots=q["volumes"] * 2,
                                          backups=q["volumes"] * 7, backup_gigabytes=q["gigabytes"] * 2, opts=admin)
        # Tenants reach the extranet and the centre's shared services by RBAC, not by global sharing.
        for svc, action, obj in (("extranet", "access_as_external", centre.extranet),
                                 ("services", "access_as_shared", centre.services.network)):
            openstack.networking.RbacPolicyV2(f"{name}-rbac-{svc}", action=action, object_type="network",
                                              object_id=obj.id, target_tenant=self.project.id, opts=admin)
        self.provider = openstack.Provider(f"{centre.id}.{t.department.id}",
                                           **provider_auth(centre.access, centre.credentials, centre.id, admin=False),
                                           tenant_id=self.project.id, opts=ResourceOptions(parent=self))
        inside = ResourceOptions(parent=self, provider=self.provider, depends_on=[grant])
        self.net = DualStackNetwork(name, centre, None, tags, inside)
        # No rules at all: Neutron denies what no rule allows, ingress and egress alike.
        openstack.networking.SecGroup(f"{name}-default-deny", name="default-deny", delete_default_rules=True,
                                      description="no rules: denies everything; systems add their own groups",
                                      tags=tags, opts=inside)
        self.register_outputs({"project": self.project.id})


@dataclass(frozen=True)
class Sources:
    """Where traffic may come from: the city extranet, ops management, the Internet (websites only)."""

    city_v4: str
    city_v6: str
    mgmt_v4: str
    mgmt_v6: str


@dataclass(frozen=True)
class SystemArgs:
    intent: SystemIntent
    meta: dict[str, str]
    image: str
    sources: Sources


class System(pulumi.ComponentResource):
    """A catalogue system on the cloud: instances in production, its data volume and its DR replicas."""

    def __init__(self, args: SystemArgs, tenants: dict[str, Tenant], production: str,
                 opts: ResourceOptions | None = None):
        s = args.intent
        sid = s.system.id
        if s.system.classification.value != "non_classified":
            raise ValueError(f"system {sid!r} is classified (涉密) and is refused by the cloud program")
        home = tenants[production]
        super().__init__("govops:cloud:System", sid, None,
                         ResourceOptions.merge(ResourceOptions(parent=home.centre, aliases=WAS_AT_ROOT), opts))
        opts_in = ResourceOptions(parent=self, provider=home.provider)
        tags = as_tags(args.meta)
        net = openstack.networking
        sg = net.SecGroup(f"{sid}-sg", name=sid, delete_default_rules=True, tags=tags,
                          description=f"{s.system.name}: declared ports {list(s.system.ports)}", opts=opts_in)
        for ethertype, protocol, port, prefix in self.ingress(args):
            net.SecGroupRule(f"{sid}-in-{protocol}{port}-{ethertype.lower()}", security_group_id=sg.id,
                             direction="ingress", ethertype=ethertype, protocol=protocol, port_range_min=port,
                             port_range_max=port, remote_ip_prefix=prefix, opts=opts_in)
        for ethertype in ("IPv4", "IPv6"):
            net.SecGroupRule(f"{sid}-peers-{ethertype.lower()}", security_group_id=sg.id, direction="ingress",
                             ethertype=ethertype, remote_group_id=sg.id, opts=opts_in)
            net.SecGroupRule(f"{sid}-out-{ethertype.lower()}", security_group_id=sg.id, direction="egress",
                             ethertype=ethertype,
                             remote_ip_prefix=args.sources.city_v4 if ethertype == "IPv4" else args.sources.city_v6,
                             opts=opts_in)
        group = None
        if s.size.instances > 1:
            group = openstack.compute.ServerGroup(f"{sid}-anti-affinity", name=sid, policies="anti-affinity",
                                                  opts=opts_in)
        flavor = home.centre.flavors[(s.size.name, s.arch)]
        image = home.centre.images[(s.system.os or args.image, s.arch)]
        placed = {"arch": str(s.arch), "arch_supported": ",".join(s.system.arch)}
        self.instances = []
        for k in range(s.size.instances):
            # A port with both fixed IPs, then the instance on the port: Instance(networks=[fixed_ip_v6])
            # is unreliable (terraform-provider-openstack #732, #1546).
            port = net.Port(f"{sid}-{k}-port", name=f"{sid}-{k}", network_id=home.net.network.id,
                            fixed_ips=[{"subnet_id": home.net.subnet_v4.id}, {"subnet_id": home.net.subnet_v6.id}],
                            security_group_ids=[sg.id], tags=tags, opts=opts_in)
            self.instances.append(openstack.compute.Instance(
                f"{sid}-{k}", name=f"{sid}-{k}", flavor_id=flavor.id, image_id=image.id,
                networks=[{"port": port.id}], scheduler_hints=[{"group": group.id}] if group else None,
                # config drive: cloud-init reads its metadata without an egress rule to 169.254.169.254
                config_drive=True, metadata={**args.meta, **placed}, tags=tags, opts=opts_in))
        # The promise from govops/cloud/dr.py, as text and as seconds (what drills and the DR exporter check).
        dr_meta = {"system": sid, "dr_mode": s.tier.mode, "rpo": s.tier.rpo, "rto": s.tier.rto, "backup": s.tier.backup,
                   "rpo_seconds": f"{s.tier.rpo_s:g}", "rto_seconds": f"{s.tier.rto_s:g}"}
        self.volume = openstack.blockstorage.Volume(
            f"{sid}-data", name=f"{sid}-data", size=s.volume_gb, volume_type=volume_type_name(s.tier.replicas),
            metadata={**args.meta, **dr_meta, "role": "primary"}, opts=opts_in)
        openstack.compute.VolumeAttach(f"{sid}-data-attach", instance_id=self.instances[0].id,
                                       volume_id=self.volume.id, opts=opts_in)
        # pulumi_openstack has no replication resource: a replica is a volume of the replication type
        # in the DR centre's tenant, named and tagged for the storage pairing and the failover runbook.
        for centre_id, repl in s.replicas:
            tenant = tenants[centre_id]
            openstack.blockstorage.Volume(
                f"{sid}-replica-{centre_id}", name=f"{sid}-replica", size=s.volume_gb,
                volume_type=volume_type_name((repl,)),
                metadata={**args.meta, **dr_meta, "role": "replica", "replica_of": sid, "replication": repl.value,
                          "rpo_seconds": f"{s.tier.rpo_seconds(repl):g}",  # this replica's own promise
                          "primary_centre": production,
                          # the pool it fails over to in that centre (a rebuild if not supported)
                          "arch": str(s.failover_arch[centre_id]), "arch_supported": placed["arch_supported"]},
                opts=ResourceOptions(parent=self, provider=tenant.provider))
        self.register_outputs({})

    @staticmethod
    def ingress(args: SystemArgs) -> list[tuple[str, str, int, str]]:
        """(ethertype, protocol, port, source) per declared port: management ports only from the ops
        management prefixes; web ports from anywhere when the system has a website; the rest from the city."""
        src = args.sources
        out = []
        for port in sorted(set(args.intent.system.ports)):
            if port in MANAGEMENT_PORTS:
                pair = (src.mgmt_v4, src.mgmt_v6)
            elif port in WEB_PORTS and args.intent.system.website:
                pair = (ANYWHERE["IPv4"], ANYWHERE["IPv6"])
            else:
                pair = (src.city_v4, src.city_v6)
            for protocol in protocols(port):
                out += [("IPv4", protocol, port, pair[0]), ("IPv6", protocol, port, pair[1])]
        return out
