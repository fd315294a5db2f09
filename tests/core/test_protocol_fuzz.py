"""`ServerProtocol` under random, malformed and out-of-order input (hypothesis).

Each example is a run of steps: client events (valid, invalid, referring to items that exist or
not) and stage reports (transcripts, reply pieces, ends, failures, listener events) in any
order a driver could produce them, including reports for work that was stopped meanwhile.
After every step: no event fails its ``openai.types.realtime`` model (`Driven` checks each),
no ``server_error`` (a bug caught by the protocol's last resort), at most one response is
active. At the end the stages finish all their work, and then: every response that began has
ended, every item a response opened was closed, no turn is left unfinished, and the history
the client was told of is the history the server holds.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaiwa.core.commands import Reply, StopReply, Transcribe, TranscribeContent
from kaiwa.engine.chat import ToolCall
from kaiwa.engine.listener import ListenerEvent
from kaiwa.engine.responder import ResponseChunk

from .test_protocol import Driven, pcm

IDS = ["item_a", "item_b", "item_c", "root", "nope"]
WORDS = ["", "Hi.", "What is the weather in Oslo?", "and then", "Book seat 12A, please."]


turn_detection = st.sampled_from(
    [
        None,
        {"type": "server_vad"},
        {"type": "server_vad", "idle_timeout_ms": 5000, "interrupt_response": False},
        {"type": "semantic_vad", "eagerness": "high"},
        {"type": "server_vad", "create_response": False},
        {"type": "server_vad", "silence_duration_ms": -5},  # out of range: an error
    ]
)
session_update = st.builds(
    lambda td, modalities, instructions, tools: {
        "type": "session.update",
        "session": {
            "type": "realtime",
            "audio": {"input": {"turn_detection": td}},
            "output_modalities": modalities,
            "instructions": instructions,
            "tools": tools,
        },
    },
    turn_detection,
    st.sampled_from([["audio"], ["text"], ["video"]]),
    st.text(max_size=30),
    st.sampled_from(
        [
            [],
            [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}],
            [{"type": "function", "name": "x", "parameters": {"type": 5}}],  # invalid schema
        ]
    ),
)
message = st.builds(
    lambda item_id, role, text, previous: {
        "type": "conversation.item.create",
        "item": {
            **({"id": item_id} if item_id else {}),
            "type": "message",
            "role": role,
            "content": [
                {"type": "input_text" if role != "assistant" else "output_text", "text": text}
            ],
        },
        **({"previous_item_id": previous} if previous else {}),
    },
    st.sampled_from([None, *IDS[:3]]),
    st.sampled_from(["user", "system", "assistant"]),
    st.sampled_from(WORDS),
    st.sampled_from([None, *IDS]),
)
client_event = st.one_of(
    session_update,
    message,
    st.builds(
        lambda ms: {"type": "input_audio_buffer.append", "audio": pcm(ms)}, st.integers(0, 400)
    ),
    st.just({"type": "input_audio_buffer.append", "audio": "%%%"}),
    st.just({"type": "input_audio_buffer.append", "audio": base64.b64encode(b"odd").decode()}),
    st.just({"type": "input_audio_buffer.commit"}),
    st.just({"type": "input_audio_buffer.clear"}),
    st.just({"type": "output_audio_buffer.clear"}),
    st.builds(
        lambda ms: {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_audio", "audio": pcm(ms)}],
            },
        },
        st.integers(0, 300),
    ),
    st.builds(
        lambda call: {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": call, "output": "{}"},
        },
        st.sampled_from(["call_1", "call_2"]),
    ),
    st.builds(lambda i: {"type": "conversation.item.delete", "item_id": i}, st.sampled_from(IDS)),
    st.builds(lambda i: {"type": "conversation.item.retrieve", "item_id": i}, st.sampled_from(IDS)),
    st.builds(
        lambda i, index, ms: {
            "type": "conversation.item.truncate",
            "item_id": i,
            "content_index": index,
            "audio_end_ms": ms,
        },
        st.sampled_from(IDS),
        st.integers(-1, 1),
        st.integers(-10, 3000),
    ),
    st.builds(
        lambda response: {
            "type": "response.create",
            **({"response": response} if response is not None else {}),
        },
        st.sampled_from(
            [
                None,
                {"output_modalities": ["text"]},
                {"conversation": "none", "input": [{"type": "item_reference", "id": "item_a"}]},
                {"tool_choice": {"type": "function", "name": "missing"}},
                {"max_output_tokens": 3},
            ]
        ),
    ),
    st.builds(
        lambda rid: {"type": "response.cancel", **({"response_id": rid} if rid else {})},
        st.sampled_from([None, "resp_nope"]),
    ),
    st.sampled_from(
        [{"type": "no.such.event"}, {"type": "response.create", "response": 5}, {"type": 7}]
    ),
)
step = st.one_of(
    st.tuples(st.just("client"), client_event),
    st.tuples(
        st.just("heard"),
        st.sampled_from(["speech_started", "speech_stopped", "partial", "turn_ended"]),
        st.sampled_from([None, *WORDS]),
    ),
    st.tuples(st.just("listened"), st.integers(0, 20000), st.booleans()),
    # An event about an item the server made (a turn, an answer): picked by position.
    st.tuples(
        st.just("about"),
        st.sampled_from(["truncate", "delete", "retrieve", "create_after"]),
        st.integers(0, 50),
        st.integers(-1, 3000),
    ),
    st.tuples(st.just("transcribed"), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("content"), st.booleans()),
    st.tuples(st.just("piece"), st.integers(0, 3), st.sampled_from(["clause", "tool", "empty"])),
    st.tuples(st.just("ended"), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("commit_size"), st.sampled_from([0.05, 0.5, 2.0])),
)


class Stages:
    """What the stages are working on (from the commands), reported back when a step says so."""

    def __init__(self, side: Driven) -> None:
        self.side = side
        self.transcribing: list[Transcribe] = []
        self.content: list[TranscribeContent] = []
        self.replies: list[str] = []
        self.calls = 0

    def collect(self) -> None:
        side = self.side
        for command in side.commands:
            if isinstance(command, Transcribe):
                self.transcribing.append(command)
            elif isinstance(command, TranscribeContent):
                self.content.append(command)
            elif isinstance(command, Reply):
                self.replies.append(command.response_id)
        side.commands = [c for c in side.commands if isinstance(c, StopReply)][-4:]

    def run(self, action: tuple[Any, ...]) -> None:
        side, kind = self.side, action[0]
        if kind == "client":
            side.protocol.receive(action[1])
        elif kind == "heard" and side.protocol.listening:
            audio = np.zeros(8000, np.float32) if action[1] == "turn_ended" else None
            side.protocol.heard(ListenerEvent(action[1], transcript=action[2], audio=audio))
        elif kind == "listened" and side.protocol.listening:
            side.protocol.listened(action[1], action[2])
        elif kind == "about":
            items = side.protocol.conversation.items()
            item_id = items[action[2] % len(items)]["id"] if items else "nothing"
            if action[1] == "truncate":
                event = {
                    "type": "conversation.item.truncate",
                    "item_id": item_id,
                    "content_index": 0,
                    "audio_end_ms": action[3],
                }
            elif action[1] == "create_after":
                content = [{"type": "input_text", "text": "and another thing"}]
                event = {
                    "type": "conversation.item.create",
                    "previous_item_id": item_id,
                    "item": {"type": "message", "role": "user", "content": content},
                }
            else:
                event = {"type": f"conversation.item.{action[1]}", "item_id": item_id}
            side.protocol.receive(event)
        elif kind == "transcribed" and self.transcribing:
            job = self.transcribing.pop(action[1] % len(self.transcribing))
            side.protocol.transcribed(
                job.item_id,
                "" if action[2] else "words",
                RuntimeError("asr") if action[2] else None,
            )
        elif kind == "content" and self.content:
            job = self.content.pop(0)
            side.protocol.content_transcribed(
                job.ticket, "words", RuntimeError("asr") if action[1] else None
            )
        elif kind == "piece" and self.replies:
            rid = self.replies[action[1] % len(self.replies)]
            if action[2] == "clause":
                chunk = ResponseChunk(text="Sure.", audio=np.zeros(4800, np.float32))
            elif action[2] == "tool":
                self.calls += 1
                chunk = ResponseChunk(tool_call=ToolCall(f"call_{self.calls}", "get_weather", "{}"))
            else:
                chunk = ResponseChunk()
            side.protocol.replied(rid, chunk)
        elif kind == "ended" and self.replies:
            rid = self.replies.pop(action[1] % len(self.replies))
            side.protocol.reply_ended(
                rid, RuntimeError("llm") if action[2] else None, {"output_tokens": 1}
            )
        elif kind == "commit_size":
            side.listener_audio = np.zeros(int(16000 * action[1]), np.float32)
        side.drain()
        self.collect()

    def finish(self) -> None:
        """Every stage finishes its work, in order, until nothing is left."""
        for _ in range(100):
            side = self.side
            if self.content:
                side.protocol.content_transcribed(self.content.pop(0).ticket, "words")
            elif self.transcribing:
                side.protocol.transcribed(self.transcribing.pop(0).item_id, "words")
            elif self.replies:
                side.protocol.reply_ended(self.replies.pop(0))
            else:
                return
            side.drain()
            self.collect()
        raise AssertionError("the stages never ran out of work")


def check_running(side: Driven) -> None:
    errors = [e["error"] for e in side.events if e["type"] == "error"]
    bugs = [e for e in errors if "had an error while processing" in e["message"]]
    assert not bugs, bugs  # the protocol's last resort caught an exception
    created = sum(e["type"] == "response.created" for e in side.events)
    done = sum(e["type"] == "response.done" for e in side.events)
    assert created - done in (0, 1)
    assert side.protocol.responding == (created - done == 1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=40))
def test_no_input_breaks_the_protocol(steps: list[tuple[Any, ...]]) -> None:
    side = Driven()
    stages = Stages(side)
    stages.collect()
    for action in steps:
        stages.run(action)
        check_running(side)
    stages.finish()
    check_running(side)
    assert not side.protocol.responding
    assert not side.protocol.busy
    assert side.protocol.unanswered == []  # every turn that asked for an answer got one
    events = side.events
    opened = {e["item"]["id"] for e in events if e["type"] == "response.output_item.added"}
    closed = {e["item"]["id"] for e in events if e["type"] == "response.output_item.done"}
    assert opened == closed
    told: dict[str, None] = {}
    for event in events:
        if event["type"] == "conversation.item.added":
            told[event["item"]["id"]] = None
        elif event["type"] == "conversation.item.deleted":
            told.pop(event["item_id"], None)
    held = [item["id"] for item in side.protocol.conversation.items()]
    assert set(told) == set(held)
    assert len(held) == len(set(held))
    # Every committed user turn got its words (or was deleted).
    for item in side.protocol.conversation.items():
        if item["type"] == "message" and item["content"] == [{"type": "input_audio"}]:
            raise AssertionError(f"turn {item['id']} never got its transcript")
