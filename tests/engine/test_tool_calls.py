"""Checking the model's tool calls against the conversation (no model needed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.tool_calls import made_up

SYSTEM = ChatMessage("system", "You are a helpful voice assistant.")


def made_up_call(messages: list[ChatMessage], optional: tuple[str, ...] = (), **args: Any) -> bool:
    """`made_up` for a call with ``args``, all of them required but ``optional``."""
    required = [key for key in args if key not in optional]
    tool = ToolSpec("tool", "A tool.", {"type": "object", "required": required})
    return made_up(ToolCall("tool", json.dumps(args)), tool, messages)


@pytest.mark.parametrize(
    ("said", "arguments"),
    [
        ("What's the weather in Paris?", {"city": "Paris"}),
        ("remind me to buy milk", {"text": "Buy milk."}),  # reworded, but shares words
        ("Set a timer for ten minutes.", {"minutes": "10"}),  # numbers are not checked
        ("Turn on the living room lights.", {"room": "living room", "on": True}),
        ("東京の天気は？", {"city": "Tokyo"}),  # Japanese: not checked
        ("Hi!", {}),
    ],
)
def test_values_the_user_gave_are_not_made_up(said: str, arguments: dict[str, Any]) -> None:
    assert not made_up_call([SYSTEM, ChatMessage("user", said)], **arguments)


@pytest.mark.parametrize(
    ("said", "arguments"),
    [
        ("How are you today?", {"city": "London"}),
        ("What is the capital of France?", {"city": "Paris"}),
        ("Turn on the lights.", {"room": "kitchen", "on": True}),  # which room? Ask.
        ("What's the weather?", {"where": {"city": "Berlin"}}),  # nested values count too
    ],
)
def test_values_nobody_said_are_made_up(said: str, arguments: dict[str, Any]) -> None:
    assert made_up_call([SYSTEM, ChatMessage("user", said)], **arguments)


def test_the_whole_conversation_counts() -> None:
    messages = [
        SYSTEM,
        ChatMessage("user", "What's the weather in Oslo?"),
        ChatMessage("assistant", "It is snowing in Oslo."),
        ChatMessage("user", "And tomorrow?"),
    ]
    assert not made_up_call(messages, city="Oslo")
    # ...the instructions too: they may name the user's home town.
    home = [ChatMessage("system", "The user lives in Lyon."), ChatMessage("user", "Weather?")]
    assert not made_up_call(home, city="Lyon")


def test_optional_arguments_are_the_models_to_choose() -> None:
    messages = [SYSTEM, ChatMessage("user", "What's the weather in Paris?")]
    assert not made_up_call(messages, optional=("unit",), city="Paris", unit="celsius")
    assert made_up_call(messages, city="Paris", unit="celsius")
