"""READMEs and runbooks are followed literally: every alert links to a runbook, and every command shown
in a README or runbook is valid: `govops …` parses (an unknown subcommand fails, never skips), playbooks
pass `--syntax-check`, `python -m` modules and `make` targets exist, repository paths exist."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT
from tests.runbooks.commands import Command, commands, documents, inline_commands

RUNBOOKS = sorted((ROOT / "runbooks").rglob("*.md"))
RULE_FILES = sorted((ROOT / "monitoring" / "prometheus" / "rules").glob("*.yml"))
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


def runbook_urls() -> list[tuple[str, str, str]]:
    out = []
    for path in RULE_FILES:
        for group in (yaml.safe_load(path.read_text()) or {}).get("groups", []):
            for rule in group.get("rules", []):
                url = (rule.get("annotations") or {}).get("runbook_url")
                if "alert" in rule:
                    out.append((path.name, rule["alert"], url))
    return out


@pytest.mark.skipif(not RULE_FILES, reason="no alert rules yet in monitoring/prometheus/rules/")
@pytest.mark.parametrize("rules_file, alert, url", runbook_urls())
def test_every_alert_links_to_an_existing_runbook(rules_file, alert, url):
    assert url, f"{rules_file}: alert {alert} has no runbook_url"
    # A repository path, relative or inside a published URL (.../blob/<ref>/<path>), with an optional anchor.
    path, _, anchor = re.sub(r"^https?://[^ ]*?/(blob|tree|raw)/[^/]+/", "", url).partition("#")
    assert path.endswith(".md"), f"{rules_file}: {alert}: runbook_url {url!r} is not a Markdown runbook"
    assert (ROOT / path).is_file(), f"{rules_file}: {alert}: {path} does not exist"
    if anchor:
        slugs = {github_slug(h) for h in re.findall(r"^#+\s+(.+?)\s*$", (ROOT / path).read_text(), re.M)}
        assert anchor in slugs, f"{rules_file}: {alert}: {path} has no heading #{anchor} (has: {sorted(slugs)})"


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@cache
def parser() -> argparse.ArgumentParser:
    from govops.cli import build_parser

    return build_parser()


def _subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next((a.choices for a in p._actions if isinstance(a, argparse._SubParsersAction)), {})


def govops_problem(argv: tuple[str, ...]) -> str | None:
    """What `govops` says about the command line (None when it parses): argparse itself, dry, no command run."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            parser().parse_args(list(argv[1:]))
        except SystemExit as exc:
            if exc.code != 0:
                return err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else f"exit {exc.code}"
    return None


PLACEHOLDER = re.compile(r"[<>{}$*…]|^[A-Z][A-Z_:]+$|\.\.\.")


def subcommand_problem(argv: tuple[str, ...]) -> str | None:
    """For a command written in prose: every subcommand word up to the first option or placeholder must
    exist (`A|B` means each of them)."""
    p, path = parser(), ["govops"]
    for word in argv[1:]:
        choices = _subparsers(p)
        if not choices or word.startswith("-") or PLACEHOLDER.search(word):
            return None
        alternatives = word.split("|")
        unknown = [w for w in alternatives if w not in choices]
        if unknown:
            return f"`{' '.join(path)}` has no subcommand {unknown[0]!r} (it has: {', '.join(sorted(choices))})"
        if len(alternatives) > 1:
            return None
        p = choices[word]
        path.append(word)
    return None


# The repository's own folders: a command argument under one of them names a file that must exist.
REPO_DIRS = ("bench", "ci", "collections", "govops", "inventories", "lab", "monitoring", "network", "playbooks",
             "pulumi", "runbooks", "security", "tests")
REPO_PATH = re.compile(rf"^(?:\./)?(?:{'|'.join(REPO_DIRS)})/")
# Options whose value is a file or folder the command creates.
OUTPUT_OPTIONS = {"-o", "--out", "--output", "--dest", "--runbooks", "--metrics", "--journal", "--backup-dir",
                  "--textfile-dir", "--dr-status", "--work", "--results", "--state"}


def path_problems(cmd: Command) -> list[str]:
    out = []
    for before, word in zip(("",) + cmd.argv, cmd.argv, strict=False):
        value = word.split("=", 1)[1] if word.startswith("--") and "=" in word else word
        if not REPO_PATH.match(value) or PLACEHOLDER.search(value) or "|" in value or before in OUTPUT_OPTIONS:
            continue
        if not (ROOT / value.split("::")[0]).exists():  # pytest node ids: path::test
            out.append(f"{cmd}: {value} does not exist")
    return out


def runnable_problems(cmd: Command) -> list[str]:
    """`python -m M` names an importable module; `make T` a Makefile target."""
    argv = cmd.argv
    if Path(argv[0]).name.startswith("python") and len(argv) > 2 and argv[1] == "-m":
        if importlib.util.find_spec(argv[2].split(".")[0]) is None or importlib.util.find_spec(argv[2]) is None:
            return [f"{cmd}: no module {argv[2]}"]
    if argv[0] == "make":
        targets = set(re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(), re.M))
        return [f"{cmd}: no make target {t!r}" for t in argv[1:] if "=" not in t and not t.startswith("-")
                and t not in targets]
    return []


def is_govops(cmd: Command) -> bool:
    return Path(cmd.argv[0]).name == "govops"


@cache
def syntax_check(playbook: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ANSIBLE_PLAYBOOK), "--syntax-check", "-i", "localhost,", playbook],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


DOCUMENTS = documents(ROOT)
ALL_COMMANDS = [c for path in DOCUMENTS for c in commands(path)]
INLINE_COMMANDS = [c for path in DOCUMENTS for c in inline_commands(path)]


def test_runbooks_contain_commands():
    names = {p.relative_to(ROOT / "runbooks").as_posix() for p in RUNBOOKS}
    assert {"system-migration.md", "dr-drill.md", "private-network-migration.md"} <= names
    assert sum(c.argv[0] == "ansible-playbook" for c in ALL_COMMANDS) >= 3
    # READMEs count too: the top one, and one per room
    assert {"README.md", "network/README.md", "lab/README.md"} <= {p.relative_to(ROOT).as_posix() for p in DOCUMENTS}


@pytest.mark.parametrize("cmd", [c for c in ALL_COMMANDS if is_govops(c)], ids=str)
def test_govops_commands_parse(cmd):
    problem = govops_problem(cmd.argv)
    assert problem is None, f"{cmd}\n{problem}"


@pytest.mark.parametrize("cmd", INLINE_COMMANDS, ids=str)
def test_govops_commands_in_the_prose_name_real_subcommands(cmd):
    problem = subcommand_problem(cmd.argv)
    assert problem is None, f"{cmd}: {problem}"


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_paths_modules_and_make_targets_in_commands_exist(doc):
    problems = [p for c in [*commands(doc), *inline_commands(doc)] for p in path_problems(c) + runnable_problems(c)]
    assert problems == []


def test_the_checks_fail_on_a_subcommand_a_path_and_a_module_that_do_not_exist(tmp_path):
    """What the tests above are for: a runbook naming something that is not there fails them."""
    page = tmp_path / "runbooks" / "bogus.md"
    page.parent.mkdir()
    page.write_text("Then `govops net no-such-step -i inventories/xinyu`.\n"
                    "```bash\ngovops net upgrade-all -i inventories/lab\ngovops lab up -i inventories/prod\n"
                    "python -m network.no_such_module\nmake no-such-target\n```\n")
    fenced, inline = commands(page), inline_commands(page)
    assert "invalid choice: 'upgrade-all'" in govops_problem(fenced[0].argv)
    assert govops_problem(fenced[1].argv) is None  # parses, but names an inventory that is not there
    assert path_problems(fenced[1]) == [f"{fenced[1]}: inventories/prod does not exist"]
    assert runnable_problems(fenced[2]) == [f"{fenced[2]}: no module network.no_such_module"]
    assert runnable_problems(fenced[3]) == [f"{fenced[3]}: no make target 'no-such-target'"]
    assert "has no subcommand 'no-such-step'" in subcommand_problem(inline[0].argv)
    # and what exists passes
    assert subcommand_problem(("govops", "net", "render|drift", "-i", "X")) is None
    assert govops_problem(("govops", "net", "render", "-i", "inventories/lab")) is None


@pytest.mark.parametrize("cmd", [c for c in ALL_COMMANDS if c.argv[0] == "ansible-playbook"], ids=str)
def test_playbooks_pass_syntax_check(cmd):
    playbooks = [a for a in cmd.argv[1:] if a.endswith((".yml", ".yaml")) and a.startswith("playbooks/")]
    assert playbooks, f"{cmd}: no playbooks/*.yml argument"
    for pb in playbooks:
        assert (ROOT / pb).is_file(), f"{cmd}: {pb} does not exist"
        result = syntax_check(pb)
        assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"


def test_command_extraction_handles_continuations_prompts_and_chains(tmp_path):
    md = tmp_path / "r.md"
    md.write_text("text `govops no` \n```console\n$ govops migrate plan \\\n  --json\nwave 1 output\n```\n"
                  "```bash\nX=1 govops lab exec -- ansible-playbook playbooks/a.yml && echo ok  # why\n```\n"
                  "```yaml\nansible-playbook nope.yml\n```\n")
    assert [c.argv for c in commands(md)] == [("govops", "migrate", "plan", "--json"),
                                              ("ansible-playbook", "playbooks/a.yml"), ("echo", "ok")]


def test_checks_catch_a_wrong_option_and_a_broken_playbook(tmp_path):
    assert "unrecognized arguments: --wave-size 3" in govops_problem(("govops", "migrate", "plan", "--wave-size", "3"))
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exc:
        parser().parse_args(["migrate", "plan", "--wave-size", "3"])
    assert exc.value.code == 2
    broken = tmp_path / "broken.yml"
    broken.write_text("- hosts: localhost\n  tasks:\n    - name: x\n      no_such_module_here: {}\n")
    assert syntax_check(str(broken)).returncode != 0
