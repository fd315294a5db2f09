"""Identifiers as people say them: booking numbers, seats, order numbers read out one
character at a time ("b x nine two seven four", "エックスワイゼット456", "六二〇八一"), and how
the checks on tool calls compare them with what the model wrote (`tool_calls`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from .numbers import KANJI_DIGITS, TEENS, TENS, UNITS
from .text import is_japanese

__all__ = [
    "KANA_LETTERS",
    "identifier_key",
    "is_identifier",
    "said_identifiers",
    "spelled",
    "spoken_identifier",
    "whole_identifier",
]


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


_NUMBER_WORDS = (
    {w: str(n) for w, n in UNITS.items()}
    | {"oh": "0", "o": "0"}
    | {c: str(n) for c, n in KANJI_DIGITS.items()}
)
KANA_LETTERS = {
    "ダブリュー": "w", "エックス": "x", "エイチ": "h", "ジェー": "j", "ジェイ": "j",
    "キュー": "q", "アール": "r", "ティー": "t", "ディー": "d", "ゼット": "z", "エー": "a",
    "エイ": "a", "ビー": "b", "シー": "c", "イー": "e", "エフ": "f", "ジー": "g",
    "アイ": "i", "ケー": "k", "ケイ": "k", "エル": "l", "エム": "m", "エヌ": "n", "オー": "o",
    "ピー": "p", "エス": "s", "ユー": "u", "ブイ": "v", "ワイ": "y",
}  # fmt: skip
"""The letters' names in katakana, as a recogniser writes them (エックス for x)."""
_SPOKEN = re.compile(
    "|".join(sorted(KANA_LETTERS, key=len, reverse=True))
    + r"|[〇零一二三四五六七八九]|\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)\b",
    re.I,
)


_UNITS = {w: n for w, n in UNITS.items() if n}
_NUMBER = re.compile(
    rf"\b(?:({'|'.join(TENS)})(?:[\s-]+({'|'.join(_UNITS)}))?|({'|'.join(TEENS)}))\b", re.I
)


def _numbers(text: str) -> str:
    """Numbers from ten to ninety-nine said in words, written in digits ("fourteen C" -> "14 C",
    "twenty-three b" -> "23 b")."""

    def digits(m: re.Match[str]) -> str:
        if m.group(3):
            return str(TEENS[m.group(3).lower()])
        unit = _UNITS[m.group(2).lower()] if m.group(2) else 0
        return str(TENS[m.group(1).lower()] + unit)

    return _NUMBER.sub(digits, text)


def spelled(text: str) -> str:
    """``text`` with digits and letters said one by one written as such ("four seven one oh
    nine" -> "4 7 1 0 9", "エービーシー" -> "abc", "六二〇八一" -> "62081"), so that an
    identifier the model wrote in characters is found in what the user said. Full-width
    and half-width forms as typed on a Japanese keyboard ("ＨＧＦ２０３", "ｴｯｸｽ") are the plain
    ones."""
    return _SPOKEN.sub(
        lambda m: KANA_LETTERS.get(m.group(), _NUMBER_WORDS.get(m.group().lower(), "")),
        _numbers(unicodedata.normalize("NFKC", text)),
    )


_CODE = re.compile(r"(?=[A-Z0-9-]*[A-Z])(?=[A-Z0-9-]*\d)[A-Z0-9-]{2,}|\d[\d ]{1,}\d")


def is_identifier(value: str) -> bool:
    """Whether ``value`` is an identifier (a confirmation number, a seat, a flight): capitals
    and digits ("ABC123", "12A", "BA-117"), or three digits or more ("40211", "66 03 91").
    Such values are copied, not paraphrased: each must have been said (times like "7am" and
    "7:30" and dates are not codes)."""
    value = unicodedata.normalize("NFKC", value).strip()
    return bool(_CODE.fullmatch(value)) and sum(c.isdigit() for c in value) >= (
        1 if any(c.isalpha() for c in value) else 3
    )


def identifier_key(text: str) -> str:
    """``text`` as an identifier is compared: letters and digits only, lower-case, the letter
    O as zero ("ABC 123", "abc-123", "ＡＢＣ１２３" -> "abc123"; "O X 4" and "zero x four"
    alike)."""
    plain = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^0-9a-z]", "", plain).replace("o", "0")


_DIGIT_WORDS = {w: d for w, d in _NUMBER_WORDS.items() if w.isascii() and w != "o"}
_JA_SPELLED = re.compile(
    "(?:"
    + "|".join(sorted(KANA_LETTERS, key=len, reverse=True))
    + r"|[〇零一二三四五六七八九0-9A-Za-z])+"
)


def spoken_identifier(value: str) -> str | None:
    """An identifier the recogniser wrote as it was spoken, written as one: "four seven one oh
    nine" -> "47109", "b x nine two seven four" -> "BX9274", "twenty seven d" -> "27D",
    "66 03 91" -> "660391", "六二〇八一" -> "62081", "エックスワイゼット456" -> "XYZ456";
    None for anything else (a name, a time: "seven thirty" stays as it is)."""
    plain = unicodedata.normalize("NFKC", value).strip()
    if not plain:
        return None
    if is_japanese(plain):
        if not _JA_SPELLED.fullmatch(plain) or plain.isascii():
            return None
        compact = spelled(plain)
        digits = sum(c.isdigit() for c in compact)
        if not compact.isascii() or not digits or (digits < 3 and compact.isdigit()):
            return None  # not a code: ディーブイディー, 二
        return compact.upper()
    tokens = [t for t in re.split(r"[\s,.\-]+", _numbers(plain.lower())) if t]
    if len(tokens) < 2 or tokens[-2:] in (["a", "m"], ["p", "m"]):
        return None  # a time: "seven p m"
    out, letters, single_digits = [], 0, 0
    for token in tokens:
        if token in _DIGIT_WORDS:
            out.append(_DIGIT_WORDS[token])
            single_digits += 1
        elif token.isdigit():
            out.append(token)
            single_digits += len(token) == 1
        elif len(token) == 1 and token.isalpha():
            out.append(token)
            letters += 1
        else:
            return None
    digits = sum(c.isdigit() for c in "".join(out))
    written_in_digits = all(t.isdigit() for t in tokens) and plain.replace(" ", "").isdigit()
    if digits == 0 or not (letters or single_digits >= 3 or written_in_digits):
        return None
    compact = "".join(out)
    if "o" in out and all(t.isdigit() or t == "o" for t in out):
        compact = compact.replace("o", "0")  # "four seven one o nine": a zero, said as a letter
    return compact.upper()


def said_identifiers(text: str) -> tuple[str, ...]:
    """The identifiers in ``text`` (the user's words) written as one word: "BA117",
    "C-V-T-0-8-8" (as CVT088), "エックスワイゼット456" (as XYZ456). Not those spelled out
    word by word: where one ends and the next begins is a guess ("ten 10C")."""
    plain = unicodedata.normalize("NFKC", text)
    if is_japanese(plain):
        words = [m.group() for m in _JA_SPELLED.finditer(plain)]
    else:
        words = re.findall(r"[\w:'-]+(?:\.\d+)?", plain)
    found = [spoken_identifier(w) or w.replace("-", "").upper() for w in words]
    return _unique(f for f in found if is_identifier(f) and f.isalnum())


def whole_identifier(value: str, said: Sequence[str], heard: str | None = None) -> str:
    """``value``, or the one identifier of ``said`` it is a part of (the model copied
    "456" of "エックスワイゼット456", XYZ456). With ``heard`` (all the user said, as
    `identifier_key` of `spelled` compares it), a value found nowhere in it is put right
    when ``said`` holds one identifier only and the value is a character away from it (one
    added, dropped or changed: "ＨＧＦ２０３" copied as "HGSF203"); a value the user said,
    in any turn and any spelling, stays."""
    mine = identifier_key(value)
    if not mine or not is_identifier(value) or mine in {identifier_key(s) for s in said}:
        return value
    whole = [s for s in said if mine in identifier_key(s)]
    if not whole and heard is not None and mine not in heard and len(said) == 1:
        whole = [s for s in said if _one_apart(mine, identifier_key(s))]
    return whole[0] if len(whole) == 1 else value


def _one_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one character added, dropped or changed."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
