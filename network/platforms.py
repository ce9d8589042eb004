"""How each vendor pushes, confirms and rolls back a change: one small class per family, one table.

- VRP5 / RGOS / ZXROS: changes take effect line by line; rollback = the computed undo set.
- VRPv8: the whole change is one candidate, ``commit trial`` arms an automatic revert, a plain
  ``commit`` after verify confirms it; rollback = ``abort trial``.
- Comware 7: ``archive configuration`` before, ``configuration commit delay`` arms the automatic
  revert, ``configuration commit`` confirms; rollback = ``configuration replace file <archive>``.
"""

from __future__ import annotations

import re

from netmiko.base_connection import BaseConnection

from govops import vendors
from govops.vendors import Vendor, parsing

ERROR_PATTERN = (r"Error:|% ?(Invalid|Incomplete|Ambiguous|Unrecognized|Wrong|Too many|Bad|No matching|"
                 r"Address not|The file does not)")
TRIAL_SECONDS = 600  # VRPv8 commit trial window: verify must finish well inside it
COMMIT_DELAY_MINUTES = 10  # Comware configuration commit delay
ARCHIVE_DIR = "flash:/archive"  # Comware archive location govops sets when the device has none
ARCHIVE_PREFIX = "govops"


class ChangeFailed(Exception):
    """A command was refused; the message carries the device's error line."""


class Driver:
    """Commands, ping syntax and parsers come from the platform's vendor module (govops/vendors)."""

    platform = ""
    saved_cmd = "display saved-configuration"  # the startup file a reboot loads
    version_marker = ""
    # Can a new session see a pending self-revert (trial/delay)? Where it cannot, the change
    # engine relies on its journal ("push started" without "confirm ok" = maybe pending).
    revert_visible = True

    def __init__(self, conn: BaseConnection) -> None:
        self.conn = conn
        self.vendor = vendors.get(self.platform)
        self.show = self.vendor.show
        self.running_cmd = self.vendor.commands["running"]

    # ---- reading --------------------------------------------------------------------------
    def cmd(self, command: str, read_timeout: float = 60) -> str:
        return self.conn.send_command(command, read_timeout=read_timeout)

    def running(self) -> str:
        return self.cmd(self.running_cmd, read_timeout=120)

    def version(self) -> str:
        return self.cmd(self.vendor.commands["version"])

    def version_problems(self, os_version: str) -> list[str]:
        """Precheck: `display version` parsed (family, version, release) and compared with the
        SoT's os_version, both normalised ("7.1.070 Release 6308" == "Version 7.1.070, Release 6308")."""
        problem = self.vendor.check_version(self.version(), os_version)
        return [problem] if problem else []

    def ipv6_brief(self) -> str:
        return self.cmd(self.vendor.commands["ipv6_brief"])

    def ip_brief(self) -> str:
        return self.cmd(self.vendor.commands["ip_brief"])

    def ipv4_routes(self) -> str:
        return self.cmd(self.vendor.commands["ipv4_routes"])

    def saved(self) -> str:
        """The saved (startup) configuration, "" when the device has none."""
        out = self.cmd(self.saved_cmd, read_timeout=120)
        return "" if re.search(r"No saved configuration|startup-config is not present|not exist", out) else out

    def ping(self, addr: str) -> bool:
        return parsing.ping_answered(self.vendor, self.cmd(self.vendor.ping.format(addr=addr), read_timeout=60))

    def vpn_ping(self, vpn: str, addr: str) -> bool:
        """Ping inside a VPN instance with the vendor's syntax (Huawei IPv6: ``ping ipv6 vpn-instance``)."""
        fmt = self.vendor.ping_vpn if ":" in addr else self.vendor.ping_vpn_ipv4
        return parsing.ping_answered(self.vendor, self.cmd(fmt.format(vpn=vpn, addr=addr), read_timeout=60))

    # ---- changing -------------------------------------------------------------------------
    def prepare(self) -> str:
        """Anything to take before the push (an archive); returns a note for the journal."""
        return ""

    def _send(self, commands: list[str], exit_config_mode: bool = True) -> str:
        if not commands:
            return ""
        try:
            return self.conn.send_config_set(commands, error_pattern=ERROR_PATTERN, read_timeout=60,
                                             exit_config_mode=exit_config_mode)
        except Exception as exc:  # netmiko's ConfigInvalidException carries the device output
            if type(exc).__name__ == "ConfigInvalidException":
                line = next((ln.strip() for ln in str(exc).splitlines() if re.search(ERROR_PATTERN, ln)), str(exc))
                raise ChangeFailed(line[:200]) from None
            raise

    def push(self, commands: list[str]) -> str:
        return self._send(commands)

    def confirm(self) -> str:
        """Make the verified change permanent (confirm + save)."""
        return self.commit() + self.save()

    def commit(self) -> str:
        """Confirm a pending trial/delay; lines apply at once on VRP5/RGOS/ZXROS: nothing to do."""
        return ""

    def save(self) -> str:
        """Write the running configuration to the startup file (survives a reboot)."""
        return self.conn.save_config()

    def rollback(self, undo_commands: list[str]) -> str:
        return self._send(undo_commands)

    def pending_revert(self) -> bool:
        return False


class Vrp5(Driver):
    platform = "huawei"


class Vrpv8(Driver):
    platform = "huawei_vrpv8"

    def push(self, commands: list[str]) -> str:
        # netmiko issue 2625: never leave system view with an uncommitted candidate.
        out = self._send(commands, exit_config_mode=False)
        out += self.conn.send_command(f"commit trial {TRIAL_SECONDS}", expect_string=r"\]", read_timeout=120)
        if "Error" in out:
            raise ChangeFailed(next(ln for ln in out.splitlines() if "Error" in ln).strip())
        return out

    def commit(self) -> str:
        # A plain `commit` confirms a pending `commit trial` (Huawei NE8000 command reference, commit).
        if not self.conn.check_config_mode():
            self.conn.config_mode()
        out = self.conn.send_command("commit", expect_string=r"\]", read_timeout=120)
        self.conn.exit_config_mode()
        return out

    def pending_revert(self) -> bool:
        # Real output always prints "Trial time left (sec): N"; only "Trial status: ACTIVE" means a
        # pending trial (CE V300R023 command reference; tests/fixtures/real/huawei_vrpv8).
        rows = parsing.parse(self.vendor, "trial_status", self.cmd(self.vendor.commands["trial_status"]))
        return any(str(r["status"]).upper() in ("ACTIVE", "WAITCANCEL") for r in rows)

    def rollback(self, undo_commands: list[str]) -> str:
        if not self.conn.check_config_mode():
            self.conn.config_mode()
        out = ""
        if self.pending_revert():
            out = self.conn.send_command("abort trial", expect_string=r"\[Y/N\]", read_timeout=30)
            out += self.conn.send_command("y", expect_string=r"\]", read_timeout=120)
        else:
            # No trial left (confirmed or expired): discard any candidate, then undo line by line.
            if undo_commands:
                self._send(undo_commands, exit_config_mode=False)
            out += self.conn.send_command("commit", expect_string=r"\]", read_timeout=120)
        self.conn.exit_config_mode()
        return out


class Comware(Driver):
    platform = "hp_comware"
    # unverified: no documented display command shows a pending `configuration commit delay`
    # (H3C Fundamentals Configuration Guide, "Configuring configuration commit delay").
    revert_visible = False

    def __init__(self, conn: BaseConnection) -> None:
        super().__init__(conn)
        self.archive = ""

    def prepare(self) -> str:
        location = self.ensure_archive_location()
        out = self.conn.send_command("archive configuration", expect_string=r"\[Y/N\]|>", read_timeout=30)
        if "[Y/N]" in out:
            out += self.conn.send_command("y", expect_string=r">", read_timeout=120)
        found = re.search(r"archive configuration file (\S+) is saved", out)
        if not found:
            raise ChangeFailed(f"archive configuration failed: {out.strip()[-200:]}")
        name = found.group(1)
        # The journal and `configuration replace file` need the full path, whichever form the device printed.
        self.archive = name if ":" in name else f"{location.rstrip('/')}/{name}"
        return f"archive {self.archive}"

    def ensure_archive_location(self) -> str:
        """Comware archives only once ``archive configuration location DIR filename-prefix P`` is set
        (H3C/HPE Fundamentals Command Reference, "archive configuration location"; without it the
        device refuses and the precheck would wait for a prompt). Keeps an operator's location; sets
        ARCHIVE_DIR/ARCHIVE_PREFIX otherwise. Idempotent. Returns the location in use."""
        shown = self.cmd("display archive configuration")
        # "Location: flash:/archive" / "Filename prefix: my_archive" (command reference example; unverified
        # against a capture).
        # An unconfigured device may print the labels with nothing after them: never read past the line.
        loc = re.search(r"^\s*Location:[ \t]*(\S+)", shown, re.M)
        prefix = re.search(r"^\s*Filename prefix:[ \t]*(\S+)", shown, re.M)
        if loc and prefix:
            return loc.group(1)
        self.cmd(f"mkdir {ARCHIVE_DIR}")  # the directory must exist; "already exists" is fine
        self._send([f"archive configuration location {ARCHIVE_DIR} filename-prefix {ARCHIVE_PREFIX}"])
        return ARCHIVE_DIR

    def push(self, commands: list[str]) -> str:
        return self._send([f"configuration commit delay {COMMIT_DELAY_MINUTES}", *commands])

    def commit(self) -> str:
        return self._send(["configuration commit"])  # harmless when no delay is pending

    def rollback(self, undo_commands: list[str]) -> str:
        if not self.archive:
            return self._send(undo_commands)
        self.conn.config_mode()
        out = self.conn.send_command(f"configuration replace file {self.archive}", expect_string=r"\[Y/N\]",
                                     read_timeout=30)
        out += self.conn.send_command("n", expect_string=r"\]", read_timeout=120)
        # The delay timer would restore the same pre-change state; stop it so nothing moves later.
        out += self.conn.send_command("configuration commit", expect_string=r"\]")
        self.conn.exit_config_mode()
        if "Succeeded" not in out:
            raise ChangeFailed(f"configuration replace failed: {out.strip()[-200:]}")
        return out


class Ruijie(Driver):
    platform = "ruijie_os"
    saved_cmd = "show startup-config"  # unverified for ZXROS: from RGOS/IOS usage, no ZTE capture found


class Zte(Ruijie):
    platform = "zte_zxros"


DRIVERS: dict[str, type[Driver]] = {
    "huawei": Vrp5,
    "huawei_vrpv8": Vrpv8,
    "hp_comware": Comware,
    "ruijie_os": Ruijie,
    "zte_zxros": Zte,
}


def driver_for(platform: str, conn: BaseConnection) -> Driver:
    try:
        return DRIVERS[platform](conn)
    except KeyError:
        vendors.get(platform)  # an unknown platform: the vendor registry's clear error
        raise ValueError(f"platform {platform!r} has a vendor module but no driver in network/platforms.py") from None


def interface_states(output: str, vendor: Vendor, key: str = "ip_brief") -> dict[str, bool]:
    """Canonical interface name -> up (physical and protocol), parsed with the vendor's
    ``ip_brief`` (or ``ipv6_brief``) TextFSM template: rate suffixes such as ``(10G)``, VPN and
    Description columns and legend lines are the template's business, not a guess over any vendor."""
    return parsing.interface_states(vendor, output, key)


def ipv4_route_set(output: str, vendor: Vendor) -> set[str]:
    """IPv4 destinations in a routing table (the baseline a change must not lose)."""
    return parsing.ipv4_routes(vendor, output)
