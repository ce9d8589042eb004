"""netmiko's own drivers, unmodified, against every twin: connect, prompt, show, config, commit, save."""

from __future__ import annotations

import re

import pytest
from gtw_lab import DEVICES

pytestmark = pytest.mark.lab

SHOW_VERSION = {"huawei": ("display version", "Huawei Versatile Routing Platform"),
                "huawei_vrpv8": ("display version", "Version 8.180"),
                "hp_comware": ("display version", "H3C Comware Software"),
                "ruijie_os": ("show version", "Ruijie Networks"),
                "zte_zxros": ("show version", "ZTE ZXR10 Software")}
PROMPTS = {"huawei": "<V5>", "huawei_vrpv8": "<V8>", "hp_comware": "<CW>", "ruijie_os": "RJ#", "zte_zxros": "ZTE#"}
FIRST_PORT = {"v5": "GigabitEthernet0/0/2", "v8": "LoopBack0", "cw": "LoopBack0", "rj": "Loopback 0",
              "zte": "loopback1"}
RUNNING = {"ruijie_os": "show running-config", "zte_zxros": "show running-config"}


@pytest.mark.parametrize("name", list(DEVICES))
def test_netmiko_driver_round_trip(lab, name: str) -> None:
    platform = DEVICES[name]["platform"]
    port = FIRST_PORT[name]
    description = f"netmiko round trip {name}"

    def session(conn):  # noqa: ANN001, ANN202
        out = {"prompt": conn.find_prompt()}
        command, _ = SHOW_VERSION[platform]
        out["version"] = conn.send_command(command)
        out["config"] = conn.send_config_set([f"interface {port}", f"description {description}"])
        if platform == "huawei_vrpv8":
            out["commit"] = conn.commit(comment="round trip")
        out["save"] = conn.save_config()
        out["running"] = conn.send_command(RUNNING.get(platform, "display current-configuration"))
        return out

    out = lab.netmiko(name, session)
    assert out["prompt"] == PROMPTS[platform]
    assert SHOW_VERSION[platform][1] in out["version"]
    assert "rror" not in out["config"] and "Invalid" not in out["config"]
    # The description is in the running configuration, right under its interface.
    assert re.search(rf"interface {re.escape(port)}\n description {description}", out["running"])
    # save_config wrote the device's saved configuration (and says so the vendor's way).
    saved = lab.state_dir / name / "saved.cfg"
    assert saved.exists() and description in saved.read_text()
    assert re.search(r"successfully|\[OK\]", out["save"])


def test_vrpv8_commit_is_listed_with_its_comment(lab) -> None:
    def session(conn):  # noqa: ANN001, ANN202
        conn.send_config_set(["interface LoopBack0", "description commit-comment-check"])
        conn.commit(comment="add loopback description")
        return conn.send_command("display configuration commit list verbose")

    listing = lab.netmiko("v8", session)
    assert "Description: add loopback description" in listing
    assert re.search(r"CommitId: 10000000\d\d", listing)
