# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation the controller-only modules share (extends_documentation_fragment)."""

from __future__ import annotations


class ModuleDocFragment:
    # A job on the controller that neither talks to a device nor reports a diff.
    DOCUMENTATION = r"""
attributes:
  diff_mode:
    support: none
    description: No diff.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller.
"""
