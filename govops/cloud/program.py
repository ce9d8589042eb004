"""The Pulumi program: the whole cloud of one inventory, declared from the SoT and the IPv6 plan.

``pulumi/__main__.py`` calls :func:`main`; ``govops cloud plan`` and the tests call
:func:`declare_cloud` under mocks. The catalogue is validated first: on any problem
``CloudInputError`` is raised before a single resource is declared.
"""

from __future__ import annotations

from pathlib import Path

from govops import ipv6
from govops.sot import load_inventory
from govops.sot.model import CentreRole, Inventory

from . import dr
from .components import Centre, CentreArgs, CentreRef, Sources, System, SystemArgs, Tenant, TenantArgs
from .intent import PLATFORM, build_intent, centre_transit, metadata
from .settings import StackSettings, credentials_from_config
from .stacks import ALL, TENANT, StackScope, parse_stack, platform_reference
from .stacks import PLATFORM as PLATFORM_STACK
from .validate import require_cloud_inputs


def declare_cloud(inv: Inventory, plan: ipv6.Plan, settings: StackSettings,
                  scope: StackScope | None = None) -> dict[str, dict]:
    """Declare what the stack's scope holds (everything when `scope` is None or `<env>`)."""
    import pulumi

    require_cloud_inputs(inv, plan)
    scope = scope or StackScope("env")
    intent = build_intent(inv)
    prod = intent.centres[CentreRole.production].id
    roles = {c.role: c.id for c in inv.centres.values()}
    # Platform resources (pools, extranet, shared services) carry the top tier: every system depends on them.
    platform_meta = metadata(PLATFORM, "non_classified", max(dr.TIERS), settings.operator)
    management = (str(inv.city.ipv4_blocks.management), str(plan.management))
    credentials = credentials_from_config()
    wanted_tenants = {k: t for k, t in intent.tenants.items() if scope.kind != TENANT or k[1] == scope.ident}
    centres: dict[str, Centre | CentreRef] = {}
    for centre in inv.centres.values():
        if scope.kind == TENANT:
            if any(c == centre.id for c, _ in wanted_tenants):
                centres[centre.id] = CentreRef(centre, settings.access(centre.id),
                                               platform_reference(scope.env, centre.id), credentials)
            continue
        if scope.kind == PLATFORM_STACK and centre.id != scope.ident:
            continue
        if centre.role == CentreRole.production:
            peers = {r: roles[role] for r, role in dr.REPLICA_CENTRE_ROLE.items()}
        else:
            peers = {r: prod for r, role in dr.REPLICA_CENTRE_ROLE.items() if role == centre.role}
        centres[centre.id] = Centre(CentreArgs(
            centre=centre, access=settings.access(centre.id), prefix=plan.centres[centre.id],
            transit=centre_transit(inv, plan, centre.id), peers=peers, tenant_ipv4_pool=settings.tenant_ipv4_pool,
            extranet_asn=settings.extranet_asn, management=management, meta=platform_meta,
            credentials=credentials, image_mirror=settings.image_mirror))
    if scope.kind == PLATFORM_STACK:
        for key, value in centres[scope.ident].exports().items():
            pulumi.export(key, value)
        return {"centres": centres, "tenants": {}, "systems": {}}
    tenants: dict[str, dict[str, Tenant]] = {}
    for (centre_id, dept_id), t in wanted_tenants.items():
        meta = metadata(dept_id, "non_classified", t.tier, settings.operator)
        tenants.setdefault(dept_id, {})[centre_id] = Tenant(TenantArgs(t, meta), centres[centre_id])
    sources = Sources(city_v4=str(inv.city.ipv4_blocks.segments), city_v6=str(inv.city.ipv6_allocation),
                      mgmt_v4=management[0], mgmt_v6=management[1])
    systems = {}
    for s in intent.systems:
        if s.system.department not in tenants:
            continue
        meta = metadata(s.system.department, s.system.classification.value, s.tier.level,
                        s.system.owner or settings.operator)
        systems[s.system.id] = System(SystemArgs(s, meta, settings.image, sources), tenants[s.system.department], prod)
    return {"centres": centres, "tenants": tenants, "systems": systems}


def settings_from_pulumi_config(env: str) -> StackSettings:
    """This stack's config over its environment's `Pulumi.<env>.yaml` (split stacks share it; cwd is the
    Pulumi project directory when the engine runs the program)."""
    import pulumi

    from .settings import from_config, read_stack_config, stack_file

    values = read_stack_config(env, Path.cwd()) if stack_file(env, Path.cwd()).exists() else {}
    cfg = pulumi.Config()
    mine = {k: cfg.get(k) for k in ("inventory", "operator", "image", "image_mirror", "tenant_ipv4_pool")}
    mine["extranet_asn"] = cfg.get_int("extranet_asn")
    mine["centres"] = cfg.get_object("centres")
    values |= {k: v for k, v in mine.items() if v is not None}
    return from_config(values)


def main() -> None:
    """Entry point of pulumi/__main__.py (runs with the Pulumi project directory as cwd)."""
    import pulumi

    stack = pulumi.get_stack()
    settings = settings_from_pulumi_config(stack.split(".", 1)[0])
    inv = load_inventory(settings.inventory)
    plan = ipv6.require_plan(inv)
    scope = parse_stack(stack, inv)
    declared = declare_cloud(inv, plan, settings, scope)
    if scope.kind == ALL:
        for cid, centre in declared["centres"].items():
            pulumi.export(f"{cid}.extranet", centre.extranet.id)
    if scope.kind != PLATFORM_STACK:
        pulumi.export("systems", sorted(declared["systems"]))
