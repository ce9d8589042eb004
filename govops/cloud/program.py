"""The Pulumi program: the whole cloud of one inventory, declared from the SoT and the IPv6 plan.

``pulumi/__main__.py`` calls :func:`main`; ``govops cloud plan`` and the tests call
:func:`declare_cloud` under mocks. The catalogue is validated first: on any problem
``CloudInputError`` is raised before a single resource is declared.
"""

from __future__ import annotations

from govops import ipv6
from govops.sot import load_inventory
from govops.sot.model import CentreRole, Inventory

from . import dr
from .components import Centre, CentreArgs, Sources, System, SystemArgs, Tenant, TenantArgs
from .intent import PLATFORM, build_intent, centre_transit, metadata
from .settings import StackSettings, credentials_from_config
from .validate import require_cloud_inputs


def declare_cloud(inv: Inventory, plan: ipv6.Plan, settings: StackSettings) -> dict[str, dict]:
    require_cloud_inputs(inv, plan)
    intent = build_intent(inv)
    prod = intent.centres[CentreRole.production].id
    roles = {c.role: c.id for c in inv.centres.values()}
    # Platform resources (pools, extranet, shared services) carry the top tier: every system depends on them.
    platform_meta = metadata(PLATFORM, "non_classified", max(dr.TIERS), settings.operator)
    management = (str(inv.city.ipv4_blocks.management), str(plan.management))
    credentials = credentials_from_config()
    centres: dict[str, Centre] = {}
    for centre in inv.centres.values():
        if centre.role == CentreRole.production:
            peers = {r: roles[role] for r, role in dr.REPLICA_CENTRE_ROLE.items()}
        else:
            peers = {r: prod for r, role in dr.REPLICA_CENTRE_ROLE.items() if role == centre.role}
        centres[centre.id] = Centre(CentreArgs(
            centre=centre, access=settings.access(centre.id), prefix=plan.centres[centre.id],
            transit=centre_transit(inv, plan, centre.id), peers=peers, tenant_ipv4_pool=settings.tenant_ipv4_pool,
            extranet_asn=settings.extranet_asn, management=management, meta=platform_meta,
            credentials=credentials, image_mirror=settings.image_mirror))
    tenants: dict[str, dict[str, Tenant]] = {}
    for (centre_id, dept_id), t in intent.tenants.items():
        meta = metadata(dept_id, "non_classified", t.tier, settings.operator)
        tenants.setdefault(dept_id, {})[centre_id] = Tenant(TenantArgs(t, meta), centres[centre_id])
    sources = Sources(city_v4=str(inv.city.ipv4_blocks.segments), city_v6=str(inv.city.ipv6_allocation),
                      mgmt_v4=management[0], mgmt_v6=management[1])
    systems = {}
    for s in intent.systems:
        meta = metadata(s.system.department, s.system.classification.value, s.tier.level,
                        s.system.owner or settings.operator)
        systems[s.system.id] = System(SystemArgs(s, meta, settings.image, sources), tenants[s.system.department], prod)
    return {"centres": centres, "tenants": tenants, "systems": systems}


def settings_from_pulumi_config() -> StackSettings:
    import pulumi

    from .settings import from_config

    cfg = pulumi.Config()
    values = {k: cfg.get(k) for k in ("inventory", "operator", "image", "image_mirror", "tenant_ipv4_pool")}
    values["extranet_asn"] = cfg.get_int("extranet_asn")
    values["centres"] = cfg.get_object("centres")
    return from_config({k: v for k, v in values.items() if v is not None})


def main() -> None:
    """Entry point of pulumi/__main__.py (runs with the Pulumi project directory as cwd)."""
    import pulumi

    settings = settings_from_pulumi_config()
    inv = load_inventory(settings.inventory)
    plan = ipv6.require_plan(inv)
    declared = declare_cloud(inv, plan, settings)
    for cid, centre in declared["centres"].items():
        pulumi.export(f"{cid}.extranet", centre.extranet.id)
    pulumi.export("systems", sorted(declared["systems"]))
