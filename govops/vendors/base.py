"""What govops knows about one network platform, in one place (see network/README.md, "Adding a vendor").

Every fact here comes from real captured output or vendor documentation kept in
tests/fixtures/real/<platform>/<command>/ with its provenance; what has no public source is listed
in ``Vendor.unverified`` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"

# The command keys govops sends; every vendor maps each to its CLI text (``commands``) and each
# parsed one to a TextFSM template (``templates``).
COMMAND_KEYS = ("version", "running", "ip_brief", "ipv6_brief", "ipv4_routes")
PARSED_KEYS = ("ip_brief", "ipv6_brief", "ipv4_routes", "ping")


class UnknownPlatform(ValueError):
    """A platform no vendor module describes (never silently treated as another vendor)."""


@dataclass(frozen=True)
class VersionInfo:
    family: str  # "VRP", "YunShan OS", "Comware", "ZXR10", "RGOS"
    version: str  # "8.211", "7.1.070", "V5.00.10(3.12.10)", "11.4(1)B12P10"
    release: str  # "V800R021C10SPC600", "6308", "" where the vendor prints none

    def __str__(self) -> str:
        return f"{self.family} {self.version}" + (f" {self.release}" if self.release else "")


@dataclass(frozen=True)
class Template:
    """A TextFSM template: ntc-templates' (``ntc`` names its platform) or the project's file."""
    command: str  # the CLI command it parses, as ntc-templates' index knows it
    ntc: str = ""  # ntc-templates platform, when ntc-templates has the template
    path: Path | None = None  # project template (govops/vendors/templates/*.textfsm)


def project_template(name: str, command: str) -> Template:
    return Template(command=command, path=TEMPLATES / name)


@dataclass(frozen=True)
class SessionProfile:
    """How a netmiko session reads this vendor's CLI without fixed waits (network.session).

    Every read ends at the device's prompt (``prompt``, anchored at the end of the output), never
    after a silence; what each vendor needs after login is listed, nothing more.
    """
    # The prompt in any view; ``{name}`` is the host name as the device printed it at login.
    # No capturing groups: netmiko splits its reads on this pattern.
    prompt: str
    config_prompt: str  # matches the prompt line only in a configuration view
    config_enter: str  # netmiko's config_mode command
    config_exit: str  # back to the exec view from any configuration view
    logout: str  # ends the session from the exec view
    preparation: tuple[str, ...] = ()  # sent once after login (paging, width), each read to the prompt
    enable: bool = False  # enter privileged mode before ``preparation``
    # (question regex, answer) the device may ask before its first prompt
    login_questions: tuple[tuple[str, str], ...] = ()
    # Echo is checked for a configuration line only while prompt + line fit in this many columns
    # (0: always); a longer line is read to the prompt without the echo check.
    echo_width: int = 0
    ansi_escape_codes: bool = False  # strip VT100 codes from every read (VRP's cursor moves)


# `<H>` in the user view, `[H]` / `[H-<view label>]` (VRP V8: `[~H...]`, `[*H...]`) in the others.
HUAWEI_STYLE_PROMPT = r"(?:<{name}>|\[[~*]?{name}(?:-[^\]\r\n]*)?\])\s*$"
CISCO_STYLE_PROMPT = r"{name}(?:\([^)\r\n]*\))?[>#]\s*$"


@dataclass(frozen=True)
class Vendor:
    platform: str  # the SoT/netmiko platform name
    names: tuple[str, ...]  # what people call it ("Huawei VRP5", "S5700", ...)
    # Parses ``display/show version`` into family/version/release (named groups); never a substring test.
    version_pattern: re.Pattern[str]
    # Parses the SoT's ``os_version`` spelling into the same groups (each optional).
    sot_version_pattern: re.Pattern[str]
    # Valid interface names, as the CLI prints them in the running configuration (long forms,
    # the forms newer releases print, sub-interfaces).
    interface_pattern: re.Pattern[str]
    # Abbreviation -> long form, where ``... interface brief`` abbreviates (Comware "GE1/0/1").
    abbreviations: dict[str, str]
    commands: dict[str, str]  # COMMAND_KEYS -> CLI text
    templates: dict[str, Template]  # PARSED_KEYS -> template
    ping: str  # IPv6 ping in the global table: "{addr}"
    ping_vpn: str  # IPv6 ping inside a VPN instance: "{vpn}", "{addr}"
    ping_vpn_ipv4: str  # IPv4 ping inside a VPN instance
    commit_model: str  # "immediate" | "commit-trial" | "commit-delay-archive"
    negate: str  # "undo " / "no "
    exit_view: str  # leaves a sub-view back to the global config view
    separator: str  # comment/separator lines in the running config
    ending: tuple[str, ...]  # lines that end the configuration
    # Running-config lines the factory puts there that mention IPv6 (drift must not call them
    # unplanned): matched against the normalised line (lower case, single spaces).
    drift_ignore: tuple[re.Pattern[str], ...]
    sot_version_example: str  # an os_version the SoT may hold, for error messages
    loopback: str  # the loopback that carries the router's /128 ("LoopBack0", "Loopback 0", "loopback1")
    # What could not be checked against a public sample or document, and why (key -> reason).
    unverified: dict[str, str] = field(default_factory=dict)
    sub_interface_separator: str = "."
    session: SessionProfile | None = None  # how a session reads the CLI; every vendor module sets it
    # VRP raises an OSPF / OSPFv3 dead interval under this many seconds to it unless the interface's
    # hello line says `conservative` (`ospf timer hello N conservative`); 0: no floor documented.
    ospf_dead_floor: int = 0
    ospf3_dead_floor: int = 0

    @property
    def show(self) -> str:
        return self.commands["version"].split()[0]

    # ---- version -------------------------------------------------------------------------
    def parse_version(self, output: str) -> VersionInfo | None:
        found = self.version_pattern.search(output)
        if not found:
            return None
        g = found.groupdict()
        family = re.sub(r" \(R\) software$", "", g.get("family") or "")  # "VRP (R) software" -> "VRP"
        return VersionInfo(family, _norm(g.get("version")), _norm(g.get("release")))

    def check_version(self, output: str, sot_version: str) -> str:
        """'' when ``display version`` shows this platform at the SoT's version, else the problem."""
        got = self.parse_version(output)
        if got is None:
            first = next((ln.strip() for ln in output.splitlines() if ln.strip()), "(empty)")
            return (f"platform: `{self.commands['version']}` does not look like {self.names[0]} "
                    f"({self.platform}); first line: {first[:80]!r}")
        if not sot_version:
            return ""
        want = self.sot_version_pattern.fullmatch(sot_version.strip())
        if not want:
            return (f"version: inventory os_version {sot_version!r} is not a {self.names[0]} version "
                    f"(expected e.g. {self.sot_version_example!r})")
        w = {k: _norm(v) for k, v in want.groupdict().items() if v}
        mismatched = [k for k in ("version", "release") if k in w and w[k].lower() != getattr(got, k).lower()]
        if mismatched:
            return f"version: inventory says {sot_version}, device reports {got}"
        return ""

    # ---- interfaces ----------------------------------------------------------------------
    def valid_interface(self, name: str) -> bool:
        return bool(self.interface_pattern.fullmatch(name))

    def long_name(self, name: str) -> str:
        """``GE1/0/1`` -> ``GigabitEthernet1/0/1`` where the vendor abbreviates; else unchanged."""
        m = re.match(r"([A-Za-z-]+?)\s*(\d.*)", name.strip())
        if m and m.group(1) in self.abbreviations:
            return self.abbreviations[m.group(1)] + m.group(2)
        return name.strip()


def _norm(value: str | None) -> str:
    return (value or "").strip().strip(",")


def compile_lines(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def huawei_like() -> dict:
    """What VRP (5 and V8) and Comware 7 share as Huawei-style CLIs: `undo`, `quit` out of a view,
    `#` separators and `return` at the end of the configuration, ``LoopBack0``, the IPv6 ping with a
    count and the IPv4 VPN ping's ``-vpn-instance`` (VRP and H3C command references). Their own module
    adds commands, templates, the IPv6 VPN ping and the commit model."""
    return {
        "loopback": "LoopBack0", "ping": "ping ipv6 -c 3 {addr}", "ping_vpn_ipv4": "ping -c 3 -vpn-instance {vpn} {addr}",
        "negate": "undo ", "exit_view": "quit", "separator": "#", "ending": ("return",),
    }


def cisco_like(platform: str, ping_template: str = "cisco_style_ping.textfsm") -> dict:
    """What RGOS and ZXROS share as Cisco-like CLIs: `show` commands, `no`, `!`/`end`, VRF pings, changes
    applied at once. Their own module adds names, patterns and which of it is verified."""
    return {
        "commands": {"version": "show version", "running": "show running-config",
                     "ip_brief": "show ip interface brief", "ipv6_brief": "show ipv6 interface brief",
                     "ipv4_routes": "show ip route",
                     "ospf_peer": "show ip ospf neighbor", "ospfv3_peer": "show ipv6 ospf neighbor",
                     "ospfv3_routes": "show ipv6 route ospf"},
        "templates": {
            "ip_brief": project_template(f"{platform}_show_ip_interface_brief.textfsm", "show ip interface brief"),
            "ipv6_brief": project_template(f"{platform}_show_ipv6_interface_brief.textfsm",
                                           "show ipv6 interface brief"),
            "ipv4_routes": project_template(f"{platform}_show_ip_route.textfsm", "show ip route"),
            "ping": project_template(ping_template, "ping ipv6"),
            # Cisco IOS layout (ntc-templates' template and samples): RGOS and ZXROS are assumed to print it.
            "ospf_peer": Template(command="show ip ospf neighbor", ntc="cisco_ios"),
            # ntc-templates has no `show ipv6 ospf neighbor`: the project's template, on Cisco IOS captures.
            "ospfv3_peer": project_template("cisco_ios_show_ipv6_ospf_neighbor.textfsm", "show ipv6 ospf neighbor"),
            # ntc-templates' `show ipv6 route` reads the protocol-filtered table too (same header and entries).
            "ospfv3_routes": Template(command="show ipv6 route ospf", ntc="cisco_ios"),
        },
        "ping": "ping ipv6 {addr}", "ping_vpn": "ping vrf {vpn} ipv6 {addr}", "ping_vpn_ipv4": "ping vrf {vpn} {addr}",
        "commit_model": "immediate", "negate": "no ", "exit_view": "exit", "separator": "!", "ending": ("end",),
        "drift_ignore": (),
    }

