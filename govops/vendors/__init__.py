"""One place per vendor: everything govops knows about a platform (see network/README.md).

``get(platform)`` is the only way in; an unknown platform is an error, never another vendor's
syntax. Core layer: imports nothing from network/, lab/ or monitoring/.
"""

from __future__ import annotations

from govops.vendors import hp_comware, huawei, huawei_vrpv8, ruijie_os, zte_zxros
from govops.vendors.base import UnknownPlatform, Vendor, VersionInfo

# The one dispatch table: a new vendor is one module and one line here.
VENDORS: dict[str, Vendor] = {v.platform: v for v in (
    huawei.VENDOR,
    huawei_vrpv8.VENDOR,
    hp_comware.VENDOR,
    ruijie_os.VENDOR,
    zte_zxros.VENDOR,
)}


def get(platform: str) -> Vendor:
    try:
        return VENDORS[platform]
    except KeyError:
        raise UnknownPlatform(f"unknown platform {platform!r}: govops knows {', '.join(sorted(VENDORS))} "
                              f"(add a vendor module under govops/vendors/, see network/README.md)") from None


__all__ = ["VENDORS", "UnknownPlatform", "Vendor", "VersionInfo", "get"]
