# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of xinyu.govops.private_network: the device work runs here, on the controller."""

from __future__ import annotations

from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.xinyu.govops.plugins.module_utils.specs import PRIVATE_NETWORK
from ansible_collections.xinyu.govops.plugins.plugin_utils import controller


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=PRIVATE_NETWORK)
        from govops.sot.problems import InventoryError
        from network import private_network, transaction
        from network.journal import Journal

        stats: dict = {}
        inv = controller.load_sot(task_vars, self._loader, stats)
        department = args["department"]
        try:
            names = list(private_network.render_network(inv, department))
        except InventoryError as exc:
            raise AnsibleActionFail("bad input, no device touched:\n" + "\n".join(map(str, exc.problems))) from None
        if args["operation"] == "preflight":
            return dict(result, **stats, changed=False, outcome="preflight_ok", devices=names, inventory=str(inv.path))
        # --limit decides: only the devices of this play (ansible_play_hosts_all) are touched.
        allowed = set(task_vars.get("ansible_play_hosts_all") or names)
        hostvars = task_vars.get("hostvars", {})
        devices = dict(inv.devices)
        for name in names:
            if name in allowed and name in hostvars:
                hv = dict(hostvars[name])
                devices[name] = controller.device_from_hostvars(inv, name, hv, self._templar.copy_with_new_env(available_variables=hv))
        inv = inv.model_copy(update={"devices": devices})
        ctx = transaction.ChangeContext(inv, None, Journal(args["journal"], wave=f"private-network-{department}"),
                                        Path(args["backup_dir"]), controller.session_options(args, task_vars, self._templar),
                                        check=bool(self._task.check_mode))
        outcomes = []
        if args["operation"] == "remove":  # county first
            outcomes = [private_network.remove_device(ctx, department, n) for n in reversed(names) if n in allowed]
        else:  # core first; stop at the first failure (never a county against a rolled-back core)
            done: set[str] = set()
            for name in names:
                if name not in allowed:
                    continue
                out = private_network.migrate_device(ctx, department, name, done)
                outcomes.append(out)
                if out.failed:
                    break
                done.add(name)
        failed = [o for o in outcomes if o.failed]
        commands = [c for o in outcomes for c in o.commands]
        result.update(
            **stats, changed=any(o.changed for o in outcomes), failed=bool(failed),
            outcome=failed[0].result if failed else (outcomes[-1].result if outcomes else private_network.NOTHING),
            devices={o.device: {"outcome": o.result, "detail": o.detail} for o in outcomes},
            skipped_by_limit=[n for n in names if n not in allowed], lines=len(commands),
            msg="; ".join(f"{o.device}: {o.result}: {o.detail}" for o in outcomes) or "no device of this play")
        if self._task.diff and commands:
            result["diff"] = controller.diff_of(commands)
        return result
