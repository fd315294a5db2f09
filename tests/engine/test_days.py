"""The day a time was said for, kept in the call (`kaiwa.engine.days`)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.days import said_day, with_day
from kaiwa.engine.tool_policy import Asked, ToolCallPolicy, VerdictKind

BOOK = ToolSpec(
    "book_table",
    "Reserve a table at the restaurant.",
    {
        "type": "object",
        "properties": {
            "party_size": {"type": "integer", "description": "how many people."},
            "time": {
                "type": "string",
                "description": "the day and time of the reservation, as the guest said it.",
            },
        },
        "required": ["party_size", "time"],
    },
)
ALARM = ToolSpec(
    "set_alarm",
    "Set an alarm.",
    {
        "type": "object",
        "properties": {"time": {"type": "string", "description": "when it rings, as HH:MM."}},
        "required": ["time"],
    },
)


def turns(*said: str) -> list[ChatMessage]:
    """User turns, each answered by the assistant."""
    out = [ChatMessage("system", "You take bookings.")]
    for s in said:
        out += [ChatMessage("user", s), ChatMessage("assistant", "Sure.")]
    return out[:-1]


def time_of(call: ToolCall) -> Any:
    return json.loads(call.arguments)["time"]


@pytest.mark.parametrize(
    ("said", "written", "kept"),
    [
        (["I'd like a table for four on Friday at 7:30."], "7:30", "Friday 7:30"),  # dev
        (["Open on Saturday?", "Then book for three at 7 that day."], "7 pm", "Saturday 7 pm"),
        (["A table tomorrow at half seven.", "uh just the two of us"], "19:30", "tomorrow 19:30"),
        (["next friday evening around 8 please"], "8:00", "next friday evening 8:00"),
        (["Thursday. No wait, Sunday at 6."], "6:00", "Sunday 6:00"),  # the last day said
        (["金曜日の7時半に4人でお願いします"], "19:30", "金曜日 19:30"),
        (["明日の夜8時に2名で"], "20:00", "明日 20:00"),
    ],
)
def test_the_day_said_is_put_before_a_time_written_without_it(
    said: list[str], written: str, kept: str
) -> None:
    call = ToolCall("book_table", json.dumps({"party_size": 4, "time": written}))
    assert time_of(with_day(call, BOOK, turns(*said))) == kept


@pytest.mark.parametrize(
    ("said", "written"),
    [
        (["A table on Friday at 8."], "Friday at 8 pm"),  # the day is there
        (["A table on Friday at 8."], "tonight 8 pm"),  # another day: the model's, not ours
        (["A table on the 5th at 8."], "Dec 5 8 pm"),  # a date is a day
        (["A table on the 5th at 8."], "12/5 20:00"),
        (["A table at 8, please."], "8:00"),  # no day said: nothing to put back
        (["A table on Friday."], "Friday"),  # no time: a day alone is left as it is
    ],
)
def test_a_time_with_a_day_or_no_day_said_is_left_as_it_is(said: list[str], written: str) -> None:
    call = ToolCall("book_table", json.dumps({"party_size": 2, "time": written}))
    assert with_day(call, BOOK, turns(*said)) is call


def test_only_parameters_that_take_a_day() -> None:
    # "when it rings, as HH:MM": a day before it would break the format the tool asked for
    call = ToolCall("set_alarm", json.dumps({"time": "07:00"}))
    assert with_day(call, ALARM, turns("Wake me at 7 tomorrow.")) is call


def test_the_day_is_the_users_not_the_assistants() -> None:
    messages = [
        ChatMessage("user", "Can I book a table?"),
        ChatMessage("assistant", "We are open every day but Monday. When would you like?"),
        ChatMessage("user", "At 8 for two."),
    ]
    assert said_day(messages) is None


def test_the_policy_puts_the_day_back() -> None:
    messages = turns("I'd like a table for three, no, four people on Friday at 7:30.")
    asked = Asked(messages=messages, mode="auto", shown=(BOOK,), callable=(BOOK,))
    call = ToolCall("book_table", json.dumps({"party_size": 3, "time": "7:30"}))
    verdict = ToolCallPolicy().judge([call], asked)
    assert verdict.kind is VerdictKind.CALL
    assert json.loads(verdict.calls[0].arguments) == {"party_size": 4, "time": "Friday 7:30"}
