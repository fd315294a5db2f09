"""Numbers as people say them, in words and in kanji: the tables the checks on tool calls
share (`tool_calls` reads identifiers spoken digit by digit, `repairs` compares values taken
back)."""

from __future__ import annotations

__all__ = ["KANJI_DIGITS", "TEENS", "TENS", "UNITS", "said_number"]

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9,
}  # fmt: skip
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def said_number(token: str) -> int | None:
    """``token`` as a whole number: digits ("17"), one English word ("four", "twenty"), or
    kanji, digit by digit or with 十 ("六二〇", "二十三"); None for anything else."""
    token = token.lower()
    if token.isascii() and token.isdigit():
        return int(token)
    for words in (UNITS, TEENS, TENS):
        if token in words:
            return words[token]
    if token and all(c in KANJI_DIGITS or c == "十" for c in token):
        if "十" not in token:
            return int("".join(str(KANJI_DIGITS[c]) for c in token))
        tens, _, units = token.partition("十")
        if "十" in units or len(tens) > 1 or len(units) > 1:
            return None
        return (KANJI_DIGITS[tens] if tens else 1) * 10 + (KANJI_DIGITS[units] if units else 0)
    return None
