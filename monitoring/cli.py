"""`govops exporter snmp|readiness|migration` and `govops monitoring generate`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from govops.clikit import add_inventory_arg, console, load

# The engine modules (netmiko, pysnmp, Jinja2) are imported inside the commands that use them: every
# `govops` start builds all rooms' parsers, and importing them all up front costs ~0.25 s per command.

# The repository (or installed tree) this package came from: defaults are found here, never
# relative to the working directory, so an exporter started from / or a unit's WorkingDirectory works.
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_INVENTORY = PACKAGE_ROOT / "inventories" / "lab"


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def _add_inventory(parser, optional_with_auth_file: bool = False) -> None:
    extra = " (none needed with --auth-file: targets are then addresses)" if optional_with_auth_file else ""
    parser.add_argument("-i", "--inventory", default=None,
                        help=f"inventory directory (default: {PACKAGE_INVENTORY}){extra}")
    parser.add_argument("--vault-password-file", help="ansible-vault password file "
                        "(default: $GOVOPS_VAULT_PASSWORD_FILE, or the inventory's .vault-pass)")


def _load_inventory(args: argparse.Namespace):
    if args.inventory is None:
        args.inventory = str(PACKAGE_INVENTORY)
    return load(args)


def _target_arg(text: str) -> tuple[str, tuple[str, int]]:
    from monitoring.snmp.targets import split_host_port

    device, sep, addr = text.partition("=")
    if not sep or not device or not addr:
        raise argparse.ArgumentTypeError(f"expected DEVICE=HOST[:PORT], got {text!r}")
    try:
        return device, split_host_port(addr)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected DEVICE=HOST[:PORT] with a numeric port, got {text!r}") from None


def add_cli(subparsers) -> None:
    exp = subparsers.add_parser("exporter", help="run a govops Prometheus exporter")
    sub = exp.add_subparsers(dest="exporter", required=True)

    snmp = sub.add_parser("snmp", help="multi-target SNMP exporter (/snmp?target=&module=&auth=)")
    _add_inventory(snmp, optional_with_auth_file=True)
    snmp.add_argument("--listen", type=_host_port, default=("127.0.0.1", 9116), metavar="HOST:PORT")
    snmp.add_argument("--auth-file", help="JSON file of extra named credentials (see monitoring/README.md)")
    snmp.add_argument("--default-auth", default=None, metavar="NAME",
                      help="auth for scrapes without auth= (default: v3; with only --auth-file, its only entry)")
    snmp.add_argument("--failed-scrape", choices=("status-200", "status-500"), default="status-200",
                      help="when the agent does not answer: status-200 = HTTP 200 with snmp_up 0 (default; alert "
                           "on snmp_up), status-500 = HTTP 500 with a reason, as snmp_exporter (Prometheus' up is 0)")
    snmp.add_argument("--timeout", type=float, default=2.0, help="per SNMP request, seconds (default 2)")
    snmp.add_argument("--retries", type=int, default=1, help="per SNMP request (default 1)")
    snmp.add_argument("--max-repetitions", type=int, default=25)
    snmp.add_argument("--deadline", type=float, default=8.0,
                      help="max seconds per scrape (also capped by Prometheus' scrape timeout - 0.5)")
    snmp.add_argument("--cache-age", type=float, default=300.0, help="max age of cached ifName/ifDescr/ifAlias (dropped earlier on agent restart or ifTable change)")
    snmp.set_defaults(func=cmd_snmp)

    rd = sub.add_parser("readiness", help="IPv6 readiness: devices vs the plan, government websites")
    _add_inventory(rd)
    rd.add_argument("--listen", type=_host_port, default=("127.0.0.1", 9127), metavar="HOST:PORT")
    rd.add_argument("--auth", default="v3", help="v3, v2c (the SoT's credentials) or a name from --auth-file")
    rd.add_argument("--auth-file", help="JSON file of named credentials, the SNMP exporter's format")
    rd.add_argument("--target", type=_target_arg, action="append", default=[], metavar="DEVICE=HOST[:PORT]",
                    help="probe DEVICE there instead of its management address, port 161 (repeatable)")
    rd.add_argument("--ping", action="store_true", help="also ICMPv6-ping every planned loopback")
    rd.add_argument("--names", help="hosts-style map (ADDRESS NAME…) used instead of DNS for websites")
    rd.add_argument("--no-websites", action="store_true")
    rd.set_defaults(func=cmd_readiness)

    mg = sub.add_parser("migration", help="migration progress, DR lag/RPO, textfile metrics (drift)")
    _add_inventory(mg)
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
    gen.add_argument("--runbook-base", default=None, metavar="URL",
                     help="make every rule's runbook_url an absolute link under this URL (or $GOVOPS_RUNBOOK_BASE), "
                          "e.g. https://git.example/govops/-/blob/main/; needs --out")
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


def _auth_file(args: argparse.Namespace, exporter: str) -> dict | None:
    """Logging set up and the --auth-file's credentials ({} without one); None (said on stderr) if unusable."""
    from monitoring.snmp.targets import AuthFileError, load_auth_file

    _logging()
    try:
        return load_auth_file(args.auth_file) if args.auth_file else {}
    except AuthFileError as exc:
        print(f"govops exporter {exporter}: --auth-file {exc}", file=sys.stderr)
        return None


def cmd_snmp(args: argparse.Namespace) -> int:
    from monitoring.snmp.collector import Scraper, StaticCache
    from monitoring.snmp.server import SnmpExporter, serve
    from monitoring.snmp.targets import DEFAULT_AUTH, TargetResolver
    from monitoring.snmp.transport import Endpoint

    auths = _auth_file(args, "snmp")
    if auths is None:
        return 2
    endpoint = Endpoint("", timeout=args.timeout, retries=args.retries, max_repetitions=args.max_repetitions)
    if args.inventory is None and auths:  # pointed at anything: no SoT, targets are addresses
        inv = None
        resolver = TargetResolver(auths=auths, endpoint=endpoint)
        default = args.default_auth or (next(iter(auths)) if len(auths) == 1 else None)
        if default is None:
            print(f"govops exporter snmp: {args.auth_file} has {len(auths)} entries and there is no inventory: "
                  f"say which one a scrape without auth= uses with --default-auth ({', '.join(sorted(auths))})",
                  file=sys.stderr)
            return 2
    else:
        inv = _load_inventory(args)
        resolver = TargetResolver.from_inventory(inv, auths, endpoint)
        default = args.default_auth or DEFAULT_AUTH
    if default not in (*auths, *(("v2c", "v3") if inv is not None else ())):
        print(f"govops exporter snmp: --default-auth {default!r} is neither v2c/v3 (with an inventory) "
              f"nor in the auth file ({', '.join(sorted(auths)) or '-'})", file=sys.stderr)
        return 2
    resolver.default_auth = default
    exporter = SnmpExporter(resolver, Scraper(cache=StaticCache(args.cache_age)), args.deadline, args.failed_scrape)
    try:
        httpd = serve(exporter, *args.listen)
    except OSError as exc:
        exporter.close()
        return _listen_failed("snmp", args.listen, exc)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    logging.info("govops SNMP exporter on http://%s:%d/snmp (%s; default auth %s; failed scrape: %s)", *args.listen,
                 f"{len(inv.devices)} devices" if inv is not None else "no inventory", default, args.failed_scrape)
    _wait_forever()
    httpd.shutdown()
    exporter.close()
    return 0


def cmd_readiness(args: argparse.Namespace) -> int:
    from govops import ipv6
    from monitoring.readiness.collector import ReadinessCollector
    from monitoring.readiness.websites import NameMap
    from monitoring.textfile import serve_collector

    auths = _auth_file(args, "readiness")
    if auths is None:
        return 2
    if args.auth not in ("v2c", "v3", *auths):
        print(f"govops exporter readiness: --auth {args.auth!r} is neither v2c, v3 nor in the auth file "
              f"({', '.join(sorted(auths)) or 'no --auth-file'})", file=sys.stderr)
        return 2
    inv = _load_inventory(args)
    targets = dict(args.target)
    unknown = sorted(set(targets) - set(inv.devices))
    if unknown:
        print(f"govops exporter readiness: --target names devices not in {args.inventory}: {', '.join(unknown)}",
              file=sys.stderr)
        return 2
    plan = ipv6.require_plan(inv)
    collector = ReadinessCollector(inv, plan, auth=args.auth, ping=args.ping,
                                   names=NameMap(Path(args.names)) if args.names else NameMap(),
                                   websites=not args.no_websites, auths=auths, targets=targets)
    try:
        serve_collector(collector, *args.listen)
    except OSError as exc:
        return _listen_failed("readiness", args.listen, exc)
    logging.info("govops readiness exporter on http://%s:%d/metrics", *args.listen)
    _wait_forever()
    return 0


def cmd_migration(args: argparse.Namespace) -> int:
    from monitoring.migration.collector import MigrationCollector
    from monitoring.textfile import TextfileCollector, serve_collector

    _logging()
    inv = _load_inventory(args)

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
    from monitoring.promconfig import DEFAULT_OUT, generate

    inv = load(args)
    endpoints = {k: v for k, v in (("snmp", args.snmp_exporter), ("readiness", args.readiness_exporter),
                                   ("migration", args.migration_exporter), ("alertmanager", args.alertmanager)) if v}
    try:
        written = generate(inv, args.out or DEFAULT_OUT, endpoints, args.shards, args.shard, args.auth,
                           runbook_base=args.runbook_base)
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
