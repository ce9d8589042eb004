"""One way to open a netmiko session to an inventory device.

Credentials come from the SoT loader (ansible-vault, already decrypted) or from the
environment (GOVOPS_NET_USERNAME / GOVOPS_NET_PASSWORD); they are never logged: netmiko's
session log stays off. Host keys are checked against a known_hosts file (GOVOPS_KNOWN_HOSTS,
the lab writes one; else ~/.ssh/known_hosts); an unknown key is refused unless ``accept_new_keys`` (``--lab-accept-new-keys``).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import paramiko
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

from govops.labguard import OutsideLabNamespace, require_lab_workstation
from govops.sot import Device

log = logging.getLogger(__name__)

KNOWN_HOSTS_ENV = "GOVOPS_KNOWN_HOSTS"
USER_KNOWN_HOSTS = Path("~/.ssh/known_hosts")
SAVE_TIMEOUT = 180  # VRP `save` can take minutes on a loaded box (netmiko issues 248, 2843)
READ_TIMEOUT = 60


class SessionError(Exception):
    """Could not open a session (unreachable, host key, authentication); message has no secret."""


class LabNamespaceError(SessionError):
    """A lab device (198.18.0.0/15, 2001:db8::/32) from outside a lab's management namespace."""


@dataclass(frozen=True)
class SessionOptions:
    known_hosts: Path | None = None
    accept_new_keys: bool = False  # lab only: trust on first use
    attempts: int = 4
    backoff: float = 1.0  # seconds, doubled per attempt
    conn_timeout: float = 15.0

    @classmethod
    def from_env(cls, **overrides) -> SessionOptions:
        """known_hosts: the argument, else $GOVOPS_KNOWN_HOSTS, else the user's ~/.ssh/known_hosts when it
        exists (OpenSSH's own default; a CI job prepares it there, ci/gitlab-ci.yml)."""
        path = overrides.pop("known_hosts", None) or os.environ.get(KNOWN_HOSTS_ENV)
        if not path and USER_KNOWN_HOSTS.expanduser().is_file():
            path = str(USER_KNOWN_HOSTS.expanduser())
        return cls(known_hosts=Path(path) if path else None, **overrides)


def credentials(dev: Device) -> tuple[str, str]:
    user = dev.username or os.environ.get("GOVOPS_NET_USERNAME", "")
    password = dev.password or os.environ.get("GOVOPS_NET_PASSWORD", "")
    if not user or not password:
        raise SessionError(f"{dev.name}: no credentials (vault or GOVOPS_NET_USERNAME/GOVOPS_NET_PASSWORD)")
    return user, password


def connect_params(dev: Device, opts: SessionOptions) -> dict:
    user, password = credentials(dev)
    params = {
        "device_type": dev.platform,
        "host": str(dev.mgmt_ipv4),
        "username": user,
        "password": password,
        "conn_timeout": opts.conn_timeout,
        "auth_timeout": opts.conn_timeout,
        "banner_timeout": opts.conn_timeout,
        "session_log": None,  # a session log would record the password prompt exchange
        "fast_cli": False,
        "allow_agent": False,
        "use_keys": False,
        "keepalive": 5,
    }
    if opts.known_hosts is not None and not opts.accept_new_keys:
        params.update(ssh_strict=True, system_host_keys=False, alt_host_keys=True,
                      alt_key_file=str(opts.known_hosts))
    elif opts.accept_new_keys:
        params.update(ssh_strict=False, system_host_keys=False, alt_host_keys=False)
    else:
        raise SessionError(f"{dev.name}: no known_hosts file (set {KNOWN_HOSTS_ENV}); refusing to trust an unknown key")
    return params


def open_session(dev: Device, opts: SessionOptions | None = None) -> BaseConnection:
    """ConnectHandler with retries and exponential backoff on timeouts/refusals; a bad host key or
    a refused password fails at once (retrying would not help and could lock the account).
    A lab device is refused before any packet unless this thread runs in a lab's mgmt namespace."""
    try:
        require_lab_workstation([(dev.name, dev.mgmt_ipv4)])
    except OutsideLabNamespace as exc:
        raise LabNamespaceError(str(exc)) from None
    opts = opts or SessionOptions.from_env()
    params = connect_params(dev, opts)
    delay = opts.backoff
    last: Exception | None = None
    for attempt in range(1, opts.attempts + 1):
        try:
            return ConnectHandler(**params)
        except NetmikoAuthenticationException:
            raise SessionError(f"{dev.name}: authentication failed for user {params['username']}") from None
        except paramiko.BadHostKeyException:
            raise SessionError(f"{dev.name}: host key does not match {opts.known_hosts}") from None
        except paramiko.SSHException as exc:
            if "not found in known_hosts" in str(exc) or "known_hosts" in str(exc):
                raise SessionError(f"{dev.name} ({dev.mgmt_ipv4}): host key not in {opts.known_hosts}") from None
            last = exc
        except (NetmikoTimeoutException, OSError, EOFError) as exc:
            last = exc
        log.info("%s: connect attempt %d failed (%s); retrying in %.1fs", dev.name, attempt,
                 type(last).__name__, delay)
        if attempt < opts.attempts:
            time.sleep(delay)
            delay *= 2
    raise SessionError(f"{dev.name} ({dev.mgmt_ipv4}): unreachable after {opts.attempts} attempts: "
                       f"{type(last).__name__}: {_scrub(str(last), dev)}")


def _scrub(text: str, dev: Device) -> str:
    return text.replace(dev.password, "***") if dev.password else text
