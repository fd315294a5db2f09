"""The day a time was said for, kept in the call (`kaiwa.engine.days`)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.days import with_day
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
        (["金曜日の7時半に4人でお願いします"], "19:30", "金曜日 19:30"),
        (["明日の夜8時に2名で"], "8時", "明日 8時"),
        (["日曜の6時ごろ4人で"], "6時ごろ", "日曜 6時ごろ"),  # ja-restaurant-07, dev
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
        (["A table on Friday at 8."], "Fri 8 pm"),
        (["A table on Friday at 8."], "tonight 8 pm"),  # another day: the model's, not ours
        (["A table on Friday at 8."], "weekend 8 pm"),
        (["A table on the 5th at 8."], "Dec 5 8 pm"),  # a date is a day
        (["A table on the 5th at 8."], "12/5 20:00"),
        (["A table at 8, please."], "8:00"),  # no day said: nothing to put back
        (["A table on Friday."], "Friday"),  # no time: a day alone is left as it is
        (["Friday, for 3 nights"], "3 nights"),  # not a time
        (["Saturday at 8, not Friday."], "8 pm"),  # two days: which?
        (["Sunday's weather?", "Nice.", "Book two at 8."], "8 pm"),  # two turns back
        (["べんきょう会のあと7時に2名で"], "19:00"),  # no きょう in べんきょう
        (["こんばんは、2人で7時に"], "19:00"),  # a greeting, not 今晩
    ],
)
def test_a_time_with_a_day_or_no_day_said_is_left_as_it_is(said: list[str], written: str) -> None:
    call = ToolCall("book_table", json.dumps({"party_size": 2, "time": written}))
    assert with_day(call, BOOK, turns(*said)) is call


def test_the_day_the_assistant_offered_is_the_one() -> None:
    messages = [
        ChatMessage("user", "Any table Thursday?"),
        ChatMessage("assistant", "Friday at 8 is free. Shall I book it?"),
        ChatMessage("user", "Yes please, for two."),
    ]
    call = ToolCall("book_table", json.dumps({"party_size": 2, "time": "8 pm"}))
    assert time_of(with_day(call, BOOK, messages)) == "Friday 8 pm"
    # and an offer naming two days leaves it as it was
    two = [
        *messages[:1],
        ChatMessage("assistant", "Thursday is full, Friday is free."),
        messages[2],
    ]
    assert with_day(call, BOOK, two) is call


@pytest.mark.parametrize(
    "described",
    [
        "when it rings, as HH:MM",  # no day
        "how long (at most a day)",  # no time
        "the day and time, ISO 8601 (2026-12-05T19:30)",  # a format
        "日中に連絡がつく電話番号",  # 日 of 日中 is no day
    ],
)
def test_only_parameters_that_take_a_day_and_a_time(described: str) -> None:
    tool = ToolSpec(
        "t",
        "T.",
        {"type": "object", "properties": {"at": {"type": "string", "description": described}}},
    )
    call = ToolCall("t", json.dumps({"at": "07:00"}))
    assert with_day(call, tool, turns("Wake me at 7 tomorrow.")) is call


def test_not_past_a_length_limit() -> None:
    limited = json.loads(json.dumps(BOOK.parameters))
    limited["properties"]["time"]["maxLength"] = 5
    tool = ToolSpec("book_table", "Reserve.", limited)
    call = ToolCall("book_table", json.dumps({"party_size": 2, "time": "19:30"}))
    assert with_day(call, tool, turns("Friday at 7:30")) is call


def test_the_policy_puts_the_day_back() -> None:
    messages = turns("I'd like a table for three, no, four people on Friday at 7:30.")
    asked = Asked(messages=messages, mode="auto", shown=(BOOK,), callable=(BOOK,))
    call = ToolCall("book_table", json.dumps({"party_size": 3, "time": "7:30"}))
    verdict = ToolCallPolicy().judge([call], asked)
    assert verdict.kind is VerdictKind.CALL
    assert json.loads(verdict.calls[0].arguments) == {"party_size": 4, "time": "Friday 7:30"}


def test_a_value_made_up_is_judged_as_the_model_wrote_it() -> None:
    # The day put in first made "Friday 7:30" share "Friday" with the request, so a name the
    # model made up passed with it (review).
    named = json.loads(json.dumps(BOOK.parameters))
    named["properties"]["name"] = {"type": "string", "description": "the guest's name."}
    named["required"] = ["party_size", "time", "name"]
    tool = ToolSpec("book_table", "Reserve.", named)
    messages = turns("I'd like a table for two on Friday at 7:30.")
    asked = Asked(messages=messages, mode="auto", shown=(tool,), callable=(tool,))
    call = ToolCall("book_table", json.dumps({"party_size": 2, "time": "7:30", "name": "John"}))
    verdict = ToolCallPolicy().judge([call], asked)
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.made_up == ("name",)
