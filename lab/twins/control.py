"""The control socket of a twin process: the lab's ``kill-ssh NODE`` fault and a health probe.

One Unix socket per twin process at ``<state_dir>/control.sock``; a request is one JSON line
``{"op": "kill-ssh", "device": "NAME"}`` (or ``{"op": "ping"}``), the answer one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

SOCKET_NAME = "control.sock"


def control_path(state_dir: str | Path) -> Path:
    return Path(state_dir) / SOCKET_NAME


def request(state_dir: str | Path, message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(control_path(state_dir)))
        sock.sendall(json.dumps(message).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data or b"{}")


def kill_sessions(state_dir: str | Path, device: str) -> int:
    """Drop every SSH session of ``device`` (lab fault ``kill-ssh``); returns how many were dropped."""
    answer = request(state_dir, {"op": "kill-ssh", "device": device})
    if not answer.get("ok"):
        raise RuntimeError(answer.get("error", "control request failed"))
    return int(answer["dropped"])


async def serve(state_dir: Path, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> asyncio.AbstractServer:
    path = control_path(state_dir)
    path.unlink(missing_ok=True)

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await reader.readline()
            try:
                answer = handle(json.loads(line))
            except (ValueError, KeyError) as exc:
                answer = {"ok": False, "error": str(exc)}
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()
        finally:
            writer.close()

    return await asyncio.start_unix_server(client, path=str(path))
