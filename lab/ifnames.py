"""Vendor interface names <-> Linux kernel interface names.

Kernel names are at most 15 bytes and cannot contain '/' or spaces, so the lab
names each veth end after its vendor name in a short, reversible-by-table form:
GigabitEthernet0/1/0 -> ge0-1-0, Ten-GigabitEthernet1/0/49 -> xge1-0-49,
gei-0/1/0/1 -> gei0-1-0-1, "GigabitEthernet 0/1" (Ruijie) -> ge0-1.
The twin keeps the table, so it never has to reverse a name.
"""

from __future__ import annotations

import re

_PREFIXES = (
    ("Ten-GigabitEthernet", "xge"),
    ("TenGigabitEthernet", "xge"),
    ("XGigabitEthernet", "xge"),
    ("100GE", "hge"),
    ("40GE", "fge"),
    ("GigabitEthernet", "ge"),
    ("xgei-", "xgei"),
    ("gei-", "gei"),
    ("Eth-Trunk", "trk"),
    ("Vlanif", "vlif"),
    ("Vlan-interface", "vlif"),
    ("LoopBack", "lo"),
    ("Loopback", "lo"),
)

KERNEL_NAME_MAX = 15


def kernel_name(vendor: str) -> str:
    """Short kernel name for a vendor interface name; ValueError if it cannot fit."""
    name = vendor.strip()
    short = None
    for long, abbrev in _PREFIXES:
        if name.startswith(long):
            short = abbrev + name[len(long):].strip()
            break
    if short is None:
        short = re.sub(r"[^A-Za-z]", "", name)[:3].lower() + re.sub(r"^[A-Za-z-]+", "", name)
    short = re.sub(r"[/ .:]", "-", short)
    if len(short.encode()) > KERNEL_NAME_MAX or not re.fullmatch(r"[A-Za-z0-9_-]+", short):
        raise ValueError(f"interface {vendor!r} has no kernel name of at most {KERNEL_NAME_MAX} bytes ({short!r})")
    return short
