# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback xinyu.govops.sot_preload: load the govops SoT once per play, before Ansible forks."""

from __future__ import annotations

DOCUMENTATION = r"""
name: sot_preload
type: aggregate
version_added: 1.0.0
short_description: Load the govops source of truth once per play, in ansible-playbook's main process
author:
  - Xinyu big-data centre ops team (@xinyu-govops)
description:
  - Prints nothing of its own. When a play starts, for each inventory source given with C(-i) that
    is a govops inventory (it has C(group_vars/all)), it builds the typed source of truth with the
    vault password Ansible was given, in the process that forks Ansible's workers; the action
    plugins of xinyu.govops (one worker per task and host) then find it loaded instead of loading
    it again (their results say C(sot_cached)).
  - When the source of truth cannot be loaded (for example a wrong vault password), it warns with
    the file and the cause before the first task; the task that needs it then fails.
requirements:
  - Enabled in configuration (C(callbacks_enabled), as the repository's ansible.cfg does).
"""

from ansible.plugins.callback import CallbackBase  # noqa: E402 - Ansible reads DOCUMENTATION first
from ansible_collections.xinyu.govops.plugins.plugin_utils import controller  # noqa: E402


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "xinyu.govops.sot_preload"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_play_start(self, play):
        variables = play.get_variable_manager()
        inventory = getattr(variables, "_inventory", None)
        loader = getattr(variables, "_loader", None)
        for source in getattr(inventory, "_sources", None) or []:
            controller.preload(source, loader)
