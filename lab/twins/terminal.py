"""The character-level terminal of one SSH shell: echo, line assembly, ``\\r\\n`` output.

The twin does its own echo (asyncssh's line editor is off) so what netmiko reads back is
exactly what a device sends: every typed character echoed once, Enter echoed as ``\\r\\n``.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncssh

CTRL_C = "\x03"
CTRL_Z = "\x1a"
BACKSPACES = ("\x7f", "\x08")


class SessionClosed(Exception):
    """The SSH channel went away (client quit, or the lab's kill-ssh fault)."""


class Terminal:
    def __init__(self, process: asyncssh.SSHServerProcess) -> None:
        self.process = process
        self._pending = ""
        self._skip_lf = False
        self.on_help: Callable[[str], str] | None = None  # '?' pressed: returns the help text
        self.on_ctrl_z: Callable[[], None] | None = None

    def write(self, text: str) -> None:
        """Write text, turning bare ``\\n`` into ``\\r\\n`` as a device's VTY does."""
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        try:
            self.process.stdout.write(text)
        except (BrokenPipeError, ConnectionError, asyncssh.Error) as exc:
            raise SessionClosed() from exc

    async def _read(self) -> str:
        try:
            data = await self.process.stdin.read(4096)
        except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
            return ""
        except (asyncssh.Error, ConnectionError, OSError) as exc:
            raise SessionClosed() from exc
        if not data:
            raise SessionClosed()
        return data

    async def readline(self, prompt: str = "", echo: bool = True) -> str:
        """One input line; characters are echoed as they arrive (``echo=False`` for passwords)."""
        line = ""
        while True:
            if not self._pending:
                self._pending = await self._read()
            while self._pending:
                char, self._pending = self._pending[0], self._pending[1:]
                if self._skip_lf:
                    self._skip_lf = False
                    if char == "\n":
                        continue
                if char in "\r\n":
                    self._skip_lf = char == "\r"
                    self.write("\r\n")
                    return line
                if char in BACKSPACES:
                    if line:
                        line = line[:-1]
                        if echo:
                            self.write("\b \b")
                    continue
                if char == CTRL_C:
                    self.write("^C\r\n" + prompt)
                    line = ""
                    continue
                if char == CTRL_Z and self.on_ctrl_z is not None:
                    self.write("\r\n")
                    self.on_ctrl_z()
                    return ""
                if char == "?" and self.on_help is not None and echo:
                    # Help is printed as soon as '?' is typed; the line is then redrawn.
                    self.write("?\r\n" + self.on_help(line) + prompt + line)
                    continue
                if char == "\t" or (char < " " and char != "\t"):
                    continue
                line += char
                if echo:
                    self.write(char)
