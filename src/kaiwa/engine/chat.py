"""What the realtime layer and an LLM stage say to each other: messages, tools, tool calls,
and the streamed reply (`LLMStage`). `kaiwa.engine.llm.LocalLLM` (llama.cpp in-process) and
`kaiwa.engine.llm_http.ChatCompletionsLLM` (a chat-completions URL) are the two stages.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncGenerator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from ..exceptions import UserError
from ._threads import Cancel

__all__ = [
    "AsyncLLMStage",
    "ChatMessage",
    "LLMStage",
    "LlmDelta",
    "ToolCall",
    "ToolChoice",
    "ToolSpec",
    "choose_tools",
]


@dataclass(frozen=True)
class ToolSpec:
    """A function the model may call."""

    name: str
    description: str
    parameters: Mapping[str, Any]

    def as_function(self) -> dict[str, Any]:
        """The tool as chat completions (and chat templates) list it: a ``function``."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": dict(self.parameters),
            },
        }


SILENT_TURN = "(The user says nothing.)"
"""What the LLM reads for a user turn in which no words were heard."""


@dataclass(frozen=True)
class ToolCall:
    """A call the model made: its name and JSON arguments (valid for the tool's schema)."""

    name: str
    arguments: str
    call_id: str = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:16]}")

    def parsed_arguments(self) -> dict[str, Any] | None:
        """The arguments as a JSON object (none given: empty); None if they are not one."""
        try:
            arguments = json.loads(self.arguments or "{}")
        except ValueError:
            return None
        return arguments if isinstance(arguments, dict) else None

    def with_arguments(self, arguments: Mapping[str, Any]) -> ToolCall:
        """This call (the same id) with ``arguments`` instead."""
        return dataclasses.replace(self, arguments=json.dumps(arguments, ensure_ascii=False))

    def replaced(self, key: str, value: Any) -> ToolCall:
        """This call with its value of ``key`` replaced by ``value``; itself when it gives no
        such value (or its arguments are no object), or already that one (``true`` is not
        the number 1)."""
        arguments = self.parsed_arguments()
        if arguments is None or key not in arguments:
            return self
        current = arguments[key]
        if isinstance(current, bool) == isinstance(value, bool) and current == value:
            return self
        return self.with_arguments({**arguments, key: value})


@dataclass(frozen=True)
class ChatMessage:
    """One message of the conversation, as the LLM sees it."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True)
class LlmDelta:
    """A piece of the reply: text, or a complete tool call."""

    text: str = ""
    tool_call: ToolCall | None = None


ToolChoice = str | Mapping[str, Any]


class LLMStage(Protocol):
    """The one method the realtime layer needs from an LLM."""

    def stream(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec] = (),
        *,
        tool_choice: ToolChoice = "auto",
        max_tokens: int = 256,
        cancel: Cancel | None = None,
        usage: dict[str, int] | None = None,
    ) -> Iterator[LlmDelta]:
        """Blocking generator of the reply; stops within one token once ``cancel`` is set.

        ``usage``, if given, receives the prompt's token counts before the reply ends:
        ``input_tokens``, and ``cached_tokens`` (of those, how many were not evaluated again).
        """
        ...


@runtime_checkable
class AsyncLLMStage(LLMStage, Protocol):
    """An LLM stage that can also stream to the event loop without a thread of the caller's
    (`LocalLLM`: from its model's own thread). The responder uses `astream` when it is there."""

    def astream(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec] = (),
        *,
        tool_choice: ToolChoice = "auto",
        max_tokens: int = 256,
        cancel: Cancel | None = None,
        usage: dict[str, int] | None = None,
    ) -> AsyncGenerator[LlmDelta, None]:
        """`stream` as an async iterator; closing it early (``aclose``) stops the model."""
        ...


def choose_tools(tool_choice: ToolChoice, tools: Sequence[ToolSpec]) -> tuple[str, list[ToolSpec]]:
    """("auto" | "none" | "required", the tools a call may use)."""
    if isinstance(tool_choice, Mapping):
        name = tool_choice.get("name") or (tool_choice.get("function") or {}).get("name")
        chosen = [t for t in tools if t.name == name]
        if not chosen:
            raise UserError(f"tool_choice names {name!r}, which is not among the tools")
        return "required", chosen
    if tool_choice not in ("auto", "none", "required"):
        raise UserError(
            f"tool_choice must be auto, none, required or a function, not {tool_choice!r}"
        )
    if tool_choice == "required" and not tools:
        raise UserError("tool_choice is 'required' but there are no tools")
    return tool_choice, list(tools)
