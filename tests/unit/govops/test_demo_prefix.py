"""`python -m govops.demo` keeps to its own prefix (issue 14, item 15): --prefix is the lab it
builds and removes, and a lab already up under that prefix is refused, never torn down.

The lab's up/down are replaced by recorders (the demo's other stages by a stub): what is under
test is which prefix the demo hands them, and that it never removes a lab it did not make.
"""

from __future__ import annotations

import pytest

import lab.lifecycle
from govops import demo


@pytest.fixture()
def calls(monkeypatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    def up(inv, prefix, **kw):
        seen.append(("up", prefix))
        raise lab.lifecycle.LabError("stop here: the recorder does not build a lab")

    monkeypatch.setattr(lab.lifecycle, "up", up)
    monkeypatch.setattr(lab.lifecycle, "down", lambda prefix, **kw: seen.append(("down", prefix)))
    monkeypatch.setattr(demo, "govops", lambda *argv: 0)  # stages 1-2 (validate, plan): not under test
    monkeypatch.setattr(demo.os, "geteuid", lambda: 0)
    return seen


def test_a_lab_already_up_under_the_prefix_is_refused_not_torn_down(calls, monkeypatch, capsys):
    monkeypatch.setattr(lab.lifecycle, "exists", lambda prefix: prefix == "hgdemo", raising=False)
    assert demo.main(["--prefix", "hgdemo"]) == 2
    assert calls == []  # neither down nor up: someone else's lab is left alone
    out = " ".join(capsys.readouterr().out.split())
    assert "hgdemo" in out and "govops lab down --prefix hgdemo" in out


def test_the_demo_builds_its_lab_under_the_given_prefix(calls, monkeypatch):
    monkeypatch.setattr(lab.lifecycle, "exists", lambda prefix: False, raising=False)
    assert demo.main(["--prefix", "hgdemo"]) == 1  # the recorder's up failed
    assert calls == [("up", "hgdemo")]  # no down of govdemo (or of anything) first


def test_default_prefix_is_govdemo_and_an_existing_one_is_not_removed(calls, monkeypatch):
    monkeypatch.setattr(lab.lifecycle, "exists", lambda prefix: prefix == "govdemo", raising=False)
    assert demo.main([]) == 2
    assert calls == []
