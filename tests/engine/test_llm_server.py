"""The LLM stage over HTTP: ChatCompletionsLLM against llama-cpp-python's own server.

The server is a real subprocess on 127.0.0.1 serving the packaged GGUF, the way a deployment
would move the LLM stage to a bigger machine.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from kaiwa.engine import store
from kaiwa.engine.llm import ChatMessage, ToolSpec
from kaiwa.engine.llm_http import ChatCompletionsLLM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    # A file, not a pipe: the server logs a lot, and a full pipe would stall it.
    log = (tmp_path_factory.mktemp("llm-server") / "server.log").open("w+b")
    model = store.materialize(store.QWEN_0_5B)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "2",
            "--chat_format",
            "chatml-function-calling",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(log.read().decode(errors="replace")[-2000:])
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=1) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        else:
            raise RuntimeError("llama-cpp-python server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def test_text_streams_from_the_server(server_url: str) -> None:
    llm = ChatCompletionsLLM(server_url, model="qwen")
    deltas = list(
        llm.stream(
            [
                ChatMessage("system", "Answer in one short sentence."),
                ChatMessage("user", "What is the capital of Japan?"),
            ],
            max_tokens=30,
            usage={},  # this server does not report usage in a stream: nothing breaks
        )
    )
    assert len(deltas) > 1  # streamed, not one block
    assert "tokyo" in "".join(d.text for d in deltas).lower()


def test_tool_calls_come_back_from_the_server(server_url: str) -> None:
    llm = ChatCompletionsLLM(server_url, model="qwen")
    weather = ToolSpec(
        "get_weather",
        "Get the current weather for a city.",
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )
    deltas = list(
        llm.stream(
            [ChatMessage("user", "What's the weather in Paris?")],
            [weather],
            tool_choice={"type": "function", "name": "get_weather"},
        )
    )
    calls = [d.tool_call for d in deltas if d.tool_call]
    assert calls and calls[0].name == "get_weather"
    assert "paris" in json.loads(calls[0].arguments)["city"].lower()
