"""Small shared pieces for govops' file-driven exporters: serving a collector over HTTP."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry


def serve_collector(collector, host: str, port: int):
    """Serve one collector (plus nothing else) on http://host:port/metrics; returns (server, thread)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return start_http_server(port, addr=host, registry=registry)


class TextfileCollector:
    """node-exporter-style textfile directory: every *.prom file re-read at each scrape.

    The drift job writes `govops_net_drift{device}` and `govops_net_drift_devices` this way.
    A file that does not parse is skipped and counted in govops_textfile_errors.
    """

    def __init__(self, directory):
        self.directory = Path(directory)

    def collect(self):
        errors = 0
        for path in sorted(self.directory.glob("*.prom")):
            try:
                families = list(text_string_to_metric_families(path.read_text()))
            except (OSError, ValueError):
                errors += 1
                continue
            for fam in families:
                # As node-exporter does: a textfile without HELP gets one naming the file.
                fam.documentation = fam.documentation or f"Metric read from {path.name}."
                yield fam
        yield GaugeMetricFamily("govops_textfile_errors", "Textfiles that could not be read or parsed.", value=errors)
