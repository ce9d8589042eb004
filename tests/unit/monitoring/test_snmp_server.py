"""The /snmp handler always answers: an unexpected failure is a 500 with a reason, not an empty reply."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

from monitoring.snmp.server import SnmpExporter, serve
from monitoring.snmp.targets import TargetResolver
from monitoring.snmp.transport import Credentials


class Broken:
    async def scrape_outcome(self, target, modules, deadline):
        raise RuntimeError("mapping bug")


def test_unexpected_failure_is_a_500_with_a_reason():
    resolver = TargetResolver(auths={"t": Credentials(2, community="x")})
    exporter = SnmpExporter(resolver, Broken())
    httpd = serve(exporter, "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}/snmp?target=192.0.2.1&module=if_mib&auth=t"
        try:
            urllib.request.urlopen(url, timeout=10)
            raise AssertionError("expected HTTP 500")
        except urllib.error.HTTPError as exc:
            assert exc.code == 500 and b"scrape of 192.0.2.1 failed: RuntimeError" in exc.read()
    finally:
        httpd.shutdown()
        exporter.close()
