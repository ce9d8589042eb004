"""`govops sa forward`: argparse wiring for the forwarder."""

from __future__ import annotations

import argparse
import logging
import sys

from security.sa.forwarder import ForwarderConfig, run_forwarder
from security.sa.webhook import DEFAULT_MAX_BODY


def host_port(text: str) -> tuple[str, int]:
    """HOST:PORT, with IPv6 hosts in brackets ([::1]:6514)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def add_forward_parser(subparsers) -> argparse.ArgumentParser:
    forward = subparsers.add_parser(
        "forward", help="forward alerts and journals to the SA platform (syslog over TLS)",
        description="Receive Alertmanager webhooks and follow journals; spool on disk; deliver as "
                    "RFC 5424 syslog over TLS with octet-counted framing.",
    )
    forward.add_argument("--listen", type=host_port, default=("127.0.0.1", 9095), metavar="HOST:PORT",
                         help="webhook listen address (default 127.0.0.1:9095)")
    forward.add_argument("--metrics", type=host_port, default=("127.0.0.1", 9096), metavar="HOST:PORT",
                         help="Prometheus metrics address (default 127.0.0.1:9096)")
    forward.add_argument("--spool", required=True, metavar="DIR", help="spool directory (created if missing)")
    forward.add_argument("--target", type=host_port, required=True, metavar="HOST:PORT",
                         help="SA platform syslog-over-TLS address (usually port 6514)")
    forward.add_argument("--ca", required=True, metavar="FILE", help="CA bundle that signs the platform's certificate")
    forward.add_argument("--server-name", required=True, metavar="NAME",
                         help="name the platform's certificate must carry")
    forward.add_argument("--client-cert", metavar="FILE", help="client certificate (mutual TLS)")
    forward.add_argument("--client-key", metavar="FILE", help="client key (mutual TLS)")
    forward.add_argument("--journal", action="append", default=[], metavar="FILE",
                         help="JSON-lines journal to follow (repeatable)")
    forward.add_argument("--max-spool-events", type=positive_int, default=1_000_000, metavar="N")
    forward.add_argument("--max-spool-bytes", type=positive_int, default=1 << 30, metavar="N")
    forward.add_argument("--max-body-bytes", type=positive_int, default=DEFAULT_MAX_BODY, metavar="N",
                         help="largest webhook body (default 64 MiB: an Alertmanager group of ~60,000 "
                              "alerts; Alertmanager does not retry the 413 a larger one gets)")
    forward.add_argument("--batch", type=positive_int, default=500, metavar="N",
                         help="events per TLS write (default 500)")
    forward.add_argument("--max-backoff", type=float, default=30.0, metavar="SECONDS",
                         help="upper bound of the retry delay (default 30)")
    forward.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    forward.set_defaults(func=forward_command)
    return forward


def add_cli(subparsers) -> None:
    """Register `sa forward` on the govops CLI's subparsers."""
    sa = subparsers.add_parser("sa", help="situational-awareness (态势感知) forwarding")
    sa_commands = sa.add_subparsers(dest="sa_command", required=True)
    add_forward_parser(sa_commands)


def forward_command(args: argparse.Namespace) -> int:
    if bool(args.client_cert) != bool(args.client_key):
        print("--client-cert and --client-key go together", file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return run_forwarder(config_from_args(args))
    except OSError as err:  # unreadable CA/cert/spool, address in use: say which, no traceback
        print(f"sa forward: {err}", file=sys.stderr)
        return 1


def config_from_args(args: argparse.Namespace) -> ForwarderConfig:
    return ForwarderConfig(
        listen=args.listen, metrics=args.metrics, spool_dir=args.spool, target=args.target,
        ca_file=args.ca, server_name=args.server_name, client_cert=args.client_cert,
        client_key=args.client_key, journals=args.journal, max_spool_events=args.max_spool_events,
        max_spool_bytes=args.max_spool_bytes, max_body_bytes=args.max_body_bytes, batch=args.batch,
        max_backoff=args.max_backoff,
    )
