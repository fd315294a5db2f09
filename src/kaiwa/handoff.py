"""Handoffs: one agent passing the conversation to another.

The model sees each handoff as a function tool named ``transfer_to_<agent>``. When it calls one,
the session switches agent, sends the new agent's instructions, tools and voice in a
``session.update``, emits a ``handoff`` event and answers the call with ``{"assistant": name}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

import pydantic

from ._util import maybe_await
from .context import RunContextWrapper, TContext
from .exceptions import UserError

if TYPE_CHECKING:
    from .agent import RealtimeAgent

__all__ = ["Handoff", "default_handoff_tool_name", "realtime_handoff"]


def default_handoff_tool_name(agent_name: str) -> str:
    """``"Billing Agent"`` -> ``"transfer_to_billing_agent"``."""
    return "transfer_to_" + re.sub(r"[^a-zA-Z0-9]+", "_", agent_name).strip("_").lower()


@dataclass
class Handoff(Generic[TContext]):
    """A handoff the model can call, shown to it as a function tool."""

    tool_name: str
    tool_description: str
    input_json_schema: dict[str, Any]
    on_invoke_handoff: Callable[[RunContextWrapper[Any], str], Awaitable[RealtimeAgent[Any]]]
    """``(context, arguments_json) -> agent``: runs the callback and returns the next agent."""
    agent_name: str
    is_enabled: bool | Callable[[RunContextWrapper[Any], Any], Any] = True
    strict_json_schema: bool = True
    input_filter: Any = field(default=None, repr=False)
    """Accepted for parity with the reference; realtime sessions keep the whole history."""
    agent: RealtimeAgent[Any] | None = field(default=None, repr=False, compare=False)
    """The agent it hands off to, when known (`realtime_handoff` sets it): the session has
    the model prepare for that agent's settings ahead (`RealtimeModel.prepare`)."""


def realtime_handoff(
    agent: RealtimeAgent[Any],
    *,
    tool_name_override: str | None = None,
    tool_description_override: str | None = None,
    on_handoff: Callable[..., Any] | None = None,
    input_type: type[Any] | None = None,
    is_enabled: bool | Callable[[RunContextWrapper[Any], Any], Any] = True,
) -> Handoff[Any]:
    """Make a `Handoff` to ``agent``.

    Args:
        agent: the agent that takes over.
        tool_name_override: the tool's name; default ``transfer_to_<agent name>``.
        tool_description_override: the tool's description; default names the agent and its
            ``handoff_description``.
        on_handoff: called when the handoff happens: ``(context)``, or ``(context, input)``
            when ``input_type`` is given (sync or async).
        input_type: a type (a pydantic model, a dataclass...) for arguments the model must give.
        is_enabled: a bool, or ``(context, agent) -> bool``.
    """
    if input_type is not None and on_handoff is None:
        raise UserError("realtime_handoff: input_type needs an on_handoff to receive the input")
    adapter = pydantic.TypeAdapter(input_type) if input_type is not None else None
    schema: dict[str, Any] = (
        adapter.json_schema()
        if adapter is not None
        else {"type": "object", "properties": {}, "additionalProperties": False}
    )

    async def invoke(ctx: RunContextWrapper[Any], arguments: str) -> RealtimeAgent[Any]:
        if on_handoff is not None:
            if adapter is not None:
                try:
                    value = adapter.validate_python(json.loads(arguments or "{}"))
                except (ValueError, pydantic.ValidationError) as exc:
                    raise UserError(f"invalid handoff arguments: {exc}") from exc
                await maybe_await(on_handoff(ctx, value))
            else:
                await maybe_await(on_handoff(ctx))
        return agent

    description = (
        tool_description_override
        or (
            f"Handoff to the {agent.name} agent to handle the request. "
            f"{agent.handoff_description or ''}"
        ).strip()
    )
    return Handoff(
        tool_name=tool_name_override or default_handoff_tool_name(agent.name),
        tool_description=description,
        input_json_schema=schema,
        on_invoke_handoff=invoke,
        agent_name=agent.name,
        is_enabled=is_enabled,
        agent=agent,
    )
