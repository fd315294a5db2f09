"""Output guardrails: checks run on what the agent is saying, while it says it.

A guardrail function gets the context, the agent and the transcript so far, and returns a
`GuardrailFunctionOutput`. When ``tripwire_triggered`` is true the session cancels the response,
stops the audio already queued for playback, emits ``guardrail_tripped`` and tells the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, overload

from ._util import maybe_await
from .context import RunContextWrapper, TContext

if TYPE_CHECKING:
    from .agent import RealtimeAgent

__all__ = [
    "GuardrailFunctionOutput",
    "OutputGuardrail",
    "OutputGuardrailResult",
    "output_guardrail",
]


@dataclass
class GuardrailFunctionOutput:
    """What a guardrail function returns."""

    output_info: Any
    """Anything you want to keep about the check (shown in the event)."""

    tripwire_triggered: bool
    """True stops the response."""


@dataclass
class OutputGuardrailResult:
    """The outcome of one guardrail on one piece of output."""

    guardrail: OutputGuardrail[Any]
    agent_output: Any
    agent: Any
    output: GuardrailFunctionOutput


GuardrailFunction = Callable[[RunContextWrapper[Any], Any, Any], Any]


@dataclass
class OutputGuardrail(Generic[TContext]):
    """A check on the agent's output text: ``guardrail_function(context, agent, text)``."""

    guardrail_function: GuardrailFunction
    """Sync or async; returns a `GuardrailFunctionOutput`."""

    name: str | None = None
    """Shown in events; defaults to the function's name."""

    def get_name(self) -> str:
        """The guardrail's name, or its function's."""
        return self.name or str(getattr(self.guardrail_function, "__name__", "guardrail"))

    async def run(
        self, context: RunContextWrapper[TContext], agent: RealtimeAgent[Any], agent_output: Any
    ) -> OutputGuardrailResult:
        """Run the check and wrap its output in a result."""
        output = await maybe_await(self.guardrail_function(context, agent, agent_output))
        if not isinstance(output, GuardrailFunctionOutput):
            raise TypeError(
                f"guardrail {self.get_name()!r} returned {type(output).__name__}, "
                "expected GuardrailFunctionOutput"
            )
        return OutputGuardrailResult(
            guardrail=self, agent_output=agent_output, agent=agent, output=output
        )


@overload
def output_guardrail(func: GuardrailFunction, /) -> OutputGuardrail[Any]: ...


@overload
def output_guardrail(
    *, name: str | None = None
) -> Callable[[GuardrailFunction], OutputGuardrail[Any]]: ...


def output_guardrail(
    func: GuardrailFunction | None = None, /, *, name: str | None = None
) -> OutputGuardrail[Any] | Callable[[GuardrailFunction], OutputGuardrail[Any]]:
    """Decorate a function to make it an `OutputGuardrail` (bare or with ``name=``)."""

    def wrap(f: GuardrailFunction) -> OutputGuardrail[Any]:
        return OutputGuardrail(guardrail_function=f, name=name)

    return wrap(func) if func is not None else wrap
