"""Checks shared by the tests: a server event as strict clients read it; a worker's idle job
queued; a call's arguments once the tool-call policy judged it."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import orjson

from kaiwa.protocol import parse_server_event

if TYPE_CHECKING:
    from kaiwa.core import RealtimeConnection
    from kaiwa.engine.chat import ToolCall, ToolSpec
    from kaiwa.engine.worker import ModelWorker

__all__ = ["judged_arguments", "next_of", "strict", "until_idle_job_queued"]


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path or "<event>"]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _nulls(v, f"{path}[{i}]")]
    return []


def strict(raw: bytes | str) -> dict[str, Any]:
    """A server frame, checked as strict clients check it: valid for its
    ``openai.types.realtime`` model, with an ``event_id``, and no ``null`` anywhere."""
    data: dict[str, Any] = orjson.loads(raw)
    parse_server_event(data)
    assert data.get("event_id"), data
    assert not _nulls(data), f"nulls in {data['type']}: {_nulls(data)}"
    return data


async def next_of(conn: RealtimeConnection, kind: str, timeout: float = 60) -> dict[str, Any]:
    """The connection's next event of type ``kind`` (the others before it are dropped)."""

    async def find() -> dict[str, Any]:
        while (event := await conn.next_event()) is not None:
            if event["type"] == kind:
                return event
        raise AssertionError(f"closed before {kind}")

    return await asyncio.wait_for(find(), timeout)


def until_idle_job_queued(worker: ModelWorker) -> None:
    """Return once a `ModelWorker.when_idle` job waits in ``worker``'s idle queue (polled
    every millisecond: the worker tells nobody; fails after 10 s)."""
    deadline = time.monotonic() + 10
    while not worker._idle:
        assert time.monotonic() < deadline, "no idle job was queued"
        time.sleep(0.001)


def judged_arguments(said: str, call: ToolCall, tool: ToolSpec) -> dict[str, Any]:
    """The arguments of ``call`` (to ``tool``, the agent's one tool) once the tool-call
    policy judged it as the answer to the user's ``said``; it must be made."""
    from kaiwa.engine.chat import ChatMessage
    from kaiwa.engine.tool_policy import Asked, ToolCallPolicy, VerdictKind

    messages = [ChatMessage("system", "An agent."), ChatMessage("user", said)]
    asked = Asked(messages=messages, mode="auto", shown=(tool,), callable=(tool,))
    verdict = ToolCallPolicy().judge([call], asked)
    assert verdict.kind is VerdictKind.CALL
    arguments = verdict.calls[0].parsed_arguments()
    assert arguments is not None
    return arguments
