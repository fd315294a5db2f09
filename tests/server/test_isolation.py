"""Sessions share one model: another session's long answer, or its client not reading, must not
hold up a turn (issue 15). Over real sockets, against a real `kaiwa serve`."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import websockets

from .conftest import API_KEY, Served, start_server, stop_server
from .recorder import Recorder

STORY = "Tell me a long story about a dragon and a village, in ten sentences."


async def ask(ws: Any, text: str, **response: Any) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
    await ws.send(json.dumps({"type": "response.create", "response": response}))


def connect(served: Served, **kwargs: Any) -> Any:
    return websockets.connect(
        served.url, additional_headers={"Authorization": f"Bearer {API_KEY}"}, **kwargs
    )


def spoken(rec: Recorder) -> str:
    return "".join(e["delta"] for e in rec.of("response.output_audio_transcript.delta"))


async def test_a_long_answer_does_not_hold_up_another_sessions_turn(served: Served) -> None:
    # The model makes replies in slices: the short answer is made, and sent whole, while the
    # long one is still being written (before, it waited for the whole story: 22 s).
    async with connect(served) as long_ws, connect(served) as short_ws:
        long_rec, short_rec = Recorder(long_ws.recv), Recorder(short_ws.recv)
        await ask(long_ws, STORY, max_output_tokens=300)
        await long_rec.wait("response.output_audio_transcript.delta", count=3)
        await ask(short_ws, "Say hello.")
        done = await short_rec.wait("response.done", timeout=120)
        assert done["response"]["status"] == "completed"
        assert not long_rec.of("response.done"), "the story was finished first"
        told = len(spoken(long_rec).split())
        story = await long_rec.wait("response.done", timeout=180)
        assert story["response"]["status"] == "completed"
        assert len(spoken(long_rec).split()) > told + 20  # it went on after the hello
        assert "hello" not in spoken(long_rec).lower()
        for rec in (long_rec, short_rec):
            await rec.close()


async def test_a_client_that_stops_reading_does_not_hold_up_another_session() -> None:
    # The stalled client's answer waits for it (its model output is kept, bounded by its token
    # budget); the shared model goes on to other sessions' turns. The server here would cut
    # the stalled client only after 10 minutes: the other session's turns are answered while
    # it is still there, holding its response.
    served = start_server("--api-key", API_KEY, "--stall-timeout", "600")
    try:
        async with connect(served, max_queue=1, max_size=2**16) as stalled:
            await ask(stalled, STORY, max_output_tokens=300)
            # It reads nothing: its frames fill the socket and the server's send queue.
            async with connect(served) as other:
                rec = Recorder(other.recv)
                for question in ("Say hello.", "What is the capital of France?"):
                    await ask(other, question)
                    done = await rec.wait(
                        "response.done", count=len(rec.of("response.done")) + 1, timeout=120
                    )
                    assert done["response"]["status"] == "completed"
                assert "paris" in spoken(rec).lower()
                with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/health") as response:
                    assert json.loads(response.read())["sessions"] == 2  # not cut: still there
                await rec.close()
    finally:
        stop_server(served)
