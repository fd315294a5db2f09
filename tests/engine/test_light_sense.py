"""`lit_by_sense`: a light switched the way the room's state asks (dark: on; too bright: off)
when the request does not say which way."""

from __future__ import annotations

import json

import pytest

from kaiwa.engine.chat import ToolCall, ToolSpec
from kaiwa.engine.light_sense import lit_by_sense

LIGHTS = ToolSpec(
    "set_lights",
    "Switch the lights of a room on or off.",
    {
        "type": "object",
        "properties": {"room": {"type": "string"}, "on": {"type": "boolean"}},
        "required": ["room", "on"],
    },
)
THERMOSTAT = ToolSpec(
    "set_heating",
    "Switch the heating on or off.",
    {"type": "object", "properties": {"on": {"type": "boolean"}}, "required": ["on"]},
)


def switched(said: str, on: bool, tool: ToolSpec = LIGHTS) -> bool:
    call = ToolCall(tool.name, json.dumps({"room": "hall", "on": on}))
    return bool(json.loads(lit_by_sense(call, tool, said).arguments)["on"])


@pytest.mark.parametrize(
    ("said", "wanted"),
    [
        # (dev half: the model wrote the switch backwards for each of these)
        ("its way too dark in the hallway", True),
        ("ugh I can't see a thing in the garage", True),
        ("キッチンが暗すぎて何も見えないんだけど", True),
        ("寝室まぶしくて寝られへんわ", False),
        ("it's pitch black in the study", True),
        ("the living room is way too bright", False),
    ],
)
def test_the_room_s_state_decides_the_switch(said: str, wanted: bool) -> None:
    assert switched(said, not wanted) is wanted
    assert switched(said, wanted) is wanted  # right already: as it is


@pytest.mark.parametrize(
    "said",
    [
        "it's too dark, turn off the hall light",  # said outright: stands
        "暗いけど電気消して",
        "turn on the hall light",
        "the hallway",  # nothing of light or dark
        "it's dark and too bright at once",  # both: no guess
        # (a review's) the room to be made dark, a state denied
        "寝室を真っ暗にして",
        "まっくらにしてほしい",
        "watch a movie in the dark in the living room",
        "make the bedroom pitch black",
        "It's not dark in here anymore",
        "The kitchen isn't too bright",
        "まぶしくないように",
    ],
)
def test_what_was_said_outright_or_nothing_stands(said: str) -> None:
    assert switched(said, False) is False
    assert switched(said, True) is True


def test_only_lights_are_switched_so() -> None:
    call = ToolCall("set_heating", '{"on": false}')
    assert lit_by_sense(call, THERMOSTAT, "it's too dark in here") == call
    # "flight" is no light (a review's), and a boolean not named for the switch stays
    flight = ToolSpec(
        "flight_status",
        "Get a flight's status.",
        {
            "type": "object",
            "properties": {"flight": {"type": "string"}, "subscribe": {"type": "boolean"}},
        },
    )
    call = ToolCall("flight_status", '{"flight": "BA117", "subscribe": false}')
    assert lit_by_sense(call, flight, "I can't see a thing in the app") == call
    night = ToolSpec(
        "set_lamp",
        "Set a lamp.",
        {"type": "object", "properties": {"night_mode": {"type": "boolean"}}},
    )
    call = ToolCall("set_lamp", '{"night_mode": true}')
    assert lit_by_sense(call, night, "it's too dark in here") == call
