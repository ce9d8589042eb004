# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of xinyu.govops.migrate_system: govops.migrate.system on the controller."""

from __future__ import annotations

from ansible_collections.xinyu.govops.plugins.module_utils.specs import MIGRATE_SYSTEM
from ansible_collections.xinyu.govops.plugins.plugin_utils.controller import MigrationAction


class ActionModule(MigrationAction):
    SPEC = MIGRATE_SYSTEM
    WHAT = "a system migration"

    def execute(self, params: dict) -> dict:
        from govops.migrate import system  # the room loads only when the task runs

        return system.execute(params)
