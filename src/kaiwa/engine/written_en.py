"""English as a recogniser wrote it, written as people write it, for the small model to
copy (`kaiwa.engine.written` for both languages): codes said a character at a time ("twenty
seven d" -> "27D", "d f g four four one" -> "DFG441"), spelled out loud ("alpha bravo
charlie", "q as in queen", "double x"), and times said in words ("half past eight" ->
"8:30")."""

from __future__ import annotations

import itertools
import re

from .identifiers import spoken_identifier
from .numbers import TEENS, TENS, UNITS

__all__ = ["MOST_WORDS", "written_english"]


# --- English: codes said a character at a time ---------------------------------------------

MOST_WORDS = 24
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
_DIGIT_WORD_EN = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_REPEATED = re.compile(rf"\b(double|triple)\s+([A-Za-z]|\d|{_DIGIT_WORD_EN})\b", re.I)
_HYPHENED = re.compile(rf"\b{_DIGIT_WORD_EN}(?:-{_DIGIT_WORD_EN}){{3,}}\b", re.I)
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
        if not 2 <= len(run) <= MOST_WORDS or not any(
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


def written_english(text: str) -> str:
    """English ``text`` with its codes and its times said in words written as people write
    them (see the module); the rest as it is."""
    return _english(_CLOCK_EN.sub(_clock_time, text))
