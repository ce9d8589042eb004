"""Remove secrets from incoming payloads before anything is spooled or logged."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[REDACTED]"

# A key is secret when one of its words says so (snake_case, kebab-case and camelCase are split),
# so api_key, snmpAuthKey and db-password are secret and "monkey" or "keyboard_layout" are not.
SECRET_WORDS = {
    "password", "passwd", "passphrase", "pass", "pwd", "secret", "community", "key", "apikey",
    "privatekey", "token", "credential", "credentials",
}
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def is_secret_key(name: str) -> bool:
    return any(word.lower() in SECRET_WORDS for word in _WORD.findall(name))

# Free text ("login failed, password=hunter2") keeps its words but loses the value after a secret word.
SECRET_IN_TEXT = re.compile(
    r"(?P<word>\b(?:\w+[_-])?(?:password|passwd|passphrase|secret|community|key|token)\b)(?P<sep>\s*[=:]\s*|\s+)"
    r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;]+)",
    re.IGNORECASE,
)


def redact_text(text: str) -> str:
    """Replace the value following a secret word in free text."""
    return SECRET_IN_TEXT.sub(lambda m: f"{m.group('word')}{m.group('sep')}{REDACTED}", text)


def redact(value: Any) -> Any:
    """Return a copy of a JSON-like value with secret keys' values and secrets in text replaced."""
    if isinstance(value, dict):
        return {
            key: (REDACTED if is_secret_key(str(key)) else redact(item)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value
