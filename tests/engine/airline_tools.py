"""The airline demo's tools as the engine's LLM is given them (`kaiwa.apps.airline`: the triage
agent's weather tool and two handoffs, the FAQ agent's lookup), for the policy's tests."""

from __future__ import annotations

from kaiwa.engine.chat import ToolSpec

NONE: dict[str, object] = {"type": "object", "properties": {}, "additionalProperties": False}
"""The parameters of a tool that takes no values (a handoff)."""

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
"""The triage agent's tools."""
