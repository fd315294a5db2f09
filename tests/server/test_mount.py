"""`RealtimeServer`'s routes mounted into another app, over a real socket, on `FakeStages`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
import pytest
import websockets
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from kaiwa.server import RealtimeServer, ServerConfig
from kaiwa.testing import FakeStages

from .conftest import serving


@pytest.fixture
async def mounted() -> AsyncIterator[str]:
    server = RealtimeServer(FakeStages(), ServerConfig(api_keys=("k",)))

    async def home(_: object) -> PlainTextResponse:
        return PlainTextResponse("the host app")

    app = Starlette(routes=[Route("/", home), Mount("/openai", routes=server.routes)])
    async with serving(app) as port:
        yield f"ws://127.0.0.1:{port}/openai/v1/realtime"


async def test_mounted_routes_serve_a_session(mounted: str) -> None:
    headers = {"Authorization": "Bearer k"}
    async with websockets.connect(mounted, additional_headers=headers) as ws:
        assert orjson.loads(await ws.recv())["type"] == "session.created"
        content = [{"type": "input_text", "text": "say: Mounted and well."}]
        item = {"type": "message", "role": "user", "content": content}
        await ws.send(orjson.dumps({"type": "conversation.item.create", "item": item}).decode())
        await ws.send('{"type": "response.create"}')
        while (event := orjson.loads(await asyncio.wait_for(ws.recv(), 10)))[
            "type"
        ] != "response.done":
            pass
        assert event["response"]["output"][0]["content"][0]["transcript"] == "Mounted and well."


async def test_the_mounted_routes_still_want_the_key(mounted: str) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(mounted):
            pass
    assert refused.value.response.status_code == 401
