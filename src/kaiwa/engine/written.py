"""What a recogniser wrote as it was said, written as people write it, for the small model
to copy: codes spelled out a character at a time ("twenty seven d" -> "27D", "d f g four four
one" -> "DFG441", "えるえーえっくす" -> "LAX") and Japanese numbers in kana ("にじゅうろく てん
ご ど" -> "26.5度", "しちじはん" -> "7時半", "よにん" -> "4人").

The 0.5B model copies what it sees: shown "twenty seven d please confirmation d f g four four
one" it wrote a paragraph, shown "27D please confirmation DFG441" a call. Only what is
unambiguous is rewritten; a lone number, a word that could be a number ("いちばん", "ごかい",
"a two o'clock") and anything after a kanji (a name's さん) stay as they are.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence

from .chat import ChatMessage
from .identifiers import spoken_identifier
from .numbers import TEENS, TENS, UNITS
from .text import is_japanese

__all__ = ["written_form", "written_messages"]


# --- English: codes said a character at a time ---------------------------------------------

_CODE_WORDS = set(UNITS) | set(TEENS) | set(TENS) | {"oh"}
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z]+)?")
_GLUE = re.compile(r"[\s,-]*")  # what may stand between the characters of one code


def _code_token(token: str) -> bool:
    low = token.lower()
    if "-" in low:  # "twenty-seven"
        tens, _, unit = low.partition("-")
        return tens in TENS and unit in UNITS
    return low in _CODE_WORDS or low.isdigit() or (len(low) == 1 and low.isalpha())


def _english(text: str) -> str:
    tokens = list(_TOKEN.finditer(text))
    out, at, i = [], 0, 0
    while i < len(tokens):
        if not _code_token(tokens[i].group()):
            i += 1
            continue
        j = i + 1  # the run of code words from i, joined by spaces, commas or hyphens only
        while (
            j < len(tokens)
            and _code_token(tokens[j].group())
            and _GLUE.fullmatch(text[tokens[j - 1].end() : tokens[j].start()])
        ):
            j += 1
        run = tokens[i:j]
        # "a" and "I" are words unless another letter follows: "a two o'clock", "I need".
        while (
            run
            and run[0].group().lower() in ("a", "i")
            and not (len(run) > 1 and len(run[1].group()) == 1 and run[1].group().isalpha())
        ):
            run = run[1:]
        code = spoken_identifier(text[run[0].start() : run[-1].end()]) if len(run) > 1 else None
        # not a time or a word cut short: "seven a.m.", "five o'clock"
        if code and not re.match(r"\.\s*m\b|'", text[run[-1].end() :], re.I):
            out.append(text[at : run[0].start()] + code)
            at = run[-1].end()
        i = j
    return "".join(out) + text[at:]


# --- Japanese: numbers and letters said in kana ----------------------------------------------

_DIGITS = {
    "ぜろ": 0, "まる": 0, "れい": 0, "いち": 1, "いっ": 1, "にー": 2, "に": 2, "さん": 3,
    "よん": 4, "ごー": 5, "ご": 5, "ろく": 6, "ろっ": 6, "なな": 7, "しち": 7, "はち": 8,
    "はっ": 8, "きゅう": 9, "きゅー": 9,
}  # fmt: skip
_TIMES = {
    "じゅう": 10, "じゅっ": 10, "じっ": 10, "ひゃく": 100, "びゃく": 100, "ぴゃく": 100,
    "せん": 1000, "ぜん": 1000,
}  # fmt: skip
# Whole words of a number and its counter, whose number is said otherwise alone.
_SPECIAL = {
    "ひとり": "1人", "ふたり": "2人", "よにん": "4人", "よじ": "4時", "くじ": "9時",
    "しちにん": "7人",
}  # fmt: skip
_COUNTERS = {
    "にん": "人", "めい": "名", "じ": "時", "ふん": "分", "ぷん": "分", "ど": "度", "ばん": "番",
    "えん": "円",
}  # fmt: skip
_LETTERS = {
    "だぶりゅー": "W", "えっくす": "X", "えいち": "H", "えっち": "H", "じぇー": "J",
    "じぇい": "J", "きゅー": "Q", "あーる": "R", "てぃー": "T", "でぃー": "D", "ぜっと": "Z",
    "ぜっど": "Z", "えー": "A", "えい": "A", "びー": "B", "しー": "C", "いー": "E", "えふ": "F",
    "じー": "G", "あい": "I", "けー": "K", "けい": "K", "える": "L", "えむ": "M", "えぬ": "N",
    "おー": "O", "ぴー": "P", "えす": "S", "ゆー": "U", "ぶい": "V", "わい": "Y",
}  # fmt: skip


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_NUMBER_WORD = f"(?:{_alternatives(list(_DIGITS) + list(_TIMES))})"
_HIRAGANA_LETTER = f"(?:{_alternatives(_LETTERS)})"
_KATAKANA_LETTERS = {  # the same names in katakana: じゅうろくエー, エックスワイゼット456
    "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in k): v
    for k, v in _LETTERS.items()
}
_LETTER_WORD = f"(?:{_alternatives(list(_LETTERS) + list(_KATAKANA_LETTERS))})"
# What may follow a number's word: not more of the same word ("いちばん" "the most", "さんぽ").
_END = r"(?=$|[^\u3041-\u3096]|[のをがはにでとへもやか]|です|ます)"
_DECIMAL = rf"(?:\s*(?:てん|点)\s*{_NUMBER_WORD}+)"
# A number in kana: a special word; its words, a decimal part ("てん ご") and a counter ("じ",
# with "はん"); or its words and letters said right after them ("じゅうろくエー"); or letters,
# three or more, or two or more before digits (エックスワイゼット456).
_KANA = re.compile(
    rf"(?P<special>{_alternatives(_SPECIAL)}){_END}"
    rf"|(?P<counted>{_NUMBER_WORD}+{_DECIMAL}?)\s*(?P<counter>{_alternatives(_COUNTERS)})"
    rf"(?P<half>はん)?{_END}"
    rf"|(?P<number>{_NUMBER_WORD}+{_DECIMAL}?)(?P<letters>{_LETTER_WORD}+)?{_END}"
    rf"|(?P<spelled>{_LETTER_WORD}{{3,}}|{_LETTER_WORD}{{2,}}(?=[0-9０-９]))"
)
# Where such a word may begin: not inside a word (after a kanji: 田中さん; after most kana).
_BEFORE = re.compile(
    r"(?:^|[\s、。！？・,.!?「」（）()]|[のをがはにでとも]|[\u30a0-\u30ff]|[a-zA-Z0-9])$"
)


def _number(kana: str) -> tuple[int, bool] | None:
    """``kana`` as a number and whether it was said digit by digit ("ろくにーまる"); None if it
    is no number ("じゅうじゅう")."""
    words = re.findall(_NUMBER_WORD, kana)
    if "".join(words) != kana:
        return None
    if not any(w in _TIMES for w in words):
        return int("".join(str(_DIGITS[w]) for w in words)), True
    total, digit, last = 0, None, 10_000
    for w in words:
        if w in _TIMES:
            if _TIMES[w] >= last:
                return None  # "じゅうじゅう", "ひゃくせん"
            total, digit, last = (
                total + (digit if digit is not None else 1) * _TIMES[w],
                None,
                _TIMES[w],
            )
        elif digit is not None:
            return None  # two digits in a row in a number with tens: "にさんじゅう"
        else:
            digit = _DIGITS[w]
    return total + (digit or 0), False


def _spelled_letters(kana: str) -> str | None:
    """Letters said by name ("えるえーえっくす" -> "LAX"); None if ``kana`` is not only names."""
    table = _LETTERS | _KATAKANA_LETTERS
    names = sorted(table, key=len, reverse=True)
    out, rest = "", kana
    while rest:
        name = next((n for n in names if rest.startswith(n)), None)
        if name is None:
            return None
        out, rest = out + table[name], rest[len(name) :]
    return out


_POINT = re.compile(r"\s*(?:てん|点)\s*")


def _by_digit(kana: str) -> str:
    return "".join(str(_DIGITS[w]) for w in re.findall(_NUMBER_WORD, kana))


def _digits(kana: str) -> tuple[str, bool] | None:
    """A number in kana, with its decimal part, in digits, and whether its whole part was said
    digit by digit ("ろくにーまる"); None if it is no number ("じゅうじゅう")."""
    whole, *decimal = _POINT.split(kana, maxsplit=1)
    read = _number(whole)
    if read is None:
        return None
    value, by_digit = read
    text = (
        "".join(str(_DIGITS[w]) for w in re.findall(_NUMBER_WORD, whole))
        if by_digit
        else str(value)
    )
    if decimal:
        after = _number(decimal[0])
        if after is None or not after[1]:
            return None  # "てん じゅう"
        text += "." + _by_digit(decimal[0])
    return text, by_digit


def _kana_match(m: re.Match[str]) -> str | None:
    """The written form of one match of `_KANA`, or None to leave it as it is."""
    if m.group("special"):
        return _SPECIAL[m.group("special")]
    if m.group("spelled"):
        return _spelled_letters(m.group("spelled"))
    said = m.group("counted") or m.group("number")
    read = _digits(said)
    if read is None:
        return None
    digits, by_digit = read
    whole_words = len(re.findall(_NUMBER_WORD, _POINT.split(said, maxsplit=1)[0]))
    if m.group("counted"):
        counter, half = m.group("counter"), m.group("half")
        if (said == "いち" and counter == "ばん") or (half and counter != "じ"):
            return None  # いちばん: "the most"
        if by_digit and whole_words > 1:
            return None  # "さんにん" is one word; "にさんにん" two or three people
        return digits + _COUNTERS[counter] + ("半" if half else "")
    letters = _spelled_letters(m.group("letters")) if m.group("letters") else ""
    if letters is None:
        return None
    if not letters and (whole_words < 3 if by_digit else len(said) <= 3):
        return None  # "に", "さんに", じゅう (銃, 自由): words more often than numbers
    return digits + letters


_SEAT_JA = re.compile(
    rf"(?<![0-9])([0-9]{{1,3}})の({_alternatives(_KATAKANA_LETTERS)}|[A-Za-z])"
    r"(?=席|[にでをがはのも、。！？\s]|です|$)"
)
"""A seat as said in Japanese: 23のエー (23A)."""


def _japanese(text: str) -> str:
    out, at = [], 0
    for m in _KANA.finditer(text):
        if not _BEFORE.search(text[: m.start()]):
            continue
        written = _kana_match(m)
        if written is not None:
            out.append(text[at : m.start()] + written)
            at = m.end()
    text = "".join(out) + text[at:]
    return _SEAT_JA.sub(lambda m: m[1] + _KATAKANA_LETTERS.get(m[2], m[2].upper()), text)


@functools.lru_cache(maxsize=512)
def written_form(text: str) -> str:
    """``text`` (a user's words as recognised) with codes and numbers said a character or a
    kana at a time written in characters; the rest as it is."""
    return _japanese(text) if is_japanese(text) else _english(text)


def written_messages(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """``messages`` with the user's words in `written_form` (the same on every turn, so that
    one turn's prompt stays the start of the next's)."""
    return [
        dataclasses.replace(m, content=written_form(m.content)) if m.role == "user" else m
        for m in messages
    ]
