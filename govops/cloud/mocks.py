"""Run the program under ``pulumi.runtime.set_mocks`` (Pulumi's documented unit-test mode) and
record every resource it registers: type, name, inputs, parent, and which centre's provider.

No CLI, no engine, no cloud: the real SDK and the real pulumi_openstack classes build the
requests, a mock monitor answers them. Mock ids are ``mock:<type>::<name>`` so a recorded input
that references another resource says which one (drift resolves it against a real export).
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass, field

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import get_root_resource, reset_options
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from govops import ipv6
from govops.sot.model import Inventory

from .settings import PROJECT, StackSettings
from .validate import require_cloud_inputs

MOCK_ID = "mock:"
INVOKED = "mock:invoke:"
SECRET = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE = "pulumi:pulumi:StackReference"


class MissingStackError(LookupError):
    """A StackReference to a stack that has no outputs yet (its `pulumi up` has not run)."""


@dataclass
class Declared:
    """One registered resource, as the engine would store it (URN in the engine's form)."""

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict
    parent: str | None          # engine URN of the parent component (None: the stack)
    provider: str | None        # name of the provider resource (centre id, or centre.department)
    id: str | None = None
    aliases: list[str] = field(default_factory=list)   # earlier parents' URNs this resource answers to

    @property
    def centre(self) -> str | None:
        """The centre whose API this resource is created through (for a provider: its own centre)."""
        name = self.name if self.type.startswith("pulumi:providers:") else self.provider
        return name.split(".")[0] if name else None


@dataclass
class Declaration:
    stack: str
    project: str
    resources: list[Declared] = field(default_factory=list)
    outputs: dict = field(default_factory=dict)            # the stack's exports (pulumi.export)

    @property
    def providers(self) -> list[Declared]:
        return [r for r in self.resources if r.type.startswith("pulumi:providers:")]

    @property
    def references(self) -> list[str]:
        """Stacks this one reads through StackReference."""
        return [r.inputs["name"] for r in self.resources if r.type == STACK_REFERENCE]

    def of_type(self, *suffixes: str) -> list[Declared]:
        """Resources whose type token ends with one of the suffixes (e.g. ``networking/subnet:Subnet``)."""
        return [r for r in self.resources if r.type.endswith(suffixes)]

    def by_name(self, typ_suffix: str, name: str) -> Declared:
        return next(r for r in self.of_type(typ_suffix) if r.name == name)


def normalise(value):
    """Make recorded inputs comparable: integral floats back to int (the wire has only doubles),
    secrets blanked, nested values recursively."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        if "4dabf18193072939515e22adb298388d" in value:   # Pulumi's secret signature key
            return SECRET
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return value


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self, stack_outputs: dict[str, dict] | None = None):
        super().__init__()
        self.stack_outputs = stack_outputs or {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        if args.typ == STACK_REFERENCE:   # what the engine answers: the referenced stack's outputs
            name = args.inputs["name"]
            if name not in self.stack_outputs:
                raise MissingStackError(f"StackReference {name}: no such stack deployed (run it first)")
            return name, {"name": name, "outputs": self.stack_outputs[name], "secretOutputNames": []}
        return f"{MOCK_ID}{args.typ}::{args.name}", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs):
        # Invokes (identity lookups) answer with recognisable placeholders; returned as a plain dict:
        # (dict, None) crashes MockMonitor.Invoke (shared/reference/cloud-iac.md §3.1).
        token = args.token.rsplit(":", 1)[-1]
        return {"id": f"{INVOKED}{token}:{args.args.get('name', '')}", "userId": f"{INVOKED}{token}:user",
                "name": args.args.get("name", "")}


class _RecordingMonitor(MockMonitor):
    def __init__(self, mocks, declaration: Declaration):
        super().__init__(mocks)
        self.declaration = declaration
        self.engine_urn: dict[str, tuple[str, str]] = {}   # mock URN -> (engine URN, qualified type)
        self.provider_names: dict[str, str] = {}           # "urn::id" -> provider name

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == STACK_TYPE:
            self.stack_urn = response.urn
            return response
        parent = self.engine_urn.get(request.parent)
        qualified = f"{parent[1]}${request.type}" if parent else request.type
        d = self.declaration
        urn = f"urn:pulumi:{d.stack}::{d.project}::{qualified}::{request.name}"
        self.engine_urn[response.urn] = (urn, qualified)
        if request.type.startswith("pulumi:providers:"):
            self.provider_names[f"{response.urn}::{response.id}"] = request.name
        state = self.resources[response.urn].state   # secrets still wrapped: normalise() blanks them
        d.resources.append(Declared(
            urn=urn, type=request.type, name=request.name, custom=bool(request.custom),
            inputs=normalise(dict(state)) if request.custom else {},
            parent=parent[0] if parent else None,
            provider=self.provider_names.get(request.provider) if request.provider else None,
            id=response.id or None,
            aliases=[self._alias_urn(a, request, d) for a in request.aliases]))
        return response


    def ReadResource(self, request):
        """Reads (StackReference) are recorded so a stack says what it depends on; they create nothing."""
        response = super().ReadResource(request)
        parent = self.engine_urn.get(request.parent)
        qualified = f"{parent[1]}${request.type}" if parent else request.type
        d = self.declaration
        d.resources.append(Declared(
            urn=f"urn:pulumi:{d.stack}::{d.project}::{qualified}::{request.name}", type=request.type,
            name=request.name, custom=False, inputs={"name": request.id}, parent=parent[0] if parent else None,
            provider=None))
        return response

    def RegisterResourceOutputs(self, request):
        if request.urn == getattr(self, "stack_urn", None):
            self.declaration.outputs = normalise(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)

    def _alias_urn(self, alias, request, d: Declaration) -> str:
        """The URN an alias spec stands for (only the `noParent` form: 'was at the stack root')."""
        if alias.spec.noParent:
            return f"urn:pulumi:{d.stack}::{d.project}::{request.type}::{alias.spec.name or request.name}"
        return alias.urn or f"(alias under {alias.spec.parentUrn})"


def ensure_event_loop() -> None:
    """Pulumi's runtime calls asyncio.get_event_loop(); an earlier asyncio.run() in this thread leaves none."""
    try:
        asyncio.get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


def run_program(inv: Inventory, plan: ipv6.Plan, settings: StackSettings, stack: str = "mock",
                config: dict[str, str] | None = None, secret_keys: tuple[str, ...] = (),
                stack_outputs: dict[str, dict] | None = None) -> Declaration:
    """Declare the whole cloud of an inventory under mocks; every resource registered, in order.

    ``config`` is the stack config as the engine hands it to the program (``"govops-cloud:key"`` ->
    JSON text), ``secret_keys`` the keys set with ``--secret``. Catalogue problems raise
    CloudInputError before the mocks are even set up."""
    from .program import declare_cloud
    from .stacks import parse_stack

    require_cloud_inputs(inv, plan)
    scope = parse_stack(stack, inv)
    declaration = Declaration(stack=stack, project=PROJECT)
    mocks = _Mocks(stack_outputs)
    ensure_event_loop()
    # Fresh settings and a fresh root stack every run: set_mocks keeps an existing root stack, and
    # every resource of an earlier run left under it makes the next run about twice as slow.
    reset_options(project=PROJECT, stack=stack, preview=False)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=False,
                             monitor=_RecordingMonitor(mocks, declaration))
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys))
    from pulumi.runtime.settings import SETTINGS

    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    # The run builds ~100 long-lived objects per resource; the cyclic GC rescanning them all the
    # time doubles the run (bench/pulumi/RESULTS.md). Collect once at the end instead.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        def program() -> None:
            declare_cloud(inv, plan, settings, scope)
            # What the engine's entry point does at the end (run_in_stack): register the stack's exports.
            # (set_mocks' root stack registered its empty outputs when it was made; register them again.)
            root = get_root_resource()
            root.register_outputs(dict(root.outputs))

        _sync_await(run_pulumi_func(program))
    finally:
        if was_enabled:
            gc.enable()
    return declaration


def run_stacks(inv: Inventory, plan: ipv6.Plan, settings: StackSettings, env: str) -> dict[str, Declaration]:
    """Every stack of the split environment, in `pulumi up` order, each under mocks; tenant stacks read
    the platform stacks' recorded outputs through their StackReferences."""
    from .stacks import platform_reference, split

    outputs: dict[str, dict] = {}
    done: dict[str, Declaration] = {}
    for scope in split(inv, env):
        decl = run_program(inv, plan, settings, stack=scope.name, stack_outputs=outputs)
        if scope.ident in inv.centres and scope.kind == "platform":
            outputs[platform_reference(env, scope.ident)] = decl.outputs
        done[scope.name] = decl
    return done
