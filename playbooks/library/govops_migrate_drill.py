#!/usr/bin/python
"""Ansible module: a DR drill for one system, primary -> replica and back (govops.migrate.drill)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govops_migrate_drill
short_description: Fail a system over to its DR replica, measure RTO and RPO against its tier, fail back
description:
  - action=drill runs precheck, disaster, failover, measure, failback and returns the report;
    every step (and any RPO/RTO breach, severity 4) goes to the JSON-lines journal.
  - action=setup/teardown make or remove the lab's sample (service, writer, replication loop);
    action=stop-replication stops the loop (to rehearse a breach).
options:
  inventory: {description: inventory directory, type: path, required: true}
  system: {description: catalogue system id (its dr_tier is the promise), type: str, required: true}
  primary: {description: production-centre host, type: str, required: true}
  replica: {description: DR-centre host, type: str, required: true}
  action: {description: "drill, setup, teardown or stop-replication", type: str, default: drill}
  observer: {description: host that checks the service from the users' side, type: str}
  ssh_config: {description: ssh_config reaching the hosts, type: path, required: true}
  known_hosts: {description: verified host keys, type: path}
  identity: {description: key for the replication loop's own ssh-agent, type: path}
  journal: {description: JSON-lines journal (followed by the SA forwarder), type: path, required: true}
  state: {description: the replication loop's status file, type: path, required: true}
  dr_status: {description: JSON-lines DR status file the monitoring exporter reads, type: path}
  interval: {description: seconds between replication runs, type: float, default: 3}
  rpo_objective: {description: "seconds; default: the tier's promise (govops.cloud.dr)", type: float}
  rto_objective: {description: "seconds; default: the tier's promise (govops.cloud.dr)", type: float}
  python: {description: "interpreter with govops installed (default: the module's)", type: path}
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402 - Ansible wants DOCUMENTATION first
from ansible.module_utils.govops_entry import run_entry  # noqa: E402

SPEC = {
    "inventory": {"type": "path", "required": True},
    "system": {"type": "str", "required": True},
    "primary": {"type": "str", "required": True},
    "replica": {"type": "str", "required": True},
    "action": {"type": "str", "default": "drill", "choices": ["drill", "setup", "teardown", "stop-replication"]},
    "observer": {"type": "str"},
    "ssh_config": {"type": "path", "required": True},
    "known_hosts": {"type": "path"},
    "identity": {"type": "path"},
    "journal": {"type": "path", "required": True},
    "state": {"type": "path", "required": True},
    "dr_status": {"type": "path"},
    "interval": {"type": "float", "default": 3},
    "rpo_objective": {"type": "float"},
    "rto_objective": {"type": "float"},
    "python": {"type": "path"},
}


def main() -> None:
    module = AnsibleModule(argument_spec=SPEC, supports_check_mode=False)
    params = dict(module.params)
    run_entry(module, "govops.migrate.drill", params)


if __name__ == "__main__":
    main()
