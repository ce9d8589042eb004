"""Metric mapping for the readiness exporter; probes run on every scrape (bounded by timeouts)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from prometheus_client.core import GaugeMetricFamily

from monitoring.readiness.devices import DeviceReadiness, probe_device
from monitoring.readiness.websites import NameMap, SiteReport, check_site
from monitoring.snmp.transport import Credentials, Endpoint, SnmpClient

DEVICE_LABELS = ["device", "site", "tier", "platform"]


def device_families(results: list[DeviceReadiness]):
    fams = {
        "planned": GaugeMetricFamily("govops_ipv6_planned_addresses", "IPv6 addresses the plan gives the device "
                                     "(loopback and link ends).", labels=DEVICE_LABELS),
        "present": GaugeMetricFamily("govops_ipv6_present_addresses", "Planned IPv6 addresses found in the device's "
                                     "IP-MIB ipAddressTable.", labels=DEVICE_LABELS),
        "dual": GaugeMetricFamily("govops_ipv6_dual_stack", "1 if every planned IPv6 address is on the device.",
                                  labels=DEVICE_LABELS),
        "probe": GaugeMetricFamily("govops_ipv6_probe_up", "1 if the device answered the SNMP address-table walk.",
                                   labels=DEVICE_LABELS),
        "reach": GaugeMetricFamily("govops_ipv6_loopback_reachable", "1 if the device's IPv6 loopback answers "
                                   "ICMPv6 echo from the exporter.", labels=DEVICE_LABELS),
    }
    tier_total, tier_dual, county_total, county_dual = Counter(), Counter(), Counter(), Counter()
    for r in results:
        labels = [r.device, r.site, r.tier, r.platform]
        fams["planned"].add_metric(labels, r.planned)
        fams["present"].add_metric(labels, r.present)
        fams["dual"].add_metric(labels, int(r.dual_stack))
        fams["probe"].add_metric(labels, int(r.probe_ok))
        if r.loopback_reachable is not None:
            fams["reach"].add_metric(labels, int(r.loopback_reachable))
        tier_total[r.tier] += 1
        tier_dual[r.tier] += r.dual_stack
        county_total[r.county] += 1
        county_dual[r.county] += r.dual_stack
    yield from fams.values()
    tier = GaugeMetricFamily("govops_ipv6_dual_stack_ratio_by_tier", "Share of devices dual-stack, per tier.",
                             labels=["tier"])
    for t in sorted(tier_total):
        tier.add_metric([t], tier_dual[t] / tier_total[t])
    county = GaugeMetricFamily("govops_ipv6_dual_stack_ratio_by_county", "Share of devices dual-stack, per county.",
                               labels=["county"])
    for c in sorted(county_total):
        county.add_metric([c], county_dual[c] / county_total[c])
    yield from (tier, county)


def website_families(reports: list[tuple[str, str, SiteReport]]):
    labels = ["system", "department", "url"]
    aaaa = GaugeMetricFamily("govops_website_aaaa_resolves", "1 if the site's host name has an AAAA record.", labels=labels)
    reach = GaugeMetricFamily("govops_website_ipv6_reachable", "1 if the home page answers over IPv6.", labels=labels)
    same = GaugeMetricFamily("govops_website_ipv4_ipv6_consistent", "1 if the IPv4 and IPv6 home pages are identical.",
                             labels=labels)
    ratio = GaugeMetricFamily("govops_website_link_ipv6_ratio", "Share of crawled links at that level reachable over "
                              "IPv6 (level 2: home page links, 3: their links).", labels=[*labels, "level"])
    count = GaugeMetricFamily("govops_website_links_checked", "Links crawled at that level.", labels=[*labels, "level"])
    for system, dept, rep in reports:
        lv = [system, dept, rep.url]
        aaaa.add_metric(lv, int(rep.aaaa))
        reach.add_metric(lv, int(rep.ipv6_reachable))
        same.add_metric(lv, int(rep.consistent))
        for level in (2, 3):
            count.add_metric([*lv, str(level)], rep.link_total[level])
            if rep.link_total[level]:
                ratio.add_metric([*lv, str(level)], rep.link_ipv6[level] / rep.link_total[level])
    yield from (aaaa, reach, same, ratio, count)


class ReadinessCollector:
    def __init__(self, inv, plan, auth: str = "v3", ping: bool = False, names: NameMap | None = None,
                 snmp_timeout: float = 2.0, websites: bool = True, devices: bool = True,
                 auths: dict[str, Credentials] | None = None, targets: dict[str, tuple[str, int]] | None = None):
        """`auth`: v3/v2c (each device's SoT credentials) or a name in `auths` (an auth file's entries,
        used for every device); `targets`: device -> (host, port) probed instead of its mgmt address:161."""
        self.inv, self.plan, self.auth, self.ping = inv, plan, auth, ping
        self.auths, self.targets = dict(auths or {}), dict(targets or {})
        if auth not in ("v2c", "v3", *self.auths):
            raise ValueError(f"auth {auth!r} is neither v2c, v3 nor one of {sorted(self.auths)}")
        self.names = names or NameMap()
        self.snmp_timeout = snmp_timeout
        self.websites, self.devices = websites, devices
        self.client = SnmpClient()
        self.loop = asyncio.new_event_loop()  # one loop (and so one SnmpEngine) for every scrape
        self._lock = threading.Lock()  # the HTTP server collects from several threads

    def _creds(self, dev) -> Credentials:
        if self.auth in self.auths:
            return self.auths[self.auth]
        s = dev.snmp
        if self.auth == "v2c":
            return Credentials(2, community=s.community)
        return Credentials(3, user=s.v3_user, auth_key=s.v3_auth_key, priv_key=s.v3_priv_key)

    async def _devices(self) -> list[DeviceReadiness]:
        devs = [d for d in self.inv.devices.values() if d.snmp is not None]
        return await asyncio.gather(*(probe_device(self.client, self.inv, self.plan, d, self._endpoint(d),
                                                   self._creds(d), self.ping) for d in devs))

    def _endpoint(self, dev) -> Endpoint:
        host, port = self.targets.get(dev.name, (str(dev.mgmt_ipv4), 161))
        return Endpoint(host, port, timeout=self.snmp_timeout, retries=0)

    def collect(self):
        with self._lock:
            yield from self._collect()

    def _collect(self):
        if self.devices:
            yield from device_families(self.loop.run_until_complete(self._devices()))
        if self.websites:
            sites = [s for s in self.inv.systems.values() if s.website]
            with ThreadPoolExecutor(max_workers=8) as pool:
                reports = list(pool.map(lambda s: (s.id, s.department, check_site(s.website, self.names)), sites))
            yield from website_families(reports)
