# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs of the xinyu.govops modules, in one place.

The module files (plugins/modules) hand them to AnsibleModule so that ansible-doc and
validate-modules compare them with DOCUMENTATION; the action plugins (plugins/action), which do the
work on the controller, validate the task's arguments against the same dicts.
"""

from __future__ import annotations

# Device changes through the transaction engine (network.transaction): ipv6_upgrade, private_network.
NETWORK_CHANGE = dict(
    known_hosts=dict(type="path"),
    accept_new_keys=dict(type="bool", default=False),
    journal=dict(type="path", required=True),
    backup_dir=dict(type="path", required=True),
)

IPV6_UPGRADE = dict(
    NETWORK_CHANGE,
    preflight=dict(type="bool", default=False),
    rollback_change=dict(type="str"),
)

PRIVATE_NETWORK = dict(
    NETWORK_CHANGE,
    department=dict(type="str", required=True),
    operation=dict(type="str", default="migrate", choices=["migrate", "remove", "preflight"]),
)

# Host-side migrations (govops.migrate): reached over ssh with an ssh_config.
_MIGRATION_SSH = dict(
    ssh_config=dict(type="path", required=True),
    known_hosts=dict(type="path"),
    identity=dict(type="path"),
    observer=dict(type="str"),
    journal=dict(type="path", required=True),
)

MIGRATE_SYSTEM = dict(
    _MIGRATION_SSH,
    system=dict(type="str", required=True),
    source=dict(type="str", required=True),
    target=dict(type="str", required=True),
    action=dict(type="str", default="migrate", choices=["migrate", "rollback", "setup", "teardown"]),
    name=dict(type="str"),
    stop_after=dict(type="str"),
)

DR_DRILL = dict(
    _MIGRATION_SSH,
    system=dict(type="str", required=True),
    primary=dict(type="str", required=True),
    replica=dict(type="str", required=True),
    action=dict(type="str", default="drill", choices=["drill", "setup", "teardown", "stop-replication"]),
    state=dict(type="path", required=True),
    dr_status=dict(type="path"),
    interval=dict(type="float", default=3.0),
    rpo_objective=dict(type="float"),
    rto_objective=dict(type="float"),
)

LAB_GUARD = dict(
    targets=dict(type="dict", required=True),
)
