#!/usr/bin/python
"""Ansible module: refuse to go on when lab hosts would be reached from outside the lab's mgmt namespace."""

from __future__ import annotations

DOCUMENTATION = r"""
module: govops_lab_guard
short_description: Lab inventories are driven only from a lab's management namespace
description:
  - Fails, before any connection, when a target address is a lab address (198.18.0.0/15,
    2001:db8::/32) and the controller does not run inside a lab's management namespace
    (`govops lab exec -- ansible-playbook ...`); from anywhere else such a connection would leave
    through the machine's default route. Production addresses always pass. Changes nothing.
  - The rule and its message are govops.labguard's, the same that network.session applies.
options:
  targets: {description: "inventory host name -> address (ansible_host)", type: dict, required: true}
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402 - Ansible wants DOCUMENTATION first


def main() -> None:
    module = AnsibleModule(argument_spec={"targets": {"type": "dict", "required": True}}, supports_check_mode=True)
    try:
        from govops.labguard import OutsideLabNamespace, current_netns, require_lab_workstation
    except ImportError as exc:
        module.fail_json(msg=f"govops is not importable by {module._name}'s interpreter: {exc}")
    try:
        require_lab_workstation(sorted(module.params["targets"].items()),
                                action="run this playbook against")
    except OutsideLabNamespace as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, netns=current_netns())


if __name__ == "__main__":
    main()
