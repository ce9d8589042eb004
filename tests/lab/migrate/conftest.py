"""Helpers for the migration rehearsals: run the playbooks in the lab's mgmt namespace."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.paths import ROOT

ANSIBLE_PLAYBOOK = str(ROOT / ".venv" / "bin" / "ansible-playbook")


def playbook(lab, name: str, *extra: str, timeout: int = 300) -> subprocess.CompletedProcess:
    argv = [ANSIBLE_PLAYBOOK, "-i", str(lab.inventory), "--vault-password-file", str(lab.inventory / ".vault-pass"),
            f"playbooks/{name}", "-e", f"lab_prefix={lab.prefix}", *extra]
    return lab.exec_mgmt(argv, cwd=ROOT, timeout=timeout, env={"ANSIBLE_NOCOLOR": "1"})


def changed(proc: subprocess.CompletedProcess) -> int:
    """The `changed=` count of the play recap, all hosts (a task run once on the controller for a
    play's hosts is counted on the first of them)."""
    counts = re.findall(r"^\S+\s+:.*\bchanged=(\d+)", proc.stdout, re.M)
    assert counts, proc.stdout[-2000:]
    return sum(int(c) for c in counts)


def http(lab, host: str, url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    """An HTTP request made from inside `host` (its /etc/hosts resolves the service name)."""
    code = ("import sys, urllib.request, urllib.error\n"
            f"req = urllib.request.Request({url!r}, data={body!r}, method={method!r})\n"
            "try:\n r = urllib.request.urlopen(req, timeout=5); print(r.status); sys.stdout.write(r.read().decode('latin-1'))\n"
            "except urllib.error.HTTPError as e:\n print(e.code)\n")
    out = lab.run(host, ["python3", "-c", code], timeout=30)
    assert out.returncode == 0, f"{host}: {shlex.join(['GET', url])}: {out.stderr[-800:]}"
    status, _, rest = out.stdout.partition("\n")
    return int(status), rest.encode("latin-1")


def manifest(lab, host: str, system: str) -> str:
    out = lab.run(host, ["sh", "-c", f"cd /var/lib/govops-sample/{system}/data && "
                                     "find . -type f -print0 | sort -z | xargs -0 -r sha256sum"])
    assert out.returncode == 0, out.stderr
    return out.stdout


def journal(path: Path) -> list[tuple[str, str]]:
    return [(e["step"], e["outcome"]) for e in map(json.loads, path.read_text().splitlines())]


@pytest.fixture
def sample(lab, tmp_path):
    """doc-exchange as a fresh sample system on dept-srv-1; removed afterwards (services stopped)."""
    jpath = tmp_path / "journal.jsonl"
    base = ("-e", "system=doc-exchange", "-e", f"journal={jpath}")
    setup = playbook(lab, "migrate_system.yml", *base, "-e", "operation=setup")
    assert setup.returncode == 0, setup.stdout[-2000:]
    try:
        yield jpath, base
    finally:
        playbook(lab, "migrate_system.yml", *base, "-e", "operation=teardown")
