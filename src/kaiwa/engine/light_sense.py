"""Lights switched the way the room's state asks: on when it is too dark, off when too bright.

People rarely say "turn the lights on" to a smart home; they say what is wrong: "it's way too
dark in the hallway", "I can't see a thing in the garage", "寝室まぶしくて寝られへん". The 0.5B
model then writes the room right and the switch backwards (``on=false`` for darkness: dev
half, 4 of 4 such requests; asked plainly "on or off?", it answers no better than a coin).
The switch is put right here, after the model wrote it, when the request says the room is
dark or too bright and does not say which way to switch (an explicit "on"/"off", つけて/消して
stands as the model wrote it).

Only for a tool of lights (its name or description says light or lamp) and its one boolean
parameter.
"""

from __future__ import annotations

import re

from .chat import ToolCall, ToolSpec

__all__ = ["lit_by_sense"]

_LIGHT_TOOL = re.compile(r"light|lamp|照明|電気|ライト", re.IGNORECASE)
_DARK = re.compile(
    r"\b(?:too|so|very|really|way too|pretty|kind of|kinda|pitch)[\s-]+(?:dark|dim|black)\b|"
    r"\bit'?s dark\b|\bdark in\b|\bcan'?t see (?:a thing|anything|much|my|where)|"
    r"\bcannot see (?:a thing|anything)|\bin the dark\b|"
    r"暗(?:い|すぎ|くて|かった|いから|いので)|真っ暗|まっくら",
    re.IGNORECASE,
)
"""The room is too dark: the lights are wanted on."""
_BRIGHT = re.compile(
    r"\b(?:too|so|very|really|way too)\s+bright\b|\bblinding\b|\bglare\b|"
    r"まぶし|眩し|明るすぎ|明る過ぎ",
    re.IGNORECASE,
)
"""The room is too bright: the lights are wanted off."""
_SAID_WHICH = re.compile(
    r"\b(?:on|off)\b|つけ|付け|点け|消し|消す|消して|オン|オフ",
    re.IGNORECASE,
)
"""Which way to switch, said outright: the model's value stands."""


def lit_by_sense(call: ToolCall, tool: ToolSpec, said: str) -> ToolCall:
    """``call`` with its light switched as ``said`` (the user's words) asks: on for a room
    too dark, off for one too bright; as it is otherwise (see the module)."""
    if not _LIGHT_TOOL.search(f"{tool.name} {tool.description}") or _SAID_WHICH.search(said):
        return call
    dark, bright = bool(_DARK.search(said)), bool(_BRIGHT.search(said))
    if dark == bright:
        return call
    properties = tool.parameters.get("properties") or {}
    switches = [
        k for k, v in properties.items() if isinstance(v, dict) and v.get("type") == "boolean"
    ]
    arguments = call.parsed_arguments()
    if len(switches) != 1 or arguments is None or switches[0] not in arguments:
        return call
    key = switches[0]
    if arguments[key] is dark:
        return call
    return call.with_arguments({**arguments, key: dark})
