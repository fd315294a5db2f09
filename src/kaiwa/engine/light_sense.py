"""Lights switched the way the room's state asks: on when it is too dark, off when too bright.

People rarely say "turn the lights on" to a smart home; they say what is wrong: "it's way too
dark in the hallway", "I can't see a thing in the garage", "寝室まぶしくて寝られへん". The 0.5B
model then writes the room right and the switch backwards (``on=false`` for darkness: dev
half, 4 of 4 such requests; asked plainly in a prompt of its own, it answers by the order
the words are offered in: "off or on?" got "off" for 10 of 12, dark and bright alike).
The switch is put right here, after the model wrote it, when the request says the room is
dark or too bright and does not say which way to switch (an explicit "on"/"off", つけて/消して
stands as the model wrote it).

Only for a tool of lights (its name or description says light or lamp) and its one boolean
parameter, named for the switch (``on``, ``state``, ``power``...); not when the state is
denied ("it's not dark any more") or the room is to be made so ("make it dark").
"""

from __future__ import annotations

import re

from .chat import ToolCall, ToolSpec
from .tool_calls import name_words

__all__ = ["lit_by_sense"]

_LIGHT_TOOL = re.compile(r"\b(?:lights?|lamps?|lighting)\b|照明|電気|ライト", re.IGNORECASE)
"""A tool of lights, by its name's words or its description (not "flight", "daylight")."""
_SWITCH = re.compile(r"on|is_on|turn_on|switch_on|state|power|enabled?|lit", re.IGNORECASE)
"""The names of a boolean that is true for lights on."""
_DARK = re.compile(
    r"\b(?:too|so|very|really|way too|kinda|kind of)\s+(?:dark|dim)\b|"
    r"\b(?:it'?s|is|getting)\s+(?:pitch\s+)?(?:dark|black)\b|"
    r"\bcan'?t see (?:a thing|anything)\b|\bcannot see (?:a thing|anything)\b|"
    r"暗(?:い|すぎ|くて|かった)|真っ暗(?!に)|まっくら(?!に)",
    re.IGNORECASE,
)
"""The room is too dark: the lights are wanted on (not "make it dark", 真っ暗にして)."""
_BRIGHT = re.compile(
    r"\b(?:too|so|very|really|way too)\s+bright\b|\bblinding\b|\bglare\b|"
    r"まぶし|眩し|明るすぎ|明る過ぎ",
    re.IGNORECASE,
)
"""The room is too bright: the lights are wanted off."""
_SAID_WHICH = re.compile(
    r"\b(?:on|off|dark(?:er|en)|bright(?:er|en)|dim)\b|"
    r"つけ|付け|点け|消し|消す|オン|オフ|暗く|明るく|にして|にする",
    re.IGNORECASE,
)
"""Which way to switch or what to make of the room, said outright: the model's value
stands ("turn off the hall light", "make it dark", 暗くして, 真っ暗にして)."""
_NEGATED = re.compile(
    r"\b(?:not|isn'?t|aren'?t|wasn'?t|no longer|never)\b|くな[いく]|ないよう|じゃない|ではない",
    re.IGNORECASE,
)
"""A state denied ("it's not dark in here anymore", まぶしくない): no guess."""


def lit_by_sense(call: ToolCall, tool: ToolSpec, said: str) -> ToolCall:
    """``call`` with its light switched as ``said`` (the user's words) asks: on for a room
    too dark, off for one too bright; as it is otherwise (see the module)."""
    named = " ".join(name_words(tool.name))
    if not _LIGHT_TOOL.search(f"{named} {tool.description}"):
        return call
    if _SAID_WHICH.search(said) or _NEGATED.search(said):
        return call
    dark, bright = bool(_DARK.search(said)), bool(_BRIGHT.search(said))
    if dark == bright:
        return call
    properties = tool.parameters.get("properties") or {}
    switches = [
        k for k, v in properties.items() if isinstance(v, dict) and v.get("type") == "boolean"
    ]
    if len(switches) != 1 or not _SWITCH.fullmatch(switches[0]):
        return call
    return call.replaced(switches[0], dark)
