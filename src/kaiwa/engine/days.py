"""The day a time was said for, kept in the call ("a table on Friday at 7:30" ->
``time="Friday 7:30"``).

A parameter such as ``time: the day and time of the reservation`` wants both. A small model
often writes the time alone: "I'd like a table for four on Friday at 7:30." ->
``book_table(4, "7:30")``, and "book a table for three at 7 that day" after "Are you open
on Saturday?" -> ``"7 am"`` (dev half of ``bench/quality``: 3 of 15 restaurant bookings). The
booking is then made for the wrong day, or for none.

`with_day` puts the day back: when a string parameter is described as taking a day (or a
date) and a time, the model wrote a time alone ("7:30", "8 pm"), and the conversation names
one day (in the request at hand, the assistant's last reply or the user's turn before it),
that day is put before the time, as said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
    r"|明後日|明日|今日|本日|今夜|今晩|今朝|(?<![ぁ-ゖ])(?:あさって|あした|あす|きょう)"
)
"""A day in Japanese: 金曜日, 来週の土曜, 明日, 今夜 (not the きょう of べんきょう)."""
_HAS_DAY = re.compile(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b\.?|weekend|週末"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d"
    r"|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?\b|\d{1,2}月|\d{1,2}日",
    re.I,
)
"""A day or a date already in the value: "Fri", "weekend", "Dec 5", "5th", "12/5", "12月5日"."""
_TIME = re.compile(
    r"\s*(?:(?:at|around|about|by)\s+)?\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?\s?m\.?|o'?clock|h)?"
    r"(?:ish)?\s*|\s*(?:午前|午後|夜|朝)?\d{1,2}(?:時(?:\d{1,2}分|半)?|:\d{2})(?:ごろ|頃)?\s*",
    re.I,
)
"""A time alone: "7:30", "8 pm", "around 8", "19.30", "7時半", "6時ごろ"."""
_TAKES_DAY = re.compile(r"\b(?:day|date)\b|日付|日時|日にち|曜日", re.I)
_TAKES_TIME = re.compile(r"\b(?:time|when)\b|時刻|時間|日時", re.I)
_STRICT = re.compile(r"\biso\b|yyyy|hh:mm|\bformat", re.I)
"""A parameter described with a format: the value is left as the model wrote it."""


def said_day(messages: Sequence[ChatMessage]) -> str | None:
    """The day the conversation is about, as said ("Friday", "tomorrow evening", 金曜日):
    the latest of the request at hand (the user's words since the assistant last spoke),
    the assistant's last reply, and the user's turn before it that names a day. ``None``
    if none does, or if the latest that does names two different days ("Saturday at 8,
    not Friday"; "Thursday is full, but Friday is free")."""
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users:
        return None
    replies = [
        i for i in range(users[-1]) if messages[i].role == "assistant" and messages[i].content
    ]
    reply = replies[-1] if replies else -1
    earlier = [i for i in users if i < reply]
    scopes = [
        " ".join(messages[i].content for i in users if i > reply),  # the request at hand
        messages[reply].content if reply >= 0 else "",
        messages[earlier[-1]].content if earlier else "",
    ]
    for text in scopes:
        days = [m.group(0) for m in (*_DAY_EN.finditer(text), *_DAY_JA.finditer(text))]
        if len({d.lower() for d in days}) > 1:
            return None  # which one?
        if days:
            return days[0]
    return None


def with_day(call: ToolCall, tool: ToolSpec, messages: Sequence[ChatMessage]) -> ToolCall:
    """``call`` with the day the conversation is about (`said_day`) put before a time
    written alone ("7:30", "8 pm"), in the string parameters described as taking a day or
    a date and a time; ``call`` itself when nothing changes. Not for parameters described
    with a format (ISO, HH:MM) or a length limit."""
    arguments = call.parsed_arguments()
    properties = tool.parameters.get("properties")
    if arguments is None or not isinstance(properties, dict):
        return call
    day: str | None = None
    changed = dict(arguments)
    for key, value in arguments.items():
        schema = properties.get(key)
        if not isinstance(schema, dict) or not isinstance(value, str):
            continue
        described = f"{key.replace('_', ' ')} {schema.get('description', '')}"
        if (
            schema.get("type") != "string"
            or {"enum", "const", "format", "pattern", "maxLength"} & schema.keys()
            or not _TAKES_DAY.search(described)
            or not _TAKES_TIME.search(described)
            or _STRICT.search(described)
            or not _TIME.fullmatch(value)
            or _HAS_DAY.search(value)
        ):
            continue
        day = day or said_day(messages)
        if day is None:
            return call
        changed[key] = f"{day} {value.strip()}"
    if changed == arguments:
        return call
    return call.with_arguments(changed)
