"""Shared by govops' Ansible modules (playbooks/library): run a govops entry point and report.

The work runs in a fresh interpreter (`python -m ENTRY`, parameters as JSON on stdin) because the
SoT loader imports Ansible controller code, which must not run inside a module. The entry point
prints one JSON object as its last line: the module result plus `failed`, and for network
changes `commands` (the lines pushed, or that would be; shown with --diff).
"""

from __future__ import annotations

import json
import sys

# Options every network-change module takes (govops_ipv6_upgrade, govops_private_network).
NETWORK_CHANGE_SPEC = {
    "inventory": {"type": "path", "required": True},
    "known_hosts": {"type": "path"},
    "accept_new_keys": {"type": "bool", "default": False},
    "journal": {"type": "path", "required": True},
    "backup_dir": {"type": "path", "required": True},
    "vault_password_file": {"type": "path", "no_log": False},
    "python": {"type": "path"},
}


def run_entry(module, entry: str, params: dict, environ_update: dict | None = None) -> None:
    """Run ENTRY with `params` and end the module with its result (exit_json or fail_json)."""
    params = dict(params)
    python = params.pop("python", None) or sys.executable
    rc, out, err = module.run_command([python, "-m", entry], data=json.dumps(params),
                                      environ_update=environ_update or {}, binary_data=False)
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        module.fail_json(msg=f"{entry} failed (rc={rc}): {err.strip()[-1500:]}")
    if "commands" in result:
        commands = result.pop("commands")
        result["lines"] = len(commands)
        if module._diff and commands:
            result["diff"] = {"prepared": "\n".join(commands) + "\n"}
    if result.pop("failed"):
        module.fail_json(**result)
    module.exit_json(**result)
