"""pulumi/__main__.py, run the way `pulumi preview` runs it: cwd pulumi/, config from Pulumi.lab.yaml."""

from __future__ import annotations

import json
import runpy

import pulumi
import yaml
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from tests.paths import ROOT

PULUMI = ROOT / "pulumi"


class Recording(pulumi.runtime.Mocks):
    def __init__(self):
        self.resources = []
        self.inputs = {}

    def new_resource(self, args):
        self.resources.append((args.typ, args.name, args.provider))
        self.inputs[args.name] = args.inputs
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {"id": "role-id", "userId": "user-id"}


def test_project_directory_is_not_a_package():
    # a pulumi/__init__.py would shadow the Pulumi SDK for everything importing `pulumi`
    assert not (PULUMI / "__init__.py").exists()
    assert pulumi.__file__.startswith(str(ROOT / ".venv"))


def test_entry_program_declares_the_lab_stack_from_its_config(monkeypatch):
    stack = yaml.safe_load((PULUMI / "Pulumi.lab.yaml").read_text())["config"]
    # the engine hands config to the program as strings, objects as JSON
    config = {k: json.dumps(v) if isinstance(v, dict | list) else str(v) for k, v in stack.items()}
    monkeypatch.chdir(PULUMI)
    mocks = Recording()
    pulumi.runtime.set_mocks(mocks, project="govops-cloud", stack="lab", preview=False)
    pulumi.runtime.set_all_config(config)
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(PULUMI / "__main__.py"), run_name="__main__")))
    finally:
        pulumi.runtime.set_all_config({})
    providers = {name: typ for typ, name, _ in mocks.resources if typ == "pulumi:providers:openstack"}
    assert {"xyj-prod", "xyj-dr", "fenyi-dr", "xyj-prod.bdc"} <= set(providers)
    assert mocks.inputs["xyj-prod"]["authUrl"] == stack["govops-cloud:centres"]["xyj-prod"]["auth_url"]
    assert mocks.inputs["xyj-prod.bdc"]["cloud"] == "lab-xyj-prod"
    assert mocks.inputs["xyj-prod-bgp"]["localAs"] == 65101
    systems = sorted(name for typ, name, _ in mocks.resources if typ == "govops:cloud:System")
    assert systems == ["data-exchange", "doc-exchange", "gov-portal"]
    peers = [name for typ, name, prov in mocks.resources if typ.endswith("bgpSpeakerV2:BgpSpeakerV2")]
    assert len(peers) == 3
