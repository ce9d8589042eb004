"""The Alertmanager webhook payload (version 4), validated strictly enough to trust."""

from __future__ import annotations

import itertools
import json
import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Alert(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime
    endsAt: datetime | None = None
    generatorURL: str = ""
    fingerprint: str = Field(min_length=1)


class WebhookMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: Literal["4"]
    status: Literal["firing", "resolved"]
    receiver: str = ""
    groupKey: str = ""
    truncatedAlerts: int = 0
    alerts: list[Alert]


class PayloadError(ValueError):
    """The body is not a valid Alertmanager v4 webhook; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


# An Alertmanager v4 payload nests 4 deep (body > alerts > alert > labels). Deeper input is refused
# before parsing: json.loads recurses once per level and a few thousand levels raise RecursionError.
MAX_DEPTH = 32
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes included (unrolled: linear)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 / -1 as signed bytes


def nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether arrays/objects in ``body`` nest deeper than ``limit`` (strings skipped), without recursion."""
    steps = memoryview(_STRING.sub(b"", body).translate(None, _NOT_BRACKET).translate(_STEP)).cast("b")
    return max(itertools.accumulate(steps), default=0) > limit  # C-level iteration: ~40 ns a bracket


def parse_webhook(body: bytes) -> WebhookMessage:
    """Parse and validate a webhook body, reporting every problem with its location."""
    if nesting_exceeds(body, MAX_DEPTH):
        raise PayloadError([f"body nests arrays/objects more than {MAX_DEPTH} levels deep "
                            "(an Alertmanager v4 payload nests 4)"])
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise PayloadError([f"body is not JSON: {err}"]) from None
    try:
        return WebhookMessage.model_validate(data)
    except ValidationError as err:
        # Only location and message: the offending input may hold a secret.
        raise PayloadError(
            [f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}" for e in err.errors()]
        ) from None
