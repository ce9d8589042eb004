"""The one table mapping netmiko device types to dialects (adding a vendor = one file + one line)."""

from __future__ import annotations

from lab.twins.dialects.base import Dialect
from lab.twins.dialects.comware import Comware
from lab.twins.dialects.ruijie import Ruijie
from lab.twins.dialects.vrp5 import Vrp5
from lab.twins.dialects.vrpv8 import Vrpv8
from lab.twins.dialects.zte import Zte

DIALECTS: dict[str, type[Dialect]] = {
    "huawei": Vrp5,
    "huawei_vrp": Vrp5,
    "huawei_vrpv8": Vrpv8,
    "hp_comware": Comware,
    "h3c_comware": Comware,
    "ruijie_os": Ruijie,
    "zte_zxros": Zte,
}


def dialect_for(platform: str) -> type[Dialect]:
    try:
        return DIALECTS[platform]
    except KeyError:
        raise ValueError(f"platform {platform!r}: expected one of {', '.join(sorted(DIALECTS))}") from None
