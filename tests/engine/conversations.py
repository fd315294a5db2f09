"""Conversations more than one engine test replays."""

from __future__ import annotations

from kaiwa.engine.chat import ChatMessage, ToolCall

REFUSED = "Sorry, I can't help with that here. I can get the current local date and time."
"""What `kaiwa chat`'s assistant (its one tool a clock) says to a weather question."""


def weather_refused_then_time(system: str = "You help.") -> list[ChatMessage]:
    """`kaiwa chat` (README command 1): "What's the weather in Paris?" refused, then "What
    time is it?" and the clock's result, to be read out."""
    return [
        ChatMessage("system", system),
        ChatMessage("user", "What's the weather in Paris?"),
        ChatMessage("assistant", REFUSED),
        ChatMessage("user", "What time is it?"),
        ChatMessage("assistant", "", tool_calls=(ToolCall("get_current_time", "{}", "c1"),)),
        ChatMessage("tool", "Monday 07 December 2026, 13:25", tool_call_id="c1"),
    ]
