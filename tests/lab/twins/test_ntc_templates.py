"""Live twin output parses with ntc-templates, as an ops script's ``use_textfsm=True`` would."""

from __future__ import annotations

import pytest
from ntc_templates.parse import parse_output

pytestmark = pytest.mark.lab


def _collect(lab, name: str, commands: list[str]) -> dict[str, str]:  # noqa: ANN001
    return lab.netmiko(name, lambda conn: {c: conn.send_command(c) for c in commands})


@pytest.mark.parametrize("name,model", [("v5", "S5720-28X-SI-AC"), ("v8", "CE6850-48S6Q-HI")])
def test_huawei_output_parses_with_huawei_vrp_templates(lab, name: str, model: str) -> None:  # noqa: ANN001
    out = _collect(lab, name, ["display interface brief", "display ip routing-table verbose", "display version"])

    brief = parse_output(platform="huawei_vrp", command="display interface brief",
                         data=out["display interface brief"])
    by_name = {row["interface"]: row for row in brief}
    assert by_name["LoopBack0"]["phy"] == "up" and by_name["LoopBack0"]["protocol"] == "up(s)"
    link = "GigabitEthernet0/0/1" if name == "v5" else "GigabitEthernet0/1/0"
    assert by_name[link]["phy"] == "up" and by_name[link]["protocol"] == "up"

    routes = parse_output(platform="huawei_vrp", command="display ip routing-table verbose",
                          data=out["display ip routing-table verbose"])
    connected = {r["destination"]: r for r in routes}
    assert connected["198.18.10.0/30"]["protocol"] == "Direct"
    assert connected["198.18.10.0/30"]["interface"] == link

    version = parse_output(platform="huawei_vrp", command="display version", data=out["display version"])
    assert version[0]["model"] == model
    assert version[0]["vrp_version"] == ("5.170" if name == "v5" else "8.180")


def test_comware_output_parses_with_hp_comware_templates(lab) -> None:  # noqa: ANN001
    out = _collect(lab, "cw", ["display interface brief", "display ip routing-table"])

    brief = parse_output(platform="hp_comware", command="display interface brief",
                         data=out["display interface brief"])
    by_name = {row["interface"]: row for row in brief}
    assert by_name["GE1/0/1"]["link"] == "UP"
    assert by_name["GE1/0/1"]["main_ip"] == "198.18.30.1"
    assert by_name["GE1/0/1"]["description"] == "to rj"

    routes = parse_output(platform="hp_comware", command="display ip routing-table",
                          data=out["display ip routing-table"])
    default = [r for r in routes if r["network"] == "0.0.0.0" and r["prefix_length"] == "0"]
    assert default and default[0]["protocol"] == "Static" and default[0]["nexthop_ip"] == "198.18.30.2"
    assert default[0]["nexthop_if"] == "GE1/0/1"
