#!/usr/bin/python
"""Ansible module: move one department system to a cloud server (govops.migrate.system), journaled."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govops_migrate_system
short_description: Pre-seed, freeze, final sync, cutover and verify one system's move (govops.migrate.system)
description:
  - Each step is journaled (JSON lines); a re-run skips the steps already done, a migration already
    completed is left alone (changed=false). A failure after the freeze rolls back by itself.
  - action=rollback points the name back to the source; setup/teardown make or remove the lab's sample system.
options:
  inventory: {description: inventory directory, type: path, required: true}
  system: {description: catalogue system id, type: str, required: true}
  source: {description: department host now serving it, type: str, required: true}
  target: {description: cloud host it moves to, type: str, required: true}
  action: {description: "migrate, rollback, setup or teardown", type: str, default: migrate}
  name: {description: "DNS name (default <system>.<city id>.example)", type: str}
  observer: {description: host that checks the service from the users' side, type: str}
  ssh_config: {description: ssh_config reaching the hosts, type: path, required: true}
  known_hosts: {description: verified host keys (the target's is pinned for host-to-host rsync), type: path}
  identity: {description: key loaded into a temporary ssh-agent when none is running, type: path}
  journal: {description: JSON-lines journal, type: path, required: true}
  stop_after: {description: pause after this step (rehearsals), type: str}
  python: {description: "interpreter with govops installed (default: the module's)", type: path}
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402 - Ansible wants DOCUMENTATION first
from ansible.module_utils.govops_entry import run_entry  # noqa: E402

SPEC = {
    "inventory": {"type": "path", "required": True},
    "system": {"type": "str", "required": True},
    "source": {"type": "str", "required": True},
    "target": {"type": "str", "required": True},
    "action": {"type": "str", "default": "migrate", "choices": ["migrate", "rollback", "setup", "teardown"]},
    "name": {"type": "str"},
    "observer": {"type": "str"},
    "ssh_config": {"type": "path", "required": True},
    "known_hosts": {"type": "path"},
    "identity": {"type": "path"},
    "journal": {"type": "path", "required": True},
    "stop_after": {"type": "str"},
    "python": {"type": "path"},
}


def main() -> None:
    module = AnsibleModule(argument_spec=SPEC, supports_check_mode=False)
    params = dict(module.params)
    run_entry(module, "govops.migrate.system", params)


if __name__ == "__main__":
    main()
