"""Does a reply that reads out a tool's result say what the result says? Its numbers and days.

Told to answer a Japanese speaker in Japanese after a tool's result, the 0.5B model puts the
result into Japanese, and often gets it wrong: "Saturday 05 December 2026, 12:44" ->
"現在は2026年12月5日、午後4時です。" or "...日曜日です。"; "Order 12345 was shipped yesterday"
-> "12月29日に発送され、2023年5月1日に到着しました。" (dev half of ``bench/quality``, the
requests answered after their tool's result). Read out in English, it copies the result and
gets it right. `unfounded` finds what such a reply made up, so that it can be said otherwise.

Only what can be checked without understanding the words: numbers (digits, and kanji numerals
before a counter: 四時, 二十三度) and days of the week. A number is founded when the result or
the user said it (in digits, in kanji or in English words), or it is one of those as a clock or a
calendar writes it otherwise: 12:44 read as 午後0時44分, 7 pm as 19時, December as 12月.
"""

from __future__ import annotations

import re
import unicodedata

from .numbers import TEENS, TENS, UNITS, said_number

__all__ = ["unfounded"]

_DIGITS = re.compile(r"\d+")
_KANJI_NUMBER = re.compile(
    r"(?<!もう)([〇一二三四五六七八九十]+)(?=[時分秒度日月年人名番号件個円階週本枚歳つ])"
)
"""A kanji numeral before a counter: 四時, 二十三度 (not the 一 of 一緒, 一番 or もう一度)."""
_WORDS = re.compile(r"[a-z]+")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAY_JA = re.compile(r"([月火水木金土日])曜")


def _numbers(text: str) -> set[int]:
    """The numbers ``text`` says: digits, kanji before a counter, English number words and
    months (as their number)."""
    text = unicodedata.normalize("NFKC", text)
    found = {int(d) for d in _DIGITS.findall(text)}
    for match in _KANJI_NUMBER.finditer(text):
        value = said_number(match.group(1))
        if value is not None:
            found.add(value)
    for word in _WORDS.findall(text.lower()):
        for table in (UNITS, TEENS, TENS):
            if word in table:
                found.add(table[word])
        if word in _MONTHS:
            found.add(_MONTHS.index(word) + 1)
    return found


def _weekdays(text: str) -> set[int]:
    low = text.lower()
    days = {i for i, d in enumerate(_WEEKDAYS_EN) if d in low}
    days |= {_WEEKDAYS_JA.index(m.group(1)) for m in _WEEKDAY_JA.finditer(text)}
    return days


def unfounded(reply: str, facts: str) -> list[str]:
    """What ``reply`` says that ``facts`` (a tool's result and the user's words) does not:
    its numbers and days of the week not found there, as written (empty: nothing made up)."""
    known = _numbers(facts)
    # A clock's hours as people say them otherwise: 12:44 is 午後0時44分, 19:30 is 7時半,
    # "7 pm" is 19時.
    known |= {n - 12 for n in known if 12 <= n <= 24} | {n + 12 for n in known if n < 12}
    made_up = [str(n) for n in sorted(_numbers(reply) - known)]
    days = _weekdays(facts)
    made_up += [_WEEKDAYS_EN[d] for d in sorted(_weekdays(reply) - days)]
    return made_up
