"""The wave planner: which systems move, how, and in which wave ("easy first, one at a time when ready").

Rules, in the order they are applied:

1. Classified (涉密) systems are excluded; one marked for the cloud is an error.
2. Each other system gets a strategy from `strategy.RULES` (with the reason) and an ease score.
3. Only rehost/replatform/refactor systems are placed in waves. They are taken easiest first, but
   never before what they depend on: a system lands in a wave strictly after every wave holding
   one of its dependencies (a dependency already on the cloud, or staying on-prem, constrains nothing).
4. A wave has exactly one cutover window, and a system joins a wave only if its department's
   downtime window is that window, so every department in a wave accepts the cutover time.
5. A wave holds at most `capacity(n)` systems and data (CMF-style: small first waves, then growing).
   A system larger than the data limit alone gets a wave of its own.
6. Each system goes into the earliest wave that satisfies 3-5, or a new wave after the last.
7. Stability: with a previous plan, a system keeps its previous wave whenever 3-5 still allow it;
   only systems that must move (or are new) are placed again by rule 6. Wave numbers are identities:
   they are never renumbered, so an emptied wave simply disappears from the plan.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from govops.migrate.strategy import MIGRATING, choose_strategy, ease, landing_arch
from govops.sot.checks import dependency_cycles
from govops.sot.model import Arch, CentreRole, Classification, Department, Inventory, Location, System
from govops.sot.problems import InventoryError, Problem

PLAN_VERSION = 1


class PlanError(InventoryError):
    """The catalogue cannot be planned; every problem names file and entry."""


@dataclass(frozen=True)
class WaveLimits:
    start_systems: int = 5
    step_systems: int = 5
    max_systems: int = 10
    start_data_gb: int = 2000
    step_data_gb: int = 1000
    max_data_gb: int = 5000

    def systems(self, wave: int) -> int:
        return min(self.max_systems, self.start_systems + self.step_systems * (wave - 1))

    def data_gb(self, wave: int) -> int:
        return min(self.max_data_gb, self.start_data_gb + self.step_data_gb * (wave - 1))


@dataclass
class Wave:
    number: int
    window: str
    systems: list[str] = field(default_factory=list)
    data_gb: int = 0


@dataclass
class Plan:
    limits: WaveLimits
    waves: list[Wave]
    systems: dict[str, dict[str, Any]]  # id -> department, strategy, reason, ease, wave, notes, ...
    excluded: dict[str, str]
    moves: list[dict[str, Any]]

    def wave_of(self, system: str) -> int | None:
        return self.systems[system]["wave"] if system in self.systems else None

    def to_data(self) -> dict[str, Any]:
        return {
            "version": PLAN_VERSION,
            "limits": self.limits.__dict__,
            "waves": [{"wave": w.number, "window": w.window, "systems": w.systems, "data_gb": w.data_gb,
                       "capacity": {"systems": self.limits.systems(w.number), "data_gb": self.limits.data_gb(w.number)}}
                      for w in self.waves],
            "systems": self.systems,
            "excluded": self.excluded,
            "moves": self.moves,
            "kpi": self.kpi(),
        }

    def kpi(self) -> dict[str, Any]:
        """The city's 90% target: on cloud / (in-scope non-classified - retired), now and after all waves."""
        strategies = [v["strategy"] for v in self.systems.values()]
        scope = len(strategies) - strategies.count("retire")
        now = strategies.count("done")
        after = now + sum(strategies.count(s) for s in MIGRATING)
        def pct(n):
            return (round(100 * n / scope, 1) if scope else 100.0)
        return {"in_scope": scope, "on_cloud": now, "on_cloud_pct": pct(now),
                "after_plan": after, "after_plan_pct": pct(after), "target_pct": 90}


# -- inputs ---------------------------------------------------------------------------------
def catalogue_file(inv: Inventory) -> str:
    """The inventory file that holds `systems:` (for error messages), relative to the inventory's parent."""
    for path in sorted((inv.path / "group_vars").rglob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and "systems" in data:
            return str(path.relative_to(inv.path.parent))
    return str(inv.path)


def load_catalogue(path: str | Path) -> tuple[dict[str, Department], dict[str, System]]:
    """A stand-alone catalogue file (`departments:` and `systems:` lists, as in an inventory)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError([Problem(str(path), "", f"cannot read catalogue: {exc}")]) from exc
    problems: list[Problem] = []
    out: dict[str, dict] = {"departments": {}, "systems": {}}
    for section, cls in (("departments", Department), ("systems", System)):
        for i, entry in enumerate(data.get(section) or []):
            try:
                obj = cls.model_validate(entry)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(x) for x in err["loc"])
                    problems.append(Problem(str(path), f"{section}[{i}].{loc}", err["msg"]))
                continue
            out[section][obj.id] = obj
    if problems:
        raise PlanError(problems)
    return out["departments"], out["systems"]


def check_catalogue(systems: dict[str, System], departments: dict[str, Department], source: str) -> None:
    """Raise PlanError with every problem that makes the catalogue unplannable."""
    index = {sid: i for i, sid in enumerate(systems)}
    problems = []
    for sid, s in systems.items():
        key = f"systems[{index[sid]}]"
        if s.department not in departments:
            problems.append(Problem(source, f"{key}.department", f"{sid}: unknown department {s.department!r}"))
        for j, dep in enumerate(s.depends_on):
            if dep not in systems:
                problems.append(Problem(source, f"{key}.depends_on[{j}]",
                                        f"{sid}: depends on unknown system {dep!r}"))
        if s.classification == Classification.classified and Location.cloud in (s.target, s.location):
            field_ = "target" if s.target == Location.cloud else "location"
            problems.append(Problem(source, f"{key}.{field_}", f"{sid}: classified (涉密) system marked for the "
                                    "cloud; classified systems are never migrated (expected on_prem)"))
    graph = {sid: [d for d in s.depends_on if d in systems] for sid, s in systems.items()}
    for cycle in dependency_cycles(graph):
        problems.append(Problem(source, f"systems[{index[cycle[0]]}].depends_on",
                                "dependency cycle: " + " -> ".join([*cycle, cycle[0]])))
    if problems:
        raise PlanError(problems)


# -- planning -------------------------------------------------------------------------------
def plan_inventory(inv: Inventory, limits: WaveLimits | None = None, previous: dict | None = None) -> Plan:
    prod = next((c for c in inv.centres.values() if c.role == CentreRole.production), None)
    return plan_waves(inv.systems, inv.departments, limits, previous, source=catalogue_file(inv),
                      cloud_archs=prod.archs if prod else None)


def plan_waves(systems: dict[str, System], departments: dict[str, Department], limits: WaveLimits | None = None,
               previous: dict | None = None, source: str = "catalogue",
               cloud_archs: tuple[Arch, ...] | None = None) -> Plan:
    limits = limits or WaveLimits()
    check_catalogue(systems, departments, source)
    info: dict[str, dict[str, Any]] = {}
    excluded: dict[str, str] = {}
    for sid in sorted(systems):
        s = systems[sid]
        if s.classification == Classification.classified:
            excluded[sid] = "classified (涉密): never on the cloud"
            continue
        strategy, reason = choose_strategy(s, cloud_archs)
        info[sid] = {"name": s.name, "department": s.department, "window": departments[s.department].downtime_window,
                     "strategy": strategy, "reason": reason, "ease": ease(s), "data_gb": s.data_gb,
                     "depends_on": list(s.depends_on), "wave": None,
                     "notes": _notes(s, systems, landing_arch(s, cloud_archs) if strategy in MIGRATING else None)}
    movers = {sid for sid, v in info.items() if v["strategy"] in MIGRATING}
    placer = _Placer(limits, info, movers, previous or {})
    placer.place(_easy_first_order(systems, info, movers))
    return Plan(limits, [placer.waves[n] for n in sorted(placer.waves) if placer.waves[n].systems],
                info, excluded, placer.moves)


def _notes(s: System, systems: dict[str, System], lands_on: Arch | None = None) -> list[str]:
    notes = []
    if lands_on is not None and lands_on != s.runs_on:
        notes.append(f"architecture change {s.runs_on} -> {lands_on}: rebuild and re-certify for {lands_on}, "
                     "keep the original as the rollback until cutover (runbooks/system-migration.md, "
                     "'Changing CPU architecture')")
    for dep in s.depends_on:
        d = systems[dep]
        if d.classification == Classification.classified:
            notes.append(f"depends on classified {dep}: keep the link on the extranet, never on the cloud")
        elif d.location == Location.on_prem and d.target == Location.on_prem:
            notes.append(f"depends on {dep}, which stays on-prem: needs an extranet route after cutover")
    return notes


def _easy_first_order(systems: dict[str, System], info: dict, movers: set[str]) -> list[str]:
    """Topological order of the movers, easiest (then id) first among those whose dependencies are done."""
    deps = {sid: {d for d in systems[sid].depends_on if d in movers} for sid in movers}
    users: dict[str, set[str]] = {sid: set() for sid in movers}
    for sid, ds in deps.items():
        for d in ds:
            users[d].add(sid)
    ready = [(-info[sid]["ease"], sid) for sid in movers if not deps[sid]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, sid = heapq.heappop(ready)
        order.append(sid)
        for u in sorted(users[sid]):
            deps[u].discard(sid)
            if not deps[u]:
                heapq.heappush(ready, (-info[u]["ease"], u))
    return order


class _Placer:
    def __init__(self, limits: WaveLimits, info: dict, movers: set[str], previous: dict):
        self.limits, self.info, self.movers = limits, info, movers
        self.waves: dict[int, Wave] = {}
        self.moves: list[dict[str, Any]] = []
        self.before: dict[str, int] = {}
        self.waves_before = bool(previous.get("waves"))
        for w in previous.get("waves", []):
            self.waves[w["wave"]] = Wave(w["wave"], w["window"])
            for sid in w["systems"]:
                self.before[sid] = w["wave"]

    def earliest(self, sid: str) -> int:
        return max((self.info[d]["wave"] for d in self.info[sid]["depends_on"] if d in self.movers), default=0) + 1

    def fits(self, wave: Wave, sid: str) -> bool:
        data = self.info[sid]["data_gb"]
        return (wave.window == self.info[sid]["window"] and wave.number >= self.earliest(sid)
                and len(wave.systems) < self.limits.systems(wave.number)
                and (not wave.systems or wave.data_gb + data <= self.limits.data_gb(wave.number)))

    def put(self, sid: str, wave: Wave) -> None:
        wave.systems.append(sid)
        wave.data_gb += self.info[sid]["data_gb"]
        self.info[sid]["wave"] = wave.number

    def keep(self, sid: str) -> bool:
        n = self.before.get(sid)
        if n is None or not all(self.info[d]["wave"] for d in self.info[sid]["depends_on"] if d in self.movers):
            return False
        if self.fits(self.waves[n], sid):
            self.put(sid, self.waves[n])
            return True
        return False

    def place(self, order: list[str]) -> None:
        # Pass 1 keeps everything that may stay, so a system that must move cannot take its seat.
        kept = {sid for sid in order if self.keep(sid)}
        for sid in order:
            if sid in kept or self.keep(sid):
                continue
            first = self.earliest(sid)
            wave = next((w for n, w in sorted(self.waves.items()) if n >= first and self.fits(w, sid)), None)
            if wave is None:
                number = max([*self.waves, first - 1]) + 1
                wave = self.waves[number] = Wave(number, self.info[sid]["window"])
            self.put(sid, wave)
            if self.waves_before and self.before.get(sid) != wave.number:
                self.moves.append({"system": sid, "from": self.before.get(sid), "to": wave.number,
                                   "why": self._why(sid)})
            if len(wave.systems) == 1 and self.info[sid]["data_gb"] > self.limits.data_gb(wave.number):
                self.info[sid]["notes"].append(f"{self.info[sid]['data_gb']} GB exceeds the wave data limit: "
                                               "gets a wave of its own")
        for sid in order:
            self.info[sid]["previous_wave"] = self.before.get(sid)
        for sid in sorted(set(self.before) - self.movers):
            now = self.info[sid]["strategy"] if sid in self.info else "excluded"
            self.moves.append({"system": sid, "from": self.before[sid], "to": None, "why": f"no longer moves ({now})"})
        for w in self.waves.values():
            w.systems.sort(key=lambda s: (-self.info[s]["ease"], s))

    def _why(self, sid: str) -> str:
        n = self.before.get(sid)
        if n is None:
            return "new to the plan"
        wave = self.waves[n]
        if wave.window != self.info[sid]["window"]:
            return f"department window is now {self.info[sid]['window']!r}, wave {n} cuts over {wave.window!r}"
        if n < self.earliest(sid):
            return f"a dependency is now in wave {self.earliest(sid) - 1}"
        return f"wave {n} is full"
