"""The handoff a request names the topic of (`kaiwa.engine.topics`), with JMdict installed."""

from __future__ import annotations

from kaiwa.engine import glosses
from kaiwa.engine.chat import ChatMessage, ToolSpec
from kaiwa.engine.tool_policy import Asked
from kaiwa.engine.topics import handoff_topics, named_handoff, said_topics

NONE: dict[str, object] = {"type": "object", "properties": {}, "additionalProperties": False}
FAQ = ToolSpec(
    "transfer_to_faq_agent",
    "Handoff to the FAQ Agent agent to handle the request. Answers questions about the "
    "airline: bags and baggage, seats, wifi.",
    NONE,
)
SEAT = ToolSpec(
    "transfer_to_seat_booking_agent",
    "Handoff to the Seat Booking Agent agent to handle the request. Changes the seat on a "
    "traveller's booking.",
    NONE,
)
WEATHER = ToolSpec(
    "get_weather",
    "Get the weather in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TOOLS = (WEATHER, FAQ, SEAT)


def named(said: str, tools: tuple[ToolSpec, ...] = TOOLS) -> str | None:
    messages = [ChatMessage("system", "Triage."), ChatMessage("user", said)]
    tool = named_handoff(Asked(messages=messages, mode="auto", shown=tools, callable=tools))
    return tool.name if tool is not None else None


def test_a_handoffs_topics_are_the_words_no_other_handoff_has() -> None:
    topics = handoff_topics(TOOLS)
    # "seat" is in both (it names neither); "answers", "questions", "changes" and
    # "traveller" say what an agent does, not what about; the SDK's opening is left out.
    assert topics == {
        "transfer_to_faq_agent": {"airline", "bag", "baggage", "wifi"},
        "transfer_to_seat_booking_agent": {"booking"},
    }
    assert "get_weather" not in topics  # a tool, not a handoff


def test_a_request_names_a_handoff_by_its_words_or_what_they_mean() -> None:
    assert glosses.synonyms("luggage") >= {"baggage"}  # JMdict's 荷物
    assert glosses.synonyms("place") >= {"room"} and "seat" not in glosses.synonyms("place")
    assert named("How many bags can I bring on the plane?") == "transfer_to_faq_agent"
    assert named("How much luggage am I allowed to check in?") == "transfer_to_faq_agent"
    assert named("Is there Wi-Fi on board?") == "transfer_to_faq_agent"
    assert named("My booking reference is QWE456.") == "transfer_to_seat_booking_agent"
    # Japanese: the glosses of its nouns, and Latin words as they are
    assert named("機内に持ち込める荷物はいくつまでですか？") == "transfer_to_faq_agent"
    assert named("機内でWi-Fiは使えますか？") == "transfer_to_faq_agent"
    assert named("予約番号はABC123です。") == "transfer_to_seat_booking_agent"


def test_no_handoff_is_named_by_other_words_or_by_two() -> None:
    assert named("What's the capital of Australia?") is None
    assert named("I'd like a different seat.") is None  # both handoffs handle seats
    assert named("Can you book me a hotel?") is None  # "book" is not "booking"
    assert named("Is there a place to charge my phone?") is None  # "place" means no seat
    assert named("My booking says two bags.") is None  # both named: neither
    assert named("How many bags can I bring?", (WEATHER,)) is None  # no handoffs
    assert "wifi" in said_topics("機内でWi-Fiは使えますか？")


def test_only_what_the_user_said_since_the_assistant_spoke_counts() -> None:
    messages = [
        ChatMessage("user", "How many bags can I bring?"),
        ChatMessage("assistant", "Let me pass you to our FAQ agent."),
        ChatMessage("user", "Actually, what's the weather in Oslo?"),
    ]
    asked = Asked(messages=messages, mode="auto", shown=TOOLS, callable=TOOLS)
    assert named_handoff(asked) is None
