# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of xinyu.govops.ipv6_upgrade: the device work runs here, on the controller."""

from __future__ import annotations

from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.xinyu.govops.plugins.module_utils.specs import IPV6_UPGRADE
from ansible_collections.xinyu.govops.plugins.plugin_utils import controller


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False  # netmiko opens the device session itself, from the controller

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=IPV6_UPGRADE)
        from govops.sot.problems import InventoryError
        from network import change
        from network.journal import Journal

        stats: dict = {}
        inv = controller.load_sot(task_vars, self._loader, stats)
        if args["preflight"]:
            names = [n for n in task_vars.get("groups", {}).get("extranet", []) if n in inv.devices] or None
            try:
                change.preflight(inv, names)
            except InventoryError as exc:
                raise AnsibleActionFail("preflight failed, no device touched:\n"
                                        + "\n".join(map(str, exc.problems))) from None
            return dict(result, **stats, changed=False, outcome="preflight_ok", inventory=str(inv.path),
                        devices=len(names or inv.devices))
        name = task_vars["inventory_hostname"]
        dev = controller.device_from_hostvars(inv, name, task_vars, self._templar)
        inv = inv.model_copy(update={"devices": {**inv.devices, name: dev}})
        try:
            plan = change.preflight(inv, [name])
        except InventoryError as exc:
            raise AnsibleActionFail(f"{name}: bad input, not touched:\n" + "\n".join(map(str, exc.problems))) from None
        try:
            change.stop_on_signals()  # Ctrl-C / SIGTERM: finish or roll back this device, then stop
        except ValueError:
            pass  # not the main thread: Ansible's own handling applies
        ctx = change.ChangeContext(inv, plan, Journal(args["journal"]), Path(args["backup_dir"]),
                                   controller.session_options(args, task_vars, self._templar), check=bool(self._task.check_mode))
        if args.get("rollback_change"):
            from network.transaction import back_out

            out = back_out(ctx, change.Ipv6Upgrade(inv, plan), name, args["rollback_change"])
        else:
            out = change.upgrade_device(ctx, name)
        result.update(**stats, changed=out.changed, failed=out.failed, outcome=out.result, detail=out.detail,
                      lines=len(out.commands), msg=f"{out.device}: {out.result}: {out.detail}")
        if self._task.diff and out.commands:
            result["diff"] = controller.diff_of(out.commands)
        return result
