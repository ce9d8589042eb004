# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module side of an xinyu.govops action: its work is done by the action plugin on the controller."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule


def refuse(argument_spec: dict, name: str, supports_check_mode: bool) -> None:
    """Check the arguments as the documentation says, then say where the work really happens.

    Reached only when the action plugin is bypassed (e.g. the module copied into a library/ folder).
    """
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=supports_check_mode)
    module.fail_json(msg=f"xinyu.govops.{name} runs on the controller through its action plugin")
