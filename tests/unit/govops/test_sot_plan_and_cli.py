"""`govops validate` checks the committed IPv6 plan too (issue 14, problem 6), and the validate and
plan commands answer bad files with a message naming them, never a traceback (problem 9)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from govops.cli import main
from tests.paths import ROOT

PLAN = "all.vars.ipv6_plan"


def validate(inv: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["validate", "-i", str(inv), *extra])
    return code, capsys.readouterr().err


def edit_plan(inv: Path, change) -> None:
    path = inv / "ipv6-plan.yml"
    data = yaml.safe_load(path.read_text())
    change(data["all"]["vars"]["ipv6_plan"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def first_link(body: dict) -> str:
    return next(iter(body["links"]))


CASES = {
    "overlapping links": (lambda b: b["links"].update({first_link(b): list(b["links"].values())[1]}),
                          f"{PLAN}.links.core-1:GigabitEthernet0/1/1--fy-agg-1:GigabitEthernet0/0/1", r"overlaps links\."),
    "loopback outside its block": (lambda b: b["loopbacks"].update({"core-1": "2001:db8:4601::1/128"}),
                                   f"{PLAN}.loopbacks.core-1", r"should be a /128 inside 2001:db8:4600::/64"),
    "garbage address": (lambda b: b["loopbacks"].update({"core-2": "2001:db8:zz::2/128"}),
                        f"{PLAN}.loopbacks.core-2", r"expected an IPv6 prefix"),
    "not a string": (lambda b: b["sites"].update({"fenyi": 42}),
                     f"{PLAN}.sites.fenyi", r"expected an IPv6 prefix: found int 42"),
    "wrong city prefix": (lambda b: b.update(city="2001:db8:4700::/40"),
                          f"{PLAN}.city", r"plan is for 2001:db8:4700::/40, the inventory's allocation is 2001:db8:4600::/40"),
    "section not a mapping": (lambda b: b.update(loopbacks=["2001:db8:4600::1/128"]),
                              f"{PLAN}.loopbacks", r"expected a mapping of names to IPv6 prefixes, found list"),
    "derived block edited": (lambda b: b.update(loopback_pool="2001:db8:4600:1::/64"),
                             f"{PLAN}.loopback_pool", r"expected 2001:db8:4600::/64 \(derived from the city prefix"),
    "site in the centres' range": (lambda b: b["sites"].update({"xinyiji": "2001:db8:46c8::/48"}),
                                   f"{PLAN}.sites.xinyiji", r"number 200 of 2001:db8:4600::/40; city and county sites use "
                                                            r"numbers 1\.\.191"),
    "segment outside its site": (lambda b: b["segments"].update({"core-1:GigabitEthernet0/1/7": "2001:db8:4650::/64"}),
                                 f"{PLAN}.segments.core-1:GigabitEthernet0/1/7",
                                 r"should be a /64 inside 2001:db8:4601::/56"),
    "unknown key": (lambda b: b.update(loopbaks={}), f"{PLAN}.loopbaks", r"unknown key"),
}


@pytest.mark.parametrize("case", CASES)
def test_validate_reports_a_broken_plan(lab_copy: Path, capsys, case: str) -> None:
    change, key, words = CASES[case]
    edit_plan(lab_copy, change)
    code, err = validate(lab_copy, capsys)
    assert code == 1
    hits = [line for line in err.splitlines() if line.strip().startswith(f"{lab_copy}/ipv6-plan.yml: {key}: ")]
    assert hits and any(re.search(words, h) for h in hits), err


def test_validate_reports_an_empty_plan(lab_copy: Path, capsys) -> None:
    (lab_copy / "ipv6-plan.yml").write_text("")
    code, err = validate(lab_copy, capsys)
    assert code == 1 and f"{lab_copy}/ipv6-plan.yml: (file): empty: expected `all: vars: ipv6_plan:`" in err


def test_a_plan_not_yet_written_is_a_note_not_a_failure(lab_copy: Path, capsys) -> None:
    edit_plan(lab_copy, lambda b: b["loopbacks"].pop("core-1"))
    code, err = validate(lab_copy, capsys)
    assert code == 0
    assert f"note: {lab_copy}/ipv6-plan.yml: {PLAN}.loopbacks.core-1: missing from the plan; run `govops ipv6 plan " \
           "--write`" in err.replace("\n", " ")


# -- 9: messages, not tracebacks ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["missing", "directory", "empty"])
def test_validate_with_an_unusable_vault_password_file(lab_copy: Path, tmp_path: Path, capsys, kind: str) -> None:
    path = tmp_path / "pw"
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_text("\n")
    code, err = validate(lab_copy, capsys, "--vault-password-file", str(path))
    expected = {"missing": "no such vault password file", "directory": "is a directory; expected a file holding the vault "
                "password", "empty": "vault password file is empty"}[kind]
    assert code == 2 and f"{path}: (file): {expected}" in err


def test_an_unusable_vault_password_file_from_the_environment(lab_copy: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("GOVOPS_VAULT_PASSWORD_FILE", str(tmp_path))
    code, err = validate(lab_copy, capsys)
    assert code == 1 and f"{tmp_path}: (file): is a directory" in err


def test_plan_write_when_the_file_cannot_be_written(lab_copy: Path, capsys) -> None:
    (lab_copy / "ipv6-plan.yml").unlink()
    (lab_copy / "ipv6-plan.yml.tmp").mkdir()  # in the way of the atomic write (root ignores permissions)
    code = main(["ipv6", "plan", "--write", "-i", str(lab_copy)])
    err = capsys.readouterr().err
    assert code == 1 and f"{lab_copy}/ipv6-plan.yml: (file): cannot write the plan: Is a directory" in err
    assert not (lab_copy / "ipv6-plan.yml").exists()


def test_plan_write_on_a_read_only_file_system(lab_copy: Path) -> None:
    """A real read-only mount (a private mount namespace, so nothing outside the test sees it)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a read-only bind mount")
    (lab_copy / "ipv6-plan.yml").unlink()
    script = f'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "{ROOT}/.venv/bin/govops" ' \
             'ipv6 plan --write -i "$1"'
    out = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", str(lab_copy)],
                         capture_output=True, text=True)
    if "mount" in out.stderr and "govops" not in out.stderr and out.returncode != 1:
        pytest.skip(f"no read-only bind mount here: {out.stderr.strip()}")
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert f"{lab_copy}/ipv6-plan.yml: (file): cannot write the plan: Read-only file system" in out.stderr
