"""The forwarder's own Prometheus metrics, on a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from security.sa.spool import Spool


class ForwarderMetrics:
    def __init__(self, spool: Spool):
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter(
            "govops_sa_events_received", "Events accepted into the spool, by source", ["source"], registry=r
        )
        self.delivered = Counter(
            "govops_sa_events_delivered", "Events written to the SA platform's TLS connection", registry=r
        )
        self.retries = Counter(
            "govops_sa_delivery_retries", "Delivery attempts that failed and will be retried", registry=r
        )
        self.delivery_errors = Counter(
            "govops_sa_delivery_errors", "Failed delivery attempts by reason", ["reason"], registry=r
        )
        self.dropped = Counter(
            "govops_sa_dropped", "Signals that could not be spooled and are lost, by reason", ["reason"], registry=r
        )
        self.rejected = Counter(
            "govops_sa_rejected", "Webhook requests or journal lines refused, by reason", ["reason"], registry=r
        )
        Gauge("govops_sa_spooled_events", "Events in the spool awaiting delivery", registry=r).set_function(
            lambda: spool.count
        )
        Gauge("govops_sa_spooled_bytes", "Bytes of spooled messages", registry=r).set_function(
            lambda: spool.size_bytes
        )
        Gauge("govops_sa_spool_capacity_events", "Configured maximum of spooled events", registry=r).set(
            spool.max_events
        )
        Gauge("govops_sa_spool_capacity_bytes", "Configured maximum of spooled bytes", registry=r).set(
            spool.max_bytes
        )
        Gauge(
            "govops_sa_oldest_undelivered_age_seconds", "Age of the oldest spooled event (0 when empty)", registry=r
        ).set_function(spool.oldest_age)
        self.journal_blocked = Gauge(
            "govops_sa_journal_blocked", "1 while a journal is not read because the spool is full", ["journal"],
            registry=r,
        )
        for source in ("alertmanager", "change", "migration", "drift", "compliance", "journal"):
            self.received.labels(source)
        for reason in ("malformed", "too_large", "length_required", "spool_full", "disconnected"):
            self.rejected.labels(reason)
        self.dropped.labels("journal_rotated_while_down")
