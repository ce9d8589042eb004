"""The MLPS level-3 control catalogue (controls.yml): load and validate, every problem at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govops.sot import InventoryError, Problem

CATALOGUE = Path(__file__).with_name("controls.yml")

# GB/T 22239-2019 §8.1.4 sub-clauses and the GB/T 28448-2019 evaluation ids that belong to each.
CLAUSES: dict[str, range] = {
    "身份鉴别": range(1, 5),
    "访问控制": range(5, 12),
    "安全审计": range(12, 16),
    "入侵防范": range(17, 23),  # L3-CES1-16 does not exist
    "恶意代码防范": range(23, 24),
    "可信验证": range(24, 25),
    "数据完整性": range(25, 27),
    "数据保密性": range(27, 29),
    "数据备份恢复": range(29, 32),
    "剩余信息保护": range(32, 34),
    "个人信息保护": range(34, 36),
}
CLAUSE_EN = {
    "身份鉴别": "identification and authentication", "访问控制": "access control", "安全审计": "security audit",
    "入侵防范": "intrusion prevention", "恶意代码防范": "malicious code prevention", "可信验证": "trusted verification",
    "数据完整性": "data integrity", "数据保密性": "data confidentiality", "数据备份恢复": "backup and recovery",
    "剩余信息保护": "residual information protection", "个人信息保护": "personal information protection",
}
ID_PATTERN = re.compile(r"^(L3-CES1-(\d\d))\.[a-z0-9][a-z0-9-]*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Check(BaseModel):
    """`kind` names a function in check_kinds.KINDS; the other keys are its parameters."""

    model_config = ConfigDict(extra="allow", frozen=True)
    kind: str

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Control(Strict):
    id: str
    ces1: str
    clause: str
    clause_ref: str
    title: Title
    settings: tuple[str, ...] = Field(min_length=1)
    check: Check
    lab: str | None = None  # what the check does differently on a lab host

    @field_validator("clause")
    @classmethod
    def known_clause(cls, value: str) -> str:
        if value not in CLAUSES:
            raise ValueError(f"unknown MLPS clause {value!r}; expected one of {', '.join(CLAUSES)}")
        return value

    @model_validator(mode="after")
    def id_matches(self) -> Control:
        m = ID_PATTERN.match(self.id)
        if not m:
            raise ValueError(f"id {self.id!r} must look like L3-CES1-NN.short-name")
        if m.group(1) != self.ces1:
            raise ValueError(f"id {self.id!r} does not start with its ces1 {self.ces1!r}")
        number = int(m.group(2))
        if number not in CLAUSES[self.clause]:
            raise ValueError(f"{self.ces1} is not an evaluation item of {self.clause} "
                             f"(L3-CES1-{CLAUSES[self.clause].start:02d}…{CLAUSES[self.clause].stop - 1:02d})")
        return self

    @property
    def clause_en(self) -> str:
        return CLAUSE_EN[self.clause]


def load_controls(path: Path | str = CATALOGUE) -> list[Control]:
    """The catalogue in file order; problems (file, key path, what was expected) raise InventoryError."""
    from security.baseline.check_kinds import KINDS

    path = Path(path)
    shown = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InventoryError([Problem(shown, "(file)", f"cannot read the catalogue: {exc}")]) from exc
    raw = (data or {}).get("controls") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise InventoryError([Problem(shown, "controls", "expected a non-empty list of controls")])
    problems: list[Problem] = []
    controls: list[Control] = []
    seen: set[str] = set()
    for n, item in enumerate(raw):
        where = f"controls[{n}]" + (f" ({item.get('id')})" if isinstance(item, dict) and item.get("id") else "")
        try:
            control = Control.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                problems.append(Problem(shown, f"{where}.{loc}" if loc else where, err["msg"]))
            continue
        if control.id in seen:
            problems.append(Problem(shown, f"{where}.id", f"duplicate control id {control.id}"))
        seen.add(control.id)
        if control.check.kind not in KINDS:
            problems.append(Problem(shown, f"{where}.check.kind",
                                    f"unknown check kind {control.check.kind!r}; expected one of {', '.join(sorted(KINDS))}"))
        else:
            for message in KINDS[control.check.kind].validate(control.check.params):
                problems.append(Problem(shown, f"{where}.check", message))
        controls.append(control)
    if problems:
        raise InventoryError(problems)
    return controls
