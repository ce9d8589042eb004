"""Provider credentials from the stack's encrypted config reach every provider as secrets.

The config is built by replaying the `pulumi config set` lines of pulumi/README.md, so the
documented commands are the ones tested.
"""

from __future__ import annotations

import json
import shlex

import pytest

from govops import ipv6
from govops.cloud.mocks import SECRET, run_program
from govops.cloud.settings import PROJECT, from_config, read_stack_config
from govops.sot import load_inventory
from tests.paths import ROOT

README = ROOT / "pulumi" / "README.md"


def readme_config() -> tuple[dict[str, str], list[str], dict[str, str]]:
    """(engine config, secret keys, placeholder -> plaintext): the lab stack's Pulumi.lab.yaml with the
    README's `pulumi config set` lines applied on top, as `pulumi config set --path` merges them."""
    tree: dict = read_stack_config("lab")
    secret_tops: set[str] = set()
    plaintexts: dict[str, str] = {}
    for line in README.read_text().splitlines():
        if not line.startswith("pulumi config set "):
            continue
        words = shlex.split(line)[3:]
        secret = "--secret" in words
        path, value = [w for w in words if not w.startswith("--")]
        if value.startswith("<"):   # a placeholder: each secret gets its own recognisable plaintext
            value = f"placeholder-{len(plaintexts)}"
            if secret:
                value = plaintexts.setdefault(path, f"PLAINTEXT-SECRET-{len(plaintexts)}")
        top, *rest = path.split(".")
        node = tree.setdefault(top, {})
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node[rest[-1]] = value
        if secret:
            secret_tops.add(top)
    config = {f"{PROJECT}:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in tree.items()}
    return config, [f"{PROJECT}:{k}" for k in sorted(secret_tops)], plaintexts


@pytest.fixture(scope="module")
def declared():
    config, secret_keys, plaintexts = readme_config()
    assert secret_keys == [f"{PROJECT}:credentials"] and plaintexts, "README lost its credential commands"
    inv = load_inventory(ROOT / "inventories" / "lab")
    plan = ipv6.require_plan(inv)
    settings = from_config({"inventory": str(inv.path), "centres": json.loads(config[f"{PROJECT}:centres"])})
    assert settings.centres["xyj-prod"].auth_url.startswith("https://")
    decl = run_program(inv, plan, settings, stack="lab", config=config, secret_keys=tuple(secret_keys))
    return decl, plaintexts


def test_every_provider_gets_its_credentials_as_secrets(declared):
    decl, _ = declared
    providers = {r.name: r.inputs for r in decl.resources if r.type == "pulumi:providers:openstack"}
    admin = {n: i for n, i in providers.items() if "." not in n}
    tenants = {n: i for n, i in providers.items() if "." in n}
    assert set(admin) == {"xyj-prod", "xyj-dr", "fenyi-dr"} and tenants
    for name in ("xyj-prod", "xyj-dr"):
        assert admin[name]["password"] == SECRET and admin[name]["userName"] == "govops-operator"
    # fenyi-dr's admin provider uses the application credential ...
    assert admin["fenyi-dr"]["applicationCredentialSecret"] == SECRET
    assert "password" not in admin["fenyi-dr"]
    # ... which cannot be re-scoped, so its tenant providers still re-scope the operator by password
    for name, inputs in tenants.items():
        assert inputs["password"] == SECRET, name
        assert inputs["tenantId"] and "applicationCredentialId" not in inputs, name


def test_no_plaintext_anywhere_in_what_the_program_declares(declared):
    decl, plaintexts = declared
    recorded = json.dumps([(r.urn, r.inputs) for r in decl.resources], ensure_ascii=False)
    for path, plaintext in plaintexts.items():
        assert plaintext not in recorded, path


def test_a_plaintext_password_in_the_stack_file_is_refused():
    with pytest.raises(ValueError, match=r"credentials\.xyj-prod\.password"):
        from_config({"inventory": "x", "centres": {"xyj-prod": {"auth_url": "https://x", "password": "hunter2"}}})
