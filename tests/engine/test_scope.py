"""Requests for a service nobody here offers (`kaiwa.engine.scope`), and the policy's
answer to a handoff or a lookup made for one."""

from __future__ import annotations

import pytest

from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.scope import OUT_OF_SCOPE, OUT_OF_SCOPE_JA, other_service, out_of_scope_reply
from kaiwa.engine.tool_policy import Asked, ToolCallPolicy, Verdict, VerdictKind

NONE: dict[str, object] = {"type": "object", "properties": {}, "additionalProperties": False}
WEATHER = ToolSpec(
    "get_weather",
    "Get the weather in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
FAQ = ToolSpec(
    "transfer_to_faq_agent",
    "Handoff to the FAQ Agent agent to handle the request. Answers travellers' questions on "
    "bags and baggage, seats and wifi.",
    NONE,
)
SEAT = ToolSpec(
    "transfer_to_seat_booking_agent",
    "Handoff to the Seat Booking Agent agent to handle the request. Changes the seat on a "
    "traveller's booking.",
    NONE,
)
LOOKUP = ToolSpec(
    "faq_lookup_tool",
    "Look up the airline's answer to a frequently asked question (baggage, seats, wifi).",
    {"type": "object", "properties": {"question": {"type": "string"}}, "required": ["question"]},
)
TRIAGE = (WEATHER, FAQ, SEAT)


@pytest.mark.parametrize(
    ("said", "service"),
    [
        # the dev half's: handed off or looked up
        ("could you get me a cab to the airport for like six tomorrow morning", "cab"),
        ("Can you book me a hotel room in Rome for three nights?", "hotel"),
        ("can you sort me out a rental car for when i land", "rental car"),
        ("空港からホテルまでのタクシーも手配してもらえます？", "ホテル"),
        ("ついでに向こうのホテルも取っといてくれへん？", "ホテル"),
        ("I need an Uber from the terminal", "Uber"),
    ],
)
def test_a_service_nobody_offers_is_named(said: str, service: str) -> None:
    assert other_service(said, TRIAGE) == service


def test_a_service_offered_by_a_tool_a_handoff_or_the_instructions_is_no_other() -> None:
    hotels = ToolSpec("transfer_to_hotel_agent", "Books hotel rooms.", NONE)
    assert other_service("book me a hotel in Rome", (*TRIAGE, hotels)) is None
    cars = ToolSpec("rent_car", "Rents cars at the airport.", WEATHER.parameters)
    assert other_service("can I get a rental car", (cars,)) is None
    assert other_service("call me a taxi", TRIAGE, "You also book taxis for travellers.") is None
    assert other_service("ホテルを予約して", TRIAGE, "ホテルの予約も受け付けます。") is None
    # words that only begin like a service: no service
    assert other_service("can I bring my cabin bag", TRIAGE) is None
    assert other_service("what's the weather in Cabo", TRIAGE) is None


def judged(call: ToolCall, said: str, tools: tuple[ToolSpec, ...] = TRIAGE) -> Verdict:
    messages = [ChatMessage("system", "An airline's assistant."), ChatMessage("user", said)]
    asked = Asked(messages=messages, mode="auto", shown=tools, callable=tools)
    return ToolCallPolicy().judge([call], asked)


def test_a_handoff_or_a_lookup_for_a_service_nobody_offers_is_answered_so() -> None:
    verdict = judged(ToolCall(FAQ.name, "{}"), "could you get me a cab to the airport")
    assert verdict.kind is VerdictKind.WORDS_TOLD
    assert verdict.reply == f"{OUT_OF_SCOPE} I can get the weather in a city."
    verdict = judged(
        ToolCall(SEAT.name, "{}"), "空港からホテルまでのタクシーも手配してもらえます？"
    )
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.reply == OUT_OF_SCOPE_JA
    lookup = ToolCall(LOOKUP.name, '{"question": "Can you get me a rental car?"}')
    verdict = judged(lookup, "can you sort me out a rental car for when i land", (LOOKUP,))
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.reply.startswith(OUT_OF_SCOPE)


def test_a_request_naming_what_the_called_tool_is_for_or_a_tool_with_values_stands() -> None:
    # the FAQ's wifi, at the hotel
    verdict = judged(ToolCall(FAQ.name, "{}"), "is there wifi at the hotel")
    assert verdict.kind is VerdictKind.CALL
    # a tool with a value said: the weather at the hotel's city is a weather request
    call = ToolCall(WEATHER.name, '{"city": "Rome"}')
    assert judged(call, "what's the weather like at my hotel in Rome").kind is VerdictKind.CALL


def test_the_reply_says_what_can_be_done() -> None:
    assert out_of_scope_reply("get me a cab", (LOOKUP,)) == (
        f"{OUT_OF_SCOPE} I can look up the airline's answer to a frequently asked question "
        "(baggage, seats, wifi)."
    )
    assert out_of_scope_reply("タクシー呼んで", (LOOKUP,)) == OUT_OF_SCOPE_JA
