#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of xinyu.govops.ipv6_upgrade; the work is its action plugin's."""

DOCUMENTATION = r"""
module: ipv6_upgrade
short_description: Bring one extranet device to its dual-stack IPv6 intent
version_added: 1.0.0
author:
  - Xinyu big-data centre ops team (@xinyu-govops)
description:
  - Runs on the controller (action plugin) for the inventory host of the task, which must be an
    C(extranet) device of the inventory given with C(-i). Its address, user, password and platform
    come from its Ansible host variables (C(ansible_host), C(ansible_user), C(ansible_password),
    C(platform)); secrets are decrypted with the vault password given to Ansible.
  - The rest of the source of truth (sites, links, IPv6 plan) is built from the inventory Ansible
    loaded (C(inventory_dir), else the only C(ansible_inventory_sources) entry), never from a default path.
  - Precheck, backup, push, verify, commit or save, or rollback to the backup, journalled
    (C(network.transaction)). A device already dual-stack, or finished earlier in this wave's
    journal, is left alone (C(changed=false)).
  - In check mode nothing is pushed; with C(--diff) the lines that would be pushed are shown.
  - With O(preflight=true) (run once) it only validates the inventory, IPv6 plan and templates of
    every device of the C(extranet) group, before any device is touched.
options:
  preflight:
    description: Validate inventory, IPv6 plan and templates of every extranet device; touch none.
    type: bool
    default: false
  rollback_change:
    description:
      - Back out this finished change instead of upgrading - its change id in the journal, or C(latest)
        for the device's last finished change. The running configuration goes back to the change's
        pre-change backup (byte-identical, checked) and is saved; journalled as C(backed_out).
      - In check mode the lines that would be undone are shown and nothing is sent.
    type: str
  known_hosts:
    description:
      - known_hosts file with the devices' SSH host keys (default the E(GOVOPS_KNOWN_HOSTS) environment variable).
    type: path
  accept_new_keys:
    description: Lab only. Trust unknown SSH host keys on first use.
    type: bool
    default: false
  journal:
    description: JSON-lines journal of the wave (resume point; followed by the SA forwarder).
    type: path
    required: true
  backup_dir:
    description: Folder for the pre-change backups of running configurations.
    type: path
    required: true
attributes:
  check_mode:
    support: full
    description: Nothing is pushed; the outcome is C(would_change) with the lines that would be pushed.
  diff_mode:
    support: full
    description: The configuration lines that are (or would be) pushed.
  platform:
    support: full
    platforms: huawei, huawei_vrpv8, hp_comware, ruijie_os, zte_zxros
    description: Runs on the controller, which opens an SSH session to the device (netmiko).
notes:
  - Set C(ansible_connection=local) for the devices; the plugin opens its own device session.
  - A lab inventory (198.18.0.0/15, 2001:db8::/32) is refused outside the lab's management namespace.
seealso:
  - module: xinyu.govops.private_network
"""

EXAMPLES = r"""
- name: Preflight - every extranet device can be rendered
  xinyu.govops.ipv6_upgrade:
    preflight: true
    journal: /var/lib/govops/journal/ipv6-upgrade.jsonl
    backup_dir: /var/lib/govops/backups/pre-ipv6
  run_once: true
  delegate_to: localhost

- name: Upgrade this device to dual-stack
  xinyu.govops.ipv6_upgrade:
    known_hosts: /etc/govops/known_hosts
    journal: /var/lib/govops/journal/ipv6-upgrade.jsonl
    backup_dir: /var/lib/govops/backups/pre-ipv6
  register: upgrade

- name: Back out this device's last finished upgrade from its pre-change backup
  xinyu.govops.ipv6_upgrade:
    rollback_change: latest
    known_hosts: /etc/govops/known_hosts
    journal: /var/lib/govops/journal/ipv6-upgrade.jsonl
    backup_dir: /var/lib/govops/backups/pre-ipv6
"""

# `lines` and `inventory` are documented again in private_network.py: RETURN is read as a literal and
# ansible-core 2.19, the last for Python 3.11, has no RETURN doc fragments (ansible/ansible#70910).
RETURN = r"""
outcome:
  description:
    - C(upgraded), C(already_dual_stack), C(done_in_journal), C(would_change) (check mode),
      C(rolled_back), C(failed), C(locked), C(stopped), or C(preflight_ok); with O(rollback_change),
      C(backed_out), C(already_backed_out), C(would_change) or C(failed).
  returned: always
  type: str
  sample: upgraded
detail:
  description: What happened, in one line (never a secret).
  returned: when a device was acted on
  type: str
  sample: "12 line(s); addresses up, neighbours and core loopbacks answer, IPv4 baseline kept"
lines:
  description: Number of configuration lines pushed (or that would be).
  returned: when a device was acted on
  type: int
  sample: 12
devices:
  description: Number of extranet devices validated.
  returned: when O(preflight=true)
  type: int
  sample: 7
inventory:
  description: The inventory directory the source of truth was built from.
  returned: when O(preflight=true)
  type: str
  sample: /srv/govops/inventories/xinyu
"""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse  # noqa: E402 - Ansible reads DOCUMENTATION first
from ansible_collections.xinyu.govops.plugins.module_utils.specs import IPV6_UPGRADE  # noqa: E402


def main():
    refuse(IPV6_UPGRADE, "ipv6_upgrade", supports_check_mode=True)


if __name__ == "__main__":
    main()
