"""The prompt patterns sessions read to (govops/vendors SessionProfile, network.session, issue 20).

A read ends when the prompt is the last thing the device sent, in any view, and never earlier: a
configuration that mentions the host name, or a prompt in the middle of the output, must not end
it. Prompts are the ones vendor documentation prints in its examples (Huawei VRP/CloudEngine, H3C
Comware 7, Ruijie RGOS, ZTE ZXR10 command references: documentation wording, not captures), plus
the one real Comware prompt in tests/fixtures/real (``<HS125X>``, ntc-templates capture).
"""

from __future__ import annotations

import re

import pytest

from govops import vendors

# (platform, host name, prompt, in a configuration view)
PROMPTS = [
    ("huawei", "HUAWEI", "<HUAWEI>", False),
    ("huawei", "HUAWEI", "[HUAWEI]", True),
    ("huawei", "HUAWEI", "[HUAWEI-GigabitEthernet0/0/1]", True),
    ("huawei", "HUAWEI", "[HUAWEI-acl6-adv-3000]", True),
    ("huawei_vrpv8", "HUAWEI", "<HUAWEI>", False),
    ("huawei_vrpv8", "HUAWEI", "[~HUAWEI]", True),
    ("huawei_vrpv8", "HUAWEI", "[*HUAWEI-10GE1/0/1]", True),
    ("hp_comware", "HS125X", "<HS125X>", False),  # tests/fixtures/real/hp_comware/display_ip_routing-table
    ("hp_comware", "Sysname", "[Sysname]", True),
    ("hp_comware", "Sysname", "[Sysname-GigabitEthernet1/0/1]", True),
    ("ruijie_os", "Ruijie", "Ruijie>", False),
    ("ruijie_os", "Ruijie", "Ruijie#", False),
    ("ruijie_os", "Ruijie", "Ruijie(config)#", True),
    ("ruijie_os", "Ruijie", "Ruijie(config-if-GigabitEthernet 0/1)#", True),
    ("zte_zxros", "ZXR10", "ZXR10#", False),
    ("zte_zxros", "ZXR10", "ZXR10(config)#", True),
    ("zte_zxros", "ZXR10", "ZXR10(config-if-gei-0/1/0/1)#", True),
]


def _pattern(platform: str, name: str) -> str:
    return vendors.get(platform).session.prompt.replace("{name}", re.escape(name))


@pytest.mark.parametrize(("platform", "name", "prompt", "config"), PROMPTS)
def test_a_read_ends_at_the_prompt_of_any_view(platform, name, prompt, config):
    profile = vendors.get(platform).session
    output = f"display version\r\nsome output line\r\n{prompt}"
    assert re.search(_pattern(platform, name), output)
    assert bool(re.search(profile.config_prompt, prompt)) is config


@pytest.mark.parametrize(("platform", "name", "prompt", "config"), PROMPTS)
def test_a_read_does_not_end_before_the_prompt(platform, name, prompt, config):
    pattern = _pattern(platform, name)
    # the host name in the configuration, and an earlier prompt followed by more output
    assert not re.search(pattern, f"sysname {name}\r\nhostname {name}\r\n interface x\r\n")
    assert not re.search(pattern, f"{prompt}display current-configuration\r\n#\r\n")
    if not config:  # another device's exec prompt is not this one's (a view label may look like anything)
        assert not re.search(pattern, prompt.replace(name, name + "-2"))


@pytest.mark.parametrize("platform", sorted(vendors.VENDORS))
def test_patterns_have_no_capturing_groups(platform):
    """netmiko splits its reads on the pattern: a capturing group would break the split."""
    profile = vendors.get(platform).session
    assert re.compile(profile.prompt.replace("{name}", "H")).groups == 0
    assert profile.preparation and profile.logout and profile.config_enter and profile.config_exit
