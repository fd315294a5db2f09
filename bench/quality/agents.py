"""The agents the quality evaluation talks to, written the way users write agents.

Each is a `kaiwa.RealtimeAgent` with `function_tool`s (the tools never run here: the
evaluation checks which call the model makes, and with which arguments). The kinds are those
the reference SDK and its peers demo: the airline demo itself (`kaiwa.apps.airline`: triage
with handoffs, FAQ, seat booking), a weather assistant, a restaurant's phone line, a smart
home, an online shop's customer support. Instructions are plain, as a user would first write
them, not tuned to the evaluation; in Japanese they end with "answer in Japanese", as
`kaiwa.apps.airline` does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from kaiwa import RealtimeAgent, function_tool
from kaiwa.apps import airline
from kaiwa.apps.agents import default_agent
from kaiwa.context import RunContextWrapper
from kaiwa.core.conversation import tool_specs
from kaiwa.engine.chat import ToolSpec
from kaiwa.settings import _tools

__all__ = ["AGENTS", "AgentSetup", "setup"]

SPOKEN = " Answer in one or two short spoken sentences."
JAPANESE = " Always answer in Japanese."


# -- weather -------------------------------------------------------------------------------


@function_tool
def get_weather(city: str) -> str:
    """Get the current weather in a city.

    Args:
        city: the city's name.
    """
    return f"It is sunny in {city}, 22 degrees."


weather = RealtimeAgent(
    name="Weather Assistant",
    instructions="You are a helpful voice assistant. Use get_weather to tell the weather." + SPOKEN,
    tools=[get_weather],
)


# -- restaurant ----------------------------------------------------------------------------


@function_tool
def book_table(party_size: int, time: str) -> str:
    """Reserve a table at the restaurant.

    Args:
        party_size: how many people.
        time: the day and time of the reservation, as the guest said it.
    """
    return f"Booked a table for {party_size} at {time}."


@function_tool
def get_opening_hours(day: str) -> str:
    """Tell when the restaurant is open on a day.

    Args:
        day: the day of the week, or "today" or "tomorrow".
    """
    return "We are open from noon to 10 pm."


restaurant = RealtimeAgent(
    name="Restaurant Host",
    instructions=(
        "You answer the phone for Luigi's, an Italian restaurant. Book tables with book_table "
        "and tell the opening hours with get_opening_hours." + SPOKEN
    ),
    tools=[book_table, get_opening_hours],
)


# -- smart home ----------------------------------------------------------------------------


@function_tool
def set_lights(room: str, on: bool) -> str:
    """Switch the lights of a room on or off.

    Args:
        room: the room, such as kitchen or bedroom.
        on: true to switch on, false to switch off.
    """
    return f"The {room} lights are {'on' if on else 'off'}."


@function_tool
def set_thermostat(temperature: float) -> str:
    """Set the heating or air conditioning to a temperature.

    Args:
        temperature: the target temperature in degrees.
    """
    return f"The thermostat is set to {temperature} degrees."


@function_tool
def set_timer(minutes: float) -> str:
    """Start a timer.

    Args:
        minutes: how long the timer runs, in minutes.
    """
    return f"Timer set for {minutes} minutes."


smart_home = RealtimeAgent(
    name="Home Assistant",
    instructions=(
        "You control the user's smart home: lights, thermostat and timers. Use the tools to "
        "do what the user asks." + SPOKEN
    ),
    tools=[set_lights, set_thermostat, set_timer],
)


# -- customer support ------------------------------------------------------------------------


@function_tool
def get_order_status(order_number: str) -> str:
    """Look up where an order is.

    Args:
        order_number: the order's number.
    """
    return f"Order {order_number} was shipped yesterday and arrives on Friday."


@function_tool
def request_refund(order_number: str, reason: str) -> str:
    """Start a refund for an order.

    Args:
        order_number: the order's number.
        reason: why the customer wants a refund.
    """
    return f"A refund for order {order_number} has been started."


support = RealtimeAgent(
    name="Support Agent",
    instructions=(
        "You are customer support for an online shop. Look orders up with get_order_status "
        "and start refunds with request_refund. Ask for the order number if you need it." + SPOKEN
    ),
    tools=[get_order_status, request_refund],
)


AGENTS: dict[str, RealtimeAgent[Any]] = {
    "airline_triage": airline.triage_agent,
    "airline_faq": airline.faq_agent,
    "airline_seat": airline.seat_booking_agent,
    "weather": weather,
    "restaurant": restaurant,
    "smart_home": smart_home,
    "support": support,
    "assistant": default_agent(),
}
"""Agents by the name the cases use. The airline demo's three count as one kind (with
handoffs); six kinds in all, plus requests that need no tool for every one of them.
``assistant`` is `kaiwa chat`'s default agent, whose one tool takes no value (added
2026-12-05, by a third writer, after "hello" was seen to call it)."""


@dataclass(frozen=True)
class AgentSetup:
    """What the engine's LLM is given for an agent: its instructions and its tools."""

    instructions: str
    tools: list[ToolSpec]


def setup(name: str, language: str) -> AgentSetup:
    """The instructions and tools of agent ``name`` in ``language`` (``en`` or ``ja``), as a
    session would send them (handoffs become ``transfer_to_...`` tools)."""
    agent = AGENTS[name]
    ctx = RunContextWrapper(SimpleNamespace(language=language))

    async def read() -> tuple[str, list[Any], list[Any]]:
        prompt = await agent.get_system_prompt(ctx) or ""
        return prompt, await agent.get_all_tools(ctx), await agent.get_handoffs(ctx)

    prompt, tools, handoffs = asyncio.run(read())
    if language == "ja" and not prompt.endswith(JAPANESE):
        prompt += JAPANESE
    return AgentSetup(prompt, tool_specs(_tools(tools, handoffs)))
