"""OpenTelemetry spans for a session's turns, from its `TurnMetrics`.

With the ``opentelemetry-api`` package and no SDK configured, every call here is a no-op. A user
who configures a tracer provider (an exporter to Jaeger, Honeycomb, an OTLP collector...) gets,
per session:

- ``realtime session``: from the first event to the connection's end;
- ``realtime turn`` (a child of it) per response, from the end of the user's speech (or the
  request) to ``response.done``, with the GenAI semantic conventions where they fit
  (``gen_ai.operation.name``, ``gen_ai.response.id``, ``gen_ai.usage.input_tokens``...);
- under each turn, a span per stage, one after the other: ``end_of_turn``, ``transcription``,
  ``response_created``, ``first_audio``, ``done`` (the same cut as `TurnMetrics.stages`);
- ``execute_tool {name}`` per tool call (``handoff {agent}`` for a ``transfer_to_...`` call),
  from its arguments sent to its output received.

Spans are made when a turn is done, with the times it measured (`time.perf_counter` values
turned into the wall clock once): nothing is held open between events.
"""

from __future__ import annotations

import time
from typing import Any

from .metrics import TurnMetrics

__all__ = ["TurnTracer"]

HANDOFF_PREFIX = "transfer_to_"


class TurnTracer:
    """Spans for one session (see the module docstring).

    Args:
        tracer: an OpenTelemetry tracer (default: ``trace.get_tracer("kaiwa")``, a no-op
            until the application configures a provider).
        system: the ``gen_ai.system`` attribute (``kaiwa`` for the offline engine).
        session_id: the ``session.id`` attribute of the session span.
    """

    def __init__(
        self, tracer: Any = None, *, system: str = "kaiwa", session_id: str | None = None
    ) -> None:
        from opentelemetry import trace

        self._trace = trace
        self._tracer = tracer if tracer is not None else trace.get_tracer("kaiwa")
        self._system = system
        # perf_counter -> wall clock (ns since the epoch), fixed once for the session.
        self._offset_ns = time.time_ns() - time.perf_counter_ns()
        attributes = {"gen_ai.system": system}
        if session_id:
            attributes["session.id"] = session_id
        self._session = self._tracer.start_span("realtime session", attributes=attributes)
        self._closed = False

    def _ns(self, at: float) -> int:
        return int(at * 1e9) + self._offset_ns

    def turn(self, turn: TurnMetrics) -> None:
        """Record one response's spans."""
        if self._closed or turn.done is None:
            return
        parent = self._trace.set_span_in_context(self._session)
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.system": self._system,
            "gen_ai.response.id": turn.response_id,
            "gen_ai.usage.input_tokens": turn.input_tokens,
            "gen_ai.usage.output_tokens": turn.output_tokens,
            "kaiwa.turn.spoken": turn.spoken,
            "kaiwa.response.status": turn.status,
        }
        if turn.cached_tokens:
            attributes["kaiwa.usage.cached_tokens"] = turn.cached_tokens
        if turn.early_reply_kept is not None:
            attributes["kaiwa.early_reply_kept"] = turn.early_reply_kept
        if turn.barge_in is not None:
            attributes["kaiwa.barge_in_seconds"] = turn.barge_in
        if turn.first_audio is not None:
            attributes["kaiwa.first_audio_seconds"] = turn.first_audio
        if turn.llm_first_token is not None:
            attributes["kaiwa.llm_first_token_seconds"] = turn.llm_first_token
        first = min([turn.start, *(t.sent_at for t in turn.tools)])
        span = self._tracer.start_span(
            "realtime turn", context=parent, start_time=self._ns(first), attributes=attributes
        )
        inside = self._trace.set_span_in_context(span)
        for tool in turn.tools:
            handoff = tool.name.startswith(HANDOFF_PREFIX)
            name = (
                f"handoff {tool.name.removeprefix(HANDOFF_PREFIX)}"
                if handoff
                else f"execute_tool {tool.name}"
            )
            child = self._tracer.start_span(
                name,
                context=inside,
                start_time=self._ns(tool.sent_at),
                attributes={
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": tool.name,
                    "gen_ai.tool.call.id": tool.call_id,
                },
            )
            child.end(end_time=self._ns(tool.sent_at + tool.seconds))
        start, end = self._ns(turn.start), self._ns(turn.start) + round(turn.done * 1e9)
        stages = turn.stages()
        at, reached = start, 0.0
        for i, (stage, seconds) in enumerate(stages.items()):
            reached += seconds
            # The last stage ends with the turn (the sum may differ from it by a rounding).
            until = end if i == len(stages) - 1 else start + round(reached * 1e9)
            child = self._tracer.start_span(
                stage, context=inside, start_time=at, attributes={"kaiwa.stage": stage}
            )
            child.end(end_time=until)
            at = until
        span.end(end_time=end)

    def close(self) -> None:
        """End the session span (once)."""
        if not self._closed:
            self._closed = True
            self._session.end()
