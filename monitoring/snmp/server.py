"""HTTP serving for the SNMP exporter: `/snmp?target=&module=&auth=` and `/metrics`.

The stdlib threading server accepts requests; every scrape runs as a coroutine on one
asyncio loop in a background thread (one SnmpEngine for all scrapes), so scrapes of many
targets proceed concurrently and a slow agent holds only its own request thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from monitoring.snmp.collector import Scraper
from monitoring.snmp.exposition import render
from monitoring.snmp.mapping import MODULES
from monitoring.snmp.targets import TargetResolver, UnknownTarget

log = logging.getLogger(__name__)


# --failed-scrape: what a scrape whose agent did not answer returns over HTTP.
STATUS_200 = "status-200"  # 200 with snmp_up 0 (and the snmp_* metrics): alert on snmp_up == 0
STATUS_500 = "status-500"  # 500 with a one-line reason, as snmp_exporter: Prometheus' `up` is 0
FAILED_SCRAPE_CHOICES = (STATUS_200, STATUS_500)


class ScrapeFailed(Exception):
    """The agent did not answer and the exporter runs with --failed-scrape=status-500."""


class SnmpExporter:
    def __init__(self, resolver: TargetResolver, scraper: Scraper | None = None,
                 default_deadline: float = 8.0, failed_scrape: str = STATUS_200):
        if failed_scrape not in FAILED_SCRAPE_CHOICES:
            raise ValueError(f"failed_scrape must be one of {FAILED_SCRAPE_CHOICES}, not {failed_scrape!r}")
        self.failed_scrape = failed_scrape
        self.resolver = resolver
        self.scraper = scraper or Scraper()
        self.default_deadline = default_deadline
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="snmp-loop", daemon=True)
        self._thread.start()

    def deadline(self, header: str | None) -> float:
        # Prometheus sends its scrape timeout; finish 0.5 s before it so snmp_up 0 reaches it.
        if header:
            try:
                return max(0.5, min(self.default_deadline, float(header) - 0.5))
            except ValueError:
                pass
        return self.default_deadline

    def scrape(self, target: str, modules: list[str], auth: str | None, deadline: float) -> bytes:
        resolved = self.resolver.resolve(target, auth)
        mods = [MODULES[m] for m in modules]
        fut = asyncio.run_coroutine_threadsafe(self.scraper.scrape_outcome(resolved, mods, deadline), self.loop)
        outcome = fut.result(deadline + 5)
        if not outcome.up and self.failed_scrape == STATUS_500:
            raise ScrapeFailed(outcome.reason or "the agent did not answer")
        return render(outcome.families)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


def make_handler(exporter: SnmpExporter):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, code: int, body: bytes, ctype: str = "text/plain; charset=utf-8") -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            if url.path == "/metrics":
                return self._send(200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
            if url.path != "/snmp":
                return self._send(200 if url.path == "/" else 404,
                                  b"govops SNMP exporter: /snmp?target=DEVICE&module=if_mib&auth=v3, /metrics\n")
            q = parse_qs(url.query)
            target = (q.get("target") or [""])[0]
            modules = [m for v in q.get("module", ["if_mib"]) for m in v.split(",") if m]
            unknown = [m for m in modules if m not in MODULES]
            if not target or unknown:
                return self._send(400, f"need target=; unknown modules {unknown}, known {sorted(MODULES)}\n".encode())
            try:
                body = exporter.scrape(target, modules, (q.get("auth") or [None])[0],
                                       exporter.deadline(self.headers.get("X-Prometheus-Scrape-Timeout-Seconds")))
            except UnknownTarget as exc:
                return self._send(400, f"{exc}\n".encode())
            except ScrapeFailed as exc:  # already logged by the scraper
                return self._send(500, f"scrape of {target} failed: {exc}\n".encode())
            except Exception as exc:  # noqa: BLE001 - Prometheus gets a status and a reason, never an empty reply
                log.error("scrape of %s failed: %s: %s", target, type(exc).__name__, exc)
                return self._send(500, f"scrape of {target} failed: {type(exc).__name__}\n".encode())
            return self._send(200, body, CONTENT_TYPE_LATEST)

        def log_message(self, fmt, *args):
            log.debug("%s " + fmt, self.address_string(), *args)

    return Handler


def serve(exporter: SnmpExporter, host: str, port: int) -> ThreadingHTTPServer:
    httpd = ThreadingHTTPServer((host, port), make_handler(exporter))
    httpd.daemon_threads = True
    return httpd
