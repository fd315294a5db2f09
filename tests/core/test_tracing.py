"""OpenTelemetry spans of a session's turns, received by the SDK's in-memory exporter."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kaiwa.core import RealtimeConnection, ToolTime, TurnMetrics
from kaiwa.core.tracing import TurnTracer
from kaiwa.server.metrics import SessionMetrics
from kaiwa.testing import FakeStages
from tests.core.test_driver import MANUAL, next_of, say


@pytest.fixture
def exported() -> tuple[Any, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test"), exporter


def children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


def nested(child: ReadableSpan, parent: ReadableSpan) -> bool:
    assert None not in (child.start_time, child.end_time, parent.start_time, parent.end_time)
    return parent.start_time <= child.start_time <= child.end_time <= parent.end_time  # type: ignore[operator]


def test_a_turn_becomes_nested_spans(exported: tuple[Any, InMemorySpanExporter]) -> None:
    tracer, exporter = exported
    spans_of = TurnTracer(tracer, session_id="sess_1")
    now = time.perf_counter()  # (the turn's times are perf_counter values, after the start)
    ms = 0.001
    turn = TurnMetrics("resp_1", start=now + 3 * ms, spoken=True, end_of_turn=5 * ms)
    turn.transcript, turn.response_created, turn.first_audio = 5.5 * ms, 6 * ms, 9 * ms
    turn.done, turn.status = 30 * ms, "completed"
    turn.input_tokens, turn.output_tokens = 120, 30
    turn.tools = [
        ToolTime("get_weather", "call_1", 1.5 * ms, sent_at=now + ms),
        ToolTime("transfer_to_billing", "call_2", 0.5 * ms, sent_at=now + 2 * ms),
    ]
    spans_of.turn(turn)
    time.sleep(0.05)  # the session goes on after its turn
    spans_of.close()
    spans = list(exporter.get_finished_spans())
    [session] = [s for s in spans if s.name == "realtime session"]
    [turn_span] = children(spans, session)
    assert turn_span.name == "realtime turn" and nested(turn_span, session)
    attributes = dict(turn_span.attributes or {})
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.response.id"] == "resp_1"
    assert attributes["gen_ai.usage.input_tokens"] == 120
    assert attributes["gen_ai.usage.output_tokens"] == 30
    inside = children(spans, turn_span)
    assert all(nested(s, turn_span) for s in inside)
    names = [s.name for s in inside]
    assert "execute_tool get_weather" in names and "handoff billing" in names
    stages = [s for s in inside if s.name in turn.stages()]
    assert [s.name for s in stages] == list(turn.stages())
    for a, b in itertools.pairwise(stages):
        assert a.end_time == b.start_time  # one after the other
    assert stages[0].start_time == int((now + 3 * ms) * 1e9) + spans_of._offset_ns
    assert stages[-1].end_time == turn_span.end_time
    tool = next(s for s in inside if s.name == "execute_tool get_weather")
    assert tool.end_time - tool.start_time == pytest.approx(1.5e6, abs=1e3)  # type: ignore[operator]
    assert dict(tool.attributes or {})["gen_ai.tool.call.id"] == "call_1"


async def test_a_served_sessions_turns_are_traced(
    exported: tuple[Any, InMemorySpanExporter],
) -> None:
    tracer, exporter = exported
    observer = SessionMetrics("sess_2", tracer=tracer)
    conn = RealtimeConnection(FakeStages(), session=MANUAL, observer=observer)
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
    await conn.receive({"type": "session.update", "session": {"type": "realtime", "tools": [tool]}})
    await say(conn, "call get_weather")
    await conn.receive({"type": "response.create"})
    args = await next_of(conn, "response.function_call_arguments.done")
    await next_of(conn, "response.done")
    output = {"type": "function_call_output", "call_id": args["call_id"], "output": json.dumps(1)}
    await conn.receive({"type": "conversation.item.create", "item": output})
    await conn.receive({"type": "response.create"})
    await next_of(conn, "response.done")
    assert not [s for s in exporter.get_finished_spans() if s.name == "realtime session"]
    await conn.close()
    observer.close()  # as kaiwa serve does when the socket is gone
    spans = list(exporter.get_finished_spans())
    [session] = [s for s in spans if s.name == "realtime session"]
    assert dict(session.attributes or {})["session.id"] == "sess_2"
    turns = children(spans, session)
    assert [s.name for s in turns] == ["realtime turn", "realtime turn"]
    [call] = [s for s in children(spans, turns[1]) if s.name.startswith("execute_tool")]
    assert call.name == "execute_tool get_weather" and nested(call, turns[1])
