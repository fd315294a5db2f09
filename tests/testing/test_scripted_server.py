"""The test double itself (`ScriptedRealtimeServer`): what tests read from it must be right."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import orjson
import pytest
import websockets

from kaiwa.testing import ScriptedRealtimeServer


async def recv_until(ws: Any, kind: str) -> list[dict[str, Any]]:
    events = []
    while True:
        event = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
        events.append(event)
        if event["type"] == kind:
            return events


@pytest.mark.parametrize(("fmt", "bytes_per_ms"), [("audio/pcm", 48), ("audio/pcmu", 8)])
async def test_truncations_count_the_audio_sent_in_the_sessions_format(
    fmt: str, bytes_per_ms: int
) -> None:
    async with ScriptedRealtimeServer() as server:
        async with websockets.connect(server.url) as ws:
            await recv_until(ws, "session.created")
            session = {"type": "realtime", "audio": {"output": {"format": {"type": fmt}}}}
            await ws.send(orjson.dumps({"type": "session.update", "session": session}).decode())
            await recv_until(ws, "session.updated")
            content = [{"type": "input_text", "text": "say: Hello there."}]
            item = {"type": "message", "role": "user", "content": content}
            await ws.send(orjson.dumps({"type": "conversation.item.create", "item": item}).decode())
            await ws.send('{"type": "response.create"}')
            events = await recv_until(ws, "response.done")
            deltas = [e for e in events if e["type"] == "response.output_audio.delta"]
            sent = sum(len(base64.b64decode(d["delta"])) for d in deltas)
            item_id = deltas[0]["item_id"]
            truncate = {
                "type": "conversation.item.truncate",
                "item_id": item_id,
                "content_index": 0,
                "audio_end_ms": 50,
            }
            await ws.send(orjson.dumps(truncate).decode())
            await recv_until(ws, "conversation.item.truncated")
            assert len(server.connections) == 1
        assert server.truncations == [(item_id, 50, pytest.approx(sent / bytes_per_ms))]
        for _ in range(200):  # the server lets the connection go once the socket closed
            if not server.connections:
                break
            await asyncio.sleep(0.01)
        assert server.connections == []
