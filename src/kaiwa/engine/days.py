"""The day a time was said for, kept in the call ("a table on Friday at 7:30" ->
``time="Friday 7:30"``).

A parameter such as ``time: the day and time of the reservation`` wants both. A small model
often writes the time alone: "I'd like a table for four on Friday at 7:30." ->
``book_table(4, "7:30")``, and "book a table for three at 7 that day" after "Are you open
on Saturday?" -> ``"7 am"`` (dev half of ``bench/quality``: 3 of 15 restaurant bookings). The
booking is then made for the wrong day, or for none.

`with_day` puts the day back: when a string parameter is described as taking a day or a date,
the model wrote a time (digits) with no day in it, and the user named a day (the latest one
they said, in this turn or an earlier one), the day is put before the time, as said.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from typing import Any

from .chat import ChatMessage, ToolCall, ToolSpec

__all__ = ["said_day", "with_day"]

_WEEKDAY_EN = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DAY_EN = re.compile(
    rf"\b(?:(?:(?:this|next|coming)\s+)?{_WEEKDAY_EN}(?:\s+(?:morning|afternoon|evening|night))?"
    r"|the\s+day\s+after\s+tomorrow|tomorrow(?:\s+(?:morning|afternoon|evening|night))?"
    r"|today|tonight|this\s+(?:morning|afternoon|evening))\b",
    re.I,
)
"""A day as people say it: "Friday", "next Friday evening", "tomorrow", "tonight"."""
_DAY_JA = re.compile(
    r"(?:(?:今週|来週|再来週)の?)?[月火水木金土日]曜(?:日)?(?:の?(?:朝|昼|夜|夕方|晩))?"
    r"|明後日|あさって|明日|あした|あす|今日|きょう|本日|今夜|今晩|こんばん|今朝"
)
"""A day in Japanese: 金曜日, 来週の土曜, 明日, 今夜."""
_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d"
    r"|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,4}[/-]\d{1,2}(?:[/-]\d{1,4})?\b|\d{1,2}月\d{1,2}日"
    r"|\d{1,2}日",
    re.I,
)
"""A date written in the value ("Dec 5", "5th", "12/5", "12月5日"): a day is there."""
_DAY_WORDS = re.compile(r"\b(?:day|date)s?\b|日|曜", re.I)
"""A parameter described with these takes a day (``time: the day and time of ...``)."""


def said_day(messages: Sequence[ChatMessage]) -> str | None:
    """The day the user named last in ``messages`` ("Friday", "tomorrow evening", 金曜日), as
    said; ``None`` if they named none."""
    for m in reversed(messages):
        if m.role != "user":
            continue
        found = [*_DAY_EN.finditer(m.content), *_DAY_JA.finditer(m.content)]
        if found:
            return max(found, key=lambda f: f.start()).group(0)
    return None


def with_day(call: ToolCall, tool: ToolSpec, messages: Sequence[ChatMessage]) -> ToolCall:
    """``call`` with the day the user named put before a time written without one, in the
    parameters described as taking a day or a date; ``call`` itself when nothing changes."""
    try:
        arguments: Any = json.loads(call.arguments or "{}")
    except ValueError:
        return call
    properties = tool.parameters.get("properties")
    if not isinstance(arguments, dict) or not isinstance(properties, dict):
        return call
    day: str | None = None
    changed = dict(arguments)
    for key, value in arguments.items():
        schema = properties.get(key)
        if (
            not isinstance(schema, dict)
            or schema.get("type") != "string"
            or {"enum", "const", "format", "pattern"} & schema.keys()
            or not isinstance(value, str)
            or not any(c.isdigit() for c in value)  # a time; a day alone is left as it is
            or not _DAY_WORDS.search(f"{key.replace('_', ' ')} {schema.get('description', '')}")
            or _DAY_EN.search(value)
            or _DAY_JA.search(value)
            or _DATE.search(value)
        ):
            continue
        day = day or said_day(messages)
        if day is None:
            return call
        changed[key] = f"{day} {value.strip()}"
    if changed == arguments:
        return call
    return dataclasses.replace(call, arguments=json.dumps(changed, ensure_ascii=False))
