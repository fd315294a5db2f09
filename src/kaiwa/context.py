"""The context object passed to tools, guardrails, handoffs and dynamic instructions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic

from typing_extensions import TypeVar

__all__ = ["RunContextWrapper", "TContext", "ToolContext", "Usage"]

TContext = TypeVar("TContext", default=Any)


@dataclass
class Usage:
    """Tokens used so far in a session, summed over every ``response.done``."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0

    def add(self, other: Usage) -> None:
        """Add another usage record to this one, in place."""
        self.requests += other.requests
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.total_tokens += other.total_tokens


@dataclass
class RunContextWrapper(Generic[TContext]):
    """Wraps the ``context`` object you pass to ``RealtimeRunner.run(context=...)``.

    kaiwa never reads or changes ``context``: it is yours, handed back to every tool, guardrail,
    handoff callback and instructions function of the session.
    """

    context: TContext
    """The object given to ``RealtimeRunner.run(context=...)``."""

    usage: Usage = field(default_factory=Usage)
    """Tokens used by the session so far."""


@dataclass
class ToolContext(RunContextWrapper[TContext]):
    """The context a function tool receives, with the call it is answering."""

    tool_name: str = ""
    """The name of the tool the model called."""

    tool_call_id: str = ""
    """The model's id of this call."""

    tool_arguments: str = ""
    """The raw JSON arguments the model sent."""
