# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of xinyu.govops.dr_drill: govops.migrate.drill on the controller."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.xinyu.govops.plugins.module_utils.specs import DR_DRILL
from ansible_collections.xinyu.govops.plugins.plugin_utils import controller


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=DR_DRILL)
        if self._task.check_mode:
            return dict(result, changed=False, skipped=True, msg="a DR drill has no check mode; nothing done")
        from govops.migrate import drill

        params = dict(args)
        with controller.sot_of_ansible(task_vars, self._loader) as root:
            params["inventory"] = str(root)
            out = drill.execute(params)
        result.update(out)
        return result
