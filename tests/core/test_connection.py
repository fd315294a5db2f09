"""`RealtimeConnection` driven directly (no socket), where event timing is in the test's hands."""

from __future__ import annotations

import asyncio
from typing import Any

from kaiwa.core import RealtimeConnection
from kaiwa.engine.engine import Engine


async def next_of(conn: RealtimeConnection, kind: str, timeout: float = 60) -> dict[str, Any]:
    async def find() -> dict[str, Any]:
        while (event := await conn.next_event()) is not None:
            if event["type"] == kind:
                return event
        raise AssertionError(f"closed before {kind}")

    return await asyncio.wait_for(find(), timeout)


async def test_a_response_cancelled_before_it_starts_still_ends() -> None:
    # The in-process model hands events over back to back: response.create and
    # response.cancel arrive before the response's task has run at all.
    engine = await asyncio.to_thread(Engine.load)
    conn = RealtimeConnection(engine)
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi!"}]}
    await conn.receive({"type": "conversation.item.create", "item": item})
    await conn.receive({"type": "response.create"})
    await conn.receive({"type": "response.cancel"})
    first = await next_of(conn, "response.done")
    assert first["response"]["status"] == "cancelled"
    assert first["response"]["status_details"]["reason"] == "client_cancelled"
    await conn.receive({"type": "response.create", "response": {"output_modalities": ["text"]}})
    second = await next_of(conn, "response.done")
    assert second["response"]["status"] == "completed"
    await conn.close()
