"""A strict RFC 5425 receiver for tests and the benchmark: TLS, octet-counted frames, RFC 5424 headers.

Anything that is not exactly `MSG-LEN SP SYSLOG-MSG` with a valid RFC 5424 header and a govops
structured-data element is recorded in `errors` and the connection is dropped.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import struct
import threading
from collections import Counter
from datetime import datetime

SD_ID = b"govops@32473"

# RFC 5424 §6: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
HEADER = re.compile(
    rb"<(?P<pri>0|[1-9][0-9]{0,2})>1 "
    rb"(?P<ts>-|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})) "
    rb"(?P<host>[\x21-\x7e]{1,255}) (?P<app>[\x21-\x7e]{1,48}) (?P<procid>[\x21-\x7e]{1,128}) "
    rb"(?P<msgid>[\x21-\x7e]{1,32}) "
)
SD_ELEMENT = re.compile(
    rb'\[(?P<id>[^= \]"\x00-\x20\x7f-\xff]{1,32})(?P<params>(?: [^= \]"\x00-\x20\x7f-\xff]{1,32}="(?:[^"\\\]]|\\["\\\]])*")*)\]'
)
LENGTH = re.compile(rb"[1-9][0-9]{0,8}")
SD_PARAM = re.compile(rb' (?P<name>[^= \]"]{1,32})="(?P<value>(?:[^"\\\]]|\\["\\\]])*)"')


class FrameError(ValueError):
    pass


def parse_message(message: bytes) -> dict:
    """Parse one RFC 5424 message strictly; return pri, msgid, sd params and the decoded JSON MSG."""
    header = HEADER.match(message)
    if not header:
        raise FrameError(f"bad RFC 5424 header: {message[:80]!r}")
    if int(header["pri"]) > 191:
        raise FrameError(f"PRI out of range: {header['pri']!r}")
    if header["ts"] != b"-":
        datetime.fromisoformat(header["ts"].decode().replace("Z", "+00:00"))
    rest = message[header.end():]
    elements: dict[bytes, dict[bytes, bytes]] = {}
    if rest.startswith(b"-"):
        rest = rest[1:]
    else:
        while rest.startswith(b"["):
            element = SD_ELEMENT.match(rest)
            if not element:
                raise FrameError(f"bad structured data: {rest[:80]!r}")
            elements[element["id"]] = {
                p["name"]: re.sub(rb'\\(["\\\]])', rb"\1", p["value"]) for p in SD_PARAM.finditer(element["params"])
            }
            rest = rest[element.end():]
        if not elements:
            raise FrameError("no structured data and no NILVALUE")
    if rest and not rest.startswith(b" "):
        raise FrameError("MSG not separated by SP")
    msg = rest[1:]
    govops = elements.get(SD_ID)
    if not govops or b"id" not in govops:
        raise FrameError(f"missing [{SD_ID.decode()} id=...] element")
    body = json.loads(msg.removeprefix(b"\xef\xbb\xbf"))
    event_id = govops[b"id"].decode()
    if body.get("event", {}).get("id") != event_id:
        raise FrameError("SD id and event.id differ")
    return {"pri": int(header["pri"]), "msgid": header["msgid"].decode(), "id": event_id, "event": body}


class StrictSyslogReceiver:
    def __init__(self, host: str, port: int, certfile: str, keyfile: str, keep_messages: bool = True,
                 stall_after: int | None = None):
        self.address = (host, port)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certfile, keyfile)
        self.keep_messages = keep_messages
        # stall_after: stop reading after that many messages, like a hung platform (data piles up unread)
        self.stall_after = stall_after
        self._stopped = threading.Event()
        self.ids: list[str] = []
        self.messages: list[bytes] = []
        self.errors: list[str] = []
        self.handshake_failures = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []

    def start(self) -> StrictSyslogReceiver:
        family = socket.AF_INET6 if ":" in self.address[0] else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(self.address)
        listener.listen(16)
        self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._listener:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in list(self._conns):
                # Like a crashed platform: no FIN for data we did not read; SO_LINGER 0 makes close()
                # send RST, and SHUT_RD (which sends nothing) wakes the reading thread.
                try:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    socket.socket.shutdown(conn, socket.SHUT_RD)
                except OSError:
                    pass
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def id_counts(self) -> Counter:
        with self._lock:
            return Counter(self.ids)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(raw,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, raw: socket.socket) -> None:
        with self._lock:
            self._conns.add(raw)
        try:
            try:
                conn = self.context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                with self._lock:
                    self.handshake_failures += 1
                return
            with self._lock:
                # wrap_socket detached `raw` (its fd now belongs to conn): stop() must shut conn down
                self._conns.discard(raw)
                self._conns.add(conn)
                self.connections += 1
            try:
                self._read_frames(conn)
            finally:
                with self._lock:
                    self._conns.discard(conn)
                conn.close()
        finally:
            with self._lock:
                self._conns.discard(raw)
            raw.close()

    def _read_frames(self, conn: ssl.SSLSocket) -> None:
        buffer = b""
        while True:
            if self.stall_after is not None and len(self.ids) >= self.stall_after:
                self._stopped.wait()
                return
            try:
                chunk = conn.recv(1 << 16)
            except OSError:
                return
            if not chunk:
                if buffer:
                    self._error(f"connection closed inside a frame: {buffer[:40]!r}")
                return
            buffer += chunk
            try:
                buffer = self._consume(buffer)
            except (FrameError, ValueError) as err:
                self._error(str(err))
                return

    def _consume(self, buffer: bytes) -> bytes:
        """Take every complete frame off the buffer; return the incomplete rest."""
        parsed = []
        pos = 0
        while pos < len(buffer):
            space = buffer.find(b" ", pos, pos + 11)
            if space < 0:
                rest = buffer[pos:]
                if len(rest) > 10 or not rest.isdigit():
                    raise FrameError(f"MSG-LEN not followed by SP: {rest[:20]!r}")
                break
            length = buffer[pos:space]
            if not LENGTH.fullmatch(length):
                raise FrameError(f"bad MSG-LEN {length[:20]!r}")
            end = space + 1 + int(length)
            if len(buffer) < end:
                break
            message = buffer[space + 1:end]
            parsed.append((parse_message(message)["id"], message))
            pos = end
        if parsed:
            with self._lock:
                self.ids.extend(i for i, _ in parsed)
                if self.keep_messages:
                    self.messages.extend(m for _, m in parsed)
        return buffer[pos:]

    def _error(self, text: str) -> None:
        with self._lock:
            self.errors.append(text)
