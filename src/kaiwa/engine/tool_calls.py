"""The model's tool calls checked against the conversation: a small model calls tools it
should not, with values of its own. Reading calls from the model's text and checking them
against the schemas is `call_text`'s; identifiers as people say them, `identifiers`'.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .call_text import MAX_CALLS, written_calls
from .chat import SILENT_TURN, ChatMessage, ToolCall, ToolSpec
from .glosses import common_word, english_words
from .identifiers import (
    identifier_key,
    is_identifier,
    said_identifiers,
    spelled,
    spoken_identifier,
    whole_identifier,
)
from .places import PLACE_PARTS, japanese_name_parts, known_place
from .text import JAPANESE_CONTENT, is_japanese, place_names, proper_nouns, romaji, short_vowels

__all__ = [
    "COMMON_WORDS",
    "answered",
    "as_identifiers",
    "asks",
    "asks_for_tool",
    "enough_calls",
    "is_name",
    "looks_up",
    "made_up_values",
    "name_parts",
    "name_words",
    "relabelled",
    "user_since_reply",
    "users_words",
]


def enough_calls(text: str, messages: Sequence[ChatMessage]) -> bool:
    """Whether to stop reading a call the model is writing: it repeats a call it just wrote,
    or one answered since the user last spoke (`answered`), or it has written `MAX_CALLS`.

    After a tool's result a small model often writes the same call again, and now and then
    goes on writing calls until its token budget runs out: 400 tokens, 20 s on two cores, for a
    reply that will be thrown away (the answered call is answered in words instead).
    """
    found = written_calls(text)
    if not found:
        return False
    keys = [json.dumps(d, sort_keys=True) for d in found]
    if len(set(keys)) < len(keys) or len(found) >= MAX_CALLS:
        return True
    last = found[-1]
    args = last.get("arguments", {})
    if not isinstance(last.get("name"), str) or not isinstance(args, dict):
        return False
    return answered(ToolCall(name=last["name"], arguments=json.dumps(args)), messages)


_WORDS = re.compile(r"[^\W_]+")


def _words(text: str) -> set[str]:
    """Lower-case words without accents ("Zürich" -> "zurich"), leaving out any with a digit:
    numbers, times and dates are said in words and written in digits ("seven am" -> "7am")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return {w.lower() for w in _WORDS.findall(plain) if not any(c.isdigit() for c in w)}


def made_up_values(
    call: ToolCall, tool: ToolSpec, messages: Sequence[ChatMessage]
) -> tuple[str, ...]:
    """The required parameters of ``call`` whose values nobody gave (none: the call is
    grounded). What the user is then asked for.

    A small model offered a tool calls it for questions it does not fit, with a value of its
    own ("How are you today?" -> ``get_weather(city="London")``), or fills in what the user
    has not said yet ("Where's my order?" -> ``order_number="12345"``). The checks:

    - an identifier (capitals and digits: a booking number, a seat; or three digits or more)
      must itself have been said by the user, in any spelling ("A B C one two three",
      "エービーシー123", "六二〇八一"), not read in the instructions or a tool's result;
    - a name (a value of one to three words) must share a word with the conversation; a
      value the user gave, even reworded, does ("Weather in Zurich?" -> "Zürich"). One such
      value grounds the call (the model may fill in others: a state for a city);
    - a number, or a value written with digits (a time), needs some number said by the user
      in the request at hand (`_asked`), in any form: the value itself may be worked out ("two more
      degrees" -> 22), but "Set a timer." -> ``minutes=30`` is made up (`_numbers_made_up`);
    - free text (a question, a reason: a parameter named so, or four words or more) is the
      model's paraphrase; alone in a call, it must share a word with the request at hand
      ("How many bags can I check?" -> "baggage allowance", but not "Thanks, that's helpful!"
      -> "What is the baggage allowance?"; `_shares_a_word`). A rewording with no word in
      common is refused too ("Can I take my guitar?" -> "musical instruments"): the model
      then answers in words, told to ask if something is missing;
    - a value for a city (a parameter named city or town) must be a place
      (`kaiwa.engine.places`: a city, a country...), or a name the user said (`_placed`):
      "which planet is called the red planet" -> ``city="Red Planet"`` is made up.

    Not checked: optional arguments and values the schema constrains (``enum``, ``const``,
    ``format``). In Japanese, a name is compared by its sound (東京 is "Tokyo";
    `_said_in_japanese`).
    """
    said_text = " ".join(m.content for m in messages)
    arguments = call.parsed_arguments()
    if arguments is None:
        return ()
    properties = tool.parameters.get("properties", {})
    values: list[tuple[str, str]] = []  # (parameter, value)
    for key in tool.parameters.get("required", ()):
        schema = properties.get(key, {}) if isinstance(properties, dict) else {}
        if isinstance(schema, dict) and {"enum", "const", "format"} & schema.keys():
            continue
        value = arguments.get(key)
        values += [(key, value)] if isinstance(value, str) else []
        values += [(key, v) for v in value if isinstance(v, str)] if isinstance(value, list) else []
    users = users_words(messages)
    said_code = identifier_key(spelled(users))
    codes = [key for key, v in values if is_identifier(v) and identifier_key(v) not in said_code]
    if codes:
        return _unique(codes)  # a booking number or seat nobody said ("1234567890", "12A")
    asked = _asked(messages)
    numbers = _numbers_made_up(arguments, tool, asked)
    if numbers:
        return numbers
    free = [(key, v) for key, v in values if not is_identifier(v) and _free_text(key, v)]
    if free and len(free) == len(values) and not any(_shares_a_word(v, asked) for _, v in free):
        # "Thanks, that's helpful!" -> question="What is the baggage allowance?"
        return _unique(key for key, _ in free)
    names = [(key, v) for key, v in values if not is_identifier(v) and not _free_text(key, v)]
    nowhere = [
        key
        for key, v in names
        if name_parts(key) & PLACE_PARTS
        and not name_parts(key) & {"code", "id"}
        and not _placed(v, users)
    ]
    if nowhere:
        # "which planet is called the red planet" -> get_weather(city="Red Planet")
        return _unique(nowhere)
    if is_japanese(said_text):
        names = [(key, v) for key, v in names if v.strip()]
        grounded = any(_said_in_japanese(v, said_text, users) for _, v in names)
    else:
        words = [(key, v, _words(v)) for key, v in names]
        names = [(key, v) for key, v, w in words if w]
        said = _words(said_text)
        grounded = any(w & said for _, _, w in words)
    if grounded:
        return ()
    # A value with digits (a time: "8:00 AM") may ground the call, but is never made up as
    # a name: its number is checked above ("AM" is not a name nobody said).
    return _unique(key for key, v in names if is_name(key, v))


def _placed(value: str, said: str) -> bool:
    """Whether ``value``, given for a place, is one (`known_place`), or, not in the
    gazetteer, is a name the user said (``said``: their words): "hebden bridge" (not every
    word of it an everyday English one, as "red planet" is), 富士山 or JFK in a Japanese
    request, 難波 (pyopenjtalk's dictionary tags it as a place) for "Namba". True when there
    is no gazetteer."""
    known = known_place(value)
    if known is None or known:
        return True
    value = value.strip()
    if is_japanese(said):
        if value in said and (not is_japanese(value) or value in proper_nouns(said)):
            return True  # JFKの天気, 富士山の天気 (a name: not 虹, a rainbow)
        # a place the dictionary tags, said in Japanese: 難波 -> "Namba"
        return any(_said_in_japanese(value, p) for p in place_names(said))
    # Not in the gazetteer: a name the user said ("hebden bridge", "Kyushu" for "Kyushu,
    # Japan"), unless every word of it is an everyday one ("the red planet").
    head = re.split(r"[,、]", value)[0].strip()
    words = re.findall(r"[^\W\d_]+", head.lower())
    if not words or head.lower() not in said.lower():
        return False
    common = [common_word(w) for w in words]
    return None in common or not all(common)


def is_name(parameter: str, value: str) -> bool:
    """Whether ``value`` of ``parameter`` is a name as the checks see it (`made_up_values`):
    not an identifier, not free text, no digits ("Seattle", "kitchen"; not "ABC123", "8:00
    AM" or a question)."""
    return (
        not is_identifier(value)
        and not _free_text(parameter, value)
        and not any(c.isdigit() for c in value)
    )


def _unique(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(keys))


def asks_for_tool(name: str, messages: Sequence[ChatMessage]) -> bool:
    """Whether the user's words since the assistant last spoke name what tool ``name`` does: a
    word of the name, other than a verb every tool has, said in them ("Set a timer." for
    ``set_timer``, "Where's my order?" for ``get_order_status``; a word's first four letters
    count: "seats" and "seat"). Then a value the call made up is missing from a request for
    that tool, and the user is asked for it; "How are you?" -> ``get_weather(city="London")``
    is not such a request. A Japanese request is read in the English of its words' glosses
    (`kaiwa.engine.glosses`: 予約 -> "booking" for ``book_table``, 天気 -> "weather").
    """
    said = user_since_reply(messages)
    named = {w for w in name_parts(name) if len(w) >= 3} - TOOL_VERBS
    words = english_words(said) if is_japanese(said) else _words(said)
    heard = {w[:4] for w in words if len(w) >= 3}
    return any(w[:4] in heard for w in named)


TOOL_VERBS = {
    "get", "set", "tool", "lookup", "request", "update", "check", "find", "make", "status",
    "info", "current", "details", "data",
}  # fmt: skip
"""Words of tools' names that say nothing of what a tool does ("status" of
``get_order_status``: "What's the status of the project?" asks for no order)."""


def users_words(messages: Sequence[ChatMessage]) -> str:
    """All the user said in ``messages``, in order."""
    return " ".join(m.content for m in messages if m.role == "user")


def user_since_reply(messages: Sequence[ChatMessage]) -> str:
    """What the user said since the assistant last spoke: `_asked` without the assistant's
    question (after "Could you tell me the order number?", "Never mind." asks for no
    order)."""
    return " ".join(m.content for m in messages[_last_reply(messages) + 1 :] if m.role == "user")


_SAYS_NUMBER = re.compile(
    r"\d|[〇零一二三四五六七八九十百千]+(?:[人名分時日個回度枚台本階番件歳円月年週杯]|半)|半|"
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|dozen|couple|half|quarter|noon|midnight|pair|"
    r"first|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\b",
    re.I,
)
"""Some number said, in digits, words or kanji (a kanji numeral with its counter: 六人, not
the 一 of 一緒)."""
COMMON_WORDS = frozenset(
    "the and for are but not you your all can her was one our out has had his how its may "
    "new now see who did get let say she too use any about what when where which would could "
    "should there their them they this that with from have been will into than then some want "
    "like just know need also please thanks thank okay yes question ask tell really much many "
    "does doing done make made give".split()
)
"""English words of three letters or more that say nothing of what a request is about."""
_KANJI = re.compile("[\u4e00-\u9fff]")


def _asked(messages: Sequence[ChatMessage]) -> str:
    """The request at hand: what the user said since the assistant last spoke (tool calls and
    results in between do not end it: "Turn on the lights and set a timer for 10 minutes."
    may take two calls), and that last reply if it asked something ("Shall I book it for
    four?" "Yes please.")."""
    spoke = _last_reply(messages)
    kept = [m.content for m in messages[spoke + 1 :] if m.role == "user"]
    if spoke >= 0 and asks(messages[spoke].content):
        kept.insert(0, messages[spoke].content)
    return " ".join(kept)


def _last_reply(messages: Sequence[ChatMessage]) -> int:
    """Where the assistant last spoke before the user's last message (-1: never)."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
    return max(
        (i for i, m in enumerate(messages[:last_user]) if m.role == "assistant" and m.content),
        default=-1,
    )


_QUESTION = re.compile(r"[^.!?。！？]*[?？]")


def asks(text: str) -> bool:
    """Whether ``text`` asks something: a sentence ending in a question mark."""
    return bool(_QUESTION.search(text))


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")
"""A word in Latin letters in Japanese text (wifi, USB), three letters or more."""


def _unhyphened(text: str) -> str:
    """``text`` with the hyphens inside words dropped ("Wi-Fi" -> "WiFi")."""
    return re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", "", text)


def _shares_a_word(value: str, said: str) -> bool:
    """Whether free text the model wrote (a question to look up) shares a content word with
    what the user asked (`_asked`): a word's first three letters ("bags" and "baggage"), a word
    inside another ("room", "legroom"), or in Japanese a kanji or two katakana in a row. The
    model rewords a request; it does not write one about something else ("Thanks!" -> "What
    is the baggage allowance?")."""
    if is_japanese(value) != is_japanese(said):
        return True  # a translation: nothing to compare
    # (a word written with or without its hyphen: "Wi-Fi" and "wifi", "check-in" and "checkin")
    value, said = _unhyphened(value), _unhyphened(said)
    if is_japanese(value):
        if any(c in said for c in _KANJI.findall(value) if c not in "何私今方事"):
            return True
        latin = {w.lower() for w in _LATIN_WORD.findall(value)}
        if latin & {w.lower() for w in _LATIN_WORD.findall(said)}:
            return True  # 「機内にwifiってありますか」 -> "Wi-Fiはありますか？"
        runs = JAPANESE_CONTENT.findall(value)
        return any(run[i : i + 2] in said for run in runs for i in range(len(run) - 1))
    heard = [w for w in _words(said) if len(w) >= 3 and w not in COMMON_WORDS]
    written = [w for w in _words(value) if len(w) >= 3 and w not in COMMON_WORDS]
    return any(
        a[:3] == b[:3] or (len(a) >= 4 and a in b) or (len(b) >= 4 and b in a)
        for a in heard
        for b in written
    )


_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:\d{1,2}月)?\d{1,2}日|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?"
    r"(?:,? \d{4})?|\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
    r"nov|dec)[a-z]*(?:,? \d{4})?",
    re.I,
)
"""A date and nothing else ("2026-12-05", "December 5", "12月5日"): one may be worked out
from a day's name; a time may not."""
_DAY_WORDS = {
    "today", "tonight", "tomorrow", "yesterday", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "weekend", "week", "month", "next",
}  # fmt: skip
_JA_DAY = re.compile(
    "今日|明日|あした|あす|明後日|あさって|昨日|今夜|今晩|週末|来週|[月火水木金土日]曜"
)


def _numbers_made_up(arguments: Mapping[str, Any], tool: ToolSpec, asked: str) -> tuple[str, ...]:
    """The parameters of required numbers, and of required values written with digits (a
    time: "14:00"), that were made up: no number at all was said in ``asked``, the request at
    hand (`_asked`). A small model fills in a number it was not given ("Set a timer." ->
    ``minutes=30``; "I'd like to book." -> ``time="10:00 AM"``). A number worked out from
    what was said ("two more degrees" -> 22) counts as said; so does one said in words or
    kanji ("just the two of us", "六人"). A date alone may come from a day's name ("tomorrow"
    -> "2026-12-05")."""
    properties = tool.parameters.get("properties", {})
    if not isinstance(properties, dict):
        return ()
    numbers: list[tuple[str, Any]] = []
    for key in tool.parameters.get("required", ()):
        schema = properties.get(key, {})
        if not isinstance(schema, dict) or {"enum", "const", "format"} & schema.keys():
            continue
        value = arguments.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            numbers.append((key, value))
        elif (
            isinstance(value, str) and any(c.isdigit() for c in value) and not is_identifier(value)
        ):
            numbers.append((key, value))
    if not numbers:
        return ()
    said = unicodedata.normalize("NFKC", asked)
    if _SAYS_NUMBER.search(said):
        return ()
    dates_only = all(isinstance(v, str) and _DATE.fullmatch(v.strip()) for _, v in numbers)
    if dates_only and (_words(said) & _DAY_WORDS or _JA_DAY.search(said)):
        return ()
    return _unique(key for key, _ in numbers)


def _said_in_japanese(value: str, said: str, users: str = "") -> bool:
    """Whether a name was said in a Japanese conversation. Checked: a name in Japanese script
    (in the text, or read the same: 東京都 for 東京), and a proper name the model wrote in
    Latin letters ("Tokyo", "Sapporo"; a foreign name said in katakana is compared by its
    sound: シアトル for "Seattle"), and a common noun the model translated by the English
    glosses of the user's nouns ("bedroom" for 寝室), and a day in English said in Japanese
    (今日 for "today", 日曜 for "Sunday": `_TIME_WORDS`). Not checked: values with digits
    (times)."""
    value = value.strip()
    if not value or any(c.isdigit() for c in value):
        return True
    if is_japanese(value):
        core = re.sub("[都府県市区町村日]$", "", value)
        if _spelled_alike(core, said) or _spelled_alike(value, said):
            return True
        heard = romaji(said).replace(" ", "")
        name = romaji(core).replace(" ", "")
        return not heard or not name or name in heard
    if value.lower() in (users or said).lower():
        return True  # written in letters by the user too: "LAXの天気" (see `written_form`)
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKD", value))
    if not words:
        return True
    if value.lower() in _TIME_WORDS:
        # a day or a time of day, said so: 今日 for "today", 日曜 for "Sunday" (not
        # "そちらって駐車場ありますか？" -> get_opening_hours(day="today"), as in English)
        return bool(re.search(_TIME_WORDS[value.lower()], users or said))
    if not all(w[:1].isupper() for w in words):
        # a common noun the model translated: a word of it among the English glosses of the
        # user's nouns (寝室 "bedroom", 台所 "kitchen"; 水 is no "kitchen")
        glossed = english_words(users or said)  # the user's nouns: not the instructions
        return not glossed or any(
            g[:4] == w.lower()[:4] for w in words if len(w) >= 3 for g in glossed if len(g) >= 3
        )
    heard = romaji(said).replace(" ", "")
    if not heard:  # no pyopenjtalk: nothing to compare with
        return True
    latin = [_latin_sound(w) for w in words]
    if any(len(w) >= 3 and w in heard for w in latin):
        return True  # 難波 for "Namba" (in the gazetteer, Nampa, Idaho: ナンパ)
    known = japanese_name_parts(value)
    if _one_said(known, said, heard):
        return True  # 札幌, さっぽろ, ロサンジェルス for "Los Angeles", ペテルブルク
    if _transliterated(known, "".join(latin)):
        # GeoNames has the city's name in katakana (トリノ for "Torino"): it is said by that
        # name, not by a sound near enough: "Torino" for イタリアの首都 is made up.
        return False
    return any(
        difflib.SequenceMatcher(None, w, romaji(kana).replace(" ", "")).ratio() >= 0.35
        for w in latin + [w.encode("ascii", "ignore").decode().lower() for w in words]
        for kana in re.findall("[\u30a1-\u30fa\u30fc]{3,}", said)  # not パン for Paris
    )


def _spelled_alike(name: str, said: str) -> bool:
    """Whether ``name`` is in ``said`` as written, katakana's two spellings of a sound alike
    (ウィーン and ウイーン, ノルウェー and ノルウエー, ミルウォーキー and ミルウオーキー)."""
    return _kana_folded(name) in _kana_folded(said)


def _kana_folded(text: str) -> str:
    return text.replace("ウィ", "ウイ").replace("ウェ", "ウエ").replace("ウォ", "ウオ")


def _reading(text: str) -> str:
    """``text`` read aloud in plain letters, as names are compared (ヴ as ブ)."""
    return romaji(text).replace(" ", "").replace("v", "b")


def _transliterated(names: Iterable[str], sound: str) -> bool:
    """Whether one of ``names`` is in katakana and sounds like ``sound`` (`_latin_sound`):
    GeoNames gives some cities only other towns' or other scripts' names (ワシントン is not
    among Washington's, only ピクア and 华盛顿), which say nothing of how the user says it."""
    return any(
        re.search("[\u30a1-\u30fa]", name)
        and difflib.SequenceMatcher(None, _reading(name), sound).ratio() >= 0.6
        for name in names
    )


def _one_said(names: Iterable[str], said: str, heard: str) -> bool:
    """Whether one of ``names`` (a city's, in Japanese script) is in ``said``, as written,
    read alike (``heard``: `romaji` of ``said``; さっぽろ for 札幌) or in katakana spelled
    nearly alike (ロサンジェルス for ロサンゼルス, ベネチア for ヴェネツィア)."""
    if any(_spelled_alike(name, said) for name in names):
        return True
    readings = {r for name in names if len(r := _reading(name)) >= 3}
    if any(r in heard.replace("v", "b") for r in readings):
        return True
    return any(
        difflib.SequenceMatcher(None, r, _reading(kana)).ratio() >= 0.7
        for kana in re.findall("[\u30a1-\u30fa\u30fc]{3,}", said)
        for r in readings
    )


_NOW = r"今(?!度|回|年|月|週)|いま(?![すせしさ])|現在|これから|ただいま"
_TIME_WORDS = {
    "today": rf"今日|本日|きょう|{_NOW}",
    "tonight": r"今夜|今晩|今日|きょう|夜(?!景)|晩",
    "tomorrow": r"明日|あした|あす|明晩|明朝|翌日",
    "monday": r"月曜|げつよう", "tuesday": r"火曜|かよう", "wednesday": r"水曜|すいよう",
    "thursday": r"木曜|もくよう", "friday": r"金曜|きんよう",
    "saturday": r"土曜|どよう|土日|週末", "sunday": r"日曜|にちよう|土日|週末",
    "morning": r"朝(?!日)|午前", "evening": r"夕方|夜(?!景)|晩", "noon": r"昼|正午|ランチ",
    "now": rf"{_NOW}|今すぐ|いますぐ",
}  # fmt: skip
"""Days and times of day the model writes in English for a Japanese request, and how the
user says them (not the いま of います, the 朝 of 朝日)."""


def _latin_sound(word: str) -> str:
    """A name in Latin letters spelled as `romaji` spells Japanese ("Namba" -> "nanba",
    "Niigata" -> "nigata")."""
    plain = word.encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"m(?=[bp])", "n", plain).replace("v", "b")
    return short_vowels(plain)


_FREE_TEXT = re.compile(
    r"question|query|reason|message|text|note|description|detail|request|topic|comment|"
    r"feedback|summary|prompt|search|content|body|instruction",
    re.I,
)


def looks_up(call: ToolCall, tool: ToolSpec) -> bool:
    """Whether every value ``tool`` requires is the model's own wording by its parameter's
    name (``faq_lookup_tool(question=...)``: a lookup), not a name, a number or a choice."""
    required = tool.parameters.get("required") or []
    values = call.parsed_arguments() or {}
    return bool(required) and all(
        _FREE_TEXT.search(key) and isinstance(values.get(key), str) for key in required
    )


def _free_text(parameter: str, value: str) -> bool:
    """Whether a value is the model's own wording, not a name to check."""
    return bool(_FREE_TEXT.search(parameter)) or len(value.split()) >= 4


_NOT_AN_IDENTIFIER = {
    "time", "date", "datetime", "day", "hour", "when", "phone", "tel", "telephone", "mobile",
    "address", "street", "zip", "postal", "postcode", "amount", "price", "count", "size",
}  # fmt: skip
"""Parameters whose values are said in numbers but are not identifiers ("twelve thirty"), by
a part of their name ("delivery_time", "phoneNumber"; not "account_number")."""


def name_words(key: str) -> list[str]:
    """The words of a name, lower case, in their order ("get_order_status" -> ["get",
    "order", "status"]; "orderStatus" -> ["order", "status"])."""
    return [p.lower() for p in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", key) if p]


def name_parts(key: str) -> set[str]:
    """The words of a name (`name_words`), as a set."""
    return set(name_words(key))


_GROUPS = re.compile(r"[A-Z]{2,4} \d{2,6}")
"""Capitals, a space, digits: a code the recogniser wrote in two groups ("RTY 552")."""
_CODE_NAMES = {
    "confirmation", "booking", "reference", "order", "id", "code", "seat", "ticket", "pnr",
    "locator", "reservation", "tracking",
}  # fmt: skip
"""Parts of a parameter's name that say it takes a code: only there are two groups joined
("NY 10001" for a location, "RTX 4090" for a product stay as they are)."""


def as_identifiers(
    call: ToolCall, tool: ToolSpec, said: str = "", users: str | None = None
) -> ToolCall:
    """``call`` with every string argument that is a spoken identifier written as one (see
    `spoken_identifier`): what a recogniser hears as "b x nine two seven four" is the order
    number BX9274 to the tool. A part of one identifier in ``said`` (the user's words) is
    made the whole of it, or, with ``users`` (all the user said), one that is no value they
    said and a character from the one identifier just said is made that one
    (`whole_identifier`); a code the recogniser wrote in two groups
    ("DFG 441") is joined for a parameter named for a code (`_CODE_NAMES`). Free text,
    times, dates, phone numbers, addresses and values the schema constrains stay as they
    are."""
    arguments = call.parsed_arguments()
    properties = tool.parameters.get("properties", {})
    if arguments is None or not isinstance(properties, dict):
        return call
    changed = False
    identifiers = said_identifiers(said) if said else ()
    heard = identifier_key(spelled(users)) if users is not None else None
    for key, value in arguments.items():
        schema = properties.get(key)
        if (
            not isinstance(value, str)
            or not isinstance(schema, dict)
            or schema.get("type") != "string"
            or {"enum", "const", "format", "pattern"} & schema.keys()
            or _FREE_TEXT.search(key)
            or name_parts(key) & _NOT_AN_IDENTIFIER
        ):
            continue
        if _GROUPS.fullmatch(value.strip()) and name_parts(key) & _CODE_NAMES:
            value = value.strip().replace(" ", "")  # "DFG 441": spaced at a pause
        written = whole_identifier(spoken_identifier(value) or value, identifiers, heard)
        if written != arguments[key]:
            arguments[key], changed = written, True
    if not changed:
        return call
    return call.with_arguments(arguments)


_GENERIC_PARTS = {"number", "num", "no", "id", "code", "new", "the", "of", "value"}
"""Parts of a parameter's name that say nothing of which value is meant ("new_seat": seat)."""
_LABEL_WORDS = 3
"""Words read before an identifier for what it is ("my confirmation number is ABC123")."""


def _labels(said: str, identifier: str) -> set[str]:
    """The words said just before ``identifier`` in ``said``, up to `_LABEL_WORDS` of them
    and not past another identifier or a sentence's end: "confirmation DFG441" ->
    {"confirmation"}."""
    at = re.search(rf"(?<![A-Za-z0-9]){re.escape(identifier)}(?![A-Za-z0-9])", said, re.I)
    if at is None:
        return set()
    before = re.split(r"[.!?;]", said[: at.start()])[-1]
    words = re.findall(r"[A-Za-z0-9]+", before.lower())[-_LABEL_WORDS:]
    while any(c.isdigit() for w in words for c in w):
        words = words[1:]  # another value's words are not this one's
    return {w for w in words if len(w) >= 4}


def _names(key: str, label: str) -> bool:
    """Whether ``label``, a word said, is a part of parameter ``key``'s name (or its plural):
    "seat" names ``new_seat``; "confirm", a verb, names no ``confirmation_number``."""
    return any(label in (p, p + "s") for p in name_parts(key) - _GENERIC_PARTS if len(p) >= 4)


def relabelled(call: ToolCall, said: str) -> ToolCall:
    """``call`` with two identifiers swapped when the model put each in the other's place:
    "27D please, confirmation DFG441" -> ``confirmation_number="27D", new_seat="DFG441"`` is
    written ``confirmation_number="DFG441", new_seat="27D"``. Only when the user's words name
    the parameter just before one value (`_labels`: "confirmation") and nothing names the
    other value for the parameter it is in. English words only."""
    arguments = call.parsed_arguments()
    if arguments is None or is_japanese(said):
        return call
    said_codes = {identifier_key(i): i for i in said_identifiers(said)}
    placed = {
        k: said_codes[identifier_key(v)]
        for k, v in arguments.items()
        if isinstance(v, str) and identifier_key(v) in said_codes
    }
    for p, x in placed.items():
        for q, y in placed.items():
            if p >= q or x == y:
                continue
            lx, ly = _labels(said, x), _labels(said, y)
            x_for_p, x_for_q = (any(_names(k, w) for w in lx) for k in (p, q))
            y_for_p, y_for_q = (any(_names(k, w) for w in ly) for k in (p, q))
            # one value named for the other's place, and neither named for its own
            if (x_for_q or y_for_p) and not x_for_p and not y_for_q:
                swapped = dict(arguments) | {p: arguments[q], q: arguments[p]}
                return call.with_arguments(swapped)
    return call


def answered(call: ToolCall, messages: Sequence[ChatMessage]) -> bool:
    """Whether this exact call was made and answered since the user last spoke.

    Made again after its result, the call is a loop; asked for again by the user ("What time
    is it?" a second time, minutes later), it is a new request and its answer may differ.
    """
    users = [i for i, m in enumerate(messages) if m.role == "user" and m.content != SILENT_TURN]
    since = messages[users[-1] + 1 :] if users else messages
    answered = {m.tool_call_id for m in since if m.role == "tool"}
    for m in since:
        for earlier in m.tool_calls:
            if (
                earlier.name == call.name
                and earlier.call_id in answered
                and json.loads(earlier.arguments or "{}") == json.loads(call.arguments or "{}")
            ):
                return True
    return False
