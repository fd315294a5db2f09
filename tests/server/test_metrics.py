"""``kaiwa serve --metrics``: Prometheus metrics and per-turn log lines, over a real socket,
on `FakeStages`. The exposition is read with prometheus_client's own text parser."""

from __future__ import annotations

import asyncio
import logging
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from kaiwa.server import ServerConfig, create_app
from kaiwa.testing import FakeStages

from .conftest import serving


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = create_app(FakeStages(), ServerConfig(api_keys=("k",), metrics=True))
    async with serving(app) as port:
        yield f"127.0.0.1:{port}"


async def scrape(host: str, key: str | None = "k") -> dict[str, Any]:
    """The metrics' samples: {(name, frozenset(labels)): value}."""
    request = urllib.request.Request(f"http://{host}/metrics")
    if key:
        request.add_header("Authorization", f"Bearer {key}")

    def fetch() -> bytes:
        with urllib.request.urlopen(request, timeout=10) as response:
            return bytes(response.read())

    text = await asyncio.to_thread(fetch)
    samples: dict[Any, float] = {}
    for family in text_string_to_metric_families(text.decode()):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


async def talk(ws: Any, text: str) -> dict[str, Any]:
    content = [{"type": "input_text", "text": text}]
    item = {"type": "message", "role": "user", "content": content}
    await ws.send(orjson.dumps({"type": "conversation.item.create", "item": item}).decode())
    await ws.send('{"type": "response.create"}')
    while (event := orjson.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] != "response.done":
        pass
    return dict(event)


async def test_turns_errors_and_sessions_are_counted(
    server: str, caplog: pytest.LogCaptureFixture
) -> None:
    before = await scrape(server)
    assert before[("kaiwa_sessions_active", frozenset())] == 0
    caplog.set_level(logging.INFO, logger="kaiwa.metrics")
    url = f"ws://{server}/v1/realtime"
    async with websockets.connect(url, additional_headers={"Authorization": "Bearer k"}) as ws:
        await ws.recv()  # session.created
        await ws.send('{"type": "response.cancel"}')  # nothing to cancel: an error event
        while (event := orjson.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] != "error":
            pass
        code = event["error"]["code"]
        done = [await talk(ws, "say: One."), await talk(ws, "say: Two.")]
        during = await scrape(server)
    assert during[("kaiwa_sessions_active", frozenset())] == 1
    for _ in range(500):  # the server lets the session go once its socket has closed
        after = await scrape(server)
        if after[("kaiwa_sessions_active", frozenset())] == 0:
            break
        await asyncio.sleep(0.02)
    assert after[("kaiwa_sessions_active", frozenset())] == 0
    completed = ("kaiwa_responses_total", frozenset({("status", "completed")}))
    assert after[completed] == 2
    assert after[("kaiwa_errors_total", frozenset({("code", code)}))] == 1
    typed = frozenset({("spoken", "false")})
    assert after[("kaiwa_first_audio_seconds_count", typed)] == 2
    # Each stage's histogram counted both turns, and the stages' sums add up to the turns'.
    stages = ("response_created", "first_audio", "done")
    for stage in stages:
        assert after[("kaiwa_turn_stage_seconds_count", frozenset({("stage", stage)}))] == 2
    output = sum(d["response"]["usage"]["output_tokens"] for d in done)
    assert after[("kaiwa_tokens_total", frozenset({("kind", "output")}))] == output
    # A line per turn in the log, naming the session and the response.
    lines = [r.getMessage() for r in caplog.records if r.name == "kaiwa.metrics"]
    assert len(lines) == 2
    for line, d in zip(lines, done, strict=True):
        assert d["response"]["id"] in line and "completed typed" in line and "done=" in line


async def test_the_metrics_want_the_key(server: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        await scrape(server, key=None)
    assert refused.value.code == 401
    refused.value.close()


async def test_without_the_option_there_is_no_metrics_route() -> None:
    app = create_app(FakeStages(), ServerConfig())
    assert app.state.server.metrics is None
    assert "/metrics" not in [getattr(r, "path", "") for r in app.routes]


async def test_the_stages_queue_depths_are_read_at_each_scrape() -> None:
    depths = {"vad": 0, "asr": 0, "llm": 0, "tts": 0}

    class Queued(FakeStages):
        def queue_depths(self) -> dict[str, int]:
            return dict(depths)

    app = create_app(Queued(), ServerConfig(api_keys=("k",), metrics=True))
    async with serving(app) as port:
        host = f"127.0.0.1:{port}"
        first = await scrape(host)
        depths.update(asr=2, llm=3, tts=1)
        second = await scrape(host)

    def depth(samples: dict[str, Any], stage: str) -> float:
        return samples[("kaiwa_stage_queue_depth", frozenset({("stage", stage)}))]

    assert [depth(first, s) for s in depths] == [0, 0, 0, 0]
    assert [depth(second, s) for s in depths] == [0, 2, 3, 1]


async def test_stages_without_queues_have_no_queue_gauge(server: str) -> None:
    assert not any(name == "kaiwa_stage_queue_depth" for name, _ in await scrape(server))
