"""Commands whose handler is data, declared in one line in a dialect's class body.

Most CLI commands of every vendor do one of two things: set fields of the interface being
configured (``shutdown`` / ``undo shutdown`` / ``no shutdown``, ``description``...), or print
one renderer's view of the device (``display version``, ``show ip route``...). The dialects
declare those as table rows here instead of a method each::

    shutdown = sets_interface("interface", "shutdown", "Shut down the interface", shutdown=True)
    display_version = shows("display version", "Version information", "render_version")

A row is a plain method of the class, so a subclass still overrides it by name and calls
``super()`` (vrp5's ``ipv6_enable`` checks the global ``ipv6`` switch first).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from lab.twins.dialects.base import ANY, command


@dataclass(frozen=True)
class Param:
    """The command's parameter as a field's value, cut to `limit` characters if given."""

    limit: int | None = None

    def value(self, given: str) -> str:
        return given if self.limit is None else given[:self.limit]


def sets_interface(view: str, pattern: str, help: str = "", **fields: Any) -> Callable:  # noqa: A002
    """A command whose whole effect is ``interface.<field> = value`` for each field given.

    A value is a constant (copied, so a list is never shared between interfaces) or a Param,
    the command's one parameter."""

    async def handler(self: Any, *args: str) -> str:
        intf = self.interface()
        for name, value in fields.items():
            setattr(intf, name, value.value(*args) if isinstance(value, Param) else copy.copy(value))
        return ""

    return command(view, pattern, help)(handler)


# What a display command may need from the device, fetched when the command runs.
async def _running(dialect: Any) -> Any:
    return dialect.device.running


async def _kernel(dialect: Any) -> Any:
    return await dialect.device.kernel.state()


async def _routes(dialect: Any) -> Any:
    return await dialect.routing_state()


RUNNING, KERNEL, ROUTES = "running", "kernel", "routes"
_INPUTS: dict[str, Callable[[Any], Awaitable[Any]]] = {RUNNING: _running, KERNEL: _kernel, ROUTES: _routes}


def shows(pattern: str, help: str, render: str, *inputs: Any) -> Callable:  # noqa: A002
    """A command valid in every view that prints ``self.<render>(*inputs)``.

    An input named RUNNING, KERNEL or ROUTES is the running configuration, the kernel's state or
    the routes the device would show (``routing_state``), read when the command runs; any other
    input (an address family...) is passed as it is. `render` is looked up on the dialect, so a
    subclass's renderer is the one used."""

    async def handler(self: Any) -> str:
        args = [await _INPUTS[i](self) if isinstance(i, str) and i in _INPUTS else i for i in inputs]
        return getattr(self, render)(*args)

    return command(ANY, pattern, help)(handler)
