"""Catalogue checks the cloud needs beyond the SoT's own: all problems at once, before any resource.

Problems name the file and entry (``systems[3].size``) the way govops.sot does, and are raised as
:class:`CloudInputError`, an ``InventoryError``, so ``govops`` prints them like any inventory problem.
"""

from __future__ import annotations

import re
from pathlib import Path

from govops.sot.model import CentreRole, Classification, Inventory
from govops.sot.problems import InventoryError, Problem
from govops.sot.yamlfiles import is_vaulted

from . import dr
from .intent import GIB_PER_TB, SIZES, build_intent, centre_transit, on_cloud
from .settings import IMAGES


class CloudInputError(InventoryError):
    """The catalogue asks for something the cloud must not or cannot hold."""


def section_file(inv: Inventory, section: str) -> str:
    """The group_vars/all file that defines a top-level section (as the loader shows it).

    A top-level key is found by its line (the loader has already parsed and validated the files;
    parsing a 2,000-line catalogue again would double the program's start-up time)."""
    folder = inv.path / "group_vars" / "all"
    pattern = re.compile(rf"^{re.escape(section)}\s*:", re.MULTILINE)
    for path in sorted(folder.glob("*.y*ml")) if folder.is_dir() else ():
        if not is_vaulted(path) and pattern.search(path.read_text(encoding="utf-8")):
            return str(path)
    return str(Path(inv.path) / "group_vars" / "all")


def check_cloud_inputs(inv: Inventory, plan) -> list[Problem]:
    problems: list[Problem] = []
    systems_file = section_file(inv, "systems")
    centres_file = section_file(inv, "centres")
    roles = [c.role for c in inv.centres.values()]
    for role in CentreRole:
        if roles.count(role) != 1:
            problems.append(Problem(centres_file, "centres",
                                    f"expected exactly one centre with role {role.value}, found {roles.count(role)}"))
    hosts_seen: dict[str, str] = {}
    for i, centre in enumerate(inv.centres.values()):
        archs = [p.arch for p in centre.pools]
        for arch in sorted({a for a in archs if archs.count(a) > 1}):
            problems.append(Problem(centres_file, f"centres[{i}].pools",
                                    f"two {arch} pools in {centre.id}; expected one host aggregate per architecture"))
        for j, pool in enumerate(centre.pools):
            for host in pool.hosts:
                if host in hosts_seen:
                    problems.append(Problem(centres_file, f"centres[{i}].pools[{j}].hosts",
                                            f"hypervisor {host!r} is already in {hosts_seen[host]}; a host belongs "
                                            "to one pool"))
                hosts_seen.setdefault(host, f"{centre.id} {pool.arch}")
        if centre.id not in plan.centres:
            problems.append(Problem(centres_file, f"centres[{i}]", f"centre {centre.id!r} has no /48 in the IPv6 plan"))
        elif centre_transit(inv, plan, centre.id) is None:
            problems.append(Problem(centres_file, f"centres[{i}]",
                                    f"centre {centre.id!r} has no cloud server with an uplink into a planned extranet "
                                    "segment; the cloud's external network is that segment"))
    for i, system in enumerate(inv.systems.values()):
        key = f"systems[{i}]"
        if not on_cloud(system):
            continue
        if system.classification == Classification.classified:
            problems.append(Problem(systems_file, f"{key}.target",
                                    f"classified (涉密) system {system.id!r} is refused: the cloud holds "
                                    "non-classified systems only; expected on_prem"))
        if system.department not in inv.departments:
            problems.append(Problem(systems_file, f"{key}.department", f"unknown department {system.department!r}"))
        if system.dr_tier not in dr.TIERS:
            problems.append(Problem(systems_file, f"{key}.dr_tier",
                                    f"DR tier {system.dr_tier} does not exist; expected one of {sorted(dr.TIERS)} "
                                    "(GB/T 20988 levels)"))
        if system.size not in SIZES:
            problems.append(Problem(systems_file, f"{key}.size",
                                    f"unknown size class {system.size!r}; expected one of {', '.join(SIZES)}"))
        if system.os is not None and system.os not in IMAGES:
            problems.append(Problem(systems_file, f"{key}.os",
                                    f"unknown OS image family {system.os!r}; expected one of {', '.join(IMAGES)}"))
        for j, port in enumerate(system.ports):
            if not 1 <= port <= 65535:
                problems.append(Problem(systems_file, f"{key}.ports[{j}]", f"port {port} is outside 1-65535"))
    if problems:
        return problems  # capacity needs a consistent catalogue
    problems += _check_capacity(inv, centres_file)
    return problems


def _check_capacity(inv: Inventory, centres_file: str) -> list[Problem]:
    intent = build_intent(inv)
    out = []
    for i, centre in enumerate(inv.centres.values()):
        use = intent.quota_use(centre.id)
        cap = {"vcpu": centre.capacity.vcpu, "ram_gb": centre.capacity.ram_gb,
               "storage_gb": centre.capacity.storage_tb * GIB_PER_TB}
        field = {"vcpu": "vcpu", "ram_gb": "ram_gb", "storage_gb": "storage_tb"}
        quota_key = {"vcpu": "cores", "ram_gb": "ram_gb", "storage_gb": "gigabytes"}
        for what, used in use.items():
            if used <= cap[what]:
                continue
            top = sorted(intent.tenants_in(centre.id), key=lambda t: -t.quota()[quota_key[what]])[:3]
            biggest = ", ".join(f"{t.department.id} {t.quota()[quota_key[what]]}" for t in top)
            out.append(Problem(centres_file, f"centres[{i}].capacity.{field[what]}",
                               f"tenant quotas in {centre.id} total {used} {what}, beyond the centre's capacity "
                               f"of {cap[what]} (largest: {biggest}); raise the capacity or move systems"))
    return out


def require_cloud_inputs(inv: Inventory, plan) -> None:
    problems = check_cloud_inputs(inv, plan)
    if problems:
        raise CloudInputError(problems)
