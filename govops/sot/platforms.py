"""Per-platform facts the source of truth checks against: valid interface names.

The patterns live with each vendor (govops/vendors/<platform>.py); this module keeps the SoT's
small interface to them.
"""

from __future__ import annotations

import re

from govops import vendors

INTERFACE_PATTERNS: dict[str, re.Pattern[str]] = {p: v.interface_pattern for p, v in vendors.VENDORS.items()}


def valid_interface(platform: str, name: str) -> bool:
    """True when ``name`` is an interface name ``platform`` prints; False for an unknown platform
    (the SoT checks report the platform itself as the problem)."""
    vendor = vendors.VENDORS.get(platform)
    return bool(vendor and vendor.valid_interface(name))
