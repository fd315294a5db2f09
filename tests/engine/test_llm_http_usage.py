"""`ChatCompletionsLLM` reads the token counts a server reports at the end of a stream.

Against a scripted chat-completions server (a test fixture, on 127.0.0.1): it answers every
request with a fixed stream whose last chunk carries ``usage``, as OpenAI and vLLM do with
``stream_options.include_usage`` (llama-cpp-python's server sends none: tests/engine/
test_llm_server.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from kaiwa.engine.chat import ChatMessage
from kaiwa.engine.llm_http import ChatCompletionsLLM

CHUNKS = [
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Tokyo"}}]},
    {"choices": [{"index": 0, "delta": {"content": "."}, "finish_reason": "stop"}]},
    {
        "choices": [],
        "usage": {
            "prompt_tokens": 31,
            "completion_tokens": 2,
            "total_tokens": 33,
            "prompt_tokens_details": {"cached_tokens": 24},
        },
    },
]


class Scripted(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Scripted.requests.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for chunk in CHUNKS:
            full = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "m",
                **chunk,
            }
            self.wfile.write(f"data: {json.dumps(full)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_the_servers_token_counts_reach_the_usage(url: str) -> None:
    usage: dict[str, int] = {}
    llm = ChatCompletionsLLM(url, model="m")
    text = "".join(
        d.text for d in llm.stream([ChatMessage("user", "Capital of Japan?")], usage=usage)
    )
    assert text == "Tokyo."
    assert usage == {"input_tokens": 31, "cached_tokens": 24}
    assert Scripted.requests[-1]["stream_options"] == {"include_usage": True}


def test_include_usage_can_be_turned_off_for_a_server_that_refuses_it(url: str) -> None:
    llm = ChatCompletionsLLM(url, model="m", include_usage=False)
    list(llm.stream([ChatMessage("user", "Hi")]))
    assert "stream_options" not in Scripted.requests[-1]
