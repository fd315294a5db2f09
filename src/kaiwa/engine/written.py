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
import itertools
import re
from collections.abc import Iterable, Sequence

from .chat import ChatMessage
from .identifiers import KANA_LETTERS, spoken_identifier
from .numbers import TEENS, TENS, UNITS
from .text import is_japanese

__all__ = ["written_form", "written_messages"]


# --- English: codes said a character at a time ---------------------------------------------

_MOST_WORDS = 24
"""Words read as one code or number at most (a code is shorter; a longer run is none)."""
_CODE_WORDS = set(UNITS) | set(TEENS) | set(TENS) | {"oh"}
_SPOKEN_WORDS = _CODE_WORDS - {"oh"}
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*(?:-[A-Za-z]+)?")  # "it's" is one word
_GLUE = re.compile(r"[\s-]*")  # what may stand between the characters of one code: not a
# comma, which ends one code ("twenty seven d, d f g four four one") or lists numbers


def _code_token(token: str) -> bool:
    low = token.lower()
    if "-" in low:  # "twenty-seven"
        tens, _, unit = low.partition("-")
        return tens in TENS and unit in UNITS
    return low in _CODE_WORDS or low.isdigit() or (len(low) == 1 and low.isalpha())


def _letter(token: re.Match[str]) -> bool:
    return len(token.group()) == 1 and token.group().isalpha()


_AFTER_A_LETTER = re.compile(
    r"\s*(?:$|[^\w\s]|(?:please|and|or|to|for|thanks|thank|then|instead|now)\b)", re.I
)
"""What may follow a seat's letter "a" or "i" at the end of a code ("twelve a, please");
a word else: "take one a day", "the one I ordered"."""


def _trimmed(run: list[re.Match[str]], text: str) -> list[re.Match[str]]:
    """``run`` without "a" and "I" at either end where they are words: unless another
    letter stands next to them ("a b c one two three"), at the start ("a two o'clock") and
    at the end before a word ("the one I ordered", "take one a day"; not "seat twelve a.")."""
    while run and run[0].group().lower() in ("a", "i") and not (len(run) > 1 and _letter(run[1])):
        run = run[1:]
    while (
        run
        and run[-1].group().lower() in ("a", "i")
        and not (len(run) > 1 and _letter(run[-2]))
        and not _AFTER_A_LETTER.match(text, run[-1].end())
    ):
        run = run[:-1]
    return run


_NATO = {
    "alpha": "a", "alfa": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e",
    "foxtrot": "f", "golf": "g", "hotel": "h", "india": "i", "juliet": "j", "juliett": "j",
    "kilo": "k", "lima": "l", "mike": "m", "november": "n", "oscar": "o", "papa": "p",
    "quebec": "q", "romeo": "r", "sierra": "s", "tango": "t", "uniform": "u", "victor": "v",
    "whiskey": "w", "whisky": "w", "x-ray": "x", "xray": "x", "yankee": "y", "zulu": "z",
}  # fmt: skip
"""The spelling alphabet: a letter of a code said by its word ("alpha bravo charlie")."""
_LETTER_NAMES = {
    "bee": "b", "dee": "d", "gee": "g", "jay": "j", "kay": "k", "el": "l", "em": "m",
    "en": "n", "pee": "p", "cue": "q", "queue": "q", "ess": "s", "tee": "t", "vee": "v",
    "ex": "x", "zed": "z", "zee": "z", "aitch": "h",
}  # fmt: skip
"""Letters as a recogniser may write their names ("twenty three bee"); not "you", "are",
"why", "see", "tea" or "oh", which are words as often."""
_AS_IN = re.compile(r"\b([A-Za-z])(?:\s*,)?\s+as\s+in\s+(?=\1)[A-Za-z][A-Za-z-]*", re.I)
"""A letter and a word that starts with it: "q as in queen" (not "a as in the letter a")."""
_CAPITAL = re.compile(r"\b(?:capital|upper[- ]?case)\s+([A-Za-z])\b", re.I)
_DOUBLE_U = re.compile(r"\bdouble[ -]?(?:u|you)\b", re.I)
_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_REPEATED = re.compile(rf"\b(double|triple)\s+([A-Za-z]|\d|{_DIGIT_WORD})\b", re.I)
_HYPHENED = re.compile(rf"\b{_DIGIT_WORD}(?:-{_DIGIT_WORD}){{3,}}\b", re.I)
_SPACED = re.compile(r"(?<![\d.,:/-])(?<!\d )\b\d(?: \d){3,15}\b(?![\d.,:/-]| \d)")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*(?:-[A-Za-z]+)?|\d+")


def _codeish(word: str) -> bool:
    """A number or a letter of a code ("a" and "I" are words as often: not these)."""
    low = word.lower()
    return low.isdigit() or _lone_letter(low) or (_code_token(low) and low not in ("a", "i"))


def _lone_letter(word: str) -> bool:
    return len(word) == 1 and word.isalpha() and word.lower() not in ("a", "i")


def _digitish(word: str) -> bool:
    low = word.lower()
    return low.isdigit() or low in _CODE_WORDS or ("-" in low and _code_token(low))


def _repeated(m: re.Match[str]) -> str:
    """ "double x" -> "x x", "triple seven" -> "seven seven seven", where a code's character
    stands next to it ("double four double seven", "s w double one a a"; not "triple a
    batteries", "a double six")."""
    text = m.string
    before = re.search(r"([A-Za-z]+|\d+)[\s-]*$", text[: m.start()])
    after = re.match(r"[\s-]*([A-Za-z]+|\d+)", text[m.end() :])
    joined = any(
        g is not None and (_codeish(g[1]) or g[1].lower() in ("double", "triple"))
        for g in (before, after)
    )
    if not joined:
        return m[0]
    return " ".join([m[2]] * (2 if m[1].lower() == "double" else 3))


def _counting(digits: str) -> bool:
    """ "1 2 3 4", "5 4 3 2 1": counting, not a code."""
    values = [int(d) for d in digits.split()]
    steps = {b - a for a, b in itertools.pairwise(values)}
    return steps in ({1}, {-1})


def _spelling_aids(text: str) -> str:
    """``text`` with the ways people spell a code out loud made plain, for the code reader:
    "q as in queen" -> "q", "capital a" -> "a", "double u" -> "w", "double x" -> "x x",
    "triple seven" -> "seven seven seven", "alpha bravo charlie one two three" -> "a b c one
    two three", "twenty three bee" -> "twenty three b", "four-four-two-one-nine" -> "four
    four two one nine", and single digits the recogniser wrote a space apart, four or more
    ("5 5 1 0 2") -> "55102" (not counting: "1 2 3 4"). Each only where it is a code: the
    spelling alphabet in a run with two digits at least ("the delta hotel two nights"
    stays), a letter's name after a number where a seat's letter ends ("fourteen see",
    "twenty three bee please"; not "seven see you then", "two sea bass") or in a run of
    three code words with a digit ("order en one two three four"), "double" and "triple"
    next to another character of a code."""
    text = _AS_IN.sub(r"\1", text)
    text = _CAPITAL.sub(r"\1", text)
    text = _DOUBLE_U.sub("w", text)
    text = _REPEATED.sub(_repeated, text)
    text = _HYPHENED.sub(lambda m: m[0].replace("-", " "), text)
    text = _SPACED.sub(lambda m: m[0] if _counting(m[0]) else m[0].replace(" ", ""), text)
    words = list(_WORD.finditer(text))
    if not words:
        return text

    def glued(a: int) -> bool:  # words a and a + 1
        return bool(_GLUE.fullmatch(text[words[a].end() : words[a + 1].start()]))

    def spelled(k: int) -> bool:
        low = words[k].group().lower()
        return (
            _codeish(low)
            or low in _NATO
            or low in _LETTER_NAMES
            or (low in ("see", "sea") and k > 0 and _digitish(words[k - 1].group()))
        )

    # the runs of words glued together that could be a code's (each word's run, in one pass)
    could = [spelled(k) for k in range(len(words))]
    runs: list[range] = []
    start = 0
    for k in range(len(words)):
        if k + 1 == len(words) or not (could[k] and could[k + 1] and glued(k)):
            runs.extend([range(start, k + 1)] * (k + 1 - start))
            start = k + 1

    def run_of(k: int) -> range:
        """The words glued to word k that could be a code's, k among them."""
        return runs[k] if could[k] else range(k, k + 1)

    digit_counts = [0]
    for word in words:
        digit_counts.append(digit_counts[-1] + _digitish(word.group()))

    def digits_in(run: range) -> int:
        return digit_counts[run.stop] - digit_counts[run.start]

    letter_counts = [0]
    for word in words:
        is_letter = word.group().lower() in _NATO or _lone_letter(word.group())
        letter_counts.append(letter_counts[-1] + is_letter)

    def letters_in(run: range) -> int:
        return letter_counts[run.stop] - letter_counts[run.start]

    out, at = [], 0
    for k, word in enumerate(words):
        low = word.group().lower()
        letter = None
        if low in _NATO:
            run = run_of(k)
            # another letter beside it (it is one itself), and two digits
            if letters_in(run) >= 2 and digits_in(run) >= 2:
                letter = _NATO[low]
        elif low in _LETTER_NAMES or low in ("see", "sea"):
            run = run_of(k)
            seat_letter = (
                k > 0
                and k - 1 in run
                and _digitish(words[k - 1].group())
                and k == run[-1]
                and _AFTER_A_LETTER.match(text, word.end())
            )
            if seat_letter or (len(run) >= 3 and digits_in(run) and low not in ("see", "sea")):
                letter = _LETTER_NAMES.get(low, "c")
        if letter is not None:
            out.append(text[at : word.start()] + letter)
            at = word.end()
    return "".join(out) + text[at:]


def _english(text: str) -> str:
    text = _spelling_aids(text)
    tokens = list(_TOKEN.finditer(text))
    out, at, i = [], 0, 0
    while i < len(tokens):
        if not _code_token(tokens[i].group()):
            i += 1
            continue
        j = i + 1  # the run of code words from i, joined by spaces or hyphens only
        while (
            j < len(tokens)
            and _code_token(tokens[j].group())
            and _GLUE.fullmatch(text[tokens[j - 1].end() : tokens[j].start()])
        ):
            j += 1
        run = _trimmed(tokens[i:j], text)
        i = j
        if not 2 <= len(run) <= _MOST_WORDS or not any(
            _letter(t) or t.group().lower().partition("-")[0] in _SPOKEN_WORDS for t in run
        ):
            continue  # digits the recogniser wrote as digits stay apart: "June 5 2026"
        code = spoken_identifier(text[run[0].start() : run[-1].end()])
        # not a time or a word cut short: "seven a.m.", "five o'clock"
        if code and not re.match(r"\.\s*m\b|['’]", text[run[-1].end() :], re.I):
            out.append(text[at : run[0].start()] + code)
            at = run[-1].end()
    return "".join(out) + text[at:]


# --- English: times said in words ----------------------------------------------------------

_HOURS = {w: n for w, n in {**UNITS, **TEENS}.items() if 1 <= n <= 12}
_PAST = {"quarter": 15, "half": 30, "five": 5, "ten": 10, "twenty": 20, "twenty five": 25}
_TO = {"quarter": 15}
"""Minutes said before "to": only "quarter to nine" ("five to ten", "twenty to one" are
as often ranges, scores and odds)."""
_CLOCK_EN = re.compile(
    r"\b(?P<minutes>quarter|half|twenty[ -]five|twenty|ten|five)\s+(?:(?P<past>past|after)|"
    r"(?P<to>to|till|til))\s+(?P<hour>" + "|".join(_HOURS) + r"|1[0-2]|[1-9])\b"
    r"(?=\s*(?:$|[,.!?;]|(?:a\.?m|p\.?m|am|pm|tonight|tomorrow|today|this|in the|please|"
    r"o'?clock|for|and|on|then|instead|would|works?|is|sharp)\b))",
    re.IGNORECASE,
)
"""A time said in words, where it ends a clause or a time's words follow: "half past eight",
"quarter to nine tonight", "ten past 6, please"; not "a quarter to two kids"."""


def _clock_time(m: re.Match[str]) -> str:
    minutes = m["minutes"].lower().replace("-", " ")
    hour = _HOURS.get(m["hour"].lower()) or int(m["hour"])
    if m["past"]:
        return f"{hour}:{_PAST[minutes]:02d}"
    if minutes not in _TO:
        return m.group()
    return f"{hour - 1 or 12}:{60 - _TO[minutes]:02d}"


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
    if "".join(words) != kana or len(words) > _MOST_WORDS:
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
    return _english(_CLOCK_EN.sub(_clock_time, text))


def written_messages(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """``messages`` with the user's words in `written_form` (the same on every turn, so that
    one turn's prompt stays the start of the next's)."""
    return [
        dataclasses.replace(m, content=written_form(m.content)) if m.role == "user" else m
        for m in messages
    ]
