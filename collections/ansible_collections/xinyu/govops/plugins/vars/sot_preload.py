# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vars plugin xinyu.govops.sot_preload: load the govops SoT once per run, before Ansible forks."""

from __future__ import annotations

DOCUMENTATION = r"""
name: sot_preload
version_added: 1.0.0
short_description: Load the govops source of truth once, in ansible-playbook's main process
author:
  - Xinyu big-data centre ops team (@xinyu-govops)
description:
  - Adds no variables. For each inventory directory Ansible loads that is a govops inventory
    (it has C(group_vars/all)), it builds the typed source of truth once, with the vault password
    Ansible was given, in the process that forks Ansible's workers; the action plugins of
    xinyu.govops (one worker per task and host) then find it loaded instead of loading it again.
  - Best effort. A problem in the inventory is reported by the task that needs the source of truth.
requirements:
  - Enabled in configuration (C(vars_plugins_enabled), as the repository's ansible.cfg does).
extends_documentation_fragment:
  - ansible.builtin.vars_plugin_staging
"""


from ansible.plugins.vars import BaseVarsPlugin  # noqa: E402 - Ansible reads DOCUMENTATION first
from ansible_collections.xinyu.govops.plugins.plugin_utils import controller  # noqa: E402


class VarsModule(BaseVarsPlugin):
    is_stateless = True

    def get_vars(self, loader, path, entities, cache=True):
        controller.preload(path, loader)
        return {}
