"""Command grammar shared by every dialect: keywords matched by unique prefix, typed parameters.

A command is a pattern such as ``"ipv6 address {ipv6} {len6}"``. Keywords match any unique
prefix among the keywords possible at that position (``dis cur``); ``{name}`` is a parameter
checked by a validator that may consume more than one word (interface names such as
``GigabitEthernet 0/0/1``). Matching reports where and why input failed, so each dialect can
print its own caret line (Huawei ``Error: Unrecognized command found at '^' position.``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# The error kinds every vendor reports, in VRP wording; dialects map them to their own text.
UNRECOGNIZED = "Unrecognized command"
INCOMPLETE = "Incomplete command"
AMBIGUOUS = "Ambiguous command"
WRONG_PARAMETER = "Wrong parameter"
TOO_MANY = "Too many parameters"


class CliError(Exception):
    """Input rejected; ``column`` is the character offset in the line where the caret goes."""

    def __init__(self, kind: str, column: int, detail: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.column = column
        self.detail = detail


class ConfigError(Exception):
    """A well-formed command refused by the device state (printed verbatim, e.g. ``Error: ...``)."""


@dataclass(frozen=True)
class Word:
    text: str
    column: int


def split_words(line: str) -> list[Word]:
    """Whitespace-separated words with their columns; a double-quoted string is one word."""
    return [Word(m.group(0), m.start()) for m in re.finditer(r'"[^"]*"|\S+', line)]


# A parameter validator gets the remaining words and returns (value, words consumed) or None.
Validator = Callable[[Sequence[Word]], "tuple[Any, int] | None"]


def _single(check: Callable[[str], Any]) -> Validator:
    def validate(words: Sequence[Word]) -> tuple[Any, int] | None:
        try:
            value = check(words[0].text)
        except (ValueError, TypeError):
            return None
        return None if value is None else (value, 1)

    return validate


def _int_range(low: int, high: int) -> Validator:
    def check(text: str) -> int | None:
        value = int(text, 10)
        return value if low <= value <= high else None

    return _single(check)


def _ipv4(text: str) -> str:
    return str(ipaddress.IPv4Address(text))


def _mask_or_len(text: str) -> int:
    """``255.255.255.0`` or ``24``: Huawei and H3C accept both after an IPv4 address."""
    if text.isdigit():
        length = int(text)
        if 0 <= length <= 32:
            return length
        raise ValueError(text)
    return ipaddress.IPv4Network(f"0.0.0.0/{text}").prefixlen


def _ipv6(text: str) -> str:
    return str(ipaddress.IPv6Address(text))


def _ipv6_prefix(text: str) -> str:
    if "/" not in text:
        raise ValueError(text)
    return str(ipaddress.IPv6Interface(text))


def _ipv4_prefix(text: str) -> str:
    if "/" not in text:
        raise ValueError(text)
    return str(ipaddress.IPv4Interface(text))


def _area(text: str) -> str:
    """An OSPF area: ``1`` or ``0.0.0.1`` (both CLIs accept either), kept in the dotted form."""
    if text.isdigit():
        return str(ipaddress.IPv4Address(int(text)))
    return str(ipaddress.IPv4Address(text))


def _word(text: str) -> str:
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return text[1:-1]
    return text


def _rest(words: Sequence[Word]) -> tuple[str, int]:
    return " ".join(w.text for w in words), len(words)


VALIDATORS: dict[str, Validator] = {
    "ipv4": _single(_ipv4),
    "mask": _single(_mask_or_len),
    "ipv4pfx": _single(_ipv4_prefix),
    "ipv6": _single(_ipv6),
    "ipv6pfx": _single(_ipv6_prefix),
    "len6": _int_range(0, 128),
    "len4": _int_range(0, 32),
    "word": _single(_word),
    "text": _rest,
    "count": _int_range(1, 10000),
    "seconds": _int_range(60, 65535),
    "minutes": _int_range(1, 65535),
    "last": _int_range(1, 80),
    "commitid": _int_range(1000000001, 1999999999),
    "acl6": _int_range(2000, 3999),
    "ruleid": _int_range(0, 4294967294),
    "screenlen": _int_range(0, 512),
    "width": _int_range(0, 512),
    "proc": _int_range(1, 65535),     # OSPF/OSPFv3 process id
    "area": _single(_area),
    "cost": _int_range(1, 65535),
    "timer": _int_range(1, 65535),
    "keyid": _int_range(1, 255),
}

Handler = Callable[..., Awaitable[Any]]


@dataclass
class Command:
    pattern: str
    handler: Handler
    help: str = ""
    tokens: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.pattern.split()

    @property
    def first_keyword(self) -> str:
        return self.tokens[0]


@dataclass
class Match:
    command: Command
    args: list[Any]


@dataclass
class _Candidate:
    command: Command
    token_index: int = 0
    word_index: int = 0
    args: list[Any] = field(default_factory=list)


def _is_param(token: str) -> bool:
    return token.startswith("{") and token.endswith("}")


def match(line: str, commands: Sequence[Command], validators: dict[str, Validator]) -> Match:
    """The one command ``line`` means, or CliError naming the first word that went wrong."""
    words = split_words(line)
    if not words:
        raise CliError(INCOMPLETE, 0)
    alive = [_Candidate(c) for c in commands]
    # Candidates advance word by word; they are in lock-step only while consuming single words,
    # so we advance each candidate independently and keep the furthest error for reporting.
    finished: list[_Candidate] = []
    best_error: CliError | None = None

    def fail(kind: str, column: int) -> None:
        nonlocal best_error
        if best_error is None or column > best_error.column or (
            column == best_error.column and _severity(kind) > _severity(best_error.kind)
        ):
            best_error = CliError(kind, column)

    while alive:
        # Group candidates by their current word position and resolve keyword prefixes together,
        # because ambiguity is decided among all keywords possible at that position.
        position = min(c.word_index for c in alive)
        here = [c for c in alive if c.word_index == position]
        later = [c for c in alive if c.word_index != position]
        if position >= len(words):
            for cand in here:
                if cand.token_index >= len(cand.command.tokens):
                    finished.append(cand)
                else:
                    fail(INCOMPLETE, _end_column(line))
            alive = later
            continue
        word = words[position]
        ended = [c for c in here if c.token_index >= len(c.command.tokens)]
        for _ in ended:
            fail(TOO_MANY, word.column)
        here = [c for c in here if c.token_index < len(c.command.tokens)]
        keywords = {c.command.tokens[c.token_index] for c in here if not _is_param(c.command.tokens[c.token_index])}
        lowered = word.text.lower()
        exact = {k for k in keywords if k.lower() == lowered}
        prefixed = exact or {k for k in keywords if k.lower().startswith(lowered)}
        advanced: list[_Candidate] = []
        param_tried = False
        for cand in here:
            token = cand.command.tokens[cand.token_index]
            if _is_param(token):
                param_tried = True
                result = validators[token[1:-1]](words[position:])
                if result is not None:
                    value, used = result
                    advanced.append(
                        _Candidate(cand.command, cand.token_index + 1, position + used, cand.args + [value])
                    )
            elif len(prefixed) == 1 and token in prefixed:
                advanced.append(_Candidate(cand.command, cand.token_index + 1, position + 1, cand.args))
        if not advanced and here:
            if len(prefixed) > 1:
                fail(AMBIGUOUS, word.column)
            elif param_tried and not prefixed:
                fail(WRONG_PARAMETER, word.column)
            else:
                fail(UNRECOGNIZED, word.column)
        alive = later + advanced
    if finished:
        # Prefer the command whose keywords matched most literally (fewest parameters).
        finished.sort(key=lambda c: sum(1 for t in c.command.tokens if _is_param(t)))
        return Match(finished[0].command, finished[0].args)
    assert best_error is not None
    raise best_error


def _end_column(line: str) -> int:
    return len(line.rstrip())


def _severity(kind: str) -> int:
    return [UNRECOGNIZED, TOO_MANY, INCOMPLETE, WRONG_PARAMETER, AMBIGUOUS].index(kind)


def keywords_at(line: str, commands: Sequence[Command], validators: dict[str, Validator]) -> list[tuple[str, str]]:
    """Keywords (with help text) that may follow ``line``: the ``?`` help listing."""
    alive = [(command, 0) for command in commands]
    for word in split_words(line):
        keywords = {c.tokens[i] for c, i in alive if i < len(c.tokens) and not _is_param(c.tokens[i])}
        lowered = word.text.lower()
        chosen = {k for k in keywords if k.lower() == lowered} or {
            k for k in keywords if k.lower().startswith(lowered)
        }
        following = []
        for command, index in alive:
            if index >= len(command.tokens):
                continue
            token = command.tokens[index]
            if _is_param(token):
                if validators[token[1:-1]]([word]) is not None:
                    following.append((command, index + 1))
            elif token in chosen:
                following.append((command, index + 1))
        alive = following
    out: dict[str, str] = {}
    for command, index in alive:
        if index < len(command.tokens):
            token = command.tokens[index]
            name = f"<{token[1:-1]}>" if _is_param(token) else token
            text = FIRST_WORD_HELP.get(name, command.help) if index == 0 else ""
            if text and not out.get(name):
                out[name] = text
            out.setdefault(name, "")
    return sorted(out.items())


# Help for first words shared by many commands (otherwise the first command's help would show).
FIRST_WORD_HELP = {
    "display": "Display information",
    "show": "Show running system information",
    "undo": "Cancel current setting",
    "no": "Negate a command or set its defaults",
    "ping": "Send echo messages",
    "commit": "Commit configuration",
    "rollback": "Roll back the configuration",
    "ip": "Specify IP configuration",
    "ipv6": "Specify IPv6 configuration",
    "interface": "Specify the interface view",
    "acl": "Specify an ACL",
    "save": "Save the current configuration",
}
