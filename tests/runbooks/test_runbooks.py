"""Runbooks are followed literally: every alert links to one, and every command in them is valid."""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.paths import ROOT
from tests.runbooks.commands import commands

RUNBOOKS = sorted((ROOT / "runbooks").rglob("*.md"))
RULE_FILES = sorted((ROOT / "monitoring" / "prometheus" / "rules").glob("*.yml"))
ANSIBLE_PLAYBOOK = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "ansible-playbook"


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

    p = build_parser()
    rooms = _rooms(p)
    if "migrate" not in rooms:  # until the lead registers the room in govops.cli.ROOMS
        from govops.migrate.cli import add_cli

        add_cli(next(a for a in p._actions if isinstance(a, argparse._SubParsersAction)))
    return p


def _rooms(p: argparse.ArgumentParser) -> set[str]:
    return {name for a in p._actions if isinstance(a, argparse._SubParsersAction) for name in a.choices}


@cache
def syntax_check(playbook: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ANSIBLE_PLAYBOOK), "--syntax-check", "-i", "localhost,", playbook],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


ALL_COMMANDS = [c for path in RUNBOOKS for c in commands(path)]


def test_runbooks_contain_commands():
    names = {p.relative_to(ROOT / "runbooks").as_posix() for p in RUNBOOKS}
    assert {"system-migration.md", "dr-drill.md", "private-network-migration.md"} <= names
    assert sum(c.argv[0] == "ansible-playbook" for c in ALL_COMMANDS) >= 3


@pytest.mark.parametrize("cmd", [c for c in ALL_COMMANDS if c.argv[0] == "govops"], ids=str)
def test_govops_commands_parse(cmd):
    room = cmd.argv[1] if len(cmd.argv) > 1 else ""
    if room not in _rooms(parser()) and not room.startswith("-"):
        pytest.skip(f"room {room!r} is not registered in govops.cli yet")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            parser().parse_args(list(cmd.argv[1:]))
        except SystemExit as exc:
            assert exc.code == 0, f"{cmd}\n{err.getvalue()}"


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
    with contextlib.redirect_stderr(io.StringIO()), pytest.raises(SystemExit) as exc:
        parser().parse_args(["migrate", "plan", "--wave-size", "3"])
    assert exc.value.code == 2
    broken = tmp_path / "broken.yml"
    broken.write_text("- hosts: localhost\n  tasks:\n    - name: x\n      no_such_module_here: {}\n")
    assert syntax_check(str(broken)).returncode != 0
