"""Every `ansible-playbook` command a README or runbook shows names its inventory with -i.

The playbooks act on the inventory Ansible loaded and nothing else (the xinyu.govops action plugins
have no default inventory, issue 15): a command shown without -i would run against
/etc/ansible/hosts, or fail, for whoever copies it. Commands that only check syntax are exempt.
"""

from __future__ import annotations

import pytest

from tests.paths import ROOT
from tests.runbooks.commands import Command, commands, documents

PLAYBOOK_COMMANDS = [c for doc in documents(ROOT) for c in commands(doc) if c.argv and c.argv[0] == "ansible-playbook"]


def names_an_inventory(cmd: Command) -> bool:
    argv = cmd.argv
    return "--syntax-check" in argv or any(a in ("-i", "--inventory") or a.startswith(("-i", "--inventory=")) for a in argv)


def test_there_are_playbook_commands_to_check():
    assert len(PLAYBOOK_COMMANDS) >= 5


@pytest.mark.parametrize("cmd", PLAYBOOK_COMMANDS, ids=str)
def test_playbook_command_names_its_inventory(cmd):
    assert names_an_inventory(cmd), f"{cmd}: add -i <inventory> (the playbooks have no default inventory)"


def test_the_check_catches_a_command_without_inventory():
    assert not names_an_inventory(Command(ROOT / "x.md", 1, ("ansible-playbook", "playbooks/ipv6_upgrade.yml")))
    assert names_an_inventory(Command(ROOT / "x.md", 1, ("ansible-playbook", "-i", "inventories/lab", "playbooks/x.yml")))
