#!/usr/bin/python
"""Ansible module: one department's private network onto the extranet as a VPN instance (govops network.private_network)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govops_private_network
short_description: Move a department's private network onto the extranet as its own VPN instance
description:
  - Renders each device's part from inventory C(private_networks) and the platform templates, then
    per device (city core first, then the county) precheck, backup, push, verify (pings inside the
    VPN instance, public routing table unchanged), commit/save or rollback to the backup, journalled.
  - A device that already carries its part is left alone (changed=false). In check mode nothing is
    pushed; with --diff the lines that would be pushed are shown.
  - C(operation=preflight) only validates inventory and templates; C(operation=remove) is the
    planned back-out (county first).
options:
  inventory: {description: inventory directory, type: path, required: true}
  department: {description: department id (a key of private_networks), type: str, required: true}
  operation: {description: "migrate | remove | preflight", type: str, default: migrate}
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
            "department": {"type": "str", "required": True},
            "operation": {"type": "str", "default": "migrate", "choices": ["migrate", "remove", "preflight"]},
        },
        supports_check_mode=True,
    )
    params = dict(module.params, check=module.check_mode)
    run_entry(module, "network.private_network", params, environ_update={"PYTHONPATH": ""})


if __name__ == "__main__":
    main()
