"""SSH access as the inventory says: key auth for the configured user, a persistent host key."""

from __future__ import annotations

from pathlib import Path

import paramiko
import pytest
from gtw_lab import DEVICES, USERNAME

pytestmark = pytest.mark.lab


def test_key_authentication_with_authorized_key(lab) -> None:  # noqa: ANN001
    key_file = str(Path(lab.config["ready_file"]).parent / "client_ed25519")

    def job() -> str:
        from netmiko import ConnectHandler

        conn = ConnectHandler(device_type="huawei", host=DEVICES["v5"]["mgmt"], username=USERNAME,
                              use_keys=True, key_file=key_file, allow_agent=False, password="")
        try:
            return conn.find_prompt()
        finally:
            conn.disconnect()

    assert lab.in_mgmt(job) == "<V5>"


def test_wrong_password_is_refused(lab) -> None:  # noqa: ANN001
    def job() -> None:
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        try:
            client.connect(DEVICES["cw"]["mgmt"], username=USERNAME, password="wrong", look_for_keys=False,
                           allow_agent=False, timeout=10)
        finally:
            client.close()

    with pytest.raises(paramiko.AuthenticationException):
        lab.in_mgmt(job)


def test_host_key_is_the_persistent_one_on_disk(lab) -> None:  # noqa: ANN001
    spec = next(d for d in lab.config["devices"] if d["name"] == "v8")
    on_disk = Path(spec["host_key"] + ".pub").read_text().split()[1]

    def job() -> str:
        import socket

        sock = socket.create_connection((DEVICES["v8"]["mgmt"], 22), timeout=10)
        transport = paramiko.Transport(sock)
        try:
            transport.start_client(timeout=10)
            return transport.get_remote_server_key().get_base64()
        finally:
            transport.close()

    assert lab.in_mgmt(job) == on_disk
