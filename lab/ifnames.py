"""Vendor interface names -> Linux kernel interface names, for any vendor name.

The kernel takes at most 15 bytes (IFNAMSIZ - 1) and no '/', ':' or whitespace; real
vendor names are often longer (`GigabitEthernet0/1/0.1003`, `Route-Aggregation1`,
`xxvgei-1/1/0/24`, `100GE1/0/1`). The source of truth keeps real names; the lab maps
them here, deterministically, and the twin keeps the table, so it never has to reverse one.

1. A name reads as TYPE + NUMBER (digits separated by '/' or '.'; a space between them is
   the same port: Ruijie writes `GigabitEthernet 0/1`). The type is compared as the CLIs do,
   without case or '-' (`LoopBack0` = `Loopback0`, `Eth-Trunk` = `EthTrunk`).
2. Readable form: a known type's abbreviation (or, for an unknown type, the type itself)
   followed by the number with '/' -> '-' and '.' kept: GigabitEthernet0/1/0 -> ge0-1-0,
   Ten-GigabitEthernet1/0/49 -> xge1-0-49, gei-0/1/0/1 -> gei0-1-0-1, GigabitEthernet0/1/0.1003
   -> ge0-1-0.1003, Route-Aggregation1 -> rag1, xxvgei-1/1/0/24 -> xxvgei1-1-0-24.
3. Anything else (too long, an odd character, no number, a reserved lab name): a short hint of
   the type, '_' and a hash of the name: `ifx_3f2a9c01d4`. Readable forms never hold '_', so
   the two kinds cannot meet.

Unique: two names map to the same kernel name only if they spell the same port (rule 1).
"""

from __future__ import annotations

import hashlib
import re

KERNEL_NAME_MAX = 15  # IFNAMSIZ - 1
# One byte is kept spare: lab/topology.py names a port's internal peer "_" + its name.
LAB_NAME_MAX = KERNEL_NAME_MAX - 1
# Names the lab itself uses inside device namespaces (lab/topology.py MGMT_IF, HOST_DATA_IF,
# and the kernel's own loopback): a vendor port never gets one of them.
RESERVED = frozenset({"lo", "mgmt0", "eth1"})

# Spellings of one port kind (Huawei CE `GE1/0/0` and S-series `GigabitEthernet0/0/1` are both
# gigabit ports; no device has both spellings) -> the one canonical type.
_ALIASES = {
    "ge": "gigabitethernet", "gi": "gigabitethernet",
    "tengigabitethernet": "xgigabitethernet", "10ge": "xgigabitethernet", "te": "xgigabitethernet",
    "twentyfivegige": "25ge", "fortygige": "40ge", "hundredgige": "100ge",
    "vlaninterface": "vlanif",
    "ag": "aggregateport", "mg": "mgmt", "eth": "ethernet",  # RGOS ifName short forms (Ag1, Mg 0), NX-OS Eth
}
# Canonical type -> its abbreviation; one abbreviation per type, so names stay unique.
_ABBREVIATIONS = {
    "gigabitethernet": "ge", "xgigabitethernet": "xge", "25ge": "yge", "40ge": "fge", "100ge": "hge",
    "mgigabitethernet": "mge", "ethernet": "eth",
    "ethtrunk": "trk", "routeaggregation": "rag", "bridgeaggregation": "bag", "aggregateport": "ag",
    "smartgroup": "sg", "vlanif": "vlif", "loopback": "lo", "gei": "gei", "xgei": "xgei",
}
_ABBREVS = frozenset(_ABBREVIATIONS.values())

_SPLIT = re.compile(r"(?P<type>.*?[A-Za-z-])\s*(?P<number>\d+(?:[/.]\d+)*)")
# The type ends in a letter and the number holds none, so TYPE+NUMBER splits one way only.
_TYPE_CHARS = re.compile(r"[a-z0-9]*[a-z]")


def canonical(vendor: str) -> tuple[str, str] | None:
    """(type, number) as a CLI compares them, aliases resolved; None if the name is not TYPE + NUMBER."""
    m = _SPLIT.fullmatch(vendor.strip())
    if m is None:
        return None
    kind = re.sub(r"[\s-]", "", m["type"]).lower()
    if not _TYPE_CHARS.fullmatch(kind):
        return None
    return _ALIASES.get(kind, kind), m["number"]


def kernel_name(vendor: str) -> str:
    """The lab's kernel name for a vendor interface name: at most LAB_NAME_MAX bytes, unique."""
    parts = canonical(vendor)
    if parts is not None:
        kind, number = parts
        prefix = _ABBREVIATIONS.get(kind)
        if prefix is None and kind not in _ABBREVS:  # an unknown type may not pose as a known one
            prefix = kind
        if prefix is not None:
            short = prefix + number.replace("/", "-")
            if len(short.encode()) <= LAB_NAME_MAX and short not in RESERVED:
                return short
    return _hashed(vendor, parts)


def _hashed(vendor: str, parts: tuple[str, str] | None) -> str:
    # Hash the canonical spelling, so `Mgmt 0` and `mgmt0` stay one port here too.
    key = f"{parts[0]} {parts[1]}" if parts else vendor.strip()
    hint = (parts[0] if parts else re.sub(r"[^a-z0-9]", "", vendor.lower()))[:3] or "if"
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{hint}_{digest[:LAB_NAME_MAX - len(hint) - 1]}"
