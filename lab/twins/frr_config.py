"""The vendor's OSPF configuration (the twin's model) translated into FRR's configuration.

Huawei VRP and H3C Comware enable OSPF with ``network ADDRESS WILDCARD`` under ``area`` and set
cost, network type, timers and MD5 in the interface view (OSPFv3 its own cost and timers); IOS-like CLIs write the same facts as
``network ... area``. All of them land in one DeviceConfig, so one translation serves every
dialect. FRR runs one OSPF and one OSPFv3 instance per device: a second vendor process is
reported, not silently merged.
"""

from __future__ import annotations

import ipaddress
import logging

from lab.twins.model import DeviceConfig

log = logging.getLogger(__name__)


def network_prefix(statement: str) -> str:
    """``198.18.8.2 0.0.0.1`` (address, wildcard) -> ``198.18.8.2/31``."""
    address, wildcard = statement.split()
    hostmask = int(ipaddress.IPv4Address(wildcard))
    length = 32 - hostmask.bit_length()
    return str(ipaddress.IPv4Network(f"{address}/{length}", strict=False))


def render_frr(cfg: DeviceConfig) -> str:
    """FRR configuration text for ``cfg`` (empty routing sections when OSPF is not configured)."""
    lines = ["frr defaults traditional", f"hostname {cfg.sysname}", "!"]
    for process in sorted(cfg.ospf)[1:]:
        log.warning("%s: OSPF process %s not run (FRR runs one instance per device)", cfg.sysname, process)
    ospf = cfg.ospf[min(cfg.ospf)] if cfg.ospf else None
    ospf3 = cfg.ospf3[min(cfg.ospf3)] if cfg.ospf3 else None
    for intf in sorted(cfg.interfaces.values(), key=lambda i: i.kernel):
        o = intf.ospf
        if o is None or intf.vpn:
            continue
        body = []
        if ospf is not None:
            if o.cost:
                body.append(f" ip ospf cost {o.cost}")
            if o.p2p:
                body.append(" ip ospf network point-to-point")
            if o.hello:
                body.append(f" ip ospf hello-interval {o.hello}")
            if o.dead:
                body.append(f" ip ospf dead-interval {o.dead}")
            if o.md5_key_id and o.md5_key:
                body += [" ip ospf authentication message-digest",
                         f" ip ospf message-digest-key {o.md5_key_id} md5 {o.md5_key}"]
        if ospf3 is not None and o.ospf3_process == ospf3.process and o.ospf3_area:
            body.append(f" ipv6 ospf6 area {o.ospf3_area}")
            # OSPFv3's own cost only (`ospfv3 cost`, IOS-like `ipv6 ospf cost`), never OSPFv2's `ospf cost`.
            # None set: VRP and Comware 7 compute it from the interface bandwidth (reference 100 Mbps / the
            # port's Mbps, at least 1: Huawei NE8000 "ospfv3 cost" and VRP "display default-parameter
            # ospfv3" Bandwidth-Reference 100; HPE 10500 Comware 7 "Setting an OSPFv3 cost for an
            # interface"); ospf6d's auto-cost (reference bandwidth 100 Mbps) stands in for it.
            if o.ospf3_cost:
                body.append(f" ipv6 ospf6 cost {o.ospf3_cost}")
            # OSPFv3's own network type only (`ospfv3 network-type p2p`, IOS-like `ipv6 ospf network
            # point-to-point`), never OSPFv2's: none set is broadcast, the vendors' Ethernet default (HPE
            # Comware 7 "ospfv3 network-type") and ospf6d's.
            if o.ospf3_p2p:
                body.append(" ipv6 ospf6 network point-to-point")
            if intf.name in ospf3.silent:  # OSPFv3's own silent-interface/passive-interface: no hellos
                body.append(" ipv6 ospf6 passive")
            # OSPFv3's own timers only (`ospfv3 timer hello|dead`, IOS-like `ipv6 ospf hello-interval|
            # dead-interval`): a vendor's OSPFv3 does not take OSPFv2's `ospf timer` (Huawei EDOC1100064351
            # "ospfv3 timer hello"), so none set leaves ospf6d at its default 10/40 s, as the device runs.
            if o.ospf3_hello:
                body.append(f" ipv6 ospf6 hello-interval {o.ospf3_hello}")
            if o.ospf3_dead:
                body.append(f" ipv6 ospf6 dead-interval {o.ospf3_dead}")
        if body:
            lines += [f"interface {intf.kernel}", *body, "exit", "!"]
    if ospf is not None:
        lines.append("router ospf")
        if ospf.router_id:
            lines.append(f" ospf router-id {ospf.router_id}")
        # The lab's engine schedules SPF and LSAs at once (FRR's defaults hold them up to seconds),
        # so `lab up` converges fast; the vendor timers (hello/dead) are the configured ones.
        lines += [" timers throttle spf 0 50 500", " timers throttle lsa all 0", " timers lsa min-arrival 0"]
        for name in ospf.silent:
            if name in cfg.interfaces:
                lines.append(f" passive-interface {cfg.interfaces[name].kernel}")
        for area in ospf.areas.values():
            for statement in area.networks:
                lines.append(f" network {network_prefix(statement)} area {area.area}")
        lines += ["exit", "!"]
    if ospf3 is not None:
        lines.append("router ospf6")
        if ospf3.router_id:
            lines.append(f" ospf6 router-id {ospf3.router_id}")
        lines += ["exit", "!"]
    return "\n".join(lines) + "\n"
