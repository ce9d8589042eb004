#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation and argument spec of xinyu.govops.dr_drill; the work is its action plugin's."""

DOCUMENTATION = r"""
module: dr_drill
short_description: Fail a system over to its DR replica, measure RTO and RPO against its tier, fail back
version_added: 1.0.0
author:
  - Xinyu big-data centre ops team (@xinyu-govops)
description:
  - Runs on the controller (action plugin), reaching the hosts with O(ssh_config); the catalogue
    (the system's DR tier is the promise) comes from the inventory Ansible loaded (C(-i)).
  - O(action=drill) runs precheck, disaster, failover, measure, failback and returns the report;
    every step (and any RPO/RTO breach, severity 4) goes to the JSON-lines journal.
  - O(action=setup) and O(action=teardown) make or remove the lab's sample (service, writer,
    replication loop); O(action=stop-replication) stops the loop (to rehearse a breach).
options:
  system:
    description: Catalogue system id (its C(dr_tier) is the promise).
    type: str
    required: true
  primary:
    description: Production-centre host.
    type: str
    required: true
  replica:
    description: DR-centre host.
    type: str
    required: true
  action:
    description: What to do.
    type: str
    default: drill
    choices: [drill, setup, teardown, stop-replication]
  observer:
    description: Host that checks the service from the users' side.
    type: str
  ssh_config:
    description: ssh_config reaching the hosts.
    type: path
    required: true
  known_hosts:
    description: Verified host keys.
    type: path
  identity:
    description: Key for the replication loop's own ssh-agent.
    type: path
  journal:
    description: JSON-lines journal (followed by the SA forwarder).
    type: path
    required: true
  state:
    description: The replication loop's status file.
    type: path
    required: true
  dr_status:
    description: JSON-lines DR status file the monitoring exporter reads.
    type: path
  interval:
    description: Seconds between replication runs.
    type: float
    default: 3.0
  rpo_objective:
    description: Seconds; default the tier's promise (C(govops.cloud.dr)).
    type: float
  rto_objective:
    description: Seconds; default the tier's promise (C(govops.cloud.dr)).
    type: float
extends_documentation_fragment:
  - xinyu.govops.controller
attributes:
  check_mode:
    support: none
    description: A drill cannot be simulated; in check mode the task is skipped.
"""

EXAMPLES = r"""
- name: DR drill of data-exchange, production centre to Fenyi
  xinyu.govops.dr_drill:
    system: data-exchange
    primary: cloud-prod-1
    replica: cloud-remote-1
    ssh_config: /etc/govops/ssh_config
    known_hosts: /etc/govops/known_hosts
    journal: /var/lib/govops/journal/dr-drill.jsonl
    state: /var/lib/govops/journal/replication-data-exchange.json
  register: drill
"""

RETURN = r"""
report:
  description: RTO and RPO measured against the tier's objectives, per step.
  returned: when O(action=drill)
  type: dict
  sample: {"rto_seconds": 4.2, "rpo_seconds": 3.0, "rto_met": true, "rpo_met": true}
"""

from ansible_collections.xinyu.govops.plugins.module_utils.action_only import refuse  # noqa: E402 - Ansible reads DOCUMENTATION first
from ansible_collections.xinyu.govops.plugins.module_utils.specs import DR_DRILL  # noqa: E402


def main():
    refuse(DR_DRILL, "dr_drill", supports_check_mode=False)


if __name__ == "__main__":
    main()
