"""What a recogniser wrote as it was said, written as people write it, for the small model
to copy: codes spelled out a character at a time ("twenty seven d" -> "27D", "d f g four four
one" -> "DFG441", "えるえーえっくす" -> "LAX") and Japanese numbers in kana ("にじゅうろく てん
ご ど" -> "26.5度", "しちじはん" -> "7時半", "よにん" -> "4人").

The 0.5B model copies what it sees: shown "twenty seven d please confirmation d f g four four
one" it wrote a paragraph, shown "27D please confirmation DFG441" a call. Only what is
unambiguous is rewritten; a lone number, a word that could be a number ("いちばん", "ごかい",
"a two o'clock") and anything after a kanji (a name's さん) stay as they are.

English is read in `kaiwa.engine.written_en`; Japanese here.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Iterable, Sequence

from .chat import ChatMessage
from .identifiers import KANA_LETTERS
from .text import is_japanese
from .written_en import MOST_WORDS, written_english

__all__ = ["written_form", "written_messages"]


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
    "にん": "人", "めい": "名", "じかん": "時間", "じ": "時", "ふんかん": "分間", "ふん": "分",
    "ぷんかん": "分間", "ぷん": "分", "ど": "度", "ばん": "番", "えん": "円",
}  # fmt: skip
_KATAKANA_LETTERS = {k: v.upper() for k, v in KANA_LETTERS.items()} | {"エッチ": "H", "ゼッド": "Z"}
"""Letters said by name, in katakana (`identifiers.KANA_LETTERS`, and two more ways to say
them): じゅうろくエー, エックスワイゼット456."""
_LETTERS = {
    "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in k): v
    for k, v in _KATAKANA_LETTERS.items()
}
"""The same names in hiragana: えるえーえっくす."""
_ZEROS = {"ぜろ", "まる", "れい"}
_SOKUON = {"いっ", "ろっ", "はっ", "じゅっ", "じっ"}


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_NUMBER_WORD = f"(?:{_alternatives(list(_DIGITS) + list(_TIMES))})"
_LETTER_WORD = f"(?:{_alternatives(list(_LETTERS) + list(_KATAKANA_LETTERS))})"
_KATAKANA_LETTER = f"(?:{_alternatives(_KATAKANA_LETTERS)})"
# What may follow a number's word: not more of the same word ("いちばん" "the most", "さんぽ",
# "じかん" of 時間).
_END = r"(?=$|[^\u3041-\u3096]|[のをがはにでとへもやご]|です|ます|なん|だ|って)"  # ご: 後
# ("にじかんご"); なんですけど, だよ, って
_DECIMAL = rf"(?:\s*(?:てん|点)\s*{_NUMBER_WORD}+)"
# A number in kana: a special word (with はん); its words, a decimal part ("てん ご") and a
# counter ("じ", with "はん"); or its words and letters said right after them in katakana
# ("じゅうろくエー"); or letters, three or more, or two or more before digits
# (エックスワイゼット456).
_KANA = re.compile(
    rf"(?P<special>{_alternatives(_SPECIAL)})(?P<shalf>はん)?{_END}"
    rf"|(?P<counted>{_NUMBER_WORD}+{_DECIMAL}?)\s*(?P<counter>{_alternatives(_COUNTERS)})"
    rf"(?P<half>はん)?{_END}"
    rf"|(?P<number>{_NUMBER_WORD}+{_DECIMAL}?)(?P<letters>{_KATAKANA_LETTER}+)?{_END}"
    rf"|(?P<spelled>{_LETTER_WORD}{{3,}}|{_LETTER_WORD}{{2,}}(?=[0-9０-９]))"
)
_BEFORE = re.compile(r"[\s、。！？・,.!?「」（）()のをがはにでともA-Za-z0-9]")
"""The character before such a word: not inside a word (after a kanji: 田中さん; after kana
or katakana: "ケーキにいちご" is no 215). A number with its counter may follow katakana
("タイマーじゅうごふん": a katakana word, then the number), unless it starts with に, there
mostly the particle ("メールにじかんがかかる", "スマホにどはまり")."""
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")
_TIME_AFTER = re.compile(
    r"(?:はん|半|に|から|まで|ごろ|頃|すぎ|過ぎ|ちょうど|です|で|[\s、。！？!?,.]|$)"
)
"""What follows a time said in one word ("くじ", "にじ"), when it is one: not "くじをひく"
(a lottery), "にじがでてる" (a rainbow), "くじ引き"."""


def _number(kana: str) -> tuple[int, bool] | None:
    """``kana`` as a number and whether it was said digit by digit ("ろくにーまる"); None if it
    is no number ("じゅうじゅう")."""
    words = re.findall(_NUMBER_WORD, kana)
    if "".join(words) != kana or len(words) > MOST_WORDS:
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
        elif digit is not None or w in _ZEROS:
            return None  # two digits in a row with tens ("にさんじゅう"); にじゅうまる, 二重丸
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
    if any(a == b for a, b in itertools.pairwise(out)) or any(
        out == out[:n] * (len(out) // n) for n in range(1, len(out) // 2 + 1) if len(out) % n == 0
    ):
        return None  # a cheer or a sound: えいえいおー, おーけーおーけー, ぴーぴーぴー
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


def _kana_match(m: re.Match[str], after: str) -> str | None:
    """The written form of one match of `_KANA` (``after``: the text after it), or None to
    leave it as it is."""
    if m.group("special"):
        if m.group("special").endswith("じ") and not _TIME_AFTER.match(after):
            return None  # くじをひく
        return _SPECIAL[m.group("special")] + ("半" if m.group("shalf") else "")
    if m.group("spelled"):
        return _spelled_letters(m.group("spelled"))
    said = m.group("counted") or m.group("number")
    read = _digits(said)
    if read is None:
        return None
    digits, by_digit = read
    words = re.findall(_NUMBER_WORD, _POINT.split(said, maxsplit=1)[0])
    if m.group("counted"):
        counter, half = m.group("counter"), m.group("half")
        if (said == "いち" and counter == "ばん") or (half and counter != "じ"):
            return None  # いちばん: "the most"
        if by_digit and len(words) > 1:
            return None  # "さんにん" is one word; "にさんにん" two or three people
        if len(words) == 1 and counter == "じ" and not _TIME_AFTER.match(after):
            return None  # にじがでてる: a rainbow
        if words[0] in _ZEROS and counter != "ど":
            return None  # れいえん (霊園)
        if said in ("せん", "ぜん") and counter != "えん":
            return None  # せんど (鮮度)
        if (
            len(words) == 1
            and counter == "えん"
            and not re.match(r"(?:です|で|に|の|[\s、。！？]|$)", after)
        ):
            return None  # ごえんがありますように (ご縁)
        return digits + _COUNTERS[counter] + ("半" if half else "")
    letters = _spelled_letters(m.group("letters")) if m.group("letters") else ""
    if letters is None:
        return None
    full = [w for w in words if w not in _SOKUON and w not in _TIMES]
    if not letters and (len(words) < 4 if by_digit else not full):
        return None  # "に", "さんに", しちごさん, じゅう (銃, 自由), いっせん: words, not numbers
    return digits + letters


_SEAT_JA = re.compile(
    rf"(?<![0-9])([0-9]{{1,3}})の({_alternatives(_KATAKANA_LETTERS)}|[A-Za-z])"
    r"(?=席|[にでをがはのも、。！？\s]|です|$)"
)
"""A seat as said in Japanese: 23のエー (23A)."""


_DIGIT_WORD = _alternatives(k for k in _DIGITS if k not in _SOKUON)
_SPACED_DIGITS = re.compile(
    rf"(?<![\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff])"
    rf"((?:{_DIGIT_WORD})(?:[、,\s・]{{1,3}}(?:{_DIGIT_WORD})){{3,15}})"
    rf"(?![、,\s・]*(?:{_DIGIT_WORD}))(?=[、,。.\s！？!?]|です|でした|で|$)"
)
"""A code said a digit at a time with pauses between, as a recogniser writes it: "きゅう、ぜろ、
ご、いち、に" (90512); four digits to sixteen (not "いち、に、さん", nor a part of a longer
run)."""


_DIGIT_BEFORE = re.compile(rf"(?:{_DIGIT_WORD})[、,\s・]{{1,3}}$")


def _spaced_digits(m: re.Match[str], text: str) -> str:
    if _DIGIT_BEFORE.search(text, max(0, m.start() - 8), m.start()):
        return m[0]  # the end of a longer run
    return "".join(str(_DIGITS[w]) for w in re.findall(_DIGIT_WORD, m[1]))


def _japanese(text: str) -> str:
    text = _SPACED_DIGITS.sub(lambda m: _spaced_digits(m, text), text)
    out, at = [], 0
    for m in _KANA.finditer(text):
        if (
            m.start()
            and not _BEFORE.match(text, m.start() - 1)
            and not (
                m.group("counted")
                and _KATAKANA.match(text, m.start() - 1)
                and not m.group("counted").startswith("に")  # メールにじかん: the particle
            )
        ):
            continue
        written = _kana_match(m, text[m.end() : m.end() + 8])
        if written is not None:
            out.append(text[at : m.start()] + written)
            at = m.end()
    text = "".join(out) + text[at:]
    return _SEAT_JA.sub(lambda m: m[1] + _KATAKANA_LETTERS.get(m[2], m[2].upper()), text)


@functools.lru_cache(maxsize=512)
def written_form(text: str) -> str:
    """``text`` (a user's words as recognised) with codes and numbers said a character or a
    kana at a time written in characters, and times said in English words in digits ("half
    past eight" -> "8:30"; given those words, the 0.5B model booked 18:00); the rest as it
    is."""
    if is_japanese(text):
        return _japanese(text)
    return written_english(text)


def written_messages(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """``messages`` with the user's words in `written_form` (the same on every turn, so that
    one turn's prompt stays the start of the next's)."""
    return [
        dataclasses.replace(m, content=written_form(m.content)) if m.role == "user" else m
        for m in messages
    ]
