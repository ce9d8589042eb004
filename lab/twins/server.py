"""The twin server: one asyncssh listener per device, each socket opened inside its namespace.

The process itself stays in the root namespace; sockets created on a thread that entered the
device namespace keep belonging to it, so one event loop serves every twin of a lab.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

import asyncssh

from lab.twins import control
from lab.twins.device import Device
from lab.twins.dialects import dialect_for
from lab.twins.terminal import Terminal

log = logging.getLogger("lab.twins")

REQUIRED_KEYS = ("name", "platform", "netns", "listen", "username", "password", "host_key")


def load_config(path: Path) -> dict[str, Any]:
    """Read and check CONFIG.json; every problem is reported at once, with its key path."""
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SystemExit(f"{path}: cannot read config: {exc}") from None
    problems = []
    for key in ("state_dir", "ready_file", "devices"):
        if key not in config:
            problems.append(f"{path}: {key}: missing")
    for i, dev in enumerate(config.get("devices", [])):
        for key in REQUIRED_KEYS:
            if key not in dev:
                problems.append(f"{path}: devices[{i}].{key}: missing")
        if "platform" in dev:
            try:
                dialect_for(dev["platform"])
            except ValueError as exc:
                problems.append(f"{path}: devices[{i}].platform: {exc}")
    if problems:
        raise SystemExit("\n".join(problems))
    return config


def host_key(path: Path) -> asyncssh.SSHKey:
    """The device's persistent ed25519 host key, created on first start."""
    if path.exists():
        return asyncssh.read_private_key(str(path))
    key = asyncssh.generate_private_key("ssh-ed25519")
    path.parent.mkdir(parents=True, exist_ok=True)
    key.write_private_key(str(path))
    path.chmod(0o600)
    key.write_public_key(str(path) + ".pub")
    return key


class TwinSSHServer(asyncssh.SSHServer):
    def __init__(self, device: Device) -> None:
        self.device = device
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.device.connections.add(conn)
        if not self.admitted(conn):
            # As the devices do: the TCP connection is closed before the SSH handshake.
            asyncio.get_running_loop().call_soon(conn.abort)

    def admitted(self, conn: asyncssh.SSHServerConnection) -> bool:
        """The VTY ACL6 decides for new IPv6 connections only; IPv4 ones never meet an IPv6 ACL,
        and sessions already open are not cut when the ACL changes (it is checked here, once)."""
        peer = (conn.get_extra_info("peername") or ("",))[0].split("%")[0]
        local = (conn.get_extra_info("sockname") or ("",))[0].split("%")[0]
        try:
            source = ipaddress.ip_address(peer)
        except ValueError:
            return True
        if source.version != 6 or source.ipv4_mapped:
            return True
        if self.device.running.ssh6_permitted(str(source), local):
            return True
        log.info("%s: SSH from %s refused by VTY ACL6 %s", self.device.name, source, self.device.running.vty_acl6)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self.conn is not None:
            self.device.connections.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        keys = self.device.spec.get("authorized_keys") or []
        if keys and username == self.device.spec["username"] and self.conn is not None:
            self.conn.set_authorized_keys(asyncssh.import_authorized_keys("\n".join(keys)))
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        spec = self.device.spec
        if username == spec["username"] and password == spec["password"]:
            return True
        user = self.device.running.users.get(username)
        return bool(user and user.password and user.password == password)


async def start_device(spec: dict[str, Any], state_dir: Path, time_scale: float) -> tuple[Device, list]:
    device = Device(spec, state_dir, time_scale)
    dialect = dialect_for(device.platform)
    if not device.saved_path.exists():
        dialect.prepare(device.running)
    key = host_key(Path(spec["host_key"]))
    warnings = await device.kernel.reconcile(device.running)
    warnings += await device.sync_routing()  # the OSPF part to FRR, when the lab runs it (lab/frr.py)
    for warning in warnings:
        log.info("%s: %s", device.name, warning)

    async def shell(process: asyncssh.SSHServerProcess) -> None:
        username = process.get_extra_info("username")
        session = dialect(device, Terminal(process), username)
        try:
            await session.run()
        finally:
            process.exit(0)

    servers = []
    for address in spec["listen"]:
        sock = await device.kernel.listen_socket(address, int(spec.get("port", 22)))
        server = await asyncssh.listen(
            sock=sock,
            server_factory=lambda: TwinSSHServer(device),
            server_host_keys=[key],
            process_factory=shell,
            line_editor=False,
            encoding="utf-8",
            errors="replace",
            keepalive_interval=0,
        )
        servers.append(server)
        log.info("%s (%s) listening on %s:%s in netns %s", device.name, device.platform, address,
                 spec.get("port", 22), spec["netns"])
    return device, servers


async def serve(config: dict[str, Any]) -> None:
    state_dir = Path(config["state_dir"])
    state_dir.mkdir(parents=True, exist_ok=True)
    time_scale = float(config.get("time_scale", 1.0))
    devices: dict[str, Device] = {}
    servers = []
    for spec in config["devices"]:
        device, listeners = await start_device(spec, state_dir, time_scale)
        devices[device.name] = device
        servers += listeners

    def handle(message: dict[str, Any]) -> dict[str, Any]:
        if message.get("op") == "ping":
            return {"ok": True, "devices": sorted(devices)}
        if message.get("op") == "kill-ssh":
            name = message["device"]
            if name not in devices:
                return {"ok": False, "error": f"unknown device {name!r}"}
            dropped = devices[name].kill_sessions()
            log.info("%s: kill-ssh dropped %d session(s)", name, dropped)
            return {"ok": True, "dropped": dropped}
        if message.get("op") == "pending":  # tests: is a trial/commit delay still waiting to revert?
            name = message["device"]
            if name not in devices:
                return {"ok": False, "error": f"unknown device {name!r}"}
            return {"ok": True, "pending": devices[name].pending is not None}
        return {"ok": False, "error": f"unknown op {message.get('op')!r}"}

    control_server = await control.serve(state_dir, handle)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ready = Path(config["ready_file"])
    ready.parent.mkdir(parents=True, exist_ok=True)
    ready.write_text(json.dumps({"devices": sorted(devices)}) + "\n")
    log.info("ready: %d twin(s)", len(devices))
    await stop.wait()
    log.info("stopping")
    control_server.close()
    for server in servers:
        server.close()
    for device in devices.values():
        device.kill_sessions()
        device.confirm_pending()
        device.kernel.close()
    ready.unlink(missing_ok=True)
    control.control_path(state_dir).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.twins", description=__doc__)
    parser.add_argument("--config", required=True, type=Path, help="lab twin config (JSON, see README)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    # asyncio logs "socket.send() raised exception" for output racing a client's disconnect.
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    config = load_config(args.config)
    asyncio.run(serve(config))
    return 0
