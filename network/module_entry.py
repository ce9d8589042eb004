"""JSON in, JSON out: what playbooks/library/govops_ipv6_upgrade.py runs in a fresh interpreter.

A separate process because the SoT loader uses Ansible's controller code (inventory, vault),
which must not be imported inside an AnsiballZ module payload (its module_utils shadow it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    p = json.load(sys.stdin)
    from govops.sot import load_inventory
    from govops.sot.problems import InventoryError
    from network import change
    from network.journal import Journal
    from network.session import SessionOptions

    password = Path(p["vault_password_file"]).read_text().strip() if p.get("vault_password_file") else None
    try:
        inv = load_inventory(p["inventory"], vault_password=password)
        names = [p["device"]] if p.get("device") else None
        plan = change.preflight(inv, names)
    except InventoryError as exc:
        print(json.dumps({"failed": True, "outcome": "bad_input",
                          "msg": "bad input, no device touched:\n" + "\n".join(map(str, exc.problems))}))
        return 0
    if p.get("preflight"):
        print(json.dumps({"failed": False, "changed": False, "outcome": "preflight_ok",
                          "devices": len(names or inv.devices)}))
        return 0
    change.stop_on_signals()  # Ctrl-C / SIGTERM: finish or roll back this device, journal it, stop
    opts = SessionOptions.from_env(known_hosts=p.get("known_hosts"), accept_new_keys=bool(p.get("accept_new_keys")))
    ctx = change.ChangeContext(inv, plan, Journal(p["journal"]), Path(p["backup_dir"]), opts,
                               check=bool(p.get("check")))
    out = change.upgrade_device(ctx, p["device"])
    print(json.dumps({"failed": out.failed, "changed": out.changed, "outcome": out.result, "detail": out.detail,
                      "commands": out.commands, "msg": f"{out.device}: {out.result}: {out.detail}"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
