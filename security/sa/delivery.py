"""Deliver spooled events to the SA platform, retrying with exponential backoff while it is down."""

from __future__ import annotations

import logging
import random
import socket
import ssl
import threading
import time

from security.sa.metrics import ForwarderMetrics
from security.sa.spool import Spool, Spooled
from security.sa.syslog_tls import SyslogTlsConnection, UnconfirmedDelivery, frame

log = logging.getLogger(__name__)


def error_reason(err: BaseException) -> str:
    if isinstance(err, UnconfirmedDelivery):
        return "unconfirmed"
    if isinstance(err, ssl.SSLCertVerificationError):
        return "tls_verify"
    if isinstance(err, ssl.SSLError):
        return "tls"
    if isinstance(err, ConnectionRefusedError):
        return "refused"
    if isinstance(err, TimeoutError | socket.timeout):
        return "timeout"
    return "connection"


class Backoff:
    """Exponential backoff with full jitter, capped; reset after a success."""

    def __init__(self, initial: float = 0.5, maximum: float = 30.0):
        self.initial, self.maximum, self.failures = initial, maximum, 0

    def next_delay(self) -> float:
        delay = min(self.maximum, self.initial * 2**self.failures)
        self.failures += 1
        return random.uniform(delay / 2, delay)

    def reset(self) -> None:
        self.failures = 0


class Deliverer(threading.Thread):
    """Sends the oldest spooled events; deletes them only once the receiver is shown to have read them.

    One connection carries up to `confirm_every` events (or `confirm_interval` seconds of sending);
    then it is closed with a TLS close_notify and the peer's orderly close is the acknowledgement
    (see SyslogTlsConnection.confirm_and_close). Anything unconfirmed is sent again.
    """

    def __init__(self, spool: Spool, metrics: ForwarderMetrics, *, host: str, port: int,
                 context: ssl.SSLContext, server_name: str, batch: int = 500,
                 backoff: Backoff | None = None, confirm_every: int = 20_000, confirm_interval: float = 2.0,
                 linger: float = 0.05):
        super().__init__(name="sa-deliverer", daemon=True)
        self.spool, self.metrics = spool, metrics
        self.host, self.port, self.context, self.server_name = host, port, context, server_name
        self.batch, self.confirm_every, self.confirm_interval, self.linger = (
            batch, confirm_every, confirm_interval, linger)
        self.backoff = backoff or Backoff()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            pending = self.spool.peek(self.batch, wait=0.5)
            if not pending:
                continue
            try:
                sent = self._send_and_confirm(pending)
            except OSError as err:  # ssl.SSLError is an OSError
                self._fail(err)
                continue
            self.spool.ack(sent)
            self.metrics.delivered.inc(len(sent))
            self.backoff.reset()

    def _send_and_confirm(self, pending: list[Spooled]) -> list[Spooled]:
        conn = SyslogTlsConnection(self.host, self.port, self.context, self.server_name)
        sent: list[Spooled] = []
        try:
            deadline = time.monotonic() + self.confirm_interval
            while pending and not self.stopping.is_set():
                conn.send(b"".join(frame(item.message) for item in pending))
                sent.extend(pending)
                if len(sent) >= self.confirm_every or time.monotonic() >= deadline:
                    break
                # a short linger lets a burst of webhooks share one connection and one confirmation
                pending = self.spool.peek(self.batch, after=sent[-1].seq, wait=self.linger)
            conn.confirm_and_close()
        except BaseException:
            conn.close()
            raise
        return sent

    def _fail(self, err: OSError) -> None:
        reason = error_reason(err)
        self.metrics.retries.inc()
        self.metrics.delivery_errors.labels(reason).inc()
        delay = self.backoff.next_delay()
        log.warning("delivery to %s:%d failed (%s: %s); %d events stay spooled, retry in %.1fs",
                    self.host, self.port, reason, err, self.spool.count, delay)
        self.stopping.wait(delay)

    def stop(self) -> None:
        self.stopping.set()
        self.spool.wake()
