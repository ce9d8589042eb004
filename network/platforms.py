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

from network import config as cfgtext

ERROR_PATTERN = (r"Error:|% ?(Invalid|Incomplete|Ambiguous|Unrecognized|Wrong|Too many|Bad|No matching|"
                 r"Address not|The file does not)")
TRIAL_SECONDS = 600  # VRPv8 commit trial window: verify must finish well inside it
COMMIT_DELAY_MINUTES = 10  # Comware configuration commit delay


class ChangeFailed(Exception):
    """A command was refused; the message carries the device's error line."""


class Driver:
    platform = ""
    show = "display"
    running_cmd = "display current-configuration"
    saved_cmd = "display saved-configuration"  # the startup file a reboot loads
    version_marker = ""
    # Can a new session see a pending self-revert (trial/delay)? Where it cannot, the change
    # engine relies on its journal ("push started" without "confirm ok" = maybe pending).
    revert_visible = True
    ping_fmt = "ping ipv6 -c 3 {addr}"

    def __init__(self, conn: BaseConnection) -> None:
        self.conn = conn
        self.syntax = cfgtext.syntax(self.platform)

    # ---- reading --------------------------------------------------------------------------
    def cmd(self, command: str, read_timeout: float = 60) -> str:
        return self.conn.send_command(command, read_timeout=read_timeout)

    def running(self) -> str:
        return self.cmd(self.running_cmd, read_timeout=120)

    def version(self) -> str:
        return self.cmd(f"{self.show} version")

    def ipv6_brief(self) -> str:
        return self.cmd(f"{self.show} ipv6 interface brief")

    def ip_brief(self) -> str:
        return self.cmd(f"{self.show} ip interface brief")

    def ipv4_routes(self) -> str:
        return self.cmd("display ip routing-table" if self.show == "display" else "show ip route")

    def saved(self) -> str:
        """The saved (startup) configuration, "" when the device has none."""
        out = self.cmd(self.saved_cmd, read_timeout=120)
        return "" if re.search(r"No saved configuration|startup-config is not present|not exist", out) else out

    def ping(self, addr: str) -> bool:
        out = self.cmd(self.ping_fmt.format(addr=addr), read_timeout=60)
        got = re.search(r"(\d+) packet\(s\) received", out)
        if got:
            return int(got.group(1)) > 0
        rate = re.search(r"Success rate is (\d+) percent", out)
        return bool(rate and int(rate.group(1)) > 0)

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
    version_marker = "Huawei Versatile Routing Platform"


class Vrpv8(Driver):
    platform = "huawei_vrpv8"
    version_marker = "VRP (R) software, Version 8"

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
        return "Trial Time Left" in self.cmd("display configuration trial status")

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
    version_marker = "Comware"
    # unverified: no documented display command shows a pending `configuration commit delay`
    # (H3C Fundamentals Configuration Guide, "Configuring configuration commit delay").
    revert_visible = False

    def __init__(self, conn: BaseConnection) -> None:
        super().__init__(conn)
        self.archive = ""

    def prepare(self) -> str:
        out = self.conn.send_command("archive configuration", expect_string=r"\[Y/N\]", read_timeout=30)
        out += self.conn.send_command("y", expect_string=r">", read_timeout=120)
        found = re.search(r"archive configuration file (\S+) is saved", out)
        if not found:
            raise ChangeFailed(f"archive configuration failed: {out.strip()[-200:]}")
        self.archive = found.group(1)
        return f"archive {self.archive}"

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
    show = "show"
    running_cmd = "show running-config"
    saved_cmd = "show startup-config"  # unverified for ZXROS: from RGOS/IOS usage, no ZTE capture found
    version_marker = "Ruijie"
    ping_fmt = "ping ipv6 {addr}"


class Zte(Ruijie):
    platform = "zte_zxros"
    version_marker = "ZTE"


DRIVERS: dict[str, type[Driver]] = {
    "huawei": Vrp5,
    "huawei_vrpv8": Vrpv8,
    "hp_comware": Comware,
    "ruijie_os": Ruijie,
    "zte_zxros": Zte,
}


def driver_for(platform: str, conn: BaseConnection) -> Driver:
    return DRIVERS[platform](conn)


def interface_states(output: str) -> dict[str, bool]:
    """Interface -> up (physical and protocol), from any vendor's ``... interface brief``:
    the name is the first column (columns are 2+ spaces apart; RGOS names contain one space)."""
    states = {}
    for line in output.splitlines():
        if not line or line[0].isspace() or line.startswith(("[", "*", "(", "PHY", "Interface", "Link", "Protocol")):
            continue
        parts = re.split(r"\s{2,}|(?=\[)", line.strip(), maxsplit=1)
        if len(parts) != 2 or not re.search(r"\d", parts[0]):
            continue
        rest = parts[1].lower()
        words = re.findall(r"[a-z*(]+", rest)
        up = "up" in " ".join(words) and not any(w in ("down", "*down", "adm") for w in words)
        states[cfgtext.canonical_interface(parts[0])] = up
    return states


def ipv4_route_set(output: str) -> set[str]:
    """IPv4 destinations in a routing table (the baseline a change must not lose)."""
    return set(re.findall(r"\b(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})\b", output))
