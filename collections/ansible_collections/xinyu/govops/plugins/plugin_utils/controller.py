# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the xinyu.govops action plugins share: the source of truth built from the inventory Ansible
loaded, with Ansible's vault, and each device as Ansible's hostvars describe it.

Why on the controller, in the action plugin's process: the device work talks SSH with netmiko from
the ops workstation, and the SoT loader is Ansible's own inventory code; a module would run in a
fresh interpreter and load everything again (the old `python -m network.module_entry` did, from a
default inventory when none was given: the most dangerous bug an automation tool can have).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

# (inventory root, vault password digest, inventory files' mtimes) -> Inventory. Lives as long as the
# process: every task of one worker, every device of one preflight.
_CACHE: dict[tuple, object] = {}


def inventory_root(task_vars: dict) -> Path:
    """The inventory Ansible loaded for this task's host: its `inventory_dir`, else the one source
    given with -i. Never a default path: no usable source is an error naming what was found."""
    host_dir = task_vars.get("inventory_dir")
    if host_dir:
        return Path(host_dir)
    sources = [Path(s) for s in task_vars.get("ansible_inventory_sources") or []]
    roots = sorted({(s if s.is_dir() else s.parent) for s in sources if s.exists()})
    if len(roots) == 1:
        return roots[0]
    shown = ", ".join(str(s) for s in sources) or "none"
    raise AnsibleActionFail(
        "govops needs the source of truth of the inventory given with -i (an inventory directory, or a "
        f"dynamic inventory script/plugin file beside its group_vars/); Ansible loaded: {shown}. "
        "Pass exactly one inventory with -i, e.g. -i inventories/xinyu.")


def vault_password(loader) -> str:
    """The vault password Ansible was given (--vault-password-file, --ask-vault-pass, --vault-id,
    ANSIBLE_VAULT_PASSWORD_FILE), or '' when it was given none: the SoT loader must then not fall
    back to a password file the user did not name."""
    vault = getattr(loader, "_vault", None)
    for _vault_id, secret in getattr(vault, "secrets", None) or []:
        data = secret.bytes
        if data:
            return data.decode("utf-8") if isinstance(data, bytes) else str(data)
    return ""


def _fingerprint(root: Path) -> tuple:
    files = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in files))


def _key(root: Path, password: str) -> tuple:
    return (str(root), hashlib.sha256(password.encode()).hexdigest(), _fingerprint(root))


def load_sot(task_vars: dict, loader, stats: dict | None = None):
    """The typed SoT (govops.sot.Inventory) of the inventory Ansible loaded, decrypted with Ansible's
    vault password; built once per process and inventory state. ``stats['sot_cached']`` says whether
    it came from the cache (the callback xinyu.govops.sot_preload fills it in ansible-playbook's
    main process when a play starts, before the workers are forked)."""
    from govops.sot import load_inventory
    from govops.sot.problems import InventoryError

    root = inventory_root(task_vars).resolve()
    password = vault_password(loader)
    key = _key(root, password)
    if stats is not None:
        stats["sot_cached"] = key in _CACHE
    if key not in _CACHE:
        try:
            _CACHE[key] = load_inventory(root, vault_password=password)
        except InventoryError as exc:
            raise AnsibleActionFail("bad input, no device touched:\n" + "\n".join(map(str, exc.problems))) from None
    same_devices(_CACHE[key], task_vars)
    return _CACHE[key]


def same_devices(inv, task_vars: dict) -> None:
    """The SoT's devices are the `extranet` hosts Ansible loaded (--limit does not change `groups`).
    A dynamic source (a script or inventory plugin in a directory beside group_vars/) is read again
    by the SoT loader from that directory: if the directory holds other sources as well, or the source
    answered differently, the SoT is not what Ansible acts on, and nothing is touched."""
    groups = task_vars.get("groups")
    if not isinstance(groups, dict):
        return
    loaded, sot = set(groups.get("extranet") or ()), set(inv.devices)
    if loaded == sot:
        return
    only_sot, only_ansible = sorted(sot - loaded), sorted(loaded - sot)
    raise AnsibleActionFail(
        f"the source of truth in {inv.path} does not describe the devices Ansible loaded "
        f"(sources: {', '.join(map(str, task_vars.get('ansible_inventory_sources') or [])) or 'none'}): "
        + "; ".join(x for x in (only_sot and f"only in the SoT: {', '.join(only_sot[:5])}",
                                only_ansible and f"only in Ansible's `extranet` group: {', '.join(only_ansible[:5])}") if x)
        + ". No device touched: give -i the inventory directory, or a dynamic source alone in a directory "
          "with the inventory's group_vars/.")


_PRELOADING: set[tuple] = set()  # keys tried (loaded or not): never twice, never recursively


def preload(path: str, loader) -> None:
    """Fill the cache for an inventory directory, in the process that forks Ansible's workers (the
    callback xinyu.govops.sot_preload calls this), so every task's worker inherits the loaded SoT. Best effort: any
    problem is left for the action plugin to report, with its file and key, when a task needs it."""
    root = Path(path)
    root = (root if root.is_dir() else root.parent).resolve()
    if not (root / "group_vars" / "all").is_dir():
        return  # not a govops inventory (e.g. the playbook's own folder)
    try:
        password = vault_password(loader)
        key = _key(root, password)
        if key in _CACHE or key in _PRELOADING:
            return
        _PRELOADING.add(key)
        from govops.sot import load_inventory
        from govops.sot.problems import InventoryError

        try:
            _CACHE[key] = load_inventory(root, vault_password=password)
        except InventoryError as exc:
            # Said before the first task: e.g. a wrong vault password names the file it cannot open
            # (Ansible's own error that follows does not).
            from ansible.utils.display import Display

            Display().warning(f"govops: the source of truth in {root} cannot be loaded; no device will be touched:\n"
                              + "\n".join(map(str, exc.problems)))
    except Exception:  # noqa: BLE001 - reported by the action plugin when a task needs the SoT
        return


def template(templar, value):
    """A host variable as Ansible would use it (ansible_password is `{{ vault_... }}`)."""
    return templar.template(value) if isinstance(value, str) and "{{" in value else value


def device_from_hostvars(inv, name: str, task_vars: dict, templar):
    """The SoT device `name`, with what Ansible says about reaching it: ansible_host, ansible_user,
    ansible_password and platform from this task's host variables (so -e, host_vars and dynamic
    inventories decide, as for any Ansible connection)."""
    if name not in inv.devices:
        raise AnsibleActionFail(f"{name}: not an extranet device of the inventory {inv.path} "
                                f"(expected a host of the `extranet` group with platform, site and loopback_ipv4)")
    update = {}
    for field, var in (("mgmt_ipv4", "ansible_host"), ("username", "ansible_user"),
                       ("password", "ansible_password"), ("platform", "platform")):
        if task_vars.get(var) not in (None, ""):
            update[field] = template(templar, task_vars[var])
    dev = inv.devices[name]
    try:
        return dev.model_validate({**dev.model_dump(), **update})
    except ValueError as exc:
        raise AnsibleActionFail(f"{name}: host variables do not describe a device: {exc}") from None


# Ansible's names for the SSH private key, most specific first (ansible.builtin.ssh's private_key_file).
KEY_VARS = ("ansible_ssh_private_key_file", "ansible_private_key_file")


def private_key_file(task_vars: dict, templar=None) -> Path | None:
    """The private key Ansible's host variables name for this host (public-key login), or None.
    A named file that does not exist is an error naming the variable, before any device is touched."""
    for var in KEY_VARS:
        value = task_vars.get(var)
        if value in (None, ""):
            continue
        path = Path(os.path.expanduser(str(template(templar, value) if templar else value)))
        if not path.is_file():
            raise AnsibleActionFail(f"{task_vars.get('inventory_hostname', '?')}: {var}: {path} is not a file "
                                    "(expected the private key the device accepts for ansible_user)")
        return path
    return None


def session_options(args: dict, task_vars: dict, templar=None):
    from network.session import SessionOptions

    known = args.get("known_hosts") or os.environ.get("GOVOPS_KNOWN_HOSTS")
    return SessionOptions.from_env(known_hosts=known, accept_new_keys=bool(args.get("accept_new_keys")),
                                   key_file=private_key_file(task_vars, templar))


def diff_of(commands: list[str]) -> dict:
    return {"prepared": "\n".join(commands) + "\n"} if commands else {}


class sot_of_ansible:  # noqa: N801 - used as a context manager, like contextlib's
    """For govops code that loads the SoT itself from a path (govops.migrate): while active,
    govops.sot.load_inventory serves only the inventory Ansible loaded, decrypted with Ansible's
    vault password, and refuses any other path. Runs in Ansible's per-task worker process."""

    def __init__(self, task_vars: dict, loader):
        self.task_vars, self.loader = task_vars, loader

    def __enter__(self) -> Path:
        import govops.sot

        inv = load_sot(self.task_vars, self.loader)
        self.root = Path(inv.path).resolve()
        self.saved = govops.sot.load_inventory

        def load_inventory(path, vault_password=None):
            root = Path(path).resolve()
            root = root if root.is_dir() else root.parent
            if root != self.root:
                raise ValueError(f"govops asked for inventory {root}, but Ansible loaded {self.root}")
            return inv

        govops.sot.load_inventory = load_inventory
        return self.root

    def __exit__(self, *exc) -> None:
        import govops.sot

        govops.sot.load_inventory = self.saved


class MigrationAction(ActionBase):
    """A govops.migrate job on the controller: the SoT Ansible loaded is its inventory; no check mode.

    Subclasses name the argument spec, what the job is called and the function that runs it.
    """

    TRANSFERS_FILES = False
    _requires_connection = False
    SPEC: dict = {}
    WHAT = ""

    def execute(self, params: dict) -> dict:
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=self.SPEC)
        if self._task.check_mode:
            return dict(result, changed=False, skipped=True, msg=f"{self.WHAT} has no check mode; nothing done")
        params = dict(args)
        with sot_of_ansible(task_vars, self._loader) as root:
            params["inventory"] = str(root)
            result.update(self.execute(params))
        return result
