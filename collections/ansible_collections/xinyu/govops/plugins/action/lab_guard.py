# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of xinyu.govops.lab_guard: the check runs on the controller, where the connections
would start from."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.xinyu.govops.plugins.module_utils.specs import LAB_GUARD


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars or {})
        _, args = self.validate_argument_spec(argument_spec=LAB_GUARD)
        try:
            from govops.labguard import OutsideLabNamespace, current_netns, require_lab_workstation
        except ImportError as exc:
            raise AnsibleActionFail(f"govops is not importable by ansible-playbook's interpreter: {exc}") from None
        try:
            require_lab_workstation(sorted(args["targets"].items()), action="run this playbook against")
        except OutsideLabNamespace as exc:
            raise AnsibleActionFail(str(exc)) from None
        return dict(result, changed=False, netns=current_netns())
