"""Wire the parts together: spool, metrics endpoint, webhook server, journal followers, deliverer."""

from __future__ import annotations

import logging
import signal
import socket
import threading
from dataclasses import dataclass, field

from prometheus_client import start_http_server

from security.sa.delivery import Backoff, Deliverer
from security.sa.journal import JournalFollower
from security.sa.metrics import ForwarderMetrics
from security.sa.spool import Spool
from security.sa.syslog_tls import client_context
from security.sa.webhook import DEFAULT_MAX_BODY, WebhookServer

log = logging.getLogger(__name__)


@dataclass
class ForwarderConfig:
    listen: tuple[str, int]
    metrics: tuple[str, int]
    spool_dir: str
    target: tuple[str, int]
    ca_file: str
    server_name: str
    client_cert: str | None = None
    client_key: str | None = None
    journals: list[str] = field(default_factory=list)
    max_spool_events: int = 1_000_000
    max_spool_bytes: int = 1 << 30
    max_body_bytes: int = DEFAULT_MAX_BODY
    batch: int = 500
    max_backoff: float = 30.0


def run_forwarder(config: ForwarderConfig) -> int:
    hostname = socket.gethostname()
    context = client_context(config.ca_file, config.client_cert, config.client_key)  # fail before touching disk
    spool = Spool(config.spool_dir, config.max_spool_events, config.max_spool_bytes)
    metrics = ForwarderMetrics(spool)
    start_http_server(config.metrics[1], addr=config.metrics[0], registry=metrics.registry)
    deliverer = Deliverer(
        spool, metrics, host=config.target[0], port=config.target[1], context=context,
        server_name=config.server_name, batch=config.batch,
        backoff=Backoff(initial=min(0.5, config.max_backoff), maximum=config.max_backoff),
    )
    followers = [JournalFollower(path, spool, metrics, hostname) for path in config.journals]
    server = WebhookServer(config.listen, spool, metrics, hostname, config.max_body_bytes)

    def shutdown(signum, _frame) -> None:
        log.info("signal %d: stopping", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    deliverer.start()
    for follower in followers:
        follower.start()
    log.info("listening on %s:%d, metrics on %s:%d, %d events spooled, delivering to %s:%d as %s",
             *config.listen, *config.metrics, spool.count, *config.target, config.server_name)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        for follower in followers:
            follower.stop()
        deliverer.stop()
        for thread in (*followers, deliverer):
            thread.join(timeout=5)
        spool.close()
    return 0
