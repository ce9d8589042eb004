"""The cloud plan document (for the project-approval review, 项目审批): what the program declares,
per centre, read back from the resources registered under mocks. Deterministic: sorted everywhere."""

from __future__ import annotations

from collections import Counter, defaultdict

from govops.sot.model import Inventory

from . import dr
from .intent import GIB_PER_TB
from .mocks import Declaration
from .policies import COMPUTE_QUOTA, STORAGE_QUOTA, VOLUME


def short_type(token: str) -> str:
    """`openstack:networking/subnet:Subnet` -> `networking.Subnet`; providers and components kept readable."""
    if token.startswith("pulumi:providers:"):
        return "provider." + token.rsplit(":", 1)[-1]
    pkg, mod, name = token.split(":")
    return f"{mod.split('/')[0]}.{name}" if pkg == "openstack" else f"{pkg}.{name}"


def build_report(inv: Inventory, decl: Declaration) -> dict:
    custom = [r for r in decl.resources if r.custom]
    centres = {}
    for centre in inv.centres.values():
        mine = [r for r in custom if r.centre == centre.id]
        quota = {"vcpu": 0, "ram_gb": 0, "storage_gb": 0}
        departments: dict[str, dict] = defaultdict(lambda: {"instances": 0, "volumes": 0, "volume_gb": 0,
                                                            "quota_vcpu": 0, "quota_ram_gb": 0, "quota_storage_gb": 0})
        for r in mine:
            dept = r.provider.split(".", 1)[1] if r.provider and "." in r.provider else None
            if r.type == COMPUTE_QUOTA:
                quota["vcpu"] += r.inputs["cores"]
                quota["ram_gb"] += r.inputs["ram"] // 1024
                dept = r.name.removeprefix(f"{centre.id}-").removesuffix("-compute")
                departments[dept]["quota_vcpu"] += r.inputs["cores"]
                departments[dept]["quota_ram_gb"] += r.inputs["ram"] // 1024
            elif r.type == STORAGE_QUOTA:
                quota["storage_gb"] += r.inputs["gigabytes"]
                dept = r.name.removeprefix(f"{centre.id}-").removesuffix("-blockstorage")
                departments[dept]["quota_storage_gb"] += r.inputs["gigabytes"]
            elif dept and r.type.endswith("compute/instance:Instance"):
                departments[dept]["instances"] += 1
            elif dept and r.type == VOLUME:
                departments[dept]["volumes"] += 1
                departments[dept]["volume_gb"] += r.inputs["size"]
        cap = {"vcpu": centre.capacity.vcpu, "ram_gb": centre.capacity.ram_gb,
               "storage_gb": centre.capacity.storage_tb * GIB_PER_TB}
        centres[centre.id] = {
            "name": centre.name, "role": centre.role.value, "resources": len(mine),
            "by_type": dict(sorted(Counter(short_type(r.type) for r in mine).items())),
            "departments": {d: departments[d] for d in sorted(departments)},
            "quota_use": {k: {"quota": quota[k], "capacity": cap[k], "percent": round(100 * quota[k] / cap[k], 1)}
                          for k in cap},
        }
    return {"inventory": inv.name, "stack": decl.stack, "resources": len(custom),
            "components": dict(sorted(Counter(short_type(r.type) for r in decl.resources if not r.custom).items())),
            "centres": centres, "dr_coverage": dr_coverage(decl)}


def dr_coverage(decl: Declaration) -> list[dict]:
    """Per tier: what it promises, how many systems, how many of their promised replicas exist."""
    volumes = [r for r in decl.resources if r.type == VOLUME]
    primaries = [v for v in volumes if v.inputs["metadata"].get("role") == "primary"]
    replicas = Counter((v.inputs["metadata"]["replica_of"], v.inputs["metadata"]["replication"]) for v in volumes
                       if v.inputs["metadata"].get("role") == "replica")
    rows = []
    for level, t in sorted(dr.TIERS.items()):
        systems = sorted(v.inputs["metadata"]["system"] for v in primaries if v.inputs["metadata"]["tier"] == str(level))
        promised = len(systems) * len(t.replicas)
        present = sum(1 for s in systems for r in t.replicas if replicas[(s, r.value)])
        rows.append({"tier": level, "name": t.name_en, "name_zh": t.name_zh, "rpo": t.rpo, "rto": t.rto,
                     "mode": t.mode, "backup": t.backup, "systems": len(systems),
                     "replicas_promised": promised, "replicas_declared": present})
    return rows


def to_markdown(report: dict) -> str:
    out = [f"# Cloud plan: inventory `{report['inventory']}`, stack `{report['stack']}`", "",
           f"{report['resources']} resources in {len(report['centres'])} centres "
           f"({', '.join(f'{v} {k}' for k, v in report['components'].items())}).", "",
           "## Quota use against capacity", "",
           "| centre | role | resources | vCPU | RAM GiB | storage GiB |", "|---|---|---:|---:|---:|---:|"]
    for cid, c in report["centres"].items():
        q = c["quota_use"]
        cells = [f"{q[k]['quota']} / {q[k]['capacity']} ({q[k]['percent']}%)" for k in ("vcpu", "ram_gb", "storage_gb")]
        out.append(f"| {cid} | {c['role']} | {c['resources']} | " + " | ".join(cells) + " |")
    out += ["", "## DR coverage per tier (GB/T 20988)", "",
            "| tier | level | RPO | RTO | replication | systems | replicas declared / promised |",
            "|---:|---|---|---|---|---:|---:|"]
    for row in report["dr_coverage"]:
        out.append(f"| {row['tier']} | {row['name_zh']} {row['name']} | {row['rpo']} | {row['rto']} | {row['mode']} | "
                   f"{row['systems']} | {row['replicas_declared']} / {row['replicas_promised']} |")
    for cid, c in report["centres"].items():
        out += ["", f"## {cid}: {c['name']} ({c['role']})", "", "| resource type | count |", "|---|---:|"]
        out += [f"| {t} | {n} |" for t, n in c["by_type"].items()]
        out += ["", "| department | instances | volumes | volume GiB | quota vCPU | quota RAM GiB | quota storage GiB |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        for d, v in c["departments"].items():
            out.append(f"| {d} | {v['instances']} | {v['volumes']} | {v['volume_gb']} | {v['quota_vcpu']} | "
                       f"{v['quota_ram_gb']} | {v['quota_storage_gb']} |")
    return "\n".join(out) + "\n"


def split_report(inv: Inventory, stacks: dict[str, Declaration]) -> dict:
    """Per stack of the split layout: what it holds, how many providers it starts, what it reads."""
    from . import policies

    facts = policies.inventory_facts(inv)
    rows = []
    for name, decl in stacks.items():
        violations = policies.check_all(decl.resources, *facts)
        rows.append({"stack": name, "resources": sum(1 for r in decl.resources if r.custom),
                     "providers": len(decl.providers), "reads": sorted(decl.references),
                     "violations": {k: v for k, v in violations.items() if v}})
    return {"inventory": inv.name, "stacks": rows,
            "max_providers": max((r["providers"] for r in rows), default=0),
            "resources": sum(r["resources"] for r in rows)}


def split_markdown(report: dict) -> str:
    out = [f"# Cloud stacks: inventory `{report['inventory']}` ({len(report['stacks'])} stacks, "
           f"{report['resources']} resources, at most {report['max_providers']} providers in a stack)", "",
           "`pulumi up` in this order: platform stacks first, then tenant stacks (any order).", "",
           "| stack | resources | providers | reads (StackReference) | policy violations |",
           "|---|---:|---:|---|---:|"]
    for r in report["stacks"]:
        reads = ", ".join(x.rsplit("/", 1)[-1] for x in r["reads"]) or "-"
        out.append(f"| {r['stack']} | {r['resources']} | {r['providers']} | {reads} | "
                   f"{sum(len(v) for v in r['violations'].values())} |")
    for r in report["stacks"]:
        for name, messages in r["violations"].items():
            out += ["", f"{r['stack']}: {name}"] + [f"- {m}" for m in messages]
    return "\n".join(out) + "\n"
