#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of xinyu.govops.private_network; its documentation is private_network.yml beside it (an Ansible
sidecar, read by ansible-doc and validate-modules), its work is its action plugin's."""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse
from ansible_collections.xinyu.govops.plugins.module_utils.specs import PRIVATE_NETWORK


def main():
    refuse(PRIVATE_NETWORK, "private_network", supports_check_mode=True)


if __name__ == "__main__":
    main()
