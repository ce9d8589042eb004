#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of xinyu.govops.lab_guard; the check is its action plugin's."""

DOCUMENTATION = r"""
module: lab_guard
short_description: Lab inventories are driven only from a lab's management namespace
version_added: 1.0.0
author:
  - Xinyu big-data centre ops team (@xinyu-govops)
description:
  - Fails, before any connection, when a target address is a lab address (198.18.0.0/15,
    2001:db8::/32) and the controller does not run inside a lab's management namespace
    (C(govops lab exec -- ansible-playbook ...)); from anywhere else such a connection would leave
    through the machine's default route. Production addresses always pass. Changes nothing.
  - The rule and its message are C(govops.labguard)'s, the same that C(network.session) applies.
options:
  targets:
    description: Inventory host name to address (C(ansible_host)).
    type: dict
    required: true
extends_documentation_fragment:
  - xinyu.govops.controller
attributes:
  check_mode:
    support: full
    description: Changes nothing in any mode.
"""

EXAMPLES = r"""
- name: Refuse outside the lab's management namespace
  xinyu.govops.lab_guard:
    targets: "{{ dict(groups['all'] | zip(groups['all'] | map('extract', hostvars) | map(attribute='ansible_host', default=''))) }}"
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
netns:
  description: The network namespace the controller runs in (empty outside any named one).
  returned: success
  type: str
  sample: govlab-mgmt
"""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse  # noqa: E402 - Ansible reads DOCUMENTATION first
from ansible_collections.xinyu.govops.plugins.module_utils.specs import LAB_GUARD  # noqa: E402


def main():
    refuse(LAB_GUARD, "lab_guard", supports_check_mode=True)


if __name__ == "__main__":
    main()
