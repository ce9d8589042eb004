"""Commands shown in READMEs and runbooks: fenced ```bash/```sh/```console blocks, split into single
commands, and inline `govops …` spans in the prose."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(bash|sh|console|shell)\s*\n(.*?)^```", re.M | re.S)
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Wrappers that run the rest of the line as the command.
WRAPPERS = (("govops", "lab", "exec", "--"), ("sudo",), ("env",), ("time",))


@dataclass(frozen=True)
class Command:
    file: Path
    line: int
    argv: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {shlex.join(self.argv)}"


INLINE = re.compile(r"`((?:\.venv/bin/)?govops [^`\n]+)`")
SKIP_DIRS = {".venv", ".git", "node_modules", ".pytest_cache", ".hypothesis", "run", "journal", "backups"}


def documents(root: Path) -> list[Path]:
    """Every README and runbook a newcomer reads: README*.md anywhere, and every page under runbooks/."""
    found = set()
    for path in root.rglob("*.md"):
        rel = path.relative_to(root)
        if SKIP_DIRS & set(rel.parts) or any(part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.name.upper().startswith("README") or rel.parts[0] == "runbooks":
            found.add(path)
    return sorted(found)


def inline_commands(path: Path) -> list[Command]:
    """`govops …` written in the prose: often with placeholders (`…`, `A|B`, `<env>`), so only the
    words up to the first option or placeholder are a command path to check."""
    text = path.read_text()
    out = []
    for m in INLINE.finditer(text):
        try:
            words = shlex.split(m.group(1), comments=True)
        except ValueError:
            words = m.group(1).split()
        out.append(Command(path, text.count("\n", 0, m.start()) + 1, tuple(words)))
    return out


def commands(path: Path) -> list[Command]:
    text = path.read_text()
    out = []
    for block in FENCE.finditer(text):
        first_line = text.count("\n", 0, block.start(2)) + 1
        lines = block.group(2).splitlines()
        i = 0
        while i < len(lines):
            start, line = i, lines[i]
            while line.endswith("\\") and i + 1 < len(lines):  # continuation lines
                i += 1
                line = line[:-1] + " " + lines[i]
            i += 1
            if block.group(1) == "console":
                if not line.startswith(("$ ", "# ")):
                    continue  # output, not a command
                line = line[2:]
            out += _split(path, first_line + start, line)
    return out


def _split(path: Path, lineno: int, line: str) -> list[Command]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words, cmds = [], []
    for tok in [*lexer, ";"]:
        if tok and set(tok) <= set(";&|"):
            argv = _unwrap(words)
            if argv:
                cmds.append(Command(path, lineno, tuple(argv)))
            words = []
        else:
            words.append(tok)
    return cmds


def _unwrap(words: list[str]) -> list[str]:
    while words and ASSIGNMENT.match(words[0]):
        words = words[1:]
    for wrapper in WRAPPERS:
        head = (Path(words[0]).name, *words[1: len(wrapper)]) if words else ()  # .venv/bin/govops too
        if head == wrapper:
            return _unwrap(words[len(wrapper):])
    return words
