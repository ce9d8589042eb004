"""The command grammar: unique-prefix keywords, typed parameters, and where errors point."""

from __future__ import annotations

import pytest

from lab.twins.grammar import (
    AMBIGUOUS,
    INCOMPLETE,
    TOO_MANY,
    UNRECOGNIZED,
    VALIDATORS,
    WRONG_PARAMETER,
    CliError,
    Command,
    keywords_at,
    match,
)


async def _noop(*_args):  # noqa: ANN002, ANN202
    return ""


COMMANDS = [
    Command("display current-configuration", _noop, "Current configuration"),
    Command("display interface brief", _noop),
    Command("display ip routing-table", _noop),
    Command("display ipv6 routing-table", _noop),
    Command("ipv6 address {ipv6} {len6}", _noop),
    Command("ipv6 address {ipv6pfx}", _noop),
    Command("ipv6 enable", _noop),
    Command("ip address {ipv4} {mask}", _noop),
    Command("undo shutdown", _noop),
    Command("system-view", _noop),
    Command("sysname {word}", _noop),
]


def _match(line: str):  # noqa: ANN202
    return match(line, COMMANDS, VALIDATORS)


def test_unique_prefixes_select_the_command() -> None:
    assert _match("dis cur").command.pattern == "display current-configuration"
    assert _match("dis int br").command.pattern == "display interface brief"
    assert _match("syst").command.pattern == "system-view"  # "sys" is also "sysname"


def test_exact_keyword_wins_over_longer_keyword_with_same_prefix() -> None:
    # "ip" is a keyword on its own and a prefix of "ipv6": exact match decides.
    assert _match("dis ip routing-table").command.pattern == "display ip routing-table"


def test_parameters_are_typed_and_converted() -> None:
    found = _match("ipv6 address 2001:DB8::1 64")
    assert found.command.pattern == "ipv6 address {ipv6} {len6}"
    assert found.args == ["2001:db8::1", 64]
    assert _match("ipv6 address 2001:db8::1/64").args == ["2001:db8::1/64"]
    assert _match("ip address 198.18.1.1 255.255.255.252").args == ["198.18.1.1", 30]


@pytest.mark.parametrize("line,kind,column", [
    ("foo", UNRECOGNIZED, 0),
    ("display foo", UNRECOGNIZED, 8),
    ("ipv6 address", INCOMPLETE, 12),
    ("ipv6 address 2001:db8::zz 64", WRONG_PARAMETER, 13),
    ("ipv6 address 2001:db8::1 129", WRONG_PARAMETER, 25),
    ("undo shutdown now", TOO_MANY, 14),
    ("sys", AMBIGUOUS, 0),
])
def test_errors_name_kind_and_column(line: str, kind: str, column: int) -> None:
    with pytest.raises(CliError) as err:
        _match(line)
    assert (err.value.kind, err.value.column) == (kind, column)


def test_help_lists_what_may_follow() -> None:
    names = [name for name, _ in keywords_at("display ", COMMANDS, VALIDATORS)]
    assert names == ["current-configuration", "interface", "ip", "ipv6"]


def test_help_after_an_exact_keyword_does_not_mix_in_longer_keywords() -> None:
    # "ip" must not also offer what follows "ipv6".
    assert [name for name, _ in keywords_at("display ip ", COMMANDS, VALIDATORS)] == ["routing-table"]
