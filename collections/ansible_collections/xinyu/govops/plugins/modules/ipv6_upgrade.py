#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of xinyu.govops.ipv6_upgrade; its documentation is ipv6_upgrade.yml beside it (an Ansible
sidecar, read by ansible-doc and validate-modules), its work is its action plugin's."""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse
from ansible_collections.xinyu.govops.plugins.module_utils.specs import IPV6_UPGRADE


def main():
    refuse(IPV6_UPGRADE, "ipv6_upgrade", supports_check_mode=True)


if __name__ == "__main__":
    main()
