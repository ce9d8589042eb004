"""National IPv6 monitoring metrics for government websites (the catalogue's `system.website`).

For each site: AAAA resolves; the home page answers over IPv6; the IPv4 and IPv6 home pages
are the same (SHA-256 of the body); and the IPv6 support rate of second-level links (on the
home page) and third-level links (on those pages), crawled breadth-first with a bound.
Names resolve through the system resolver, or through a hosts-style map (`ADDRESS NAME…`
lines) when one is given — the lab and the tests serve sites on loopback under made-up names.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import socket
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit


class NameMap:
    def __init__(self, path: Path | None = None):
        self.entries: dict[str, list[str]] = {}
        if path:
            for line in Path(path).read_text().splitlines():
                parts = line.split("#", 1)[0].split()
                for name in parts[1:]:
                    self.entries.setdefault(name.lower(), []).append(parts[0])

    def resolve(self, host: str, family: int) -> list[str]:
        want = 6 if family == socket.AF_INET6 else 4
        if self.entries:
            return [a for a in self.entries.get(host.lower(), []) if ipaddress.ip_address(a).version == want]
        try:
            return sorted({i[4][0] for i in socket.getaddrinfo(host, None, family, socket.SOCK_STREAM)})
        except socket.gaierror:
            return []


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def fetch(url: str, address: str, timeout: float) -> bytes | None:
    """GET url from one specific address (Host header from the URL); None on any failure."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(address, port, timeout=timeout)
    try:
        conn.request("GET", parts.path or "/", headers={"Host": parts.netloc, "User-Agent": "govops-readiness"})
        resp = conn.getresponse()
        body = resp.read(2_000_000)
        return body if 200 <= resp.status < 400 else None
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def links(base: str, body: bytes) -> list[str]:
    p = _Links()
    p.feed(body.decode("utf-8", "replace"))
    out = []
    for href in p.hrefs:
        url = urljoin(base, href).split("#")[0]
        if urlsplit(url).scheme in ("http", "https") and url not in out:
            out.append(url)
    return out


@dataclass
class SiteReport:
    url: str
    aaaa: bool = False
    ipv6_reachable: bool = False
    consistent: bool = False
    link_total: dict[int, int] = field(default_factory=lambda: {2: 0, 3: 0})
    link_ipv6: dict[int, int] = field(default_factory=lambda: {2: 0, 3: 0})


def ipv6_ok(url: str, names: NameMap, timeout: float) -> tuple[bool, bytes | None]:
    host = urlsplit(url).hostname or ""
    for addr in names.resolve(host, socket.AF_INET6):
        body = fetch(url, addr, timeout)
        if body is not None:
            return True, body
    return False, None


def check_site(url: str, names: NameMap, timeout: float = 3.0, max_links: int = 50) -> SiteReport:
    rep = SiteReport(url)
    host = urlsplit(url).hostname or ""
    rep.aaaa = bool(names.resolve(host, socket.AF_INET6))
    ok6, body6 = ipv6_ok(url, names, timeout)
    rep.ipv6_reachable = ok6
    body4 = next((b for a in names.resolve(host, socket.AF_INET) if (b := fetch(url, a, timeout)) is not None), None)
    if body4 is not None and body6 is not None:
        rep.consistent = hashlib.sha256(body4).digest() == hashlib.sha256(body6).digest()
    home = body6 if body6 is not None else body4
    if home is None:
        return rep
    second = links(url, home)[:max_links]
    third: list[str] = []
    for link in second:
        ok, body = ipv6_ok(link, names, timeout)
        rep.link_total[2] += 1
        rep.link_ipv6[2] += ok
        if body is None:
            ok4 = next((b for a in names.resolve(urlsplit(link).hostname or "", socket.AF_INET)
                        if (b := fetch(link, a, timeout)) is not None), None)
            body = ok4
        if body is not None:
            third += [u for u in links(link, body) if u not in second and u != url and u not in third]
    for link in third[:max_links]:
        ok, _ = ipv6_ok(link, names, timeout)
        rep.link_total[3] += 1
        rep.link_ipv6[3] += ok
    return rep
