"""Which known_hosts a device session verifies keys against (ci/gitlab-ci.yml prepares ~/.ssh/known_hosts)."""

from __future__ import annotations

from pathlib import Path

from network.session import SessionOptions


def test_the_users_known_hosts_is_used_when_nothing_else_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("GOVOPS_KNOWN_HOSTS", raising=False)
    assert SessionOptions.from_env().known_hosts is None  # nothing there: unknown keys are refused later
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "known_hosts").write_text("core-1 ssh-ed25519 AAAA\n")
    assert SessionOptions.from_env().known_hosts == tmp_path / ".ssh" / "known_hosts"


def test_the_environment_and_the_argument_come_first(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "known_hosts").write_text("")
    monkeypatch.setenv("GOVOPS_KNOWN_HOSTS", "/srv/env_known_hosts")
    assert SessionOptions.from_env().known_hosts == Path("/srv/env_known_hosts")
    assert SessionOptions.from_env(known_hosts="/srv/arg").known_hosts == Path("/srv/arg")
