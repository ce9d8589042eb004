"""Load an inventory directory into the typed model, with Ansible's own parsing.

Hosts, groups and host/group variables come from ansible-core's InventoryManager
and VariableManager, so group_vars semantics are exactly what ansible-playbook
sees. The city-wide sections (city, sites, links, centres, catalogue) are plain
variables of the `all` group, read from group_vars/all/ with their file known,
so every problem names its file and key path.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import checks
from .model import (
    Centre,
    City,
    Department,
    Device,
    Host,
    Inventory,
    Link,
    PrivateNetwork,
    Routing,
    Site,
    System,
)
from .problems import InventoryError, Problem, has_control
from .yamlfiles import inventory_yaml_files, is_vaulted, read_yaml

SECTIONS = ("city", "sites", "links", "centres", "departments", "systems")
OPTIONAL_SECTIONS = ("private_networks", "routing")
# Model field -> the Ansible variable an engineer writes.
DEVICE_VARS = {"mgmt_ipv4": "ansible_host", "username": "ansible_user", "password": "ansible_password"}
HOST_VARS = {"mgmt_ipv4": "ansible_host", "username": "ansible_user"}
SECRET_VARS = ("ansible_password", "snmp_community", "snmp_v3_auth_key", "snmp_v3_priv_key", "ospf_auth_key")
# The plan is also an inventory source (for playbooks) but has its own checks (govops.ipv6, run by validate).
PLAN_FILE = "ipv6-plan.yml"
# Ansible groups that give a device its role: a device in two of them would get one role silently.
ROLE_GROUPS = ("core", "aggregation", "access")
# Host names and ids name files (backups, journals) and lab namespaces: a DNS label's alphabet and
# length (RFC 1035: at most 63), plus '_' and inner dots (FQDNs), never '/', '..', blanks or controls.
SAFE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?")


def inventory_root(path: str | os.PathLike) -> Path:
    p = Path(path)
    return p.parent if p.is_file() else p


def unsafe_name(name: object) -> str | None:
    """Why a host name or id cannot be used as a file or namespace name, or None if it can."""
    if not isinstance(name, str) or (SAFE_NAME.fullmatch(name) and ".." not in name):
        return None  # a non-string is the model's to report
    return (f"{name!r} is not a safe name: expected 1 to 63 letters, digits, '-', '_' or '.', starting and "
            "ending with a letter or digit (it names backup files and lab namespaces)")


def read_vault_password(path: str | os.PathLike) -> str:
    """The password in a vault password file; InventoryError naming the file if it cannot be used."""
    shown = str(path)
    try:
        password = Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise InventoryError([Problem(shown, "(file)", "no such vault password file")]) from None
    except IsADirectoryError:
        raise InventoryError([Problem(shown, "(file)", "is a directory; expected a file holding the vault password")]) from None
    except OSError as exc:
        raise InventoryError([Problem(shown, "(file)", f"vault password file cannot be read: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError:
        raise InventoryError([Problem(shown, "(file)", "vault password file is not UTF-8 text")]) from None
    if not password:
        raise InventoryError([Problem(shown, "(file)", "vault password file is empty; expected the password")])
    return password


def vault_password_file(root: Path, explicit: str | None = None) -> Path | None:
    """Where the vault password comes from: argument, environment, or the lab's own file."""
    for candidate in (explicit, os.environ.get("GOVOPS_VAULT_PASSWORD_FILE"),
                      os.environ.get("ANSIBLE_VAULT_PASSWORD_FILE")):
        if candidate:
            return Path(candidate)
    own = root / ".vault-pass"
    return own if own.exists() else None


def load_inventory(path: str | os.PathLike, vault_password: str | None = None) -> Inventory:
    """Load and validate; raise InventoryError listing every problem at once."""
    root = inventory_root(path)
    if not root.is_dir():
        raise InventoryError([Problem(str(root), "(directory)", "no such inventory directory")])
    ctx = _Context(root)
    ctx.preparse()
    if ctx.unreadable:
        raise InventoryError(ctx.problems)  # Ansible would skip or mangle the file and fail elsewhere
    hostvars, groups = ctx.ansible_vars(vault_password)
    sections = ctx.sections()
    inv = ctx.build(hostvars, groups, sections)
    if ctx.problems:
        raise InventoryError(ctx.problems)
    return inv


class _Context:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.raw: dict[Path, Any] = {}
        self.unreadable = False
        # Entries that failed validation (already reported), per section: references to them are not
        # reported again as "unknown". "*" in devices: the hosts files are broken, every device is unknown.
        self.failed: dict[str, set[str]] = defaultdict(set)

    def shown(self, path: Path) -> str:
        return str(self.root / path.relative_to(self.root)) if path.is_absolute() else str(path)

    def add(self, file: str, key: str, message: str) -> None:
        self.problems.append(Problem(file, key, message))

    # -- files ---------------------------------------------------------------------------
    def preparse(self) -> None:
        for path in inventory_yaml_files(self.root):
            if is_vaulted(path):
                continue
            data, problems = read_yaml(path, self.shown(path))
            self.problems += problems
            self.unreadable |= data is None and bool(problems)
            self.raw[path] = data
        for path in self.inventory_files():
            if path.name != PLAN_FILE:
                shape = _inventory_shape(self.raw[path])
                self.problems += [Problem(self.shown(path), key, message) for key, message in shape]
                if shape:
                    self.failed["devices"].add("*")
        self.problems += self.host_entries()

    def host_entries(self) -> list[Problem]:
        """Host entries as written: unsafe names (Ansible may drop the whole file over one), and a host
        written in two places (Ansible merges them silently, the later variables win)."""
        places: dict[str, list[tuple[str, str, dict]]] = defaultdict(list)
        out = []
        for path in sorted(self.inventory_files()):
            for key_path, value in _host_entries(self.raw[path]):
                host = key_path.rsplit(".hosts.", 1)[1]
                places[host].append((self.shown(path), key_path, value))
                why = unsafe_name(host)
                if why:
                    out.append(Problem(self.shown(path), key_path, f"host name {why}"))
                    self.failed["devices"].add(host)
        for host, entries in places.items():
            first_vars = next((e for e in entries if e[2]), None)
            for file, key_path, value in entries:
                if value and first_vars and (file, key_path) != first_vars[:2]:
                    out.append(Problem(file, key_path, f"host {host!r} is defined twice (also at {first_vars[1]} in "
                                                       f"{first_vars[0]}); Ansible would merge the two silently: "
                                                       "define each host once"))
                    self.failed["devices"].add(host)
        return out

    def inventory_files(self) -> list[Path]:
        return [p for p in self.raw if p.parent == self.root]

    def all_vars_files(self) -> list[Path]:
        gv = self.root / "group_vars"
        return [p for p in self.raw if p.parent == gv / "all" or p.stem == "all" and p.parent == gv]

    # -- Ansible ---------------------------------------------------------------------------
    def ansible_vars(self, vault_password: str | None) -> tuple[dict[str, dict], dict[str, tuple[str, ...]]]:
        from ansible.errors import AnsibleError
        from ansible.inventory.manager import InventoryManager
        from ansible.parsing.dataloader import DataLoader
        from ansible.parsing.vault import VaultSecret
        from ansible.vars.manager import VariableManager

        loader = DataLoader()
        # group_vars beside the "playbook" (the current directory) would be mixed in otherwise: run from
        # inside another inventory, its variables (and vault) leak into this one.
        loader.set_basedir(str(self.root))
        pw_file = None
        if vault_password is None:
            pw_file = vault_password_file(self.root)
            if pw_file is not None:
                vault_password = read_vault_password(pw_file)
        if vault_password:
            loader.set_vault_secrets([("default", VaultSecret(vault_password.encode()))])
        inventory = InventoryManager(loader=loader, sources=[str(self.root)])
        variables = VariableManager(loader=loader, inventory=inventory)
        groups = {name: tuple(sorted(h.name for h in g.get_hosts()))
                  for name, g in inventory.groups.items() if name != "ungrouped" or g.get_hosts()}
        hostvars: dict[str, dict] = {}
        for host in inventory.get_hosts():
            try:
                hv = variables.get_vars(host=host, include_hostvars=False)
                hostvars[host.name] = _resolve_secrets(loader, hv)
            except AnsibleError as exc:
                # Without the variables nothing else can be checked meaningfully: stop here.
                problem = Problem(*_vault_problem(self.root, exc, pw_file, bool(vault_password)))
                raise InventoryError([*self.problems, problem]) from None
        return hostvars, groups

    # -- city-wide sections ---------------------------------------------------------------
    def sections(self) -> dict[str, tuple[str, Any]]:
        found: dict[str, tuple[str, Any]] = {}
        for path in sorted(self.all_vars_files()):
            data = self.raw[path]
            if data is None:
                continue
            if not isinstance(data, dict):
                self.add(self.shown(path), "(top)", f"expected a mapping of variables, found {type(data).__name__}")
                continue
            for key in SECTIONS + OPTIONAL_SECTIONS:
                if key in data:
                    if key in found:
                        self.add(self.shown(path), key, f"also defined in {found[key][0]}; define it once")
                    found[key] = (self.shown(path), data[key])
        for key in SECTIONS:
            if key not in found:
                self.add(str(self.root / "group_vars" / "all"), key, f"missing: no file under group_vars/all defines `{key}`")
                self.failed[key].add("*")  # not "unknown" in every reference as well
        return found

    # -- build ----------------------------------------------------------------------------
    def build(self, hostvars: dict[str, dict], groups: dict[str, tuple[str, ...]],
              sections: dict[str, tuple[str, Any]]) -> Inventory | None:
        city = self._one(sections, "city", City)
        sites = self._list(sections, "sites", Site)
        centres = self._list(sections, "centres", Centre)
        departments = self._list(sections, "departments", Department)
        systems = self._list(sections, "systems", System)
        links = self._links(sections)
        private_networks = self._private_networks(sections)
        routing = self._one(sections, "routing", Routing)
        devices: dict[str, Device] = {}
        hosts: dict[str, Host] = {}
        extranet, servers = set(groups.get("extranet", ())), set(groups.get("servers", ()))
        roles = {g: set(groups.get(g, ())) for g in ROLE_GROUPS}
        for path in sorted(self.inventory_files()):
            written = [k.rsplit(".hosts.", 1)[1] for k, _ in _host_entries(self.raw[path])]
            dropped = [h for h in written if h not in hostvars and not unsafe_name(h)]
            if dropped:  # Ansible warned and skipped the file (or part of it): its hosts are not checked
                self.add(self.shown(path), "(file)", f"Ansible did not load {len(dropped)} host(s) written here "
                                                     f"(e.g. {dropped[0]!r}); see its warning above")
                self.failed["devices"].add("*")
        if not extranet and "*" not in self.failed["devices"]:
            file = next((self.shown(p) for p in sorted(self.inventory_files()) if p.name != PLAN_FILE),
                        str(self.root / "hosts.yml"))
            self.add(file, "all.children.extranet", "missing: no devices; expected the `extranet` group with "
                                                    "`core`, `aggregation` and `access` devices")
        for name, hv in sorted(hostvars.items()):
            why = unsafe_name(name)
            in_roles = [g for g in ROLE_GROUPS if name in roles[g]]
            if why or (name in extranet and name in servers) or len(in_roles) > 1:
                file, key = self.locate(name, None, groups)
                self.add(file, key, f"host name {why}" if why else
                         f"{name!r} is in both `extranet` and `servers`; expected one of them" if name in servers
                         and name in extranet else
                         f"device {name!r} is in {' and '.join(f'`{g}`' for g in in_roles)}; expected one tier")
                self.failed["devices" if name in extranet else "hosts"].add(name)
                continue
            if name in extranet:
                dev = self._host_model(name, hv, Device, DEVICE_VARS, groups)
                if dev:
                    devices[name] = dev
                else:
                    self.failed["devices"].add(name)
            elif name in servers:
                host = self._host_model(name, hv, Host, HOST_VARS, groups)
                if host:
                    hosts[name] = host
                else:
                    self.failed["hosts"].add(name)
            else:
                file, key = self.locate(name, None, groups)
                self.add(file, key, "host is in neither the `extranet` nor the `servers` group")
        if city is None:
            return None
        inv = Inventory(
            name=self.root.name, path=self.root, city=city, sites=sites, devices=devices, hosts=hosts,
            links=tuple(links), centres=centres, departments=departments, systems=systems, groups=groups,
            private_networks=private_networks, routing=routing,
        )
        self.problems += checks.check_inventory(inv, sections, self.locate_for(groups), self.failed)
        return inv

    def _model(self, cls: type[BaseModel], data: Any, file: str, key: str, rename: dict[str, str] | None = None):
        if not isinstance(data, dict):
            self.add(file, key, f"expected a mapping, found {type(data).__name__}: {data!r}")
            return None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = [str(x) for x in err["loc"]]
                if rename and loc and loc[0] in rename:
                    loc[0] = rename[loc[0]]
                self.add(file, ".".join([key, *loc]) if key else ".".join(loc), _expected(err))
            return None

    def _one(self, sections, name, cls):
        if name not in sections:
            return None
        file, data = sections[name]
        return self._model(cls, data, file, name)

    def _list(self, sections, name, cls) -> dict:
        if name not in sections:
            return {}
        file, data = sections[name]
        if not isinstance(data, list):
            self.add(file, name, f"expected a list, found {type(data).__name__}")
            self.failed[name].add("*")
            return {}
        out: dict = {}
        for i, item in enumerate(data):
            ident = item.get("id") if isinstance(item, dict) else None
            why = unsafe_name(ident)
            if why:
                self.add(file, f"{name}[{i}].id", f"id {why}")
                self.failed[name].add(ident)
                continue
            obj = self._model(cls, item, file, f"{name}[{i}]")
            if obj is None:
                if isinstance(ident, str):
                    self.failed[name].add(ident)
                continue
            if obj.id in out:
                self.add(file, f"{name}[{i}].id", f"duplicate id {obj.id!r}")
                continue
            for field in ("name", "name_en"):
                text = getattr(obj, field, None)
                if isinstance(text, str) and has_control(text):  # shown in reports, tables and dashboards
                    self.add(file, f"{name}[{i}].{field}", f"{text!r} holds control characters; expected plain text")
            out[obj.id] = obj
        return out

    def _links(self, sections) -> list[Link]:
        if "links" not in sections:
            return []
        file, data = sections["links"]
        if not isinstance(data, list):
            self.add(file, "links", f"expected a list, found {type(data).__name__}")
            return []
        out = []
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                self.add(file, f"links[{i}]", "expected a mapping with a, b, ipv4")
                continue
            ends = {}
            for side in ("a", "b"):
                value = item.get(side)
                if not isinstance(value, str) or ":" not in value:
                    self.add(file, f"links[{i}].{side}", f"expected \"device:interface\", found {value!r}")
                    continue
                dev, _, ifname = value.partition(":")
                ends[side] = {"device": dev.strip(), "interface": ifname.strip()}
            if len(ends) == 2:
                link = self._model(Link, {**item, **ends}, file, f"links[{i}]")
                if link:
                    out.append(link)
        return out

    def _private_networks(self, sections) -> dict[str, PrivateNetwork]:
        """`private_networks`: a list, one entry per department; transit ends as "device:interface"."""
        if "private_networks" not in sections:
            return {}
        file, data = sections["private_networks"]
        if not isinstance(data, list):
            self.add(file, "private_networks", f"expected a list, found {type(data).__name__}")
            return {}
        out: dict[str, PrivateNetwork] = {}
        for i, item in enumerate(data):
            key = f"private_networks[{i}]"
            if not isinstance(item, dict):
                self.add(file, key, "expected a mapping with department, name, vpn, sites")
                continue
            item = dict(item)
            transit = item.get("transit")
            if isinstance(transit, dict):
                transit = dict(transit)
                for side in ("a", "b"):
                    value = transit.get(side)
                    if not isinstance(value, str) or ":" not in value:
                        self.add(file, f"{key}.transit.{side}", f"expected \"device:interface\", found {value!r}")
                        transit[side] = None
                        continue
                    dev, _, ifname = value.partition(":")
                    transit[side] = {"device": dev.strip(), "interface": ifname.strip()}
                item["transit"] = transit
                if transit["a"] is None or transit["b"] is None:
                    self._model(PrivateNetwork, {**item, "transit": None}, file, key)  # the other problems
                    continue
            net = self._model(PrivateNetwork, item, file, key)
            if net is None:
                continue
            if net.department in out:
                self.add(file, f"{key}.department", f"department {net.department!r} already has a private network")
                continue
            out[net.department] = net
        return out

    def _host_model(self, name, hv, cls, rename, groups):
        fields = cls.model_fields
        data = {"name": name}
        for field in fields:
            var = rename.get(field, field)
            if field != "name" and var in hv:
                data[field] = hv[var]
        if cls is Device and all(k in hv for k in ("snmp_community", "snmp_v3_user")):
            data["snmp"] = {"community": hv["snmp_community"], "v3_user": hv["snmp_v3_user"],
                            "v3_auth_key": hv.get("snmp_v3_auth_key", ""), "v3_priv_key": hv.get("snmp_v3_priv_key", "")}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                var = rename.get(str(err["loc"][0]), str(err["loc"][0]))
                file, key = self.locate(name, var, groups)
                rest = ".".join(str(x) for x in err["loc"][1:])
                self.add(file, f"{key}.{rest}" if rest else key, _expected(err))
            return None

    # -- provenance -----------------------------------------------------------------------
    def locate(self, host: str, var: str | None, groups: dict[str, tuple[str, ...]]) -> tuple[str, str]:
        """(file, key path) where a host's variable is (or should be) defined."""
        hv_file = self.root / "host_vars" / f"{host}.yml"
        if var and isinstance(self.raw.get(hv_file), dict) and var in self.raw[hv_file]:
            return self.shown(hv_file), var
        entry = None
        for path in self.inventory_files():
            for key_path, value in _host_entries(self.raw[path]):
                if key_path.endswith(f".hosts.{host}"):
                    entry = (self.shown(path), key_path, value or {})
                    if var and var in (value or {}):
                        return self.shown(path), f"{key_path}.{var}"
        if var:
            member_of = [g for g, members in groups.items() if host in members and g != "all"]
            for group in sorted(member_of, key=lambda g: len(groups[g])):  # most specific group first
                gv = self.root / "group_vars" / f"{group}.yml"
                if isinstance(self.raw.get(gv), dict) and var in self.raw[gv]:
                    return self.shown(gv), var
        if entry:
            return entry[0], f"{entry[1]}.{var}" if var else entry[1]
        return str(self.root), f"{host}.{var}" if var else host

    def locate_for(self, groups):
        return lambda host, var: self.locate(host, var, groups)


def _host_entries(data: Any, prefix: str = "all"):
    """Yield (key path, host vars) for every host entry in a YAML inventory file."""
    if not isinstance(data, dict):
        return
    node = data.get("all", data) if prefix == "all" else data
    if not isinstance(node, dict):
        return
    hosts, children = node.get("hosts"), node.get("children")
    for host, value in (hosts.items() if isinstance(hosts, dict) else ()):
        yield f"{prefix}.hosts.{host}", value if isinstance(value, dict) else {}
    for child, value in (children.items() if isinstance(children, dict) else ()):
        yield from _host_entries(value or {}, f"{prefix}.children.{child}") if isinstance(value, dict) else ()


def _inventory_shape(data: Any) -> list[tuple[str, str]]:
    """(key path, what was expected) wherever a YAML inventory file is not what Ansible's yaml plugin
    reads (it warns, skips the file or the key, and carries on with fewer hosts)."""
    if data is None:
        return [("(file)", "empty: expected an Ansible YAML inventory (`all:` with `children:` "
                           "`extranet` and `servers`)")]
    if not isinstance(data, dict):
        return [("(top)", f"expected a mapping of groups starting with `all:` (an Ansible YAML inventory), "
                          f"found a {type(data).__name__}")]
    out: list[tuple[str, str]] = []

    def group(key: str, body: Any) -> None:
        if body is None:
            return
        if not isinstance(body, dict):
            out.append((key, f"expected a group (a mapping with hosts, children or vars), found {type(body).__name__}"))
            return
        for part, value in body.items():
            where = f"{key}.{part}"
            if part not in ("hosts", "children", "vars"):
                out.append((where, "unknown key: a group has only `hosts`, `children` and `vars`"))
            elif value is None:
                continue
            elif not isinstance(value, dict):
                what = {"hosts": "host names, each with its variables", "children": "group names",
                        "vars": "variable names"}[part]
                out.append((where, f"expected a mapping of {what}, found {type(value).__name__}"))
            elif part == "children":
                for child, child_body in value.items():
                    group(f"{where}.{child}", child_body)
            elif part == "hosts":
                out.extend((f"{where}.{host}", f"expected a mapping of the host's variables, found {type(hv).__name__}")
                           for host, hv in value.items() if hv is not None and not isinstance(hv, dict))

    for name, body in data.items():
        group(str(name), body)
    return out


def _expected(err: dict) -> str:
    kind, msg = err.get("type", ""), err.get("msg", "")
    got = err.get("input")
    if kind == "missing":
        return "missing: this key is required"
    if kind == "extra_forbidden":
        return f"unknown key (found {got!r}); check the spelling against inventories/README.md"
    return f"{msg} (found {got!r})"


def _resolve_secrets(loader, hv: dict) -> dict:
    """Template only the secret variables ("{{ vault_... }}"); everything else is taken as written."""
    from ansible.template import Templar

    if not any(isinstance(hv.get(k), str) and "{{" in hv[k] for k in SECRET_VARS):
        return hv
    templar = Templar(loader=loader, variables=hv)
    out = dict(hv)
    for key in SECRET_VARS:
        if isinstance(out.get(key), str) and "{{" in out[key]:
            out[key] = str(templar.template(out[key]))
    return out


def _vault_problem(root: Path, exc: Exception, pw_file: Path | None, had_password: bool) -> tuple[str, str, str]:
    text = str(exc)
    vaulted = sorted(p for p in root.rglob("*.yml") if is_vaulted(p))
    # Only a decryption failure is the vault file's; anything else is named by Ansible's own message.
    file = str(vaulted[0]) if vaulted and "decrypt" in text.lower() else str(root)
    if "decrypt" in text.lower() and not had_password:
        return file, "(vault)", ("is encrypted with ansible-vault: give the password with --vault-password-file, "
                                  "GOVOPS_VAULT_PASSWORD_FILE or an inventory .vault-pass file")
    if "decrypt" in text.lower():
        source = f" from {pw_file}" if pw_file else ""
        return file, "(vault)", f"the vault password{source} does not decrypt this file (wrong vault password)"
    return file, "(vars)", f"Ansible could not load the variables: {text.splitlines()[0]}"


__all__ = ["load_inventory", "inventory_root", "vault_password_file", "InventoryError", "Problem"]
