"""One way to open a netmiko session to an inventory device.

Sessions are netmiko's drivers with prompt-driven reads (``PromptReads``): every read ends when the
device's prompt (its vendor's ``SessionProfile`` pattern, anchored at the end of the output) arrives,
never after a fixed sleep or a stretch of silence; the session preparation is the vendor's list of
commands, nothing more. netmiko's stock drivers spend ~1 s preparing a session (``find_prompt``
sleeps, ``clear_buffer`` backoffs), ~0.45 s per command (``find_prompt`` before each one), 2 s per
config-mode check and, for Comware, 2 s of silence per configuration line (issue 20).

Credentials come from the SoT loader (ansible-vault, already decrypted) or from the
environment (GOVOPS_NET_USERNAME / GOVOPS_NET_PASSWORD); they are never logged: netmiko's
session log stays off. Host keys are checked against a known_hosts file (GOVOPS_KNOWN_HOSTS,
the lab writes one; else ~/.ssh/known_hosts); an unknown key is refused unless ``accept_new_keys`` (``--lab-accept-new-keys``).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import ConfigInvalidException, NetmikoAuthenticationException, NetmikoTimeoutException
from netmiko.ssh_dispatcher import CLASS_MAPPER

from govops import vendors
from govops.labguard import OutsideLabNamespace, require_lab_workstation
from govops.sot import Device
from govops.vendors.base import SessionProfile

log = logging.getLogger(__name__)

KNOWN_HOSTS_ENV = "GOVOPS_KNOWN_HOSTS"
USER_KNOWN_HOSTS = Path("~/.ssh/known_hosts")
SAVE_TIMEOUT = 180  # VRP `save` can take minutes on a loaded box (netmiko issues 248, 2843)
READ_TIMEOUT = 60
PROMPT_TIMEOUT = 20  # seconds for a prompt after a short command (login, paging, a config line)
# Any host name, for the first prompt (before the device has told us its name).
_ANY_NAME = r"[^\s<>\[\]()#~*]+"
# A question where a prompt was expected: answered by nobody, so reported (never a silent hang).
QUESTION = r"\[(?:Y/N|y/n|Y/N/C|yes/no)\][:?]?\s*$"


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
    # SSH public-key login (Ansible's ansible_ssh_private_key_file): the key is offered first, no
    # password is then needed; the host key is still checked against known_hosts.
    key_file: Path | None = None

    @classmethod
    def from_env(cls, **overrides) -> SessionOptions:
        """known_hosts: the argument, else $GOVOPS_KNOWN_HOSTS, else the user's ~/.ssh/known_hosts when it
        exists (OpenSSH's own default; a CI job prepares it there, ci/gitlab-ci.yml)."""
        path = overrides.pop("known_hosts", None) or os.environ.get(KNOWN_HOSTS_ENV)
        if not path and USER_KNOWN_HOSTS.expanduser().is_file():
            path = str(USER_KNOWN_HOSTS.expanduser())
        return cls(known_hosts=Path(path) if path else None, **overrides)


def credentials(dev: Device, key_file: Path | None = None) -> tuple[str, str]:
    """User and password; with a private key file the password may be empty (public-key login)."""
    user = dev.username or os.environ.get("GOVOPS_NET_USERNAME", "")
    password = dev.password or os.environ.get("GOVOPS_NET_PASSWORD", "")
    if not user or not (password or key_file):
        raise SessionError(f"{dev.name}: no credentials (vault or GOVOPS_NET_USERNAME/GOVOPS_NET_PASSWORD)")
    return user, password


def connect_params(dev: Device, opts: SessionOptions) -> dict:
    user, password = credentials(dev, opts.key_file)
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
    if opts.key_file is not None:
        if not opts.key_file.is_file():
            raise SessionError(f"{dev.name}: private key file {opts.key_file} does not exist")
        # netmiko's key login: this key is offered first (paramiko then also tries ~/.ssh's keys, as
        # ssh does without IdentitiesOnly; no agent); a vaulted password stays the fallback
        params.update(use_keys=True, key_file=str(opts.key_file), password=password or None)
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


class PromptReads:
    """Mixin placed before a netmiko driver class: reads end at the prompt (``SessionProfile``)."""

    profile: SessionProfile
    _prompt_re = ""
    _last_prompt = ""

    # ---- login -------------------------------------------------------------------------------
    def special_login_handler(self, delay_factor: float = 1.0) -> None:
        """Questions before the first prompt are answered in session_preparation (one place)."""

    def _try_session_preparation(self, force_data: bool = True) -> None:
        """netmiko first types Enter and sleeps 0.1 s "so there is data"; the login read below
        waits for the device's own first prompt instead."""
        try:
            self.session_preparation()
        except Exception:
            self.disconnect()
            raise

    def session_preparation(self) -> None:
        p = self.profile
        self.ansi_escape_codes = p.ansi_escape_codes
        any_prompt = p.prompt.replace("{name}", _ANY_NAME)
        login = "|".join(f"(?:{q})" for q in [*(q for q, _ in p.login_questions), any_prompt])
        data = self.read_until_pattern(pattern=login, read_timeout=PROMPT_TIMEOUT)
        for _ in range(len(p.login_questions) + 1):
            asked = next(((q, a) for q, a in p.login_questions if re.search(q, data)), None)
            if asked is None:
                break
            self.write_channel(asked[1] + self.RETURN)
            data = self.read_until_pattern(pattern=login, read_timeout=PROMPT_TIMEOUT)
        self._learn_prompt(data)
        if p.enable:
            self.enable()
        for command in p.preparation:
            self.send_command(command, read_timeout=PROMPT_TIMEOUT)

    def _learn_prompt(self, data: str) -> None:
        line = self._prompt_line(data)
        # The name is what the prompt shows between its marks (`<H>`, `H>`, `H#`).
        name = re.sub(r"^(?:<|\[[~*]?)|[>#\]]$", "", line)
        self.base_prompt = name
        self._prompt_re = self.profile.prompt.replace("{name}", re.escape(name))
        self._last_prompt = line

    @staticmethod
    def _prompt_line(data: str) -> str:
        lines = [ln.strip() for ln in data.replace("\r", "\n").split("\n") if ln.strip()]
        return lines[-1] if lines else ""

    def set_base_prompt(self, *args: Any, **kwargs: Any) -> str:
        """The prompt learnt at login, refreshed by one Enter (no timed find_prompt)."""
        self.write_channel(self.RETURN)
        self._learn_prompt(self.read_until_pattern(pattern=self.profile.prompt.replace("{name}", _ANY_NAME),
                                                   read_timeout=PROMPT_TIMEOUT))
        return self.base_prompt

    # ---- reads ---------------------------------------------------------------------------------
    def _prompt_handler(self, auto_find_prompt: bool) -> str:
        """send_command without expect_string reads to this device's prompt in any view."""
        return self._prompt_re

    def find_prompt(self, delay_factor: float = 1.0, pattern: str | None = None) -> str:
        self.write_channel(self.RETURN)
        out = self.read_until_pattern(pattern=pattern or self._prompt_re, read_timeout=PROMPT_TIMEOUT)
        self._last_prompt = self._prompt_line(out)
        return self._last_prompt

    def read_until_prompt(self, read_timeout: float = PROMPT_TIMEOUT, read_entire_line: bool = False,
                          re_flags: int = 0, max_loops: int | None = None) -> str:
        out = self.read_until_pattern(pattern=self._prompt_re, read_timeout=read_timeout)
        self._last_prompt = self._prompt_line(out)
        return out

    def _read_prompt_or_question(self, read_timeout: float) -> str:
        out = self.read_until_pattern(pattern=f"{self._prompt_re}|{QUESTION}", read_timeout=read_timeout)
        self._last_prompt = self._prompt_line(out)
        return out

    # ---- modes -----------------------------------------------------------------------------------
    def _in_config(self, prompt: str) -> bool:
        return bool(re.search(self.profile.config_prompt, prompt))

    def check_config_mode(self, check_string: str = "", pattern: str = "", force_regex: bool = False) -> bool:
        return self._in_config(self.find_prompt())

    def config_mode(self, config_command: str = "", pattern: str = "", re_flags: int = 0) -> str:
        if self.check_config_mode():
            return ""
        self.write_channel(self.normalize_cmd(config_command or self.profile.config_enter))
        out = self.read_until_prompt()
        if not self._in_config(self._last_prompt):
            raise ValueError(f"Failed to enter configuration mode (prompt {self._last_prompt!r})")
        return out

    def exit_config_mode(self, exit_config: str = "", pattern: str = "") -> str:
        if not self.check_config_mode():
            return ""
        self.write_channel(self.normalize_cmd(exit_config or self.profile.config_exit))
        out = self._read_prompt_or_question(PROMPT_TIMEOUT)
        if re.search(QUESTION, out) or self._in_config(self._last_prompt):
            # VRPv8 asks Y/N/C when leaving with an uncommitted candidate (netmiko issue 2625)
            raise ValueError(f"Failed to exit configuration mode: {self._last_prompt!r}")
        return out

    def cleanup(self, command: str = "") -> None:
        """Log out without reading: a lost session must not wait, and the device drops an
        uncommitted candidate (VRPv8) or a half-typed view with the session anyway."""
        try:
            self.write_channel((command or self.profile.logout) + self.RETURN)
        except Exception:  # noqa: BLE001 - the channel may already be gone (kill-ssh)
            pass

    # ---- configuration -----------------------------------------------------------------------------
    def send_config_set(self, config_commands: str | Iterable[str] | None = None, exit_config_mode: bool = True,
                        read_timeout: float | None = None, error_pattern: str = "", enter_config_mode: bool = True,
                        **_ignored: Any) -> str:
        """One line at a time, each read to the next prompt and checked for ``error_pattern`` before
        the next line goes out: a refused line stops the push there (ConfigInvalidException, like
        netmiko's). The echo is checked where it cannot wrap (``SessionProfile.echo_width``)."""
        if config_commands is None:
            return ""
        commands = [config_commands] if isinstance(config_commands, str) else list(config_commands)
        timeout = read_timeout or PROMPT_TIMEOUT
        output = self.config_mode() if enter_config_mode else ""
        if not enter_config_mode and not self._last_prompt:
            self.find_prompt()
        width = self.profile.echo_width
        for cmd in commands:
            echo_fits = not width or len(self._last_prompt) + len(cmd) < width
            self.write_channel(self.normalize_cmd(cmd))
            out = self.read_until_pattern(pattern=re.escape(cmd.strip()), read_timeout=timeout) if echo_fits and cmd.strip() else ""
            out += self._read_prompt_or_question(timeout)
            output += out
            if error_pattern:
                found = re.search(error_pattern, out, flags=re.M)
                if found:
                    raise ConfigInvalidException(f"Invalid input detected at command: {cmd}, matched error: "
                                                 f"{found.group(0)}\n{out}")
            if re.search(QUESTION, out):
                raise ConfigInvalidException(f"Unexpected question at command: {cmd}: {self._last_prompt}")
        if exit_config_mode:
            output += self.exit_config_mode()
        return self._sanitize_output(output)


def ConnectHandler(**params: Any) -> BaseConnection:  # noqa: N802 - netmiko's name, what callers know
    """netmiko's ConnectHandler, with the platform's prompt-driven driver class (session_class)."""
    return session_class(params["device_type"])(**params)


@functools.cache
def session_class(platform: str) -> type[BaseConnection]:
    """netmiko's driver for the platform with PromptReads in front, using the vendor's profile."""
    vendor = vendors.get(platform)
    if vendor.session is None:
        raise SessionError(f"platform {platform!r}: its vendor module sets no session profile")
    base = CLASS_MAPPER[platform]
    return type(f"PromptReads{base.__name__}", (PromptReads, base), {"profile": vendor.session})
