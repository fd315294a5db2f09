"""A length of time as the user said it, in the unit a tool takes (`kaiwa.engine.durations`)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kaiwa.engine.chat import ToolCall, ToolSpec
from kaiwa.engine.durations import in_said_units, said_duration
from tests.checks import judged_arguments


def timer_taking(name: str, schema: dict[str, object]) -> ToolSpec:
    """A timer whose one parameter is ``name``."""
    parameters = {"type": "object", "properties": {name: schema}, "required": [name]}
    return ToolSpec("set_timer", "Start a timer.", parameters)


TIMER = timer_taking(
    "minutes", {"type": "number", "description": "how long the timer runs, in minutes."}
)


@pytest.mark.parametrize(
    ("said", "seconds"),
    [
        ("set a timer for an hour and a half", 5400),
        ("timer for half an hour please", 1800),
        ("set a timer for a quarter of an hour", 900),
        ("three quarters of an hour", 2700),
        ("wake me in 90 seconds", 90),
        ("set a timer for two and a half minutes", 150),
        ("timer, 1 hour 15 minutes", 4500),
        ("an hour and fifteen minutes", 4500),
        ("give me a forty-five minute timer", 2700),
        ("could you set a timer for ten mins", 600),
        ("a couple of minutes", 120),
        ("1時間半のタイマー", 5400),
        ("一時間十五分のタイマーをかけて", 4500),
        ("1時間と15分", 4500),
        ("じゅうごふんのタイマー", 900),
        ("タイマーを90秒", 90),
        ("5分のタイマー", 300),
        ("15分間", 900),
        ("an hour and a quarter", 4500),
        ("two quarters of an hour", 1800),
        ("an hour and half", 5400),
        ("couple minutes", 120),
        ("timer for a minute please", 60),
        ("remind me in 2 hours", 7200),
        ("30分後に起こして", 1800),
    ],
)
def test_a_length_of_time_is_read_in_any_units(said: str, seconds: int) -> None:
    assert said_duration(said) == seconds


@pytest.mark.parametrize(
    "said",
    [
        "a timer for 5",  # no unit
        "10 minutes, then 5 minutes more",  # two lengths apart
        "wake me at 7",
        "7時にタイマー",  # a clock time
        "3分の1",  # a third
        "What's the weather like?",
        # a review's: idioms, times of day, lists, ranges, repeats, decimals, additions
        "hang on a second set a timer for twenty",
        "set a second timer for ten",
        "wait a minute",
        "in a second",
        "half an hour ago",
        "at 3 minutes past 7",
        "set a timer for 1 hour 30",  # 30 what?
        "timers for 5 minutes and 10 minutes",
        "set timers for 10 and 15 minutes",
        "5 to 10 minutes",
        "timer for 10 minutes 10 minutes",
        "point five hours",
        ".5 hours",
        "add 5 more minutes",
        "7時30分",
        "2時間目",
        "タイマーは十分でいいよ",  # じゅうぶん, enough
        "10分か15分",
        "あと5分延長して",
    ],
)
def test_no_length_or_two_apart_is_none(said: str) -> None:
    assert said_duration(said) is None


def timed(minutes: object, said: str, tool: ToolSpec = TIMER) -> object:
    call = ToolCall("set_timer", f'{{"minutes": {minutes}}}')
    arguments = in_said_units(call, tool, said).parsed_arguments()
    assert arguments is not None
    return arguments["minutes"]


def test_the_length_said_goes_in_the_parameters_unit() -> None:
    # the 0.5B model's values for these requests (it copies one number of them)
    assert timed(30, "set a timer for an hour and a half") == 90
    assert timed(30, "set a timer for a quarter of an hour") == 15
    assert timed(90, "wake me in 90 seconds") == 1.5
    assert timed(15, "timer, 1 hour 15 minutes") == 75
    assert timed(1, "一時間十五分のタイマーをかけて") == 75
    # as the model wrote it: nothing said in a unit, or the same length
    assert timed(5, "a timer for 5") == 5
    assert timed(25, "twenty five minutes") == 25
    assert isinstance(timed(25, "twenty five minutes"), int)


def test_only_a_parameter_of_time_and_a_whole_value_for_an_integer() -> None:
    seconds = timer_taking("duration_seconds", {"type": "integer"})
    call = ToolCall("set_timer", '{"duration_seconds": 2}')
    made = in_said_units(call, seconds, "two minutes please").parsed_arguments()
    assert made == {"duration_seconds": 120}
    whole_minutes = timer_taking("minutes", {"type": "integer"})
    assert timed(90, "wake me in 90 seconds", whole_minutes) == 90  # 1.5 is no integer

    # the unit by the description alone: "in minutes", （分）; not a time in passing
    def minutes_by(description: str, name: str = "length") -> object:
        tool = timer_taking(name, {"type": "number", "description": description})
        made = in_said_units(ToolCall("set_timer", f'{{"{name}": 30}}'), tool, "an hour and a half")
        return (made.parsed_arguments() or {})[name]

    assert minutes_by("how long the timer runs, in minutes.") == 90
    assert minutes_by("タイマーの長さ（分）") == 90
    assert minutes_by("how long, in seconds") == 5400
    assert minutes_by("how long; it takes about 20 minutes to warm up") == 30
    assert minutes_by("the lowest price", name="min_price") == 30  # no "min" of minutes
    thermostat = ToolSpec(
        "set_thermostat",
        "Set the heating.",
        {"type": "object", "properties": {"degrees": {"type": "number"}}, "required": []},
    )
    call = ToolCall("set_thermostat", '{"degrees": 21}')
    assert in_said_units(call, thermostat, "21 degrees for an hour") is call
    assert said_duration("an hour") == Fraction(3600)


def test_the_policy_sets_the_length_but_leaves_values_taken_back_to_repairs() -> None:
    def judged(said: str, minutes: int) -> object:
        call = ToolCall("set_timer", f'{{"minutes": {minutes}}}')
        return judged_arguments(said, call, TIMER)["minutes"]

    assert judged("set a timer for an hour and a half", 30) == 90
    # "10 minutes, no 15": `repaired`'s 15 stays (a review's)
    assert judged("set a timer for 10 minutes, no 15", 10) == 15
