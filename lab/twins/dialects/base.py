"""The shared base of every dialect: views, command lookup, errors, the session loop.

A dialect declares its commands with ``@command(view, pattern)`` on methods; a view's commands
are its own plus those of the views it falls back to (a system-view command typed in interface
view leaves interface view and runs, as on VRP, Comware and IOS-like CLIs).
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lab.twins.device import Device
from lab.twins.grammar import (
    UNRECOGNIZED,
    VALIDATORS,
    CliError,
    Command,
    ConfigError,
    Validator,
    Word,
    _int_range,
    keywords_at,
    match,
)
from lab.twins.model import DeviceConfig
from lab.twins.terminal import SessionClosed, Terminal

log = logging.getLogger(__name__)

ANY = "*"  # commands valid in every view (display/show, ping)


def command(view: str | Sequence[str], pattern: str, help: str = "") -> Callable:  # noqa: A002
    views = [view] if isinstance(view, str) else list(view)

    def mark(func: Callable) -> Callable:
        func.__dict__.setdefault("_commands", []).extend((v, pattern, help) for v in views)
        return func

    return mark


@dataclass
class View:
    name: str
    context: str = ""  # interface name, VPN instance, ACL number...


class Dialect:
    platform = ""
    # view -> the view it falls back to for commands it does not have itself
    parents: dict[str, str] = {}
    error_texts: dict[str, str] = {}
    interface_types: tuple[str, ...] = ()
    immediate = True  # changes reach the running config (and the kernel) line by line

    def __init__(self, device: Device, terminal: Terminal, username: str) -> None:
        self.device = device
        self.term = terminal
        self.username = username
        self.views: list[View] = [View(self.initial_view)]
        self.cfg: DeviceConfig = device.running.copy()
        self.validators: dict[str, Validator] = dict(VALIDATORS)
        self.validators["ifname"] = self._interface_validator
        self.validators["vpn"] = self._vpn_validator
        self.validators["vty"] = _int_range(0, 63)  # VTY numbers (VRP 0-4 by default, Comware 0-63)
        self._table = self._collect()
        terminal.on_help = self.help_text
        terminal.on_ctrl_z = self.ctrl_z

    initial_view = "user"

    @classmethod
    def prepare(cls, cfg: DeviceConfig) -> None:
        """Adjust a freshly built model to this platform (default: IPv6 needs no global switch)."""
        cfg.ipv6_global = True

    # ---- registry ------------------------------------------------------------------------
    def _collect(self) -> dict[str, list[Command]]:
        table: dict[str, list[Command]] = {}
        seen: set[str] = set()
        for klass in type(self).__mro__:
            for name, func in vars(klass).items():
                if name in seen or not callable(func) or "_commands" not in getattr(func, "__dict__", {}):
                    continue
                seen.add(name)
                bound = getattr(self, name)
                for view, pattern, help_text in func._commands:
                    table.setdefault(view, []).append(Command(pattern, bound, help_text))
        return table

    def commands_for(self, view: str) -> list[Command]:
        return self._table.get(view, []) + self._table.get(ANY, [])

    @property
    def view(self) -> View:
        return self.views[-1]

    # ---- the session loop ------------------------------------------------------------------
    def banner(self) -> str:
        return ""

    def prompt(self) -> str:
        raise NotImplementedError

    async def run(self) -> None:
        try:
            self.term.write(self.banner())
            await self.login_dialogue()
            while True:
                self.term.write(self.prompt())
                line = await self.term.readline(self.prompt())
                if self.closing:
                    break
                await self.execute(line)
                if self.closing:
                    break
        except SessionClosed:
            pass
        finally:
            self.on_session_end()

    closing = False

    async def login_dialogue(self) -> None:
        """Anything asked before the first prompt (Ruijie password change, ...)."""

    def on_session_end(self) -> None:
        """Hook for the end of a session (VRPv8 drops its candidate: nothing was committed)."""

    async def ask(self, question: str) -> str:
        self.term.write(question)
        return (await self.term.readline(question)).strip()

    def write(self, text: str) -> None:
        if text and not text.endswith("\n"):
            text += "\n"
        self.term.write(text)

    async def execute(self, line: str) -> None:
        if not line.strip():
            return
        prompt = self.prompt()
        line, output_filter = self.split_pipe(line)
        try:
            found, depth = self._lookup(line)
        except CliError as err:
            self.write(self.format_error(err, len(prompt)))
            return
        # A command found in a parent view leaves the current view(s) first.
        del self.views[len(self.views) - depth:]
        if not self.views:
            self.views = [View(self.initial_view)]
        self.cfg = self.edit_base()
        try:
            output = await found.command.handler(*found.args)
        except ConfigError as err:
            self.write(str(err))
            return
        if output:
            self.write(output_filter(output) if output_filter else output)
        await self.after_change()

    # ``display ... | include X`` (Huawei/H3C) and ``show ... | include X`` (IOS-like): only
    # display commands take a pipe, so a ``|`` in a description is left alone.
    PIPE = re.compile(r"^(\s*(?:dis|sh)\S*\s.*?)\s+\|\s+([a-z]+)\s+(.+)$", re.I)

    def split_pipe(self, line: str) -> tuple[str, Callable[[str], str] | None]:
        m = self.PIPE.match(line)
        if not m:
            return line, None
        head, word, pattern = m.group(1), m.group(2).lower(), m.group(3).strip()
        kinds = [k for k in ("include", "exclude", "begin") if k.startswith(word)]
        if len(kinds) != 1:
            return line, None
        kind = kinds[0][0]
        try:
            regex = re.compile(pattern)
        except re.error:
            regex = re.compile(re.escape(pattern))

        def apply(text: str) -> str:
            lines = text.splitlines()
            if kind == "i":
                kept = [x for x in lines if regex.search(x)]
            elif kind == "e":
                kept = [x for x in lines if not regex.search(x)]
            else:
                start = next((n for n, x in enumerate(lines) if regex.search(x)), len(lines))
                kept = lines[start:]
            return "\n".join(kept)

        return head, apply

    def _lookup(self, line: str):  # noqa: ANN202
        errors: list[CliError] = []
        depth = 0
        view = self.view.name
        while view:
            try:
                return match(line, self.commands_for(view), self.validators), depth
            except CliError as err:
                errors.append(err)
            view = self.parents.get(view, "")
            depth += 1
        # Report the error of the view that got furthest; ties go to the current view.
        raise max(reversed(errors), key=lambda e: e.column)

    def edit_base(self) -> DeviceConfig:
        return self.device.running.copy()

    async def after_change(self) -> None:
        if self.immediate and self.cfg.to_json() != self.device.running.to_json():
            await self.device.apply(self.cfg)

    def format_error(self, err: CliError, prompt_len: int) -> str:
        caret = " " * (prompt_len + err.column) + "^"
        return f"{caret}\n{self.error_texts[err.kind]}"

    def help_text(self, line: str) -> str:
        items = keywords_at(line, self.commands_for(self.view.name), self.validators)
        if not items:
            return self.error_texts[UNRECOGNIZED] + "\n"
        return "".join(f"  {name:<24}{text}\n" for name, text in items)

    def ctrl_z(self) -> None:
        self.views = [View(self.initial_view)]

    # ---- parameter types that need the device ---------------------------------------------
    def _interface_validator(self, words: Sequence[Word]) -> tuple[Any, int] | None:
        """``GigabitEthernet0/0/1``, ``GigabitEthernet 0/0/1``, ``g0/0/1``, ``LoopBack 0``."""
        for used in (1, 2):
            if len(words) < used:
                break
            text = "".join(w.text for w in words[:used])
            name = self.resolve_interface(text)
            if name:
                return name, used
        return None

    def resolve_interface(self, text: str) -> str | None:
        m = re.fullmatch(r"([A-Za-z][A-Za-z-]*?)-?(\d[\d/:.]*)", text)
        if not m:
            return None
        kind, number = m.group(1).lower(), m.group(2)
        types = [t for t in self.interface_types if t.lower().startswith(kind)]
        exact = [t for t in types if t.lower() == kind]
        types = exact or types
        if len(types) != 1:
            return None
        for name in self.cfg.interfaces:
            if self.canonical_interface(name) == self.canonical_interface(types[0] + number):
                return name
        return None

    @staticmethod
    def canonical_interface(name: str) -> str:
        return name.replace(" ", "").replace("-", "").lower()

    def _vpn_validator(self, words: Sequence[Word]) -> tuple[Any, int] | None:
        text = words[0].text
        return (text, 1) if len(text) <= 31 and text.isprintable() else None

    # ---- small helpers for handlers ----------------------------------------------------------
    def interface(self) -> Any:
        return self.cfg.interfaces[self.view.context]

    @staticmethod
    def network(address: str, length: int) -> str:
        return str(ipaddress.ip_interface(f"{address}/{length}").network)

