"""`govops exporter snmp|readiness|migration` and `govops monitoring generate`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def add_cli(subparsers) -> None:
    from govops.cli import add_inventory_arg

    exp = subparsers.add_parser("exporter", help="run a govops Prometheus exporter")
    sub = exp.add_subparsers(dest="exporter", required=True)

    snmp = sub.add_parser("snmp", help="multi-target SNMP exporter (/snmp?target=&module=&auth=)")
    add_inventory_arg(snmp)
    snmp.add_argument("--listen", type=_host_port, default=("127.0.0.1", 9116), metavar="HOST:PORT")
    snmp.add_argument("--auth-file", help="JSON file of extra named credentials (see monitoring/README.md)")
    snmp.add_argument("--timeout", type=float, default=2.0, help="per SNMP request, seconds (default 2)")
    snmp.add_argument("--retries", type=int, default=1, help="per SNMP request (default 1)")
    snmp.add_argument("--max-repetitions", type=int, default=25)
    snmp.add_argument("--deadline", type=float, default=8.0,
                      help="max seconds per scrape (also capped by Prometheus' scrape timeout - 0.5)")
    snmp.add_argument("--cache-age", type=float, default=300.0, help="max age of cached ifName/ifDescr/ifAlias (dropped earlier on agent restart or ifTable change)")
    snmp.set_defaults(func=cmd_snmp)

    rd = sub.add_parser("readiness", help="IPv6 readiness: devices vs the plan, government websites")
    add_inventory_arg(rd)
    rd.add_argument("--listen", type=_host_port, default=("127.0.0.1", 9127), metavar="HOST:PORT")
    rd.add_argument("--auth", choices=("v2c", "v3"), default="v3")
    rd.add_argument("--ping", action="store_true", help="also ICMPv6-ping every planned loopback")
    rd.add_argument("--names", help="hosts-style map (ADDRESS NAME…) used instead of DNS for websites")
    rd.add_argument("--no-websites", action="store_true")
    rd.set_defaults(func=cmd_readiness)

    mg = sub.add_parser("migration", help="migration progress, DR lag/RPO, textfile metrics (drift)")
    add_inventory_arg(mg)
    mg.add_argument("--listen", type=_host_port, default=("127.0.0.1", 9128), metavar="HOST:PORT")
    mg.add_argument("--journal", type=Path, help="migration journal (JSON lines)")
    mg.add_argument("--dr-status", type=Path, help="DR status (JSON lines)")
    mg.add_argument("--textfile-dir", type=Path, help="directory of *.prom files to include (drift job)")
    mg.set_defaults(func=cmd_migration)

    mon = subparsers.add_parser("monitoring", help="monitoring configuration from the SoT")
    msub = mon.add_subparsers(dest="monitoring", required=True)
    gen = msub.add_parser("generate", help="write prometheus.yml, file_sd targets and rules")
    add_inventory_arg(gen)
    gen.add_argument("--out", type=Path, default=None, help="output directory (default monitoring/prometheus)")
    gen.add_argument("--shards", type=int, default=1, help="number of Prometheus servers (hashmod sharding)")
    gen.add_argument("--shard", type=int, default=0, help="this server's shard, 0..N-1")
    gen.add_argument("--snmp-exporter", default=None, metavar="HOST:PORT")
    gen.add_argument("--readiness-exporter", default=None, metavar="HOST:PORT")
    gen.add_argument("--migration-exporter", default=None, metavar="HOST:PORT")
    gen.add_argument("--alertmanager", default=None, metavar="HOST:PORT")
    gen.add_argument("--auth", choices=("v2c", "v3"), default="v3")
    gen.set_defaults(func=cmd_generate)


def _wait_forever() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass


def _listen_failed(name: str, listen: tuple[str, int], exc: OSError) -> int:
    """One line, exit code 1, for an exporter that cannot bind (port in use, address not here)."""
    host, port = listen
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    print(f"govops exporter {name}: cannot listen on {where}: {exc.strerror or exc} "
          "(another exporter running? choose another --listen)", file=sys.stderr)
    return 1


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def cmd_snmp(args: argparse.Namespace) -> int:
    from govops.cli import load
    from monitoring.snmp.collector import Scraper, StaticCache
    from monitoring.snmp.server import SnmpExporter, serve
    from monitoring.snmp.targets import TargetResolver, load_auth_file
    from monitoring.snmp.transport import Endpoint

    _logging()
    inv = load(args)
    auths = load_auth_file(args.auth_file) if args.auth_file else {}
    resolver = TargetResolver.from_inventory(inv, auths, Endpoint("", timeout=args.timeout, retries=args.retries,
                                                                  max_repetitions=args.max_repetitions))
    exporter = SnmpExporter(resolver, Scraper(cache=StaticCache(args.cache_age)), args.deadline)
    try:
        httpd = serve(exporter, *args.listen)
    except OSError as exc:
        exporter.close()
        return _listen_failed("snmp", args.listen, exc)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    logging.info("govops SNMP exporter on http://%s:%d/snmp (%d devices)", *args.listen, len(inv.devices))
    _wait_forever()
    httpd.shutdown()
    exporter.close()
    return 0


def cmd_readiness(args: argparse.Namespace) -> int:
    from govops import ipv6
    from govops.cli import load
    from monitoring.readiness.collector import ReadinessCollector
    from monitoring.readiness.websites import NameMap
    from monitoring.textfile import serve_collector

    _logging()
    inv = load(args)
    plan = ipv6.require_plan(inv)
    collector = ReadinessCollector(inv, plan, auth=args.auth, ping=args.ping,
                                   names=NameMap(Path(args.names)) if args.names else NameMap(),
                                   websites=not args.no_websites)
    try:
        serve_collector(collector, *args.listen)
    except OSError as exc:
        return _listen_failed("readiness", args.listen, exc)
    logging.info("govops readiness exporter on http://%s:%d/metrics", *args.listen)
    _wait_forever()
    return 0


def cmd_migration(args: argparse.Namespace) -> int:
    from govops.cli import load
    from monitoring.migration.collector import MigrationCollector
    from monitoring.textfile import TextfileCollector, serve_collector

    _logging()
    inv = load(args)

    class Combined:
        def collect(self):
            yield from MigrationCollector(inv, args.journal, args.dr_status).collect()
            if args.textfile_dir:
                yield from TextfileCollector(args.textfile_dir).collect()

    try:
        serve_collector(Combined(), *args.listen)
    except OSError as exc:
        return _listen_failed("migration", args.listen, exc)
    logging.info("govops migration exporter on http://%s:%d/metrics", *args.listen)
    _wait_forever()
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from govops.cli import console, load
    from monitoring.promconfig import DEFAULT_OUT, generate

    inv = load(args)
    endpoints = {k: v for k, v in (("snmp", args.snmp_exporter), ("readiness", args.readiness_exporter),
                                   ("migration", args.migration_exporter), ("alertmanager", args.alertmanager)) if v}
    try:
        written = generate(inv, args.out or DEFAULT_OUT, endpoints, args.shards, args.shard, args.auth)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    for path in written:
        console.print(str(path))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="govops")
    add_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
