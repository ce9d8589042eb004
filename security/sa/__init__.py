"""Situational-awareness (态势感知) forwarder.

Receives Alertmanager webhooks and follows govops JSON-lines journals, normalises
every signal to one event schema (see README.md), spools it durably on disk and
delivers it as RFC 5424 syslog over TLS (RFC 5425, octet-counted frames).
"""
