"""A department's private network (业务专网) moved onto the extranet as its own VPN instance.

Python computes *what* each device needs from the SoT's ``private_networks`` (the VPN instance,
its site and transit ports, static routes in the VPN toward the other device's sites); one
Jinja2 template per platform (``templates/<platform>/private_network.j2``) says how the vendor
writes it. The per-device transaction is network.transaction's (the engine the IPv6 upgrade uses too):
lock, precheck and backup, push (VRPv8 commit trial, Comware commit delay), the after-push hook,
verify, confirm and save or roll back to the original backup, journal and resume; this module
holds only the two intents: the migration (``VpnMigration``: what to render, how to check it with
pings inside the VPN instance and the public table untouched) and its planned back-out
(``VpnRemoval``, whose ``TakeBlocksOut`` diff takes the lines out instead of adding them).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from govops import vendors
from govops.sot import Inventory, Problem
from govops.sot.model import PrivateNetwork
from govops.vendors import Vendor
from network import config as cfgtext
from network import platforms, render, transaction

TEMPLATE = "private_network.j2"
MIGRATED, ALREADY, REMOVED, NOTHING = "migrated", "already_migrated", "removed", "nothing_to_remove"


@dataclass(frozen=True)
class Port:
    interface: str
    ipv4: ipaddress.IPv4Interface
    ipv6: ipaddress.IPv6Interface
    description: str
    kind: str  # site, transit


@dataclass(frozen=True)
class VpnRoute:
    prefix: ipaddress.IPv4Network | ipaddress.IPv6Network
    nexthop: ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class VpnIntent:
    device: str
    platform: str
    department: str
    net: PrivateNetwork
    ports: list[Port]
    routes: list[VpnRoute]
    text: str = ""
    blocks: list[cfgtext.Block] = field(default_factory=list)

    def probes(self, done: set[str]) -> list[tuple[str, str]]:
        """(label, address) to ping inside the VPN: this device's site hosts, and once the far
        device is migrated too, its transit end and its site hosts."""
        out = []
        for site in self.net.sites:
            if site.device == self.device or site.device in done:
                out += [(f"site {site.name} host", str(site.endpoint_ipv4().ip)),
                        (f"site {site.name} host", str(site.endpoint_ipv6().ip))]
        t = self.net.transit
        if t is not None:
            far = t.b if t.a.device == self.device else t.a
            if far.device in done:
                v4, v6 = t.addresses()[1 if far is t.b else 0]
                out += [(f"transit {far}", str(v4.ip)), (f"transit {far}", str(v6.ip))]
        return out


def network_of(inv: Inventory, department: str) -> PrivateNetwork:
    net = inv.private_networks.get(department)
    if net is None:
        known = ", ".join(sorted(inv.private_networks)) or "none"
        raise render.RenderError([Problem(str(inv.path / "group_vars" / "all"), "private_networks",
                                          f"no private network for department {department!r} (have: {known})")])
    return net


def check_renderable(inv: Inventory, net: PrivateNetwork) -> None:
    problems = []
    for name in net.devices():
        platform = inv.devices[name].platform
        if not (render.TEMPLATES / platform / TEMPLATE).exists():
            problems.append(Problem(str(inv.path / "hosts.yml"), f"{name}.platform",
                                    f"no {TEMPLATE} template for platform {platform!r} (private network "
                                    f"{net.department}); have: {', '.join(_platforms_with_template())}"))
    if problems:
        raise render.RenderError(problems)


def _platforms_with_template() -> list[str]:
    return sorted(p.name for p in render.TEMPLATES.iterdir() if (p / TEMPLATE).exists())


def build_intent(inv: Inventory, department: str, device: str) -> VpnIntent:
    net = network_of(inv, department)
    check_renderable(inv, net)
    dev = inv.devices[device]
    ports = [Port(s.interface, s.ipv4, s.ipv6, f"{net.vpn.name} site {s.name}", "site")
             for s in net.sites if s.device == device]
    routes: list[VpnRoute] = []
    t = net.transit
    if t is not None and device in (t.a.device, t.b.device):
        mine, far = (0, 1) if t.a.device == device else (1, 0)
        addrs = t.addresses()
        far_end = t.b if mine == 0 else t.a
        ports.append(Port((t.a if mine == 0 else t.b).interface, *addrs[mine], f"{net.vpn.name} transit to {far_end}",
                          "transit"))
        for site in net.sites:
            if site.device != device:
                routes += [VpnRoute(site.ipv4.network, addrs[far][0].ip), VpnRoute(site.ipv6.network, addrs[far][1].ip)]
    intent = VpnIntent(device, dev.platform, department, net, ports, routes)
    context = {"vpn": net.vpn, "description": f"govops private network {department}", "ports": ports,
               "routes4": [r for r in routes if r.prefix.version == 4],
               "routes6": [r for r in routes if r.prefix.version == 6]}
    intent.text = render.render_template(dev.platform, TEMPLATE, context)
    intent.blocks = cfgtext.parse(intent.text, vendors.get(dev.platform))
    return intent


def render_network(inv: Inventory, department: str) -> dict[str, VpnIntent]:
    """Every device's intent for one department, core first; bad input raises before anything renders."""
    net = network_of(inv, department)
    order = sorted(net.devices(), key=lambda n: render.tier_of(inv.devices[n]))
    return {n: build_intent(inv, department, n) for n in order}


# ---- the intent's own checks (the transaction is network.transaction's) --------------------
def precheck_problems(intent: VpnIntent, running: list[cfgtext.Block], brief: str) -> list[str]:
    """Refuse before anything is pushed: a port that is missing or carries other configuration,
    a VPN instance of that name with another route distinguisher."""
    problems = []
    have = {cfgtext.normalise_line(b.header): b for b in running}
    states = platforms.interface_states(brief, vendors.get(intent.platform))
    for p in intent.ports:
        if cfgtext.canonical_interface(p.interface) not in states:
            problems.append(f"{p.interface}: no such interface on the device")
        block = have.get(cfgtext.normalise_line(f"interface {p.interface}"))
        wanted = {cfgtext.normalise_line(c) for b in intent.blocks if b.header == f"interface {p.interface}"
                  for c in b.children}
        foreign = [c for c in (block.children if block else []) if cfgtext.normalise_line(c) not in wanted
                   and c.split()[0] in ("ip", "ipv6")]
        if foreign:
            problems.append(f"{p.interface} already carries other configuration: {foreign[0]}")
    vpn = have.get(cfgtext.normalise_line(f"ip vpn-instance {intent.net.vpn.name}"))
    if vpn is not None:
        rds = {c.split()[-1] for c in vpn.children if c.startswith("route-distinguisher")}
        if rds - {intent.net.vpn.rd}:
            problems.append(f"VPN instance {intent.net.vpn.name} exists with route distinguisher "
                            f"{', '.join(sorted(rds))}, expected {intent.net.vpn.rd}")
    return problems


def vpn_ping(drv: platforms.Driver, vpn: str, addr: str) -> bool:
    """The vendor's own spelling (Huawei IPv6 has no dash: ``ping ipv6 vpn-instance``)."""
    return drv.vpn_ping(vpn, addr)


def verify(intent: VpnIntent, drv: platforms.Driver, done: set[str], baseline: transaction.Baseline) -> list[str]:
    failures = []
    missing = cfgtext.missing_lines(intent.blocks, cfgtext.parse(drv.running(), drv.vendor))
    if missing:
        failures.append(f"not in running config: {', '.join(missing[:3])}")
    states = platforms.interface_states(drv.ip_brief(), drv.vendor)
    for p in intent.ports:
        if not states.get(cfgtext.canonical_interface(p.interface), False):
            failures.append(f"{p.interface} not up in `ip interface brief`")
    for label, addr in intent.probes(done):
        if not vpn_ping(drv, intent.net.vpn.name, addr):
            failures.append(f"ping -vpn-instance {intent.net.vpn.name} {addr} ({label}) failed")
    public = platforms.ipv4_route_set(drv.ipv4_routes(), drv.vendor)
    leaked = sorted(str(s.ipv4.network) for s in intent.net.sites if str(s.ipv4.network) in public)
    if leaked:
        failures.append(f"VPN prefixes in the public routing table: {', '.join(leaked)}")
    return failures + [f.replace("IPv4 baseline", "public baseline") for f in baseline.lost(drv, states)]


@dataclass
class VpnMigration:
    """A department's VPN instance on one device (ChangeIntent for network.transaction).
    ``done``: devices of this network already migrated (their side answers in verify)."""

    inv: Inventory
    department: str
    done: set[str]
    success = MIGRATED
    already = ALREADY
    verified = "ports up, VPN pings answer, public table unchanged"

    @property
    def name(self) -> str:
        return self.department

    def render(self, device: str) -> VpnIntent:
        return build_intent(self.inv, self.department, device)

    def precheck(self, drv: platforms.Driver, rendered: VpnIntent, running: list[cfgtext.Block]) -> list[str]:
        return precheck_problems(rendered, running, drv.ip_brief())

    def verify(self, ctx: transaction.ChangeContext, drv: platforms.Driver, rendered: VpnIntent,
               baseline: transaction.Baseline) -> list[str]:
        return verify(rendered, drv, self.done, baseline)


def migrate_device(ctx: transaction.ChangeContext, department: str, name: str, done: set[str]) -> transaction.Outcome:
    """Bring one device to its part of the department's VPN, or leave it exactly as its original backup."""
    return transaction.apply_intent(ctx, VpnMigration(ctx.inv, department, done), name)


class TakeBlocksOut:
    """The back-out's diff (the engine's ``AddBlocks`` turned round): the lines of the network the
    device carries go, negated, in reverse order; the global ``ipv6`` switch and the interfaces
    themselves stay; a rollback puts back what was taken out."""

    @staticmethod
    def pending(rendered: VpnIntent, config: list[cfgtext.Block]) -> list[cfgtext.Block]:
        have = cfgtext.keyed(config)
        present = [cfgtext.Block(b.header, [c for c in b.children
                                            if (cfgtext.normalise_line(b.header), cfgtext.normalise_line(c)) in have])
                   for b in rendered.blocks if (cfgtext.normalise_line(b.header), "") in have]
        return [b for b in present if b.header != "ipv6" and (b.children or not b.header.startswith("interface "))]

    @staticmethod
    def commands(pending: list[cfgtext.Block], vendor: Vendor) -> list[str]:
        return cfgtext.to_commands(cfgtext.undo_of(pending, [], vendor), vendor)

    @staticmethod
    def undo(pending: list[cfgtext.Block], before: list[cfgtext.Block], vendor: Vendor) -> list[str]:
        return cfgtext.to_commands(pending, vendor)

    @classmethod
    def outstanding(cls, rendered: VpnIntent, config: list[cfgtext.Block]) -> list[str]:
        return [f"{b.header} / {c}" if c else b.header for b in cls.pending(rendered, config) for c in b.children or [""]]


@dataclass
class VpnRemoval:
    """The planned back-out of a department's VPN instance on one device (ChangeIntent for
    network.transaction, with the TakeBlocksOut diff): locked, backed up, journalled, verified,
    confirmed and saved, or rolled back, like every other change."""

    inv: Inventory
    department: str
    success = REMOVED
    already = NOTHING
    verified = "the network's lines are gone, public table unchanged"
    diff = TakeBlocksOut

    @property
    def name(self) -> str:
        return f"{self.department}-removal"

    def render(self, device: str) -> VpnIntent:
        return build_intent(self.inv, self.department, device)

    def precheck(self, drv: platforms.Driver, rendered: VpnIntent, running: list[cfgtext.Block]) -> list[str]:
        return []

    def verify(self, ctx: transaction.ChangeContext, drv: platforms.Driver, rendered: VpnIntent,
               baseline: transaction.Baseline) -> list[str]:
        left = TakeBlocksOut.outstanding(rendered, cfgtext.parse(drv.running(), drv.vendor))
        failures = [f"still in the running config: {', '.join(left[:3])}"] if left else []
        # The network's own ports lose their addresses with it (`ip interface brief`: protocol down);
        # every other interface and every public route must stay as it was.
        ours = {cfgtext.canonical_interface(p.interface) for p in rendered.ports}
        rest = transaction.Baseline({n: up for n, up in baseline.interfaces.items() if n not in ours}, baseline.routes)
        return failures + [f.replace("IPv4 baseline", "public baseline") for f in rest.lost(drv)]


def remove_device(ctx: transaction.ChangeContext, department: str, name: str) -> transaction.Outcome:
    """Take the department's VPN configuration off one device again, through the same engine."""
    return transaction.apply_intent(ctx, VpnRemoval(ctx.inv, department), name)


def run(ctx: transaction.ChangeContext, department: str, operation: str = "migrate") -> list[transaction.Outcome]:
    """Every device of the department's network: migrate core first (stop at the first failure,
    so the county is never configured against a core that was rolled back); remove county first."""
    intents = render_network(ctx.inv, department)
    names = list(intents)
    outcomes: list[transaction.Outcome] = []
    if operation == "remove":
        return [remove_device(ctx, department, n) for n in reversed(names)]
    done: set[str] = set()
    for name in names:
        out = migrate_device(ctx, department, name, done)
        outcomes.append(out)
        if out.failed:
            break
        done.add(name)
    return outcomes
