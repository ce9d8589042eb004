"""The Alertmanager webhook endpoint: validate, normalise, spool (fsync), and only then answer 200."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from security.sa.alertmanager import PayloadError, parse_webhook
from security.sa.metrics import ForwarderMetrics
from security.sa.schema import events_from_webhook
from security.sa.spool import Spool, SpoolFull
from security.sa.syslog_tls import format_message

log = logging.getLogger(__name__)

WEBHOOK_PATHS = ("/", "/alertmanager", "/api/v1/alerts")
# Alertmanager sends a whole group in one request (no size limit, no split) and never retries a 4xx:
# a refused group is lost. One alert is ~0.5-1 KB of JSON, so 64 MiB takes a group of ~60,000.
DEFAULT_MAX_BODY = 64 << 20
READ_CHUNK = 1 << 20
LARGE_BODY = 8 << 20
# A client that goes away mid-request: counted, logged at debug level, never a traceback.
DISCONNECTS = (ConnectionError, TimeoutError, socket.timeout)


class ClientDisconnected(Exception):
    """The client closed the connection before sending the whole body."""


class WebhookServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], spool: Spool, metrics: ForwarderMetrics,
                 hostname: str, max_body: int = DEFAULT_MAX_BODY):
        self.spool, self.metrics, self.hostname, self.max_body = spool, metrics, hostname, max_body
        self.large_bodies = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, WebhookHandler)

    def handle_error(self, request, client_address) -> None:
        # socketserver's default prints a traceback to stderr for every reset or timed-out client.
        error = sys.exc_info()[1]
        if isinstance(error, DISCONNECTS):
            self.metrics.rejected.labels("disconnected").inc()
            log.debug("client %s went away: %s", client_address[0], error)
            return
        log.error("webhook request from %s failed: %s: %s", client_address[0], type(error).__name__, error)


class WebhookHandler(BaseHTTPRequestHandler):
    server: WebhookServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # a client that stalls mid-body does not hold a thread forever
    server_version = "govops-sa"

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._reply(200, {"status": "ok", "spooled": self.server.spool.count})
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        srv = self.server
        if self.path.split("?")[0] not in WEBHOOK_PATHS:
            self._reply(404, {"error": "not found"}, close=True)
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            srv.metrics.rejected.labels("length_required").inc()
            self._reply(411, {"error": "Content-Length required"}, close=True)
            return
        if int(length) > srv.max_body:
            # Refused before reading: a 4xx is final for Alertmanager, which is right for a body that never fits.
            srv.metrics.rejected.labels("too_large").inc()
            log.error("refused a webhook of %s bytes from %s (--max-body-bytes %d): Alertmanager does not "
                      "retry a 413, its alerts are lost; raise --max-body-bytes", length, self.client_address[0],
                      srv.max_body)
            self._reply(413, {"error": f"body of {length} bytes exceeds {srv.max_body}"}, close=True)
            return
        self._accept(int(length))

    def _accept(self, length: int) -> None:
        srv = self.server
        try:
            body = self._read_body(length)
        except ClientDisconnected as gone:
            # Nothing to answer: the sender will retry (Alertmanager does) and nothing was spooled.
            srv.metrics.rejected.labels("disconnected").inc()
            log.debug("client %s disconnected: %s", self.client_address[0], gone)
            self.close_connection = True
            return
        # One large group parsed at a time: parsing holds several times the body's size in memory
        # (a bounded peak); the others wait their turn rather than get a 4xx Alertmanager would not
        # retry. Read outside the lock, so a slow sender holds up nobody.
        with srv.large_bodies if length > LARGE_BODY else contextlib.nullcontext():
            self._spool(body)

    def _spool(self, body: bytes) -> None:
        srv = self.server
        try:
            message = parse_webhook(body)
        except PayloadError as err:
            srv.metrics.rejected.labels("malformed").inc()
            log.warning("rejected webhook from %s: %s", self.client_address[0], err)
            self._reply(400, {"error": "invalid Alertmanager v4 payload", "problems": err.problems})
            return
        if message.truncatedAlerts:
            log.warning("Alertmanager truncated %d alerts (max_alerts): they were never sent to us",
                        message.truncatedAlerts)
        events = events_from_webhook(message)
        items = [(event.id, format_message(event, srv.hostname)) for event in events]
        try:
            added = srv.spool.add(items)
        except SpoolFull as err:
            # 5xx makes Alertmanager retry later; nothing is half-accepted (all-or-nothing insert).
            srv.metrics.rejected.labels("spool_full").inc()
            log.error("spool full, refusing webhook with %d alerts: %s", len(items), err)
            self._reply(503, {"error": "spool full, retry later"}, headers={"Retry-After": "30"})
            return
        srv.metrics.received.labels("alertmanager").inc(added)
        self._reply(200, {"accepted": len(items), "new": added})

    def _read_body(self, length: int) -> bytes:
        chunks, left = [], length
        while left:
            chunk = self.rfile.read(min(left, READ_CHUNK))
            if not chunk:
                raise ClientDisconnected(f"{length - left} of {length} body bytes received")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _reply(self, status: int, payload: dict, close: bool = False, headers: dict | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        # Request lines only, at debug level; bodies are never logged.
        log.debug("%s %s", self.client_address[0], format % args)
