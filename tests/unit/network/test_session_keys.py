"""Public-key login (issue 15): SessionOptions.key_file becomes netmiko's use_keys/key_file, the
password is then not required, and the host key is still checked against known_hosts."""

from __future__ import annotations

from pathlib import Path

import pytest

from govops.sot import load_inventory
from network import session

LAB = Path(__file__).resolve().parents[3] / "inventories" / "lab"


@pytest.fixture(scope="module")
def core1():
    return load_inventory(LAB, vault_password=(LAB / ".vault-pass").read_text().strip()).devices["core-1"]


@pytest.fixture()
def _device(core1):
    return lambda **kw: core1.model_copy(update=kw)


def test_key_file_logs_in_with_the_key_and_keeps_strict_host_keys(tmp_path: Path, _device):
    key = tmp_path / "id_ed25519"
    key.write_text("key")
    known = tmp_path / "known_hosts"
    params = session.connect_params(_device(password=""), session.SessionOptions(known_hosts=known, key_file=key))
    assert params["use_keys"] is True and params["key_file"] == str(key) and params["password"] is None
    assert params["ssh_strict"] is True and params["alt_key_file"] == str(known)
    assert params["allow_agent"] is False


def test_without_key_or_password_there_are_no_credentials(tmp_path: Path, monkeypatch, _device):
    monkeypatch.delenv("GOVOPS_NET_PASSWORD", raising=False)
    with pytest.raises(session.SessionError, match="no credentials"):
        session.connect_params(_device(password=""), session.SessionOptions(known_hosts=tmp_path / "k"))


def test_a_missing_key_file_is_named(tmp_path: Path, _device):
    with pytest.raises(session.SessionError, match="private key file .*does not exist"):
        session.connect_params(_device(password="x"), session.SessionOptions(known_hosts=tmp_path / "k",
                                                                             key_file=tmp_path / "nope"))
