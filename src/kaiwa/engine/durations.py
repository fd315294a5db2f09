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
from .text import is_japanese, outside
from .tool_calls import name_parts
from .written import written_form

__all__ = ["in_said_units", "said_duration", "time_parameter"]

_SECONDS = {"hour": 3600, "minute": 60, "second": 1}

_EN_UNIT = r"(?P<unit>hours?|hrs?|minutes?|mins?|seconds?|secs?)"
_EN_AMOUNT = (
    r"(?<![\d.:/,])(?P<amount>\d{1,6}(?:\.\d{1,6})?(?:\s+and\s+(?:a|1)\s+half)?"
    r"|an?|(?:a\s+)?couple(?:\s+of)?)"
)
_EN_TERM = re.compile(
    rf"\b(?:"
    rf"(?P<half>half\s+(?:an?\s+)?(?P<half_unit>hour|minute|second))"
    rf"|(?P<quarters>(?:(?:a|one|two|three|[123])\s+)?quarters?)\s+(?:of\s+)?(?:an?\s+)?hour"
    rf"|{_EN_AMOUNT}[\s-]*{_EN_UNIT}"
    rf"(?P<and_part>\s+and\s+(?:a\s+)?(?P<part>half|quarter))?"
    rf")\b",
    re.IGNORECASE,
)
_EN_JOIN = re.compile(r"^(?:\s*,?\s*(?:and\s+)?)$", re.IGNORECASE)
_EN_NOT_LENGTH = re.compile(r"^\s+(?:ago|past|to|after|before)\b", re.IGNORECASE)
"""What after a term makes it no length to set: "an hour ago", "ten minutes past seven"."""
_EN_NUMBER_AFTER = re.compile(r"^\s*,?\s*(?:and\s+)?\d")
"""A number after the last term: "1 hour 30" (30 what?)."""
_EN_IDIOM_BEFORE = re.compile(r"\bfor\s+$", re.IGNORECASE)
"""What must stand before "a minute" for it to be a length: "for a minute", not "wait a
minute", "in a minute", "give me a minute" (and "a second" is never one: "hang on a second",
"set a second timer")."""
_EN_LIST_BEFORE = re.compile(r"\d\s*(?:and|or|to|-|–)\s*$|\bpoint\s*$", re.IGNORECASE)
"""A number and a word of a list or a range before a term ("10 and 15 minutes", "5 to 10
minutes"), or a decimal point said ("point five hours")."""
_RELATIVE = re.compile(
    r"(?i)\b(?:more|extra|longer|shorter|less|another|additional|add|plus|minus|extend|"
    r"earlier|later|push|delay|half\s+of|third|thirds|quarter\s+of\s+\d)\b"
    r"|延長|追加|増や|減ら|短く|長く|短縮|伸ば|延ば|足し|足す|プラス|マイナス|早め|早く|遅く|"
    r"遅らせ|もう|半分|分の\d"
)
"""A length added to or taken from another ("5 more minutes", "push it back 10 minutes",
5分延長, もう5分), or a part of one ("half of 3 hours", 3時間の半分): not the length to set."""
_BARE_NUMBER = re.compile(r"\d")
"""A number left once the lengths are read: "leave in 10 minutes so set a timer for 5"."""
_JA_BEFORE = re.compile(r"(?:\d\s*(?:～|〜|~|-|から|か|、|,|または|や)\s*)$")
"""A number and a word of a range or a list before a term: 5～10分, 5から10分, 2、3分."""
_JA_NUMBER_AFTER = re.compile(r"^\s*\d")

_JA_TERM = re.compile(
    r"(?<![\d.:/,])(?P<amount>\d{1,6}(?:\.\d{1,6})?)\s*(?:"
    r"(?P<hour>時間)(?!目)(?P<hour_half>半)?"
    r"|(?P<minute>分)(?!の\d)間?(?P<minute_half>半)?"
    r"|(?P<second>秒)間?"
    r")"
)
_JA_JOIN = re.compile(r"^\s*と?\s*$")
_JA_CLOCK_BEFORE = re.compile(r"\d\s*時\s*$")
"""An hour of the clock before minutes: 7時30分 is a time of day."""
_ENOUGH = re.compile(r"(?<![〇一二三四五六七八九十百千万0-9０-９])十分(?![間半])")
"""十分 alone: じゅうぶん, enough, as often as ten minutes; not read as a length."""
_RANK = {"hour": 3, "minute": 2, "second": 1}


def _unit(word: str) -> str:
    word = word.lower()
    if word.startswith("h"):
        return "hour"
    if word.startswith("m"):
        return "minute"
    return "second"


def _english_term(m: re.Match[str], text: str) -> tuple[str, Fraction] | None:
    """A term's unit and its length in seconds; None if it is no length to set."""
    if _EN_NOT_LENGTH.match(text[m.end() :]) or _EN_LIST_BEFORE.search(text[: m.start()]):
        return None
    if m["half"]:
        unit = m["half_unit"].lower()
        return unit, Fraction(_SECONDS[unit], 2)
    if m["quarters"]:
        count = m["quarters"].lower().split()[0]
        quarters = {"two": 2, "2": 2, "three": 3, "3": 3}.get(count, 1)
        return "hour", Fraction(quarters * _SECONDS["hour"], 4)
    unit = _unit(m["unit"])
    amount = m["amount"].lower()
    if amount in ("a", "an", "1"):  # "one" is 1 by now
        if unit == "second" or (
            unit == "minute" and not _EN_IDIOM_BEFORE.search(text[: m.start()])
        ):
            return None
        value = Fraction(1)
    elif "couple" in amount:
        value = Fraction(2)
    else:
        number, _, half = amount.partition(" and ")
        value = Fraction(number) + (Fraction(1, 2) if half else 0)
    if m["part"]:
        value += Fraction(1, 2) if m["part"].lower() == "half" else Fraction(1, 4)
    return unit, value * _SECONDS[unit]


def _japanese_term(m: re.Match[str], text: str) -> tuple[str, Fraction] | None:
    if _JA_BEFORE.search(text[: m.start()]):
        return None
    amount = Fraction(m["amount"])
    if m["hour"]:
        return "hour", (amount + (Fraction(1, 2) if m["hour_half"] else 0)) * _SECONDS["hour"]
    if m["minute"]:
        if _JA_CLOCK_BEFORE.search(text[: m.start()]):
            return None
        half = Fraction(1, 2) if m["minute_half"] else 0
        return "minute", (amount + half) * _SECONDS["minute"]
    return "second", amount


_TIME_OF_DAY = re.compile(
    r"\d{1,2}:\d{2}|\d{1,2}\s*(?:時(?!間)|am\b|pm\b|a\.m\.|p\.m\.|o'?clock)", re.I
)
"""A time of day (7:30, 7時, 7 pm): a number beside a length that is no other length."""


def said_duration(text: str) -> Fraction | None:
    """The one length of time ``text`` says, in seconds ("an hour and a half" -> 5400,
    "1時間15分" -> 4500); None when it says none, or two apart, or one that is not a length
    to set (see the module)."""
    if _RELATIVE.search(text):
        return None
    japanese = is_japanese(text)
    if japanese:
        text = _ENOUGH.sub("じゅうぶん", text)
    text = with_digits(written_form(text))  # じゅうごふん -> 15分, 十五分 -> 15分
    matches = list((_JA_TERM if japanese else _EN_TERM).finditer(text))
    if not matches:
        return None
    join = _JA_JOIN if japanese else _EN_JOIN
    for before, after in itertools.pairwise(matches):
        if not join.match(text[before.end() : after.start()]):
            return None  # two lengths of time apart: which one is meant?
    number_after = _JA_NUMBER_AFTER if japanese else _EN_NUMBER_AFTER
    if number_after.match(text[matches[-1].end() :]):
        return None  # "1 hour 30", 1分30: 30 what?
    if _BARE_NUMBER.search(_TIME_OF_DAY.sub(" ", outside(text, matches, " "))):
        return None  # another number: which is the length?
    read = _japanese_term if japanese else _english_term
    terms = [read(m, text) for m in matches]
    lengths = [t for t in terms if t is not None]
    if len(lengths) != len(terms):
        return None
    if any(_RANK[a[0]] <= _RANK[b[0]] for a, b in itertools.pairwise(lengths)):
        return None  # "10 minutes 10 minutes", "5 minutes and 10 minutes": not one length
    return sum((length for _, length in lengths), Fraction(0))


_UNIT_NAMES = {"hours": "hour", "minutes": "minute", "seconds": "second", "secs": "second"}
"""A parameter's name's words that name its unit (not "min" of ``min_price``, nor "hour"
of ``set_alarm(hour)``, an hour of the clock)."""
_CLOCK = re.compile(r"(?i)of\s+the\s+day|\b0\s*-\s*2[34]\b|clock|o'?clock|時刻|何時")
"""A description of an hour or a minute of the clock, not a length."""
_DESCRIBED_UNIT = re.compile(
    r"\b(?:in|number\s+of)\s+(hours|minutes|seconds)\b|\((hours|minutes|seconds)\)"
    r"|[（(](時間|分|秒)[）)]|(時間|分|秒)単位|単位は(時間|分|秒)|(時間|分|秒)数",
    re.IGNORECASE,
)
"""A description that gives a parameter's unit: "in minutes", "number of seconds", "(hours)",
（分）, 分単位; not one that speaks of time in passing ("takes about 20 minutes")."""
_JA_UNITS = {"時間": "hour", "分": "minute", "秒": "second"}


def _parameter_unit(name: str, schema: dict[str, object]) -> int | None:
    """The seconds in the unit of a numeric parameter named or described for one
    (``minutes``, ``duration_seconds``, "How long, in minutes."); None for any other."""
    if schema.get("type") not in ("integer", "number"):
        return None
    if _CLOCK.search(str(schema.get("description") or "")):
        return None
    maximum = schema.get("maximum")
    if maximum in (12, 23, 24, 59):
        return None  # an hour (0-23) or a minute (0-59) of the clock
    named = [_UNIT_NAMES[p] for p in name_parts(name) if p in _UNIT_NAMES]
    if len(set(named)) == 1:
        return _SECONDS[named[0]]
    if named:
        return None
    description = str(schema.get("description") or "")
    described = set()
    for m in _DESCRIBED_UNIT.finditer(description):
        word = next(g for g in m.groups() if g)
        described.add(_JA_UNITS.get(word) or word.lower().rstrip("s"))
    if len(described) == 1:
        return _SECONDS[described.pop()]
    return None


def time_parameter(tool: ToolSpec) -> tuple[str, int] | None:
    """``tool``'s one numeric parameter of time and the seconds in its unit
    (``set_timer(minutes)`` -> ("minutes", 60)); None if it has none, or more than one."""
    properties = tool.parameters.get("properties")
    if not isinstance(properties, dict):
        return None
    timed = [
        (key, unit)
        for key, schema in properties.items()
        if isinstance(schema, dict) and (unit := _parameter_unit(key, schema)) is not None
    ]
    return timed[0] if len(timed) == 1 else None


def in_said_units(call: ToolCall, tool: ToolSpec, said: str) -> ToolCall:
    """``call`` with the length of time ``said`` (the user's words) in its parameter of
    time (`time_parameter`), in that parameter's unit, when it differs from the model's
    (see the module); as it is when the tool has no such parameter or the call none, when
    no one length was said, or when it is not a whole number of an integer parameter's unit
    (90 seconds in minutes). For one call of such a tool among the calls made: "timers
    for 5 and 10 minutes" are two lengths (the caller's to see)."""
    timed = time_parameter(tool)
    duration = said_duration(said) if timed is not None else None
    if timed is None or duration is None or duration <= 0:
        return call
    key, unit = timed
    value = duration / unit
    if value.denominator == 1:
        return call.replaced(key, int(value))
    if tool.parameters["properties"][key].get("type") == "integer":
        return call  # 90 seconds in whole minutes
    return call.replaced(key, float(value))
