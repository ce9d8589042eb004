#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of xinyu.govops.migrate_system; its documentation is migrate_system.yml beside it (an Ansible
sidecar, read by ansible-doc and validate-modules), its work is its action plugin's."""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse
from ansible_collections.xinyu.govops.plugins.module_utils.specs import MIGRATE_SYSTEM


def main():
    refuse(MIGRATE_SYSTEM, "migrate_system", supports_check_mode=False)


if __name__ == "__main__":
    main()
