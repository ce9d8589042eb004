"""The Alertmanager webhook payload (version 4), validated strictly enough to trust."""

from __future__ import annotations

import json
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


def parse_webhook(body: bytes) -> WebhookMessage:
    """Parse and validate a webhook body, reporting every problem with its location."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PayloadError([f"body is not JSON: {err}"]) from None
    try:
        return WebhookMessage.model_validate(data)
    except ValidationError as err:
        # Only location and message: the offending input may hold a secret.
        raise PayloadError(
            [f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}" for e in err.errors()]
        ) from None
