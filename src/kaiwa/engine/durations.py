"""A length of time, as the user said it, in the unit a tool's parameter takes.

Asked "set a timer for an hour and a half", the 0.5B model wrote ``set_timer(minutes=30)``;
"a quarter of an hour" got 30, "wake me in 90 seconds" 90 minutes and "1 hour 15 minutes"
15: it copies one number of the request and leaves the sum and the unit to nobody. People
say lengths of time in whatever units come to them (an hour and a half, ninety seconds,
1時間半, 一時間十五分), and a tool takes one (``minutes``, ``seconds``).

`said_duration` reads the one length of time in a request: numbers in digits, English words
or kanji, each with its unit (hours, minutes, seconds, 時間, 分, 秒), with "and a half",
"half an hour", "a quarter of an hour", 半; terms side by side are one length ("1 hour 15
minutes", 1時間と15分). Two lengths apart ("10 minutes, then 5 more"), none, or a number
without a unit ("a timer for 5") give None. `in_said_units` puts that length, in the unit
of the tool's one numeric parameter named or described for one ("minutes", "duration in
seconds"), in place of the model's value.
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

from .arithmetic import with_digits
from .chat import ToolCall, ToolSpec
from .text import is_japanese
from .tool_calls import name_parts
from .written import written_form

__all__ = ["in_said_units", "said_duration"]

_SECONDS = {"hour": 3600, "minute": 60, "second": 1}

_EN_UNIT = r"(?P<unit>hours?|hrs?|minutes?|mins?|seconds?|secs?)"
_EN_AMOUNT = r"(?P<amount>\d+(?:\.\d+)?(?:\s+and\s+(?:a|one)\s+half)?|an?|one|a\s+couple(?:\s+of)?)"
_EN_TERM = re.compile(
    rf"\b(?:"
    rf"(?P<half>half\s+(?:an?\s+)?(?P<half_unit>hour|minute))"
    rf"|(?P<quarters>(?:a|one|three|3)\s+quarters?|quarter)\s+(?:of\s+)?(?:an?\s+)?hour"
    rf"|{_EN_AMOUNT}[\s-]*{_EN_UNIT}(?P<and_half>\s+and\s+a\s+half)?"
    rf")\b",
    re.IGNORECASE,
)
_EN_JOIN = re.compile(r"^(?:\s*,?\s*(?:and\s+)?)$", re.IGNORECASE)

_JA_TERM = re.compile(
    r"(?P<amount>\d+(?:\.\d+)?)\s*(?:"
    r"(?P<hour>時間)(?P<hour_half>半)?"
    r"|(?P<minute>分)(?!の\d)間?(?P<minute_half>半)?"
    r"|(?P<second>秒)間?"
    r")"
)
_JA_JOIN = re.compile(r"^\s*と?\s*$")


def _unit(word: str) -> int:
    word = word.lower()
    if word.startswith("h"):
        return _SECONDS["hour"]
    if word.startswith("m"):
        return _SECONDS["minute"]
    return _SECONDS["second"]


def _english_term(m: re.Match[str]) -> Fraction:
    if m["half"]:
        return Fraction(_SECONDS[m["half_unit"].lower()], 2)
    if m["quarters"]:
        quarters = 3 if m["quarters"].lower().startswith(("three", "3")) else 1
        return Fraction(quarters * _SECONDS["hour"], 4)
    amount = m["amount"].lower()
    if amount in ("a", "an", "one"):
        value = Fraction(1)
    elif amount.startswith("a"):  # a couple (of)
        value = Fraction(2)
    else:
        number, _, half = amount.partition(" and ")
        value = Fraction(number) + (Fraction(1, 2) if half else 0)
    if m["and_half"]:
        value += Fraction(1, 2)
    return value * _unit(m["unit"])


def _japanese_term(m: re.Match[str]) -> Fraction:
    amount = Fraction(m["amount"])
    if m["hour"]:
        return (amount + (Fraction(1, 2) if m["hour_half"] else 0)) * _SECONDS["hour"]
    if m["minute"]:
        return (amount + (Fraction(1, 2) if m["minute_half"] else 0)) * _SECONDS["minute"]
    return amount


def said_duration(text: str) -> Fraction | None:
    """The one length of time ``text`` says, in seconds ("an hour and a half" -> 5400,
    "1時間15分" -> 4500); None when it says none, or two apart (see the module)."""
    japanese = is_japanese(text)
    text = with_digits(written_form(text))  # じゅうごふん -> 15分, 十五分 -> 15分
    terms = list((_JA_TERM if japanese else _EN_TERM).finditer(text))
    if not terms:
        return None
    join = _JA_JOIN if japanese else _EN_JOIN
    for before, after in itertools.pairwise(terms):
        if not join.match(text[before.end() : after.start()]):
            return None  # two lengths of time apart: which one is meant?
    read = _japanese_term if japanese else _english_term
    return sum((read(m) for m in terms), Fraction(0))


_UNIT_NAMES = {
    "hours": "hour", "hour": "hour", "hrs": "hour", "minutes": "minute", "minute": "minute",
    "mins": "minute", "min": "minute", "seconds": "second", "second": "second", "secs": "second",
    "sec": "second",
}  # fmt: skip
_DESCRIBED_UNIT = re.compile(r"\b(?:in\s+)?(hours|minutes|seconds)\b|(時間|分|秒)", re.IGNORECASE)
_JA_UNITS = {"時間": "hour", "分": "minute", "秒": "second"}


def _parameter_unit(name: str, schema: dict[str, object]) -> int | None:
    """The seconds in the unit of a numeric parameter named or described for one
    (``minutes``, ``duration_seconds``, "How long, in minutes."); None for any other."""
    if schema.get("type") not in ("integer", "number"):
        return None
    named = [_UNIT_NAMES[p] for p in name_parts(name) if p in _UNIT_NAMES]
    if len(set(named)) == 1:
        return _SECONDS[named[0]]
    if named:
        return None
    description = str(schema.get("description") or "")
    described = {
        (m[1].lower().rstrip("s") if m[1] else _JA_UNITS[m[2]])
        for m in _DESCRIBED_UNIT.finditer(description)
    }
    if len(described) == 1:
        return _SECONDS[described.pop()]
    return None


def in_said_units(call: ToolCall, tool: ToolSpec, said: str) -> ToolCall:
    """``call`` with the length of time ``said`` (the user's words) in its one parameter of
    time, in that parameter's unit, when it differs from the model's (see the module); as
    it is when the tool has no such parameter or none, or more than one, was given, or the
    length is not a whole number of an integer parameter's unit (90 seconds in minutes)."""
    properties = tool.parameters.get("properties")
    if not isinstance(properties, dict):
        return call
    timed = {
        key: unit
        for key, schema in properties.items()
        if isinstance(schema, dict) and (unit := _parameter_unit(key, schema)) is not None
    }
    if len(timed) != 1:
        return call
    arguments = call.parsed_arguments()
    ((key, unit),) = timed.items()
    if arguments is None or key not in arguments:
        return call
    duration = said_duration(said)
    if duration is None or duration <= 0:
        return call
    value = duration / unit
    if properties[key].get("type") == "integer":
        if value.denominator != 1:
            return call
        written: int | float = int(value)
    else:
        written = int(value) if value.denominator == 1 else float(value)
    if arguments[key] == written:
        return call
    return call.with_arguments({**arguments, key: written})
