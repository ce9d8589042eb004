#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument spec of xinyu.govops.dr_drill; its documentation is dr_drill.yml beside it (an Ansible
sidecar, read by ansible-doc and validate-modules), its work is its action plugin's."""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse
from ansible_collections.xinyu.govops.plugins.module_utils.specs import DR_DRILL


def main():
    refuse(DR_DRILL, "dr_drill", supports_check_mode=False)


if __name__ == "__main__":
    main()
