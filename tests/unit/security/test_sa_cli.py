"""The CLI surface the lead wires into `govops sa forward`."""

import argparse

import pytest

from security.sa.cli import add_cli, host_port


def test_add_cli_registers_sa_forward():
    parser = argparse.ArgumentParser(prog="govops")
    add_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sa", "forward", "--spool", "/s", "--target", "[2001:db8::5]:6514", "--ca", "ca.pem",
                              "--server-name", "sa.example", "--journal", "a.jsonl", "--journal", "b.jsonl"])
    assert args.target == ("2001:db8::5", 6514)
    assert args.journal == ["a.jsonl", "b.jsonl"]
    assert args.max_body_bytes == 64 << 20  # an Alertmanager group of ~60,000 alerts (issue #14)
    assert callable(args.func)


@pytest.mark.parametrize("bad", ["6514", "host:", ":6514", "host:port"])
def test_bad_addresses_are_usage_errors(bad):
    with pytest.raises(argparse.ArgumentTypeError):
        host_port(bad)


def test_missing_ca_file_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    from security.sa.__main__ import main

    code = main(["forward", "--spool", str(tmp_path / "spool"), "--target", "127.0.0.1:1",
                 "--ca", str(tmp_path / "missing-ca.pem"), "--server-name", "sa.test",
                 "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0"])
    assert code == 1
    assert "missing-ca.pem" in capsys.readouterr().err
