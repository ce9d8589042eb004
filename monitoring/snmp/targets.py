"""Target resolution: `?target=&auth=` → agent endpoint and credentials, from the SoT.

Auth names for SoT devices: `v3` (SNMPv3 authPriv SHA/AES with the device's user and keys,
the default) and `v2c` (the device's community). An optional auth file adds named
credentials (JSON `{"name": {"version": 2, "community": "…"}}` or `{"version": 3, "user": …,
"auth_key": …, "priv_key": …}`) usable for any target, also addresses not in the SoT
(bench agents, a device being commissioned). With only an auth file and no SoT, every target
is an address (`host`, `host:port`, `[v6]:port`) and a scrape without `auth=` uses the default
auth (`--default-auth`, or the file's only entry).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from monitoring.snmp.collector import Target
from monitoring.snmp.transport import Credentials, Endpoint

DEFAULT_AUTH = "v3"


class UnknownTarget(LookupError):
    pass


class AuthFileError(ValueError):
    """An auth file that cannot be used; the message names the file, the entry and what was expected."""


_AUTH_KEYS = {2: {"version", "community"}, 3: {"version", "user", "auth_key", "priv_key"}}


def load_auth_file(path: str | Path) -> dict[str, Credentials]:
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise AuthFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise AuthFileError(f"{path}: not JSON: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise AuthFileError(f'{path}: expected a JSON object of named credentials, e.g. {{"lab": {{"version": 2, '
                            '"community": "..."}}}')
    out = {}
    for name, spec in data.items():
        version = spec.get("version") if isinstance(spec, dict) else None
        if version not in _AUTH_KEYS:
            raise AuthFileError(f"{path}: {name}.version: expected 2 (community) or 3 (user, auth_key, priv_key: "
                                "authPriv SHA/AES)")
        missing = sorted(_AUTH_KEYS[version] - set(spec))
        extra = sorted(set(spec) - _AUTH_KEYS[version])
        bad = [k for k in _AUTH_KEYS[version] - {"version"} if k in spec and not (isinstance(spec[k], str) and spec[k])]
        if missing or extra or bad:
            raise AuthFileError(f"{path}: {name}: version {version} needs exactly "
                                f"{', '.join(sorted(_AUTH_KEYS[version] - {'version'}))} as non-empty strings "
                                f"(missing {missing or '-'}, unknown {extra or '-'}, empty or not text {sorted(bad) or '-'})")
        out[name] = Credentials(**spec)
    return out


def split_host_port(target: str) -> tuple[str, int]:
    if target.startswith("["):  # [2001:db8::1]:161
        host, _, rest = target[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else 161
    if target.count(":") == 1:
        host, port = target.split(":")
        return host, int(port)
    return target, 161


@dataclass
class TargetResolver:
    devices: dict[str, tuple[str, Credentials, Credentials]] = field(default_factory=dict)  # name → (addr, v2c, v3)
    auths: dict[str, Credentials] = field(default_factory=dict)
    endpoint: Endpoint = Endpoint(host="")
    default_auth: str = DEFAULT_AUTH  # used when a scrape names no auth=

    @classmethod
    def from_inventory(cls, inv, auths: dict[str, Credentials] | None = None, endpoint: Endpoint | None = None):
        devices = {}
        for dev in inv.devices.values():
            if dev.snmp is None:
                continue
            v2 = Credentials(2, community=dev.snmp.community)
            v3 = Credentials(3, user=dev.snmp.v3_user, auth_key=dev.snmp.v3_auth_key, priv_key=dev.snmp.v3_priv_key)
            devices[dev.name] = (str(dev.mgmt_ipv4), v2, v3)
            devices[str(dev.mgmt_ipv4)] = devices[dev.name]
        return cls(devices, dict(auths or {}), endpoint or Endpoint(host=""))

    def resolve(self, target: str, auth: str | None) -> Target:
        auth = auth or self.default_auth
        host, port = split_host_port(target)
        if auth in self.auths:
            creds = self.auths[auth]
            addr = self.devices[host][0] if host in self.devices else host
        elif host in self.devices and auth in ("v2c", "v3"):
            addr, v2, v3 = self.devices[host]
            creds = v2 if auth == "v2c" else v3
        elif host in self.devices:
            raise UnknownTarget(f"unknown auth {auth!r} (known: v2c, v3, {', '.join(sorted(self.auths)) or '-'})")
        else:
            raise UnknownTarget(f"target {target!r} is not a device in the inventory and auth {auth!r} "
                                "is not in the auth file")
        return Target(target, replace(self.endpoint, host=addr, port=port), creds)
