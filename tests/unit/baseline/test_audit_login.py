"""Who `govops sec audit` logs in as: the inventory's named admin, every check under sudo (the
baseline refuses root's SSH login); root itself only when the inventory says so."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from security.audit import host_url


def test_a_named_admin_logs_in_and_the_checks_run_under_sudo():
    url = urlparse(host_url("cloud-prod-1", "198.18.0.111", "/run/govops/gt/ssh_config", "/tmp/cp", "opsadmin"))
    assert (url.username, url.hostname) == ("opsadmin", "cloud-prod-1")
    assert parse_qs(url.query)["sudo"] == ["true"]
    url = urlparse(host_url("cloud-prod-1", "198.18.0.111", None, "/tmp/cp", "opsadmin"))
    assert (url.username, url.hostname, parse_qs(url.query)["sudo"]) == ("opsadmin", "198.18.0.111", ["true"])


def test_root_needs_no_sudo():
    url = urlparse(host_url("cloud-prod-1", "198.18.0.111", None, "/tmp/cp"))
    assert url.username == "root" and "sudo" not in parse_qs(url.query)
