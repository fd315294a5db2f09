"""The airline demo's agents (``kaiwa web``'s default): copy this file to start your own.

Three agents, as in the reference SDK's realtime web demo:

- **Triage** greets, tells the weather (``get_weather``) and hands off to the others;
- **FAQ** answers questions on baggage, seats and wifi (``faq_lookup_tool``);
- **Seat Booking** changes a seat (``update_seat``), which runs only once the user approves it.

Run them with ``kaiwa web --agent path/to/this_file.py:triage_agent`` (or ``kaiwa chat``).
The instructions and the tools' answers follow the page's language switch: ``kaiwa web``
passes a context with a ``language`` attribute (``"en"`` or ``"ja"``); without one (``kaiwa
chat`` passes none) they are in English.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from kaiwa import RealtimeAgent, function_tool, realtime_handoff
from kaiwa.context import RunContextWrapper

__all__ = ["faq_agent", "seat_booking_agent", "triage_agent"]


def _japanese(context: RunContextWrapper[Any]) -> bool:
    return getattr(context.context, "language", "en") == "ja"


@function_tool
def get_weather(context: RunContextWrapper[Any], city: str) -> str:
    """Get the weather in a city.

    Args:
        city: the city's name.
    """
    if _japanese(context):
        return f"{city}の天気は晴れ、気温は22度です。"
    return f"The weather in {city} is sunny, 22 degrees."


_ANSWERS = [
    (
        re.compile(
            r"(?i)(?<![a-z])(?:bags?|baggage|luggage|suitcases?|carry-ons?)(?![a-z])|荷物|かばん|バッグ"
        ),
        "You may bring one bag on the plane. It must be under 50 pounds and 22 by 14 by 9 inches.",
        "機内に持ち込めるお荷物は1つまでで、重さは23キロ以下、大きさは56×36×23センチ以内です。",
    ),
    (
        re.compile(r"(?i)(?<![a-z])(?:seats?|rows?|legroom)(?![a-z])|座席|(?<!出)席"),
        "There are 120 seats on the plane: 22 in business class and 98 in economy. Exit rows "
        "are rows 4 and 16. Rows 5 to 8 are Economy Plus, with extra legroom.",
        "座席は全部で120席で、ビジネスクラスが22席、エコノミークラスが98席です。非常口の列は4列目と"
        "16列目、5列目から8列目は足元の広いエコノミープラスです。",
    ),
    (
        re.compile(r"(?i)(?<![a-z])(?:wi-?fi|internet)(?![a-z])|ワイファイ|インターネット"),
        "We have free wifi on the plane: join Airline-Wifi.",
        "機内では無料のWi-Fiをご利用いただけます。Airline-Wifiに接続してください。",
    ),
]
"""Each topic's words (whole English words: "row" is not in "tomorrow"), and its answer in
English and in Japanese (the result is what the model reads out: given English, the 0.5B
model's Japanese was "ウェブWi-Fiが 利用可能です。")."""


@function_tool(name_override="faq_lookup_tool")
def faq_lookup_tool(context: RunContextWrapper[Any], question: str) -> str:
    """Look up the airline's answer to a frequently asked question (baggage, seats, wifi).

    Args:
        question: the traveller's question.
    """
    # The topic the question names first: "Is there wifi on the plane?" is about the wifi,
    # "How many bags ...? (baggage, seats, wifi)" (the description copied in) about bags.
    text = unicodedata.normalize("NFKC", question)  # ｗｉｆｉ as wifi
    said = [(m.start(), answer) for words, *answer in _ANSWERS if (m := words.search(text))]
    language = 1 if _japanese(context) else 0
    if said:
        return min(said)[1][language]
    if language:
        return "申し訳ありませんが、そのご質問の答えは分かりません。"
    return "I'm sorry, I don't know the answer to that question."


@function_tool(needs_approval=True)
def update_seat(context: RunContextWrapper[Any], confirmation_number: str, new_seat: str) -> str:
    """Change the seat of a booking.

    Args:
        confirmation_number: the booking's confirmation number.
        new_seat: the new seat, such as 12A.
    """
    seat, booking = new_seat.upper(), confirmation_number.upper()
    if _japanese(context):
        return f"予約{booking}の座席を{seat}に変更しました。"
    return f"Seat changed to {seat} for booking {booking}."


def _language_note(context: RunContextWrapper[Any]) -> str:
    if _japanese(context):
        return " Always answer in Japanese."
    return ""


def _instructions(text: str) -> Any:
    def instructions(context: RunContextWrapper[Any], agent: RealtimeAgent[Any]) -> str:
        return text + " Answer in one or two short spoken sentences." + _language_note(context)

    return instructions


faq_agent: RealtimeAgent[Any] = RealtimeAgent(
    name="FAQ Agent",
    handoff_description="Answers travellers' questions on bags and baggage, seats and wifi.",
    instructions=_instructions(
        "You are an airline agent who answers travellers' questions about baggage, seats "
        "and wifi. Look the answers up with faq_lookup_tool. Transfer back to the triage "
        "agent for anything else, such as the weather."
    ),
    tools=[faq_lookup_tool],
)

seat_booking_agent: RealtimeAgent[Any] = RealtimeAgent(
    name="Seat Booking Agent",
    handoff_description="Changes the seat on a traveller's booking.",
    instructions=_instructions(
        "You are an airline agent who changes travellers' seats. To change a seat you need "
        "the booking's confirmation number and the new seat. Transfer back to the triage "
        "agent for anything else, such as the weather."
    ),
    tools=[update_seat],
)

triage_agent: RealtimeAgent[Any] = RealtimeAgent(
    name="Triage Agent",
    handoff_description=(
        "Tells the weather, and finds out what else the traveller needs and passes them on."
    ),
    instructions=_instructions(
        "You are an airline's friendly voice assistant. Tell the weather with get_weather. "
        "Transfer to the FAQ agent for questions about baggage, seats on the plane or wifi. "
        "Transfer to the seat booking agent when the traveller wants to change their seat."
    ),
    tools=[get_weather],
    handoffs=[faq_agent, realtime_handoff(seat_booking_agent)],
)
faq_agent.handoffs.append(triage_agent)
seat_booking_agent.handoffs.append(triage_agent)
