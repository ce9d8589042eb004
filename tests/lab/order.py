"""The order of the lab suite: rooms in a declared order, not pytest's alphabetical one.

Every room under tests/lab but `twins` shares one lab per session (the `lab` fixture,
tests/lab/conftest.py), and some rooms change it for the rooms after them: tests/lab/network
upgrades it to dual stack with OSPFv3. So where a room runs is part of what its tests may assume,
and it is written down here. Within a room, files run in pytest's order (by name) unless the room
says otherwise below; within a file, tests run as written.

A new file in a listed room needs nothing. A new room runs at UNLISTED (after every room on the
shared lab, so it finds the lab upgraded; before the twins' own lab); add it to ROOMS with the
reason it sits where it does (tests/unit/lab/test_lab_suite_order.py checks that every room is
listed and that no test file sits loose in tests/lab).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
UNLISTED = "<a room not listed>"

ROOMS: tuple[str, ...] = (
    # --- the lab as `govops lab up` builds it: IPv4 devices, OSPFv2, management dual-stack ---
    "ansible",     # playbook contracts, dynamic inventory, --check runs: pass on either state and
                   # change the shared lab only in --check (the real upgrades run on copies)
    "migrate",     # database / system migrations and the DR drill on the hosts, not the devices
    "monitoring",  # exporters and Prometheus on the twin; assume nothing about IPv6, put back what
                   # they change
    # --- the upgrade: every room below finds the devices dual-stack, OSPFv3 up, no fault left ---
    "network",     # test_ipv6_upgrade.py first (it is the upgrade); the private network last
    "routing",     # OSPF on the upgraded lab: OSPFv3 adjacencies and drift need the upgrade
    "security",    # host hardening; the boundary test needs IPv6 between hosts (or builds a
                   # minilab of its own); test_zz_no_secrets.py runs last in the whole session
                   # (tests/lab/security/conftest.py moves it there after this order is applied)
    "lab",         # the lab room itself: faults, hosts, snmpd, real names, up/down, and the
                   # twins' output parsed like real output (test_twin_formats.py: IPv6 rows need
                   # the upgrade)
    "ci",          # ci/gitlab-ci.yml job by job: the drift job needs devices at their intent
                   # (the upgrade); alone, its fixture upgrades first
    UNLISTED,
    # --- not the shared lab ---
    "twins",       # its own lab (gtw-* namespaces, its own `lab` fixture) and kernel-layer
                   # namespaces: the shared lab's state does not matter to it
)

# Files that must open or close their room (others keep pytest's order between them).
FIRST: dict[str, tuple[str, ...]] = {
    "network": ("test_ipv6_upgrade.py",),  # the upgrade the rest of the room and session rely on
}
LAST: dict[str, tuple[str, ...]] = {
    # VPN instances added on core-1 and fy-agg-1 and taken off again by its finaliser; the other
    # network tests were written against devices without them, so they run first
    "network": ("test_private_network.py",),
}


def room_of(path: Path) -> str | None:
    """The room (first folder under tests/lab) of a test file; None outside tests/lab."""
    try:
        parts = path.resolve().relative_to(HERE).parts
    except ValueError:
        return None
    return parts[0] if len(parts) > 1 else UNLISTED  # a file loose in tests/lab has no room


def sort_key(path: Path, room: str) -> tuple[int, int]:
    rank = ROOMS.index(room) if room in ROOMS else ROOMS.index(UNLISTED)
    name = path.name
    within = (0 if name in FIRST.get(room, ()) else 2 if name in LAST.get(room, ()) else 1)
    return rank, within


def order(items: Sequence, path_of=lambda item: Path(str(item.path))) -> list:
    """The items with the lab's reordered by room; every other item keeps its place.

    A stable sort: within a room (and a FIRST/LAST group) the collected order is kept."""
    slots = [i for i, item in enumerate(items) if room_of(path_of(item)) is not None]
    lab_items = [items[i] for i in slots]
    lab_items.sort(key=lambda item: sort_key(path_of(item), room_of(path_of(item))))
    out = list(items)
    for slot, item in zip(slots, lab_items, strict=True):
        out[slot] = item
    return out
