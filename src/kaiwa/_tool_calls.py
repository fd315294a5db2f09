"""Running the model's function calls for a session: tools, handoffs, approvals, failures.

Nothing here can kill a session: a tool that raises, times out or does not exist becomes an
``error`` event plus an error output the model can read and recover from.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pydantic

from ._util import maybe_await
from .context import RunContextWrapper, ToolContext
from .exceptions import ToolError, ToolTimeoutError, UnknownToolError, UserError
from .handoff import Handoff
from .tool import FunctionTool

if TYPE_CHECKING:
    from .agent import RealtimeAgent
    from .models.model_events import RealtimeModelToolCallEvent

__all__ = ["ApprovalGate", "ToolOutcome", "find_target", "run_tool", "serialize_output"]

DEFAULT_REJECTION_MESSAGE = "Tool execution was not approved."


@dataclasses.dataclass
class ToolOutcome:
    """What a call produced: the text for the model, and the error if it failed."""

    output: str
    raw: Any
    error: ToolError | None = None


def serialize_output(value: Any) -> str:
    """A tool's return value as the text the model reads."""
    if isinstance(value, str):
        return value
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


async def find_target(
    agent: RealtimeAgent[Any], ctx: RunContextWrapper[Any], call: RealtimeModelToolCallEvent
) -> FunctionTool | Handoff[Any]:
    """The tool or handoff the call names, among those enabled for ``agent``.

    Raises:
        UnknownToolError: no such tool; the message lists the ones that exist.
    """
    for handoff in await agent.get_handoffs(ctx):
        if handoff.tool_name == call.name:
            return handoff
    tools = await agent.get_all_tools(ctx)
    for tool in tools:
        if tool.name == call.name:
            return tool
    names = [t.name for t in tools] + [h.tool_name for h in await agent.get_handoffs(ctx)]
    raise UnknownToolError(
        f"agent {agent.name!r} has no tool {call.name!r}; its tools are: "
        + (", ".join(names) or "(none)"),
        tool_name=call.name,
        call_id=call.call_id,
    )


async def run_tool(
    tool: FunctionTool,
    call: RealtimeModelToolCallEvent,
    ctx: RunContextWrapper[Any],
    *,
    default_timeout: float | None,
    error_formatter: Callable[[RunContextWrapper[Any], Exception], Any] | None,
) -> ToolOutcome:
    """Run one tool call with its timeout, turning any failure into an outcome."""
    tool_ctx = ToolContext(
        context=ctx.context,
        usage=ctx.usage,
        tool_name=call.name,
        tool_call_id=call.call_id,
        tool_arguments=call.arguments,
    )
    timeout = tool.timeout_seconds or default_timeout
    try:
        invocation: Awaitable[Any] = tool.on_invoke_tool(tool_ctx, call.arguments)
        raw = await asyncio.wait_for(invocation, timeout) if timeout else await invocation
        return ToolOutcome(output=serialize_output(raw), raw=raw)
    except asyncio.TimeoutError:
        error: ToolError = ToolTimeoutError(
            f"tool {tool.name!r} timed out after {timeout} s",
            tool_name=tool.name,
            call_id=call.call_id,
        )
    except ToolError as exc:
        error = exc
    except Exception as exc:
        error = ToolError(
            f"tool {tool.name!r} raised {exc!r}", tool_name=tool.name, call_id=call.call_id
        )
        error.__cause__ = exc
    cause = error.__cause__ if isinstance(error.__cause__, Exception) else error
    formatter = error_formatter or tool.failure_error_function
    try:
        message = str(await maybe_await(formatter(ctx, cause))) if formatter else str(error)
    except Exception as exc:  # a broken formatter must not hide the original failure
        message = f"{error} (and the error formatter failed: {exc!r})"
    return ToolOutcome(output=message, raw=message, error=error)


class ApprovalGate:
    """Tool calls waiting for the application's yes or no, and the session-wide answers."""

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[str, asyncio.Future[tuple[bool, str | None]]]] = {}
        self._always: dict[str, bool] = {}  # tool name -> approved (True) / rejected (False)

    async def needs_approval(
        self, tool: FunctionTool, call: RealtimeModelToolCallEvent, ctx: RunContextWrapper[Any]
    ) -> bool:
        """Whether this call must wait (a remembered "always" answer never waits)."""
        if tool.name in self._always:
            return False
        needs = tool.needs_approval
        if callable(needs):
            try:
                args = json.loads(call.arguments or "{}")
            except ValueError:
                args = {}
            needs = await maybe_await(needs(ctx, args, call.call_id))
        return bool(needs)

    def remembered(self, tool: FunctionTool) -> bool | None:
        """The session-wide answer for this tool, if one was given with ``always=True``."""
        return self._always.get(tool.name)

    def wait(self, tool: FunctionTool, call_id: str) -> asyncio.Future[tuple[bool, str | None]]:
        """A future resolved with ``(approved, rejection_message)`` by `decide`."""
        future: asyncio.Future[tuple[bool, str | None]] = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = (tool.name, future)
        return future

    def decide(self, call_id: str, approved: bool, message: str | None, always: bool) -> None:
        """Answer a waiting call.

        Raises:
            UserError: no call with this id is waiting.
        """
        entry = self._waiting.pop(call_id, None)
        if entry is None:
            raise UserError(f"no tool call {call_id!r} is waiting for approval")
        tool_name, future = entry
        if not future.done():
            future.set_result((approved, message))
        if always:
            self._always[tool_name] = approved

    def cancel_all(self) -> None:
        """The session is closing: stop every wait."""
        for _, future in self._waiting.values():
            future.cancel()
        self._waiting.clear()
