#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of xinyu.govops.migrate_system; the work is its action plugin's."""

DOCUMENTATION = r"""
module: migrate_system
short_description: Move one department system to a cloud server (pre-seed, freeze, sync, cutover, verify)
version_added: 1.0.0
author:
  - Xinyu big-data centre ops team (@xinyu-govops)
description:
  - Runs on the controller (action plugin), reaching the hosts with O(ssh_config).
    The catalogue and hosts come from the inventory Ansible loaded (C(-i)), decrypted with
    Ansible's vault password; never from a default path.
  - Each step is journalled (JSON lines); a re-run skips the steps already done, a migration already
    completed is left alone (C(changed=false)). A failure after the freeze rolls back by itself.
  - O(action=rollback) points the name back to the source; O(action=setup) and O(action=teardown)
    make or remove the lab's sample system.
options:
  system:
    description: Catalogue system id.
    type: str
    required: true
  source:
    description: Department host now serving it.
    type: str
    required: true
  target:
    description: Cloud host it moves to.
    type: str
    required: true
  action:
    description: What to do.
    type: str
    default: migrate
    choices: [migrate, rollback, setup, teardown]
  name:
    description: DNS name of the service (default C(<system>.<city id>.example)).
    type: str
  observer:
    description: Host that checks the service from the users' side (default another server).
    type: str
  ssh_config:
    description: ssh_config reaching the hosts.
    type: path
    required: true
  known_hosts:
    description: Verified host keys (the target's is pinned for host-to-host rsync).
    type: path
  identity:
    description: Key loaded into a temporary ssh-agent when none is running.
    type: path
  journal:
    description: JSON-lines journal.
    type: path
    required: true
  stop_after:
    description: Pause after this step (rehearsals), e.g. C(preseed) or C(freeze).
    type: str
extends_documentation_fragment:
  - xinyu.govops.controller
attributes:
  check_mode:
    support: none
    description: A migration cannot be simulated; in check mode the task is skipped.
"""

EXAMPLES = r"""
- name: Migrate doc-exchange from dept-srv-1 to cloud-prod-1
  xinyu.govops.migrate_system:
    system: doc-exchange
    source: dept-srv-1
    target: cloud-prod-1
    ssh_config: /etc/govops/ssh_config
    known_hosts: /etc/govops/known_hosts
    journal: /var/lib/govops/journal/migrate-doc-exchange.jsonl
  register: migration
"""

RETURN = r"""
events:
  description: The journal entries of this run (step, outcome, detail).
  returned: when the action ran
  type: list
  elements: dict
  sample: [{"step": "preseed", "outcome": "ok"}]
"""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse  # noqa: E402 - Ansible reads DOCUMENTATION first
from ansible_collections.xinyu.govops.plugins.module_utils.specs import MIGRATE_SYSTEM  # noqa: E402


def main():
    refuse(MIGRATE_SYSTEM, "migrate_system", supports_check_mode=False)


if __name__ == "__main__":
    main()
