"""`ChatCompletionsLLM` holds the server's tool calls to the same policy as the local model.

Against a scripted chat-completions server (a test fixture, on 127.0.0.1) that answers each
request with the next reply of a script: a call with a value nobody said, a made-up function,
arguments that do not fit, a call already answered. What the stage sends back (a second
request, in words or naming the tool) is read from the requests the server received.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from kaiwa.engine.chat import ChatMessage, LlmDelta, ToolCall, ToolSpec
from kaiwa.engine.llm_http import ChatCompletionsLLM
from kaiwa.engine.scope import OUT_OF_SCOPE
from kaiwa.engine.tool_policy import ASK_FOR, NO_TOOL_HINT

WEATHER = ToolSpec(
    "get_weather",
    "Current weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TRANSFER = ToolSpec("transfer_to_billing", "Hand the user over to billing.", {"type": "object"})


def words(text: str) -> list[dict[str, Any]]:
    return [{"delta": {"role": "assistant", "content": text}}]


def call(name: str, arguments: str) -> list[dict[str, Any]]:
    fn = {"name": name, "arguments": arguments}
    return [
        {"delta": {"tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": fn}]}}
    ]


class Script(BaseHTTPRequestHandler):
    replies: ClassVar[list[list[dict[str, Any]]]] = []
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        Script.requests.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        deltas = Script.replies.pop(0)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for choice in deltas:
            chunk = {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, **choice}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def llm() -> Iterator[ChatCompletionsLLM]:
    Script.replies, Script.requests = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Script)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ChatCompletionsLLM(f"http://127.0.0.1:{server.server_address[1]}/v1", model="m")
    server.shutdown()
    server.server_close()
    assert not Script.replies, "the stage made fewer requests than scripted"


def ask(llm: ChatCompletionsLLM, messages: list[ChatMessage], *replies: Any) -> list[LlmDelta]:
    Script.replies = list(replies)
    return list(llm.stream(messages, [WEATHER, TRANSFER]))


def said(deltas: list[LlmDelta]) -> str:
    assert all(d.tool_call is None for d in deltas), deltas
    return "".join(d.text for d in deltas)


def test_a_grounded_call_is_made_as_the_server_wrote_it(llm: ChatCompletionsLLM) -> None:
    deltas = ask(
        llm, [ChatMessage("user", "Weather in Oslo?")], call("get_weather", '{"city": "Oslo"}')
    )
    assert [(d.tool_call.name, d.tool_call.arguments) for d in deltas if d.tool_call] == [
        ("get_weather", '{"city": "Oslo"}')
    ]
    assert len(Script.requests) == 1


def test_a_value_nobody_said_is_answered_in_words_told_so(llm: ChatCompletionsLLM) -> None:
    deltas = ask(
        llm,
        [ChatMessage("user", "How are you today?")],
        call("get_weather", '{"city": "London"}'),
        words("I'm well, thanks!"),
    )
    assert said(deltas) == "I'm well, thanks!"
    again = Script.requests[1]
    assert "tools" not in again and again["messages"][-1]["content"].endswith(NO_TOOL_HINT)

    llm.policy.ground_calls = False  # the check can be turned off, as for the local model
    deltas = ask(
        llm, [ChatMessage("user", "How are you today?")], call("get_weather", '{"city": "London"}')
    )
    assert [d.tool_call.name for d in deltas if d.tool_call] == ["get_weather"]


def test_a_value_missing_from_a_request_for_the_tool_is_asked_for(
    llm: ChatCompletionsLLM,
) -> None:
    deltas = ask(
        llm,
        [ChatMessage("user", "What's the weather doing?")],
        call("get_weather", '{"city": "London"}'),
        words("Which city?"),
    )
    assert said(deltas) == "Which city?"
    told = Script.requests[1]["messages"][-1]["content"]
    assert told == f"What's the weather doing?\n{ASK_FOR.format('city')}"


def test_a_made_up_function_is_answered_in_words(llm: ChatCompletionsLLM) -> None:
    deltas = ask(llm, [ChatMessage("user", "Say hello.")], call("say_hello", "{}"), words("Hello!"))
    assert said(deltas) == "Hello!"
    assert Script.requests[1]["messages"][-1]["content"] == f"Say hello.\n{NO_TOOL_HINT}"


def test_arguments_that_do_not_fit_are_asked_for_again_by_name(llm: ChatCompletionsLLM) -> None:
    deltas = ask(
        llm,
        [ChatMessage("user", "Weather in Oslo?")],
        call("get_weather", '{"town": "Oslo"}'),
        call("get_weather", '{"city": "Oslo"}'),
    )
    assert [d.tool_call.arguments for d in deltas if d.tool_call] == ['{"city": "Oslo"}']
    again = Script.requests[1]
    assert again["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    # Every request shows the same tools (the server's cached prefix holds).
    assert again["tools"] == Script.requests[0]["tools"]

    # Wrong twice: the user gets words, not a call that would fail.
    deltas = ask(
        llm,
        [ChatMessage("user", "Weather in Oslo?")],
        call("get_weather", '{"town": "Oslo"}'),
        call("get_weather", "{not json"),
        words("Which city?"),
    )
    assert said(deltas) == "Which city?"


def test_a_call_already_answered_is_answered_in_words(llm: ChatCompletionsLLM) -> None:
    done = ToolCall("get_weather", '{"city": "Oslo"}', "call_1")
    messages = [
        ChatMessage("user", "Weather in Oslo?"),
        ChatMessage("assistant", tool_calls=(done,)),
        ChatMessage("tool", '{"temp_c": -7, "sky": "snow"}', tool_call_id="call_1"),
    ]
    deltas = ask(
        llm, messages, call("get_weather", '{"city": "Oslo"}'), words("It's -7 and snowing.")
    )
    assert said(deltas) == "It's -7 and snowing."
    assert NO_TOOL_HINT not in json.dumps(Script.requests[1]["messages"])  # a loop: no hint


def test_a_call_asked_for_again_by_the_user_is_made(llm: ChatCompletionsLLM) -> None:
    # Answered before the user's last message, the same call is a new request (the weather
    # may have changed; in `kaiwa chat` a second "What time is it?" got words, not the clock).
    done = ToolCall("get_weather", '{"city": "Oslo"}', "call_1")
    messages = [
        ChatMessage("user", "Weather in Oslo?"),
        ChatMessage("assistant", tool_calls=(done,)),
        ChatMessage("tool", '{"temp_c": -7, "sky": "snow"}', tool_call_id="call_1"),
        ChatMessage("assistant", "It's -7 and snowing."),
        ChatMessage("user", "And the weather in Oslo now?"),
    ]
    deltas = ask(llm, messages, call("get_weather", '{"city": "Oslo"}'))
    made = [d.tool_call for d in deltas if d.tool_call is not None]
    assert [(c.name, json.loads(c.arguments)) for c in made] == [("get_weather", {"city": "Oslo"})]
    assert len(Script.requests) == 1


def test_an_agent_just_handed_to_cannot_transfer_straight_back(llm: ChatCompletionsLLM) -> None:
    handoff = ToolCall("transfer_to_billing", "{}", "call_9")
    messages = [
        ChatMessage("user", "I was charged twice."),
        ChatMessage("assistant", tool_calls=(handoff,)),
        ChatMessage("tool", '{"assistant": "billing"}', tool_call_id="call_9"),
    ]
    # The handoff itself is left out: the agent answers as if it had been asked.
    said(ask(llm, messages, words("Let me look at your bill.")))
    assert [m["role"] for m in Script.requests[0]["messages"]] == ["user"]
    # A transfer straight back is not made: the user gets words.
    deltas = ask(llm, messages, call("transfer_to_billing", "{}"), words("How can I help?"))
    assert said(deltas) == "How can I help?"


def test_text_already_said_is_not_said_twice(llm: ChatCompletionsLLM) -> None:
    deltas = ask(
        llm,
        [ChatMessage("user", "How are you today?")],
        words("Fine!") + call("get_weather", '{"city": "London"}'),
    )
    assert said(deltas) == "Fine!" and len(Script.requests) == 1


def test_a_handoff_for_a_service_nobody_offers_gets_kaiwas_own_words(
    llm: ChatCompletionsLLM,
) -> None:
    # one request only: the reply is kaiwa's ("Sorry, I can't help with that here. ..."),
    # not a second one to the server
    deltas = ask(
        llm,
        [ChatMessage("user", "could you get me a cab to the airport")],
        call("transfer_to_billing", "{}"),
    )
    assert said(deltas) == f"{OUT_OF_SCOPE} I can help with current weather for a city."
    assert len(Script.requests) == 1
