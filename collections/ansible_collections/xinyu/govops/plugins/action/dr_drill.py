# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of xinyu.govops.dr_drill: govops.migrate.drill on the controller."""

from __future__ import annotations

from ansible_collections.xinyu.govops.plugins.module_utils.specs import DR_DRILL
from ansible_collections.xinyu.govops.plugins.plugin_utils.controller import MigrationAction


class ActionModule(MigrationAction):
    SPEC = DR_DRILL
    WHAT = "a DR drill"

    def execute(self, params: dict) -> dict:
        from govops.migrate import drill  # the room loads only when the task runs

        return drill.execute(params)
