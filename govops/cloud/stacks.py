"""Which stacks an environment is split into, and what each one declares.

- ``<env>``: everything in one stack (the lab; a small cloud);
- ``<env>.platform.<centre>``: one centre's platform (provider, extranet, pools, BGP, shared services,
  flavors, images, volume types); exports what tenants build on;
- ``<env>.tenant.<department>``: one department's tenants in every centre it uses, its systems and
  their DR replicas; reads the platform stacks' outputs through ``StackReference``.

So one department's change is a preview of one small stack with a few providers, and the city's
``pulumi up`` runs platform stacks first, then tenant stacks in any order (``govops cloud stacks``).
"""

from __future__ import annotations

from dataclasses import dataclass

from govops.sot.model import Inventory

from .intent import build_intent

ALL, PLATFORM, TENANT = "all", "platform", "tenant"


class StackNameError(ValueError):
    """A stack name that is not `<env>`, `<env>.platform.<centre>` or `<env>.tenant.<department>`."""


@dataclass(frozen=True)
class StackScope:
    env: str
    kind: str = ALL
    ident: str | None = None   # centre id (platform) or department id (tenant)

    @property
    def name(self) -> str:
        return self.env if self.kind == ALL else f"{self.env}.{self.kind}.{self.ident}"


def parse_stack(stack: str, inv: Inventory | None = None) -> StackScope:
    env, _, rest = stack.partition(".")
    if not rest:
        return StackScope(env)
    kind, _, ident = rest.partition(".")
    if kind not in (PLATFORM, TENANT) or not ident:
        raise StackNameError(f"stack {stack!r}: expected <env>, <env>.platform.<centre> or <env>.tenant.<department>")
    if inv is not None:
        known = inv.centres if kind == PLATFORM else inv.departments
        if ident not in known:
            raise StackNameError(f"stack {stack!r}: no {'centre' if kind == PLATFORM else 'department'} {ident!r} "
                                 f"in {inv.path}; expected one of {', '.join(known)}")
    return StackScope(env, kind, ident)


def platform_reference(env: str, centre_id: str) -> str:
    """The StackReference name of a centre's platform stack (the DIY backend's organization/project/stack form)."""
    from .settings import PROJECT

    return f"organization/{PROJECT}/{env}.platform.{centre_id}"


def split(inv: Inventory, env: str) -> list[StackScope]:
    """Every stack of a split environment in `pulumi up` order: platforms, then tenants with a tenant somewhere."""
    intent = build_intent(inv)
    departments = [d for d in inv.departments if any(dept == d for _, dept in intent.tenants)]
    return ([StackScope(env, PLATFORM, c) for c in inv.centres] +
            [StackScope(env, TENANT, d) for d in departments])
