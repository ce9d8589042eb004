"""Huawei VRPv8 (CloudEngine, NE40E/NE8000; netmiko ``huawei_vrpv8``): two-phase commit.

Each session edits its own candidate (prompt ``[*H]`` while it differs, ``[~H]`` otherwise);
only ``commit`` reaches the running configuration and the kernel. ``commit trial`` reverts by
itself unless confirmed by a plain ``commit``; ``rollback configuration`` replays commit points.
A session that ends with an uncommitted candidate loses it, as on the device.
"""

from __future__ import annotations

import logging

from lab.twins.dialects.base import ANY, View, command
from lab.twins.dialects.huawei_style import HuaweiStyle, VrpPing, VrpVty
from lab.twins.grammar import ConfigError
from lab.twins.model import DeviceConfig

log = logging.getLogger(__name__)

UNCOMMITTED = ("Warning: Uncommitted configurations found, commit them before exiting? "
               "[Y(yes)/N(no)/C(cancel)]:")
CHOOSE_YNC = "Error: Please choose 'YES', 'NO' or 'CANCEL' first before pressing 'Enter'. [Y/N/C]:"


class Vrpv8(VrpPing, VrpVty, HuaweiStyle):
    platform = "huawei_vrpv8"
    immediate = False
    system_banner = "Enter system view, return user view with return command."
    vrp_version = "8.180"

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.candidate: DeviceConfig | None = None
        self.candidate_base: DeviceConfig | None = None

    # CE V300R023 documentation layout (tests/fixtures/real/huawei_vrpv8/display_ospf_peer_brief):
    # the MADJ legend and the totals come first.
    def render_ospf_peer_brief(self, rows: list[dict]) -> str:
        process, rid = self.ospf_process_header()
        if not process:
            return ""
        rule = "-" * 73
        full = sum(1 for r in rows if r["state"] == "Full")
        lines = ["(M) Indicates MADJ interface", f"          OSPF Process {process} with Router ID {rid}",
                 "                   Peer Statistic Informations", "", f"  Total number of peer(s): {len(rows)}",
                 f"  Peer(s) in full state: {full}", "", rule, f" {'Area Id':<16}{'Interface':<22}{'Neighbor id':<17}State"]
        lines += [f" {r['area']:<16}{r['interface']:<22}{r['router_id']:<17}{r['state']}" for r in rows]
        return "\n".join(lines + [rule, ""])

    # ---- candidate ---------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return (self.candidate is not None and self.candidate_base is not None
                and self.candidate.to_json() != self.candidate_base.to_json())

    def prompt_mark(self) -> str:
        return "*" if self.dirty else "~"

    def edit_base(self) -> DeviceConfig:
        if self.candidate is None:
            return self.device.running.copy()  # user view: nothing to edit
        return self.candidate

    def reset_candidate(self) -> None:
        self.candidate = self.device.running.copy()
        self.candidate_base = self.device.running.copy()

    def on_session_end(self) -> None:
        if self.dirty:
            log.info("%s: session of %s ended, uncommitted candidate discarded", self.device.name, self.username)
        self.candidate = None

    async def system_view(self) -> str:
        if not self.dirty:
            self.reset_candidate()
        return await super().system_view()

    async def _leave_config(self) -> bool:
        """The uncommitted-exit dialogue; False when the user cancels (netmiko issue 2625)."""
        if not self.dirty:
            return True
        question = UNCOMMITTED
        while True:
            answer = (await self.ask(question)).lower()
            if answer in ("y", "yes"):
                await self._commit()
                return True
            if answer in ("n", "no"):
                self.reset_candidate()
                return True
            if answer in ("c", "cancel"):
                return False
            question = CHOOSE_YNC

    async def quit_view(self) -> str:
        if self.view.name == "system" and not await self._leave_config():
            return ""
        return await super().quit_view()

    async def return_user(self) -> str:
        if not await self._leave_config():
            return ""
        return await super().return_user()

    # ---- commit --------------------------------------------------------------------------------
    async def _commit(self, description: str = "", label: str = "-") -> None:
        assert self.candidate is not None
        # A plain commit also confirms a pending trial (VRPv8 "commit" after "commit trial").
        self.device.confirm_pending()
        if self.dirty:
            await self.device.commit(self.candidate, self.username, description=description, label=label)
        self.reset_candidate()

    @command(("system", "interface", "vpn-instance", "vpn-af", "acl6", "aaa", "ui-vty"), "commit", "Commit configuration")
    async def commit(self) -> str:
        await self._commit()
        return ""

    @command(("system", "interface", "vpn-instance", "vpn-af", "acl6", "aaa", "ui-vty"), "commit comment {text}")
    async def commit_comment(self, text: str) -> str:
        await self._commit(description=text.strip('"'))
        return ""

    @command(("system", "interface", "vpn-instance", "vpn-af", "acl6", "aaa", "ui-vty"), "commit description {text}")
    async def commit_description(self, text: str) -> str:
        return await self.commit_comment(text)

    @command(("system", "interface", "vpn-instance", "vpn-af", "acl6", "aaa", "ui-vty"), "commit label {word}")
    async def commit_label(self, label: str) -> str:
        await self._commit(label=label)
        return ""

    @command(("system", "interface", "vpn-instance", "vpn-af", "acl6", "aaa", "ui-vty"), "commit trial")
    async def commit_trial_default(self) -> str:
        return await self.commit_trial(600)

    @command(("system", "interface", "vpn-instance", "vpn-af", "acl6", "aaa", "ui-vty"), "commit trial {seconds}")
    async def commit_trial(self, seconds: int) -> str:
        assert self.candidate is not None
        before = self.device.running.copy()
        if self.dirty:
            await self.device.commit(self.candidate, self.username, description=f"trial {seconds}s")
        self.reset_candidate()
        self.device.arm_revert(before, seconds, self.username, "commit")
        return ""

    @command(("system",), "abort trial", "Abort the trial configuration")
    async def abort_trial(self) -> str:
        if self.device.pending is None:
            raise ConfigError("Error: No trial configuration exists.")
        answer = await self.ask("Warning: The trial configuration will be rolled back. Continue? [Y/N]:")
        if answer.lower() not in ("y", "yes"):
            return ""
        await self.device.revert_pending_now(self.username)
        self.reset_candidate()
        return "Info: The trial configuration has been rolled back."

    # ---- rollback ------------------------------------------------------------------------------
    @command("user", "rollback configuration last {last}", "Roll back the configuration")
    async def rollback_last(self, count: int) -> str:
        commits = self.device.commits
        if count > len(commits):
            raise ConfigError("Error: The number of rollback points is less than the specified value.")
        return await self._rollback(commits[-count].before)

    @command("user", "rollback configuration to commit-id {commitid}")
    async def rollback_to(self, commit_id: int) -> str:
        found = [c for c in self.device.commits if c.commit_id == commit_id]
        if not found:
            raise ConfigError("Error: The specified commit ID does not exist.")
        return await self._rollback(found[0].after)

    async def _rollback(self, target: DeviceConfig) -> str:
        answer = await self.ask("Warning: This operation will revert configuration changes to the previous "
                                "status. Continue? [Y/N]:")
        if answer.lower() not in ("y", "yes"):
            return ""
        self.device.confirm_pending()
        await self.device.commit(target, self.username, kind="ROLLBACK")
        return "Info: Configuration rollback succeeded."

    # ---- display -------------------------------------------------------------------------------
    @command(ANY, "display configuration candidate", "Candidate configuration")
    async def display_candidate(self) -> str:
        return self.render_config(self.candidate or self.device.running)

    @command(ANY, "display configuration commit list", "Commit points")
    async def display_commit_list(self) -> str:
        rows = [f"{'No.':<4}{'CommitId':<13}{'Label':<12}{'User':<12}{'TimeStamp':<20}"]
        for n, c in enumerate(reversed(self.device.commits), start=1):
            rows.append(f"{n:<4}{c.commit_id:<13}{c.label:<12}{c.user:<12}{c.timestamp:<20}")
        return "\n".join(rows)

    @command(ANY, "display configuration commit list verbose")
    async def display_commit_list_verbose(self) -> str:
        out = []
        for n, c in enumerate(reversed(self.device.commits), start=1):
            out += [f"{n}) CommitId: {c.commit_id}", f"        Label: {c.label}", f"        User: {c.user}",
                    "        User-Intf: VTY 0", f"        Type: {c.kind}", f"        TimeStamp: {c.timestamp}",
                    f"        Description: {c.description}", ""]
        return "\n".join(out) or "Info: No commit point exists."

    # CE V300R023 command reference example: "Trial status:  ACTIVE" / "Trial time left (sec): 51";
    # with no trial, INACTIVE and 0.
    @command(ANY, "display configuration trial status")
    async def display_trial(self) -> str:
        import asyncio

        if self.device.pending is None:
            return "Trial status:  INACTIVE\nTrial time left (sec): 0"
        left = max(0, int(self.device.pending.deadline - asyncio.get_running_loop().time()))
        return f"Trial status:  ACTIVE\nTrial time left (sec): {left}"

    def render_shutdown(self, intf) -> list[str]:  # noqa: ANN001
        return [" shutdown"] if intf.shutdown else [" undo shutdown"]

    def config_header(self) -> list[str]:
        return [f"!Software Version {self.device.spec.get('os_version', 'V800R021C10SPC600')}", "#"]

    # ---- real VRPv8 layouts ------------------------------------------------------------------------
    # NE40E/NE8000 append the port's rate to GE ports that run at another speed: "GigabitEthernet0/1/0
    # (10G)" -- "the interfaces marked with 10G displayed in the display interface brief command
    # output indicate GE interfaces whose bandwidth is 10 Gbit/s" (NetEngine 8000 F configuration
    # guide, interface management). Lab choice: on NE-series models every GigabitEthernet port (and
    # its sub-interfaces) carries "(10G)"; ``spec["port_rates"]`` ({name: "10G"|"100M"|""}) overrides.
    def shown_name(self, name: str) -> str:
        rates = self.device.spec.get("port_rates") or {}
        base = name.split(".")[0]
        rate = rates.get(name, rates.get(base))
        if rate is None:
            model = str(self.device.spec.get("model", ""))
            rate = "10G" if model.startswith("NE") and base.startswith("GigabitEthernet") else ""
        return f"{name}({rate})" if rate else name

    BRIEF_LEGEND = ["*down: administratively down", "!down: FIB overload down", "^down: standby",
                    "(l): loopback", "(s): spoofing", "(d): Dampening Suppressed", "(E): E-Trunk down"]

    def render_interface_brief(self, cfg: DeviceConfig, state) -> str:  # noqa: ANN001
        # The legend lines real VRPv8 devices print (those ntc-templates' huawei_vrp template knows).
        lines = ["PHY: Physical", "*down: administratively down", "^down: standby", "(l): loopback",
                 "(s): spoofing", "(E): E-Trunk down", "(b): BFD down", "(B): Bit-error-detection down",
                 "(e): ETHOAM down", "(d): Dampening Suppressed", "InUti/OutUti: input utility/output utility",
                 f"{'Interface':<27}{'PHY':<9}{'Protocol':<10}{'InUti':<6}{'OutUti':<9}{'inErrors':<10}outErrors"]
        for intf in sorted(cfg.interfaces.values(), key=lambda i: i.name):
            phy, proto = self.link_status(intf, state)
            lines.append(f"{self.shown_name(intf.name):<27}{phy:<9}{proto:<10}{'0.01%':>5}{'0.01%':>7}"
                         f"{'0':>11}{'0':>11}")
        lines.append(f"{'NULL0':<27}{'up':<9}{'up(s)':<10}{'0%':>5}{'0%':>7}{'0':>11}{'0':>11}")
        return "\n".join(lines)

    def render_ip_interface_brief(self, cfg: DeviceConfig, state) -> str:  # noqa: ANN001
        rows = []
        for intf in sorted(cfg.interfaces.values(), key=lambda i: i.name):
            phy, proto = self.link_status(intf, state)
            addr = intf.ipv4[0] if intf.ipv4 else "unassigned"
            rows.append((self.shown_name(intf.name), addr, phy, proto, intf.vpn or "--"))
        rows.append(("NULL0", "unassigned", "up", "up(s)", "--"))
        up_phy = sum(1 for r in rows if r[2] == "up")
        up_proto = sum(1 for r in rows if r[3].startswith("up"))
        lines = self.BRIEF_LEGEND + [
            f"The number of interface that is UP in Physical is {up_phy}",
            f"The number of interface that is DOWN in Physical is {len(rows) - up_phy}",
            f"The number of interface that is UP in Protocol is {up_proto}",
            f"The number of interface that is DOWN in Protocol is {len(rows) - up_proto}", "",
            f"{'Interface':<34}{'IP Address/Mask':<21}{'Physical':<11}{'Protocol':<9}VPN"]
        lines += [f"{n:<34}{a:<21}{p:<11}{q:<9}{v}" for n, a, p, q, v in rows]
        return "\n".join(lines)

    def render_ipv6_interface_brief(self, cfg: DeviceConfig, state) -> str:  # noqa: ANN001
        lines = self.BRIEF_LEGEND + [f"{'Interface':<34}{'Physical':<11}{'Protocol':<9}VPN"]
        for intf in sorted(cfg.interfaces.values(), key=lambda i: i.name):
            if not intf.ipv6_enabled:
                continue
            phy, proto = self.link_status(intf, state)
            lines.append(f"{self.shown_name(intf.name):<34}{phy:<11}{proto:<9}{intf.vpn or '--'}")
            lines.append(self.ipv6_address_line(intf, state))
        return "\n".join(lines)

    def ctrl_z(self) -> None:
        # Ctrl+Z leaves system view; the candidate stays with the session until commit or exit.
        self.views = [View("user")]
