"""Speech repairs: a value said, then taken back and said again ("seat 17B, sorry, 17E";
"three, no, four people"; "三人、いや四人で").

People correct themselves as they speak, and a recogniser writes both values down. A small
model copies the first one into its call as often as the second (dev half: "Track order 40217,
no sorry, 40271." -> ``order_number="40217"``). The call's values are put right here, after
the model wrote them: a value the user said and then took back is replaced by the one said
after it. Only numbers, codes and times are repaired (both values of the same kind): "Paris,
no worries" takes nothing back.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .chat import ToolCall, ToolSpec
from .numbers import said_number
from .shapes import shape

__all__ = ["repaired", "repairs"]

_EDIT_ONE = (
    r"(?:no|sorry|wait|actually|oops|i\s+mean|make\s+(?:that|it)|or\s+rather|rather|"
    r"scratch\s+that|correction)"
)
_EDIT_EN = rf"{_EDIT_ONE}(?:[,;!-]*\s?{_EDIT_ONE}){{0,2}}"
"""What people say between a value and the one that replaces it (the editing term). Not
after a sentence's end ("A table for 2. Sorry, one more thing" takes nothing back), except
between two codes of one shape (`_same_code`: "17B. Sorry, 17E")."""
_FILLER = r"(?:(?:uh|um|er|erm)[,]?\s)?"
_VALUE_EN = r"[A-Za-z0-9][\w:]*+(?:\.\d+)?"
_REPAIR_EN = re.compile(
    rf"(?<![\w:.])(?P<a>{_VALUE_EN})(?:\s(?P<wa>[A-Za-z]++))?(?P<stop>\.)?\s?[,;!-]*\s?{_FILLER}"
    rf"{_EDIT_EN}\b[,;!-]*\s?{_FILLER}(?:(?:the|a|an|seat|row|order|number|gate|room)\s)?"
    rf"(?P<b>{_VALUE_EN})(?![\w:])(?:\s(?P<wb>[A-Za-z]++))?",
    re.I,
)
_NOT_A_REPAIR = {
    "more", "other", "quick", "thing", "things", "moment", "sec", "second", "question",
    "questions", "last", "little", "of",
}  # fmt: skip
"""Words after the second value that make it something else ("…, sorry, one more thing")."""
_EDIT_JA = (
    "(?:あ[、,]?)?(?:いや|いえ|じゃなくて|ではなくて|ではなく|じゃない|違う|違った|違います|"
    "ちがう|間違えた|間違えました|間違い|訂正|失礼|ごめん|すみません)"
)
_VALUE_JA = "[0-9A-Za-z〇零一二三四五六七八九十]++"
_COUNTER_JA = "(?:人|名|時|分|番|号|件|個|日|枚|台|本|階|歳|円|年|月|週|泊|杯|回|度)"
_REPAIR_JA = re.compile(
    rf"(?<![0-9A-Za-z〇零一二三四五六七八九十])(?P<a>{_VALUE_JA})(?P<wa>{_COUNTER_JA})?"
    rf"(?:です|で)?[、,\s]*{_EDIT_JA}[、,\s]*(?:(?:えっと|えーと|えー)[、,]?)?"
    rf"(?P<b>{_VALUE_JA})(?P<wb>{_COUNTER_JA})?"
)
_LONGEST = 1000
"""Characters of the user's words read for repairs (the last ones): a turn's worth."""


def _kind(token: str) -> str | None:
    """What kind of value ``token`` is: a number, a code (letters and digits: "17B"), a time
    ("7:30", "7pm"); None for a word."""
    low = token.lower()
    if said_number(low) is not None:
        return "number"
    if re.fullmatch(r"\d{1,2}(?::\d{2})?\s*(?:am|pm)?", low) and (":" in low or "m" in low):
        return "time"
    if any(c.isdigit() for c in low) and any(c.isalpha() for c in low):
        return "code"
    return None


def repairs(said: str) -> dict[str, str]:
    """The values ``said`` took back, each with the one said in its place (lower-case):
    "Seat 17B, sorry, 17E" -> ``{"17b": "17e"}``; "three, no, four" -> ``{"three": "four"}``.
    A value taken back twice gives the last one ("2, no, 3, sorry, 4": 2 -> 4)."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", said))[-_LONGEST:]
    found: dict[str, str] = {}
    for pattern in (_REPAIR_EN, _REPAIR_JA):
        at = 0
        while (m := pattern.search(text, at)) is not None:
            a, b = m["a"].lower(), m["b"].lower()
            kind = _kind(a)
            # across a sentence's end, only a code: "17B. Sorry, 17E" is how the recogniser
            # writes "17B, sorry, 17E"; "for 2. Sorry, 3 more questions" takes nothing back
            crossed = m.groupdict().get("stop") is not None and not _same_code(m, text)
            if kind is not None and kind == _kind(b) and a != b and not crossed and _alike(m, text):
                found[a] = b
                at = m.start("b")  # the repair may itself be taken back
            else:  # ("for three, no, four": not "for" ... "four")
                at = m.start() + 1
    for a in found:  # 2 -> 3 -> 4: 2 -> 4
        seen = {a}
        while found[a] in found and found[a] not in seen:
            seen.add(found[a])
            found[a] = found[found[a]]
    return found


_EDIT_ACROSS = re.compile(rf"\.\s?[,;!-]*\s?{_FILLER}{_EDIT_EN}\b[,;!-]*\s?{_FILLER}", re.I)
"""Nothing but a full stop and the editing term: what `_same_code` allows between two codes."""


def _same_code(m: re.Match[str], text: str) -> bool:
    """Whether a repair across a sentence's end ("17B. Sorry, 17E") is of one code: two codes
    of one shape, with nothing but the editing term between them ("My confirmation is ABC123.
    Sorry, seat 14C" and "Flight UA123. Sorry, gate B12" take nothing back)."""
    a, b = m["a"], m["b"]
    if _kind(a) != "code" or m["wa"] or shape(a) != shape(b):
        return False
    return _EDIT_ACROSS.fullmatch(text, m.end("a"), m.start("b")) is not None


def _alike(m: re.Match[str], text: str) -> bool:
    """Whether the two values of a repair are of one thing: the word after the second (a
    unit, a counter) is the first's, or none ("10 minutes, sorry, 15 minutes"; "3 bags, no,
    4"; not "2 kids, no, 3 pets" or "2名です、すみません、5分"), or the first had none and the
    second's does not make it something else ("for three, no, four people"; not "…, sorry,
    one more thing"); and the first value was said only once ("for 2 at 2, sorry, 3": which?).
    """
    wa, wb = (m["wa"] or "").lower(), (m["wb"] or "").lower()
    if wa and wb and wa != wb:
        return False
    if not wa and wb in _NOT_A_REPAIR:
        return False
    said = re.findall(r"[0-9A-Za-z:]+|[〇零一二三四五六七八九十]+", text.lower())
    return said.count(m["a"].lower()) == 1


def _same(value: Any, token: str) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return said_number(token) == value
    if isinstance(value, str):
        plain = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value).lower())
        if plain == token:
            return True
        number = said_number(token)
        return number is not None and said_number(plain) == number
    return False


def _as(value: Any, token: str) -> Any:
    """``token`` written as ``value`` was (an int, a code in capitals, a number in digits)."""
    number = said_number(token)
    if isinstance(value, int):
        return value if number is None else number
    text = str(value)
    if token.isascii() and token.isdigit():
        return token  # as said: "0124" keeps its zero
    if number is not None and any(c.isdigit() for c in text):
        return str(number)
    return token.upper() if text.upper() == text and text.lower() != text else token


def repaired(call: ToolCall, tool: ToolSpec, said: str) -> ToolCall:
    """``call`` with each value the user took back in ``said`` (their words since the
    assistant last spoke) replaced by the one said after it (`repairs`)."""
    found = repairs(said)
    if not found:
        return call
    arguments = call.parsed_arguments()
    if arguments is None:
        return call
    changed = False
    for key, value in arguments.items():
        for a, b in found.items():
            if _same(value, a):
                arguments[key], changed = _as(value, b), True
                break
    if not changed:
        return call
    return call.with_arguments(arguments)
