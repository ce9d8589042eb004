#!/usr/bin/python
"""Ansible module: one device's dual-stack IPv6 upgrade through network.change (or the preflight)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govops_ipv6_upgrade
short_description: Bring one extranet device to its dual-stack intent (govops network.change)
description:
  - Precheck, backup, push, verify, commit/save or rollback, journalled; a device already
    dual-stack (or finished earlier in this wave's journal) is left alone (changed=false).
  - In check mode nothing is pushed; with --diff the lines that would be pushed are shown.
  - With C(preflight=true) (run once) it only validates inventory, IPv6 plan and templates.
options:
  inventory: {description: inventory directory, type: path, required: true}
  device: {description: inventory device name, type: str}
  preflight: {description: validate only, type: bool, default: false}
  known_hosts: {description: "known_hosts file (default $GOVOPS_KNOWN_HOSTS)", type: path}
  accept_new_keys: {description: lab only, trust unknown host keys, type: bool, default: false}
  journal: {description: JSON-lines journal, type: path, required: true}
  backup_dir: {description: pre-change backups, type: path, required: true}
  vault_password_file: {description: ansible-vault password file for the SoT loader, type: path}
  python: {description: "interpreter with govops installed (default: the module's)", type: path}
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402 - Ansible wants DOCUMENTATION first
from ansible.module_utils.govops_entry import NETWORK_CHANGE_SPEC, run_entry  # noqa: E402


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            **NETWORK_CHANGE_SPEC,
            "device": {"type": "str"},
            "preflight": {"type": "bool", "default": False},
        },
        supports_check_mode=True,
    )
    params = dict(module.params, check=module.check_mode)
    run_entry(module, "network.module_entry", params, environ_update={"PYTHONPATH": ""})


if __name__ == "__main__":
    main()
