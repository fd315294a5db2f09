"""`RealtimeAgent`: what a voice agent is, its instructions, tools, handoffs and guardrails."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic

from ._util import maybe_await
from .context import RunContextWrapper, TContext
from .exceptions import UserError
from .guardrail import OutputGuardrail
from .handoff import Handoff, realtime_handoff
from .tool import FunctionTool

__all__ = ["RealtimeAgent", "RealtimeAgentHooks", "RealtimeRunHooks"]


class RealtimeAgentHooks(Generic[TContext]):
    """Callbacks on one agent's lifecycle; override the ones you need."""

    async def on_start(self, context: RunContextWrapper[TContext], agent: Any) -> None:
        """The agent started a response."""

    async def on_end(self, context: RunContextWrapper[TContext], agent: Any, output: Any) -> None:
        """The agent finished a response."""

    async def on_handoff(
        self, context: RunContextWrapper[TContext], agent: Any, source: Any
    ) -> None:
        """The agent was handed the conversation by ``source``."""

    async def on_tool_start(
        self, context: RunContextWrapper[TContext], agent: Any, tool: Any
    ) -> None:
        """A tool call started."""

    async def on_tool_end(
        self, context: RunContextWrapper[TContext], agent: Any, tool: Any, result: Any
    ) -> None:
        """A tool call ended."""


RealtimeRunHooks = RealtimeAgentHooks
"""Run-wide hooks have the same shape in realtime sessions."""

Instructions = str | Callable[[RunContextWrapper[Any], "RealtimeAgent[Any]"], Any] | None


@dataclass
class RealtimeAgent(Generic[TContext]):
    """A voice agent: a name, instructions, and what it can do.

    All agents of a session share one model connection, so there is no per-agent model choice;
    what changes on a handoff is the instructions, the tools and (before the first audio) the
    voice.
    """

    name: str
    """The agent's name; handoff tools are named after it."""

    handoff_description: str | None = None
    """Told to other agents' models to say when to hand off to this one."""

    tools: list[FunctionTool] = field(default_factory=list)
    """Function tools the model may call."""

    instructions: Instructions = None
    """The system prompt, or ``(context, agent) -> str`` (sync or async) to build it per session."""

    prompt: Any = None
    """An OpenAI stored prompt ``{"id": ..., "version": ..., "variables": ...}`` (OpenAI only)."""

    handoffs: list[RealtimeAgent[Any] | Handoff[Any]] = field(default_factory=list)
    """Agents (or `Handoff`s) this agent can pass the conversation to."""

    output_guardrails: list[OutputGuardrail[Any]] = field(default_factory=list)
    """Checks run on what the agent says while it says it."""

    hooks: RealtimeAgentHooks[Any] | None = None
    """Lifecycle callbacks for this agent."""

    voice: str | None = None
    """The voice this agent speaks with (a kaiwa extension; OpenAI voices: alloy, ash, ...)."""

    mcp_servers: list[Any] = field(default_factory=list)
    """Accepted for parity with the reference; MCP servers are not used by realtime sessions."""

    mcp_config: dict[str, Any] = field(default_factory=dict)
    """Accepted for parity with the reference."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise UserError(f"RealtimeAgent name must be a non-empty string, got {self.name!r}")
        for attr in ("tools", "handoffs", "output_guardrails"):
            if not isinstance(getattr(self, attr), list):
                raise UserError(f"RealtimeAgent {attr} must be a list")
        for tool in self.tools:
            if not isinstance(tool, FunctionTool):
                raise UserError(
                    f"agent {self.name!r}: tool {tool!r} is not a FunctionTool "
                    "(decorate the function with @function_tool)"
                )
        if self.instructions is not None and not (
            isinstance(self.instructions, str) or callable(self.instructions)
        ):
            raise UserError("RealtimeAgent instructions must be a string, a callable, or None")

    def clone(self, **kwargs: Any) -> RealtimeAgent[TContext]:
        """A copy with some fields changed (a shallow copy: lists are shared unless replaced)."""
        return dataclasses.replace(self, **kwargs)

    async def get_system_prompt(self, run_context: RunContextWrapper[TContext]) -> str | None:
        """The instructions, calling the instructions function if there is one."""
        if self.instructions is None or isinstance(self.instructions, str):
            return self.instructions
        result = await maybe_await(self.instructions(run_context, self))
        if not isinstance(result, str):
            raise UserError(f"agent {self.name!r}: instructions function must return a str")
        return result

    async def get_all_tools(self, run_context: RunContextWrapper[TContext]) -> list[FunctionTool]:
        """The tools enabled for this context."""
        return [t for t in self.tools if await _enabled(t.is_enabled, run_context, self)]

    async def get_handoffs(self, run_context: RunContextWrapper[TContext]) -> list[Handoff[Any]]:
        """The handoffs enabled for this context, agents turned into `Handoff`s."""
        handoffs = [h if isinstance(h, Handoff) else realtime_handoff(h) for h in self.handoffs]
        return [h for h in handoffs if await _enabled(h.is_enabled, run_context, self)]


async def _enabled(flag: Any, ctx: RunContextWrapper[Any], agent: RealtimeAgent[Any]) -> bool:
    if isinstance(flag, bool):
        return flag
    return bool(await maybe_await(flag(ctx, agent)))
