"""What each vendor's SNMP agent puts in IF-MIB ifName and ifDescr for a CLI interface name.

The source of truth names interfaces as the CLI does (`GigabitEthernet 0/1` on Ruijie). Alerts
join on ifName, so every generated rule and target must use the form the agent reports, and the
lab's snmpd must report what the real agent would. Facts come from real recordings kept in
tests/fixtures/real/snmp/ (see PROVENANCE.md there); `verified=False` marks an assumption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IfMibNaming:
    platform: str
    short_if_name: bool  # ifName is an abbreviation of the CLI name (else the CLI name itself)
    verified: bool
    source: str
    # CLI type word -> ifName prefix; the separator after it is kept as recorded ("Mg 0").
    abbreviations: dict[str, str] = field(default_factory=dict)


_LONG_FORM = "ifName = ifDescr = CLI long form"

NAMING: dict[str, IfMibNaming] = {n.platform: n for n in (
    IfMibNaming("huawei", False, True, f"{_LONG_FORM}; S5720 VRP V200R010 recording (librenms vrp_5720.snmprec)"),
    IfMibNaming("huawei_vrpv8", False, False, f"{_LONG_FORM}; unverified: no VRP8 recording, assumed as VRP5"),
    IfMibNaming("hp_comware", False, True, f"{_LONG_FORM}; Comware 7.1.045 recording (librenms comware.snmprec)"),
    IfMibNaming("zte_zxros", False, False, f"{_LONG_FORM}; unverified: no ZXROS IF-MIB recording found"),
    IfMibNaming(
        "ruijie_os", True, True,
        "ifDescr = CLI long form (`TenGigabitEthernet 0/1`), ifName = abbreviation (`Te0/1`); "
        "S6220 recording (librenms ruijie.snmprec); Gi/Hu/Fa by the same rule, not recorded",
        {"TenGigabitEthernet": "Te", "FortyGigabitEthernet": "Fo", "AggregatePort": "Ag", "Mgmt": "Mg ",
         "Null": "Nu", "VLAN": "Vl", "Loopback": "Lo", "Tunnel": "Tu",
         # Not in the recording (10G/40G box): same two-letter RGOS abbreviation.
         "GigabitEthernet": "Gi", "HundredGigabitEthernet": "Hu", "FastEthernet": "Fa"},
    ),
)}

_TYPE_AND_NUMBER = re.compile(r"(?P<type>[A-Za-z][A-Za-z-]*?)\s*(?P<number>\d.*)")


def naming(platform: str) -> IfMibNaming:
    try:
        return NAMING[platform]
    except KeyError:
        raise ValueError(f"no IF-MIB naming known for platform {platform!r} "
                         f"(known: {', '.join(sorted(NAMING))}); add it to govops/vendors/snmp_naming.py") from None


def if_descr(platform: str, cli_name: str) -> str:
    """ifDescr as the platform's agent reports it: the CLI name on every platform recorded so far."""
    naming(platform)
    return cli_name


def if_name(platform: str, cli_name: str) -> str:
    """ifName as the platform's agent reports it for a CLI interface name (SoT spelling)."""
    n = naming(platform)
    if not n.short_if_name:
        return cli_name
    m = _TYPE_AND_NUMBER.fullmatch(cli_name.strip())
    if not m or m["type"] not in n.abbreviations:
        raise ValueError(f"{platform}: no ifName abbreviation known for interface {cli_name!r} "
                         f"(known types: {', '.join(sorted(n.abbreviations))})")
    return n.abbreviations[m["type"]] + m["number"]
