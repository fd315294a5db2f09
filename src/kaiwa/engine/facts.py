"""Does a reply that reads out a tool's result say what the result says? Numbers, days, topics.

Told to answer a Japanese speaker in Japanese after a tool's result, the 0.5B model puts the
result into Japanese, and often gets it wrong: "Saturday 05 December 2026, 12:44" ->
"現在は2026年12月5日、午後4時です。" or "...日曜日です。"; "Order 12345 was shipped yesterday"
-> "12月29日に発送され、2023年5月1日に到着しました。" (dev half of ``bench/quality``, the
requests answered after their tool's result). Read out in English, it mostly copies the
result. `unfounded` finds what such a reply made up (checked in readings put into
Japanese), so that it can be said otherwise.

Only what can be checked without understanding the words: numbers (digits, and kanji numerals
before a counter: 四時, 二十三度) and days of the week. A number is founded when the result or
the user said it (in digits, in kanji or in English words), or it is one of those as a clock or a
calendar writes it otherwise: 12:44 read as 午後0時44分, 7 pm as 19時, December as 12月.

And in any language, a reply reading out a result may not go back to an earlier request
instead (`carried`): seen in `kaiwa chat`, whose one tool is a clock, "What's the weather in
Paris?" (refused: no tool knows the weather), then "What time is it?", the clock's result
read out as "The weather in Paris is sunny with a temperature of 25 degrees Celsius." (its
25 the clock's 13:25).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .numbers import TEENS, TENS, UNITS, said_number
from .text import JAPANESE_CONTENT

__all__ = ["carried", "tells", "unfounded"]

_DIGITS = re.compile(r"\d+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_WITH_MYRIADS = re.compile(r"\d+(?=[万億])|(?<=[万億])\d+")
_KANJI_NUMBER = re.compile(
    r"(?<![〇一二三四五六七八九十百千万])([〇一二三四五六七八九十]+)"
    r"(?![百千万])(?=[時分秒度日月年人名番号件個円階週本枚歳つ])"
)
"""A kanji numeral before a counter: 四時, 二十三度. Not one with 百, 千 or 万 in it (百二十円:
not read), and not a lone 一 (一度, 一つ, 一番, 一時的, 一日中: words more often than
numbers), nor 十分 (enough) unless after 時 (三時十分)."""
_WORDS = re.compile(r"[a-z]+")
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_EN = [
    r"\bmon(?:day)?\b", r"\btue(?:s|sday)?\b", r"\bwed(?:s|nesday)?\b",
    r"\bthu(?:r|rs|rsday)?\b", r"\bfri(?:day)?\b", r"\bsat(?:urday)?\b", r"\bsun(?:day)?\b",
]  # fmt: skip
"""A day's name, whole or cut short ("Sat", "Tues", "Thurs"): not in "sunny" or "monthly"
(but "the sun" is a Sunday still)."""
_WEEKDAYS_JA = "月火水木金土日"
_WEEKDAY_JA = re.compile(r"([月火水木金土日])曜|[（(]([月火水木金土日])[)）]")


def _numbers(text: str, words: bool = True) -> set[int]:
    """The numbers ``text`` says: digits, kanji before a counter and, with ``words``, English
    number words, noon, midnight and months (as their number)."""
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text))
    text = _WITH_MYRIADS.sub("", text)  # 1万2000: not read
    found = {int(d) for d in _DIGITS.findall(text)}
    for match in _KANJI_NUMBER.finditer(text):
        kanji = match.group(1)
        if kanji == "一" or (kanji == "十" and text[match.end() : match.end() + 1] == "分"):
            if not (kanji == "十" and text[: match.start()].endswith("時")):
                continue
        value = said_number(kanji)
        if value is not None:
            found.add(value)
    if not words:
        return found
    low = text.lower()
    found |= {12 for _ in re.finditer(r"\bnoon\b", low)} | {
        0 for _ in re.finditer(r"\bmidnight\b", low)
    }
    for word in _WORDS.findall(low):
        for table in (UNITS, TEENS, TENS):
            if word in table:
                found.add(table[word])
        for i, month in enumerate(_MONTHS):
            if word == month or (len(word) == 3 and month.startswith(word)):  # "Dec"
                found.add(i + 1)
    return found


def _weekdays(text: str) -> set[int]:
    low = text.lower()
    days = {i for i, d in enumerate(_WEEKDAYS_EN) if re.search(_WEEKDAY_EN[i], low)}
    days |= {_WEEKDAYS_JA.index(m.group(1) or m.group(2)) for m in _WEEKDAY_JA.finditer(text)}
    return days


def unfounded(reply: str, facts: str) -> list[str]:
    """What ``reply`` says that ``facts`` (a tool's result and the user's words) does not:
    its numbers (as numbers: "12" for 十二) and days of the week (in English) not found there;
    empty when nothing is made up. English words in ``reply`` are not read as numbers ("You
    may call again": not May): checked are readings put into Japanese."""
    known = _numbers(facts)
    # A clock's hours as people say them otherwise: 12:44 is 午後0時44分, 19:30 is 7時半,
    # "7 pm" is 19時.
    known |= {n - 12 for n in known if 12 <= n <= 24} | {n + 12 for n in known if n < 12}
    made_up = [str(n) for n in sorted(_numbers(reply, words=False) - known)]
    days = _weekdays(facts)
    made_up += [_WEEKDAYS_EN[d] for d in sorted(_weekdays(reply) - days)]
    return made_up


_EN_WORD = re.compile(r"[a-z]+")
_PLAIN = frozenset(
    "about also been being could does doing done from give going good great have help here "
    "hello into just know like looking make made many more most much need only other please "
    "really right should some sorry sure tell than thank thanks that their them then there "
    "these they thing this those very want well what when where which while will with would "
    "your yours today tonight tomorrow now current currently".split()
)
"""English words of four letters or more that say what a clause is about no more than "the"
does (or that every turn may say: today, now)."""


_PLAIN_JA = frozenset("今日 本日 現在 今夜 明日 昨日 時間 時点 只今 お客様 様子".split())
"""Runs of kanji that any reading may say (今日は12月7日)."""


def _topics(text: str) -> set[str]:
    """What ``text`` is about: its English words of four letters or more (not `_PLAIN`),
    each by its first five letters ("weathers" as "weath"), and its runs of kanji or
    katakana (`JAPANESE_CONTENT`, not `_PLAIN_JA`)."""
    words = {w[:5] for w in _EN_WORD.findall(text.lower()) if len(w) >= 4 and w not in _PLAIN}
    return words | {w for w in JAPANESE_CONTENT.findall(text) if w not in _PLAIN_JA}


def _holds(text: str, topic: str) -> bool:
    """Whether ``text`` (its `_topics`, or in Japanese its characters) holds ``topic``."""
    if JAPANESE_CONTENT.fullmatch(topic):
        runs = JAPANESE_CONTENT.findall(text)
        return topic in text or any(topic in t or t in topic for t in runs)
    return topic in _topics(text)


def carried(reply: str, facts: str, closed: Sequence[str]) -> list[str]:
    """What ``reply`` (a reading of a tool's result) takes from requests done with instead
    of ``facts`` (the result, the call's values and the user's words since they last spoke):
    its topics (`_topics`) that ``closed`` names and the facts do not. Empty when none.

    ``closed`` holds what such a request was about (`kaiwa.engine.words.closed_exchanges`):
    the user's words, or, where it called the tool called now, only the values it called it
    with ("And in Rome?" after the weather in Paris: a reply about the weather names no
    closed topic, one about Paris does)."""
    before = "\n".join(closed)
    return sorted(t for t in _topics(reply) if _holds(before, t) and not _holds(facts, t))


def tells(said: str, result: str) -> bool:
    """Whether ``said`` tells something of ``result``: one of its numbers or its topics
    (`_topics`). "Sure, I can help with that." tells nothing of "Monday 07 December 2026,
    15:03"; "It's 3 pm." does."""
    if _numbers(said, words=False) & _numbers(result):
        return True
    return any(_holds(result, t) for t in _topics(said))
