"""Huawei VRP V8 (NE40E/NE8000/CX600 ``Version 8.x``; CloudEngine ``YunShan OS``): two-phase commit.

The whole change is one candidate, ``commit trial`` arms an automatic revert, a plain ``commit``
confirms it; ``display configuration trial status`` says whether a trial is pending. Sources:
ntc-templates and napalm-huawei-vrp captures (NE40E, CX600), FRINX cli-units (``(10G)`` rate
suffixes, VPN column), the CloudEngine CE6800 V300R023C00 command reference (tests/fixtures/real/huawei_vrpv8).
"""

from __future__ import annotations

import re

from govops.vendors import huawei
from govops.vendors.base import Vendor, huawei_like, project_template

INTERFACE_TYPES = huawei.INTERFACE_TYPES + ("50GE", "200GE", "400GE", "Virtual-Ethernet", "Global-VE")

TEMPLATES = {**huawei.TEMPLATES,
             "trial_status": project_template("huawei_vrpv8_display_configuration_trial_status.textfsm",
                                              "display configuration trial status")}

VENDOR = Vendor(
    platform="huawei_vrpv8",
    names=("Huawei VRP V8", "VRP V800 (NE/CX routers), YunShan OS (CloudEngine)"),
    version_pattern=re.compile(
        r"(?P<family>VRP \(R\) software|YunShan OS), Version (?P<version>8\.\d+|\d+\.\d+\.\d+\.\w+) "
        r"\((?:[^)]*?\s)?(?P<release>V\d{3}R\d{3}\w*)\)"),
    sot_version_pattern=re.compile(
        r"(?:(?:VRP\s+|YunShan OS\s+)?(?:Version\s+)?(?P<version>8\.\d+|\d+\.\d+\.\d+\.\w+),?\s+)?(?P<release>V\d{3}R\d{3}\w*)"),
    sot_version_example="V800R021C10SPC600",
    interface_pattern=huawei.interface_pattern(INTERFACE_TYPES),
    abbreviations={},
    commands={**huawei.COMMANDS, "trial_status": "display configuration trial status"},
    templates=TEMPLATES,
    # CE V300R023 command reference, ping ipv6: "vpn-instance vpn-instance-name" (no dash).
    ping_vpn="ping ipv6 -c 3 vpn-instance {vpn} {addr}",
    commit_model="commit-trial",
    # NE8000 F1A V800R0xx `ospf timer hello interval [conservative]` / `ospfv3 timer hello`: with
    # `conservative` a dead interval "takes effect even when the value is less than 10s"
    # (http://a10.tagan.ru/huawei/netengine8000f1a/command/8090/ospf-hello-interval(OSPFCOMMOM).html,
    # ospfv3-hello-interval(OSPFCOMMOM).html).
    ospf_dead_floor=10,
    ospf3_dead_floor=10,
    drift_ignore=huawei.DRIFT_IGNORE,
    **huawei_like(),
    session=huawei.SESSION,  # VRP's prompts, login questions and paging; `[~H]`/`[*H]` in the pattern
    unverified={
        "running": "only an excerpt of one VRP V8 running configuration (NE40E V800R011, its routing blocks: "
                   "tests/fixtures/real/huawei_vrpv8/display_current-configuration); factory-default IPv6 lines "
                   "assumed as VRP5/V600's",
        "ospf_routes": "no published V8 sample of the OSPF form: the layout is the CE V300R023 reference's and a CE "
                       "lab's for other protocols (direct, IS-IS); OSPF rows as a CE lab's `display ip routing-table`",
        "ospfv3_routes": "the CE V300R023 reference documents the `vpn-instance V protocol` form only (OSPFv3 among its "
                         "protocols); the public-table `protocol ospfv3` output is assumed to print the same blocks",
    },
)
