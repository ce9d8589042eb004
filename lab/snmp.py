"""net-snmp `snmpd` per device, in the device's namespace, looking like its vendor.

IF-MIB counters are the kernel's (snmpd's own ifTable/ifXTable); only ifDescr and ifName
are replaced, per ifIndex, by what the vendor's own agent reports for that interface
(govops.vendors.snmp_naming, from real recordings) with `override` lines, so a walk shows
`GigabitEthernet0/1/0` where the kernel has `ge0-1-0`, and a Ruijie twin answers ifName
`Gi0/1` and ifDescr `GigabitEthernet 0/1` as RGOS does. `override` needs no helper
process (a `pass_persist` script per device would cost ~10 MB each across a 50-device city);
kernel ifIndexes do not change while the lab runs, so a static table is exact.

snmpd is also the device's AgentX master (RFC 2741): the FRR routing daemons under the twin
(lab/frr.py, Debian `frr-snmp`) register OSPF-MIB and OSPFV3-MIB through a unix socket in the
device's own snmp directory, so one walk of the device answers its OSPF neighbours as a real
router's agent does.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from govops.sot.model import Device, Snmp
from govops.vendors.snmp_naming import if_descr, if_name
from lab.topology import MGMT_IF, Node

IF_DESCR = ".1.3.6.1.2.1.2.2.1.2"
IF_NAME = ".1.3.6.1.2.1.31.1.1.1.1"

# Representative sysObjectIDs under each vendor's enterprise number.
SYS_OBJECT_ID = {
    "huawei": ".1.3.6.1.4.1.2011.2.23.1",        # Huawei S-series switch (2011.2.23.x)
    "huawei_vrpv8": ".1.3.6.1.4.1.2011.2.62.2.9",  # Huawei NE40E (2011.2.62.x)
    "hp_comware": ".1.3.6.1.4.1.25506.1.1",      # H3C Comware (25506.1.x)
    "ruijie_os": ".1.3.6.1.4.1.4881.1.1.10.1.1",  # Ruijie RG-S (4881.1.1.10.x)
    "zte_zxros": ".1.3.6.1.4.1.3902.3.100.1",    # ZTE ZXR10 (3902.3.x)
}


def sys_descr(dev: Device) -> str:
    p = dev.platform
    if p in ("huawei", "huawei_vrpv8"):
        return f"Huawei Versatile Routing Platform Software VRP (R) software, Version {dev.os_version} {dev.model}"
    if p == "hp_comware":
        return f"H3C Comware Platform Software, Software Version {dev.os_version} H3C {dev.model}"
    if p == "ruijie_os":
        return f"Ruijie Networks {dev.model} {dev.os_version}"
    if p == "zte_zxros":
        return f"ZTE ZXR10 {dev.model} Software, Version {dev.os_version}"
    return f"{dev.model} {dev.os_version}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_config(node: Node, dev: Device, ifindex: dict[str, int], location: str, secrets: bool = True) -> str:
    """snmpd.conf for one device. `ifindex` maps kernel names to ifIndex in its namespace.

    With `secrets=False` the community and the v3 user are left out: that copy replaces the
    file once snmpd has read it, so no vaulted value stays on disk (snmpd keeps only the
    localized v3 keys in its persistent dir)."""
    settings = [
        ("sysName", dev.name),
        ("sysDescr", sys_descr(dev)),
        ("sysObjectID", SYS_OBJECT_ID.get(dev.platform, ".1.3.6.1.4.1.8072.3.2.10")),
        ("sysLocation", location),
        ("sysContact", "noc@xinyu.example"),
        ("sysServices", "6"),
        ("dontLogTCPWrappersConnects", "yes"),
    ]
    # IF-MIB also lists `lo` and the lab's internal veth peers (`_lo0`, `_ge0-0-8`: loopback and
    # empty segment ports have no `dummy` driver here); net-snmp 5.9.3's include_ifmib_iface_prefix
    # does not filter them (net-snmp issue 1081), so they keep their Linux names.
    overrides = []
    for vendor, kname in node.interfaces.items():
        if kname in ifindex:
            i = ifindex[kname]
            overrides.append(text_override(f"{IF_DESCR}.{i}", if_descr(dev.platform, vendor)))
            overrides.append(text_override(f"{IF_NAME}.{i}", _if_name(dev.platform, vendor)))
    # The management port keeps its Linux name (as MEth0/0/0 would on a real box).
    if MGMT_IF in ifindex:
        overrides.append(text_override(f"{IF_NAME}.{ifindex[MGMT_IF]}", MGMT_IF))
    return snmpd_conf(f"udp:{node.mgmt_ipv4.ip}:161,udp6:[{node.mgmt_ipv6.ip}]:161", settings, dev.snmp,
                      overrides, secrets=secrets)


def snmpd_conf(listen: str, settings: Iterable[tuple[str, str]], access: Snmp | None,
               overrides: Iterable[str] = (), secrets: bool = True) -> str:
    """The one writer of snmpd.conf, for the lab's devices and the tests' throw-away agents.

    `listen` is snmpd's agentAddress; `settings` are plain directives (the system group...);
    `access` gives the read-only v2c community (IPv4 and IPv6) and the SNMPv3 authPriv user
    (SHA/AES); `overrides` are net-snmp `override` arguments (OID TYPE VALUE, see
    text_override). With `secrets=False` the access lines are replaced by a note."""
    lines = ["# written by govops lab; do not edit", f"agentAddress {listen}"]
    lines += [f"{key} {value}" for key, value in settings]
    if access and not secrets:
        lines.append("# community and SNMPv3 user: removed after snmpd started (inventory vault)")
    elif access:
        lines += [
            f"rocommunity {access.community} default",
            f"rocommunity6 {access.community} default",
            f"createUser {access.v3_user} SHA {_quote(access.v3_auth_key)} AES {_quote(access.v3_priv_key)}",
            f"rouser {access.v3_user} priv",
        ]
    lines += [f"override {o}" for o in overrides]
    return "\n".join(lines) + "\n"


def text_override(oid: str, text: str) -> str:
    """`override` arguments that make snmpd answer `text` (an OCTET STRING) at `oid`."""
    return f"{oid} octet_str {_quote(text)}"


def _if_name(platform: str, vendor: str) -> str:
    try:
        return if_name(platform, vendor)
    except ValueError:
        # An interface type with no recorded abbreviation: the twin must still come up; the
        # generated rules raise the clear error for names they need.
        return vendor


def agentx_socket(directory: Path) -> Path:
    """The device's AgentX master socket (inside its snmp directory, never the system's)."""
    return directory / "agentx.sock"


def agentx_config(directory: Path) -> str:
    """snmpd.local.conf: the AgentX master, read with snmpd.conf from the same SNMPCONFPATH dir.

    A unix socket, not TCP 705: nothing outside the lab host reaches it. FRR's daemons drop to
    the `frr` user before connecting, so the socket is theirs to write (agentXPerms)."""
    return ("# written by govops lab; do not edit\n"
            "master agentx\n"
            f"agentXSocket unix:{agentx_socket(directory)}\n"
            "agentXPerms 0660 0755 frr frr\n")


def command(netns: str, directory: Path) -> list[str]:
    # No `-C -c FILE`: with -C net-snmp skips its persistent dir too, so every restart would be a
    # new SNMPv3 engine (new engineID, engineBoots 1) and managers could not resynchronise, unlike
    # a real device. SNMPCONFPATH (see start) limits the config search to this device's files.
    return ["nsenter", f"--net=/run/netns/{netns}", "--", "/usr/sbin/snmpd", "-f", "-Lf", str(directory / "snmpd.log"),
            "-p", str(directory / "snmpd.pid"), "-M", "/usr/share/snmp/mibs",
            # Fewer modules than the default set: the interface tables, the system group and the
            # AgentX master (OSPF-MIB/OSPFV3-MIB come from FRR through it).
            "-I", "-hr_system,hr_storage,hr_device,hr_other,hr_proc,hr_network,hr_print,hr_disk,hr_partition,"
                  "hr_filesys,hr_swrun,hr_swinst,ucd_snmp,disman,notification,target,utilities,"
                  "host,mteTrigger,mteObjects,mteEvent,schedule,ucd-snmp/diskio,ucd-snmp/lmsensors"]


def start(netns: str, directory: Path) -> int:
    """Start snmpd for one device (config already written); returns its PID."""
    env = {**os.environ, "SNMP_PERSISTENT_DIR": str(directory / "persist"), "MIBS": "",
           "SNMPCONFPATH": f"{directory}:{directory / 'persist'}"}
    (directory / "persist").mkdir(parents=True, exist_ok=True)
    (directory / "snmpd.local.conf").write_text(agentx_config(directory))
    proc = subprocess.Popen(command(netns, directory), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=open(directory / "snmpd.stderr", "ab"),
                            start_new_session=True)
    return proc.pid
