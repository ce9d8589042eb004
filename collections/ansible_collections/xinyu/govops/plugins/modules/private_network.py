#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of xinyu.govops.private_network; the work is its action plugin's."""

DOCUMENTATION = r"""
module: private_network
short_description: Move a department's private network onto the extranet as its own VPN instance
version_added: 1.0.0
author:
  - Xinyu big-data centre ops team (@xinyu-govops)
description:
  - Runs on the controller (action plugin). Renders each device's part from the inventory's
    C(private_networks) and the platform templates, then per device (city core first, then the
    county) precheck, backup, push, verify (pings inside the VPN instance, public routing table
    unchanged), commit or save, or rollback to the backup, journalled.
  - The source of truth is the inventory Ansible loaded (C(-i)); each device's address, user,
    password and platform come from its Ansible host variables, secrets through Ansible's vault.
  - Only the devices of the play (C(ansible_play_hosts_all)) are touched, so C(--limit) decides.
  - A device that already carries its part is left alone (C(changed=false)). In check mode nothing
    is pushed; with C(--diff) the lines that would be pushed are shown.
  - O(operation=preflight) only validates inventory and templates; O(operation=remove) is the
    planned back-out (county first).
options:
  department:
    description: Department id (a C(department) of the inventory's C(private_networks)).
    type: str
    required: true
  operation:
    description: What to do.
    type: str
    default: migrate
    choices: [migrate, remove, preflight]
  known_hosts:
    description:
      - known_hosts file with the devices' SSH host keys (default the E(GOVOPS_KNOWN_HOSTS) environment variable).
    type: path
  accept_new_keys:
    description: Lab only. Trust unknown SSH host keys on first use.
    type: bool
    default: false
  journal:
    description: JSON-lines journal.
    type: path
    required: true
  backup_dir:
    description: Folder for the pre-change backups of running configurations.
    type: path
    required: true
attributes:
  check_mode:
    support: full
    description: Nothing is pushed; the outcome is C(would_change).
  diff_mode:
    support: full
    description: The configuration lines that are (or would be) pushed.
  platform:
    support: full
    platforms: huawei, huawei_vrpv8, hp_comware, ruijie_os, zte_zxros
    description: Runs on the controller, which opens SSH sessions to the devices (netmiko).
seealso:
  - module: xinyu.govops.ipv6_upgrade
"""

EXAMPLES = r"""
- name: Move the big-data centre's private network onto the extranet
  xinyu.govops.private_network:
    department: bdc
    known_hosts: /etc/govops/known_hosts
    journal: /var/lib/govops/journal/private-network-bdc.jsonl
    backup_dir: /var/lib/govops/backups/pre-private-network
  run_once: true
  delegate_to: localhost

- name: Planned back-out (county first)
  xinyu.govops.private_network:
    department: bdc
    operation: remove
    journal: /var/lib/govops/journal/private-network-bdc.jsonl
    backup_dir: /var/lib/govops/backups/pre-private-network
  run_once: true
  delegate_to: localhost
"""

# `lines` and `inventory` are documented again in ipv6_upgrade.py: RETURN is read as a literal and
# ansible-core 2.19, the last for Python 3.11, has no RETURN doc fragments (ansible/ansible#70910).
RETURN = r"""
outcome:
  description:
    - The first failure's result, else the last device's (C(migrated), C(already_migrated),
      C(removed), C(nothing_to_remove), C(would_change)), or C(preflight_ok).
  returned: always
  type: str
  sample: migrated
devices:
  description:
    - Per device, its outcome and detail; with O(operation=preflight) the list of devices concerned.
  returned: always
  type: raw
  sample: {"core-1": {"outcome": "migrated", "detail": "9 line(s)"}}
skipped_by_limit:
  description: Devices of the department's network left alone because they are not in the play.
  returned: unless O(operation=preflight)
  type: list
  elements: str
  sample: ["fy-agg-1"]
lines:
  description: Number of configuration lines pushed (or that would be).
  returned: unless O(operation=preflight)
  type: int
  sample: 18
inventory:
  description: The inventory directory the source of truth was built from.
  returned: when O(operation=preflight)
  type: str
  sample: /srv/govops/inventories/xinyu
"""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse  # noqa: E402 - Ansible reads DOCUMENTATION first
from ansible_collections.xinyu.govops.plugins.module_utils.specs import PRIVATE_NETWORK  # noqa: E402


def main():
    refuse(PRIVATE_NETWORK, "private_network", supports_check_mode=True)


if __name__ == "__main__":
    main()
