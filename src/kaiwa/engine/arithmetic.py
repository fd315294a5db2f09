"""Questions with one right number, worked out instead of guessed: sums and unit conversions.

The 0.5B model answers "how many seconds in an hour" with "1200", "五千円の二割引きっていくら？"
with "1000円", and "1時間って何分？" by setting a one-minute timer (dev half of
``bench/quality``); "two plus two is three" was heard. A request that is nothing but such a
question is worked out here and answered in the user's language, without the model:

- two numbers and an operation: "what's 12 times 7", "two hundred minus forty-five",
  "100 divided by 8", 「3足す5は？」, 「12かける7っていくつ？」;
- a percentage of a number, or a number with a percentage off: "what's 15 percent of 80",
  "20% off 45", 「5000円の2割引きっていくら？」, 「80の15パーセントは？」;
- a quantity in another unit of time, length, weight, volume, power or temperature: "how many
  seconds are in an hour", "what's 100 celsius in fahrenheit", "how many centimeters is 5
  inches", 「1時間って何分？」, 「一週間って全部で何時間？」, 「摂氏100度って華氏だと何度？」,
  「50ポンドって、キロだとだいたいどれくらい？」;
- a part of a number, or a number with a percentage added: "what's half of 350", "two thirds
  of 90?", "80 plus 15 percent", "60 with a 20% tip", 「350の半分は？」, 「1200円の3分の1って
  いくら？」, 「千円のものに消費税が10パーセントかかったら、全部でいくら？」; dozens ("how many
  eggs are in a dozen", 「一ダースっていくつ？」).

The whole request must be the question (a filler before it, "um", "quick one", 「えっと」, and
"please" after it aside), and ask: "what's", "how much is", "calculate" or a question mark
after words ("two plus two?") in English, いくつ, 何, いくら or は？ in Japanese. So "a table
for 2 plus 3 kids", "two plus one" (a party's size), "555-1234", "12/25" (a sign counts only
between spaces), 「2-3です」, 「1日何時間ですか？」 (hours a day) or 「1時間後に起こして」 are
left to the model and its tools. Numbers may be digits (with decimals), English words
("twenty-five", "a hundred") or kanji (五千, 二十三, 1万). The numbers asked about are said back
as they were said, the answer exactly (fractions, not floats) or rounded with "about" (約).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

__all__ = ["with_digits", "worked_out"]

# -- numbers ---------------------------------------------------------------------------------

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_NUMBER_WORD = "|".join([*_SMALL, *_SCALES])
_WORD_RUN = re.compile(
    rf"\b(?:(?:a|an)\s+(?=(?:hundred|thousand|million)\b))?"
    rf"(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*\b"
)


def _english_number(words: str) -> int | None:
    """A run of English number words as a number ("twenty-five", "a hundred and six",
    "three thousand"); None if the words make none ("five six")."""
    total = current = 0
    last: int | None = None  # the last word's value: "five six" is no number
    for word in re.split(r"[\s-]+", words.strip()):
        if word in ("and", ""):
            continue
        if word in ("a", "an"):
            current, last = 1, None
            continue
        if word in _SCALES:
            scale = _SCALES[word]
            if last is not None and last in _SCALES.values() and last <= scale:
                return None  # "a thousand thousand", "hundred hundred": no number said so
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
            last = scale
            continue
        value = _SMALL[word]
        if last is not None and last < 100 and not (last % 10 == 0 and last >= 20 and value < 10):
            return None
        current += value
        last = value
    return total + current


_KANJI_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_KANJI_SCALE = {"十": 10, "百": 100, "千": 1000}
_KANJI_MYRIAD = {"万": 10_000, "億": 100_000_000}
_KANJI_RUN = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|[〇零一二三四五六七八九十百千万億])+")


def _kanji_number(text: str) -> Fraction | None:
    """A number written in kanji, or in digits and kanji, as people and recognisers write
    them (五千, 二十三, 百五, 一万二千, 六二〇 digit by digit; 1万, 5千, 1.5万, 10万5千); None if
    it makes none (万万)."""
    total = section = Fraction(0)
    scale_before, myriad_before = 10_000, 10**12  # scales must fall: 二十三, not 十十
    current: str | None = None  # digits read since the last scale
    in_kanji = False  # ...written in kanji (六二〇: one number, digit by digit)
    for token in re.findall(r"[0-9]+(?:\.[0-9]+)?|.", text):
        if token[0].isdigit() or token in _KANJI_DIGIT:
            if current is not None and not (in_kanji and token in _KANJI_DIGIT):
                return None  # "1二", "二1": no number
            current, in_kanji = (
                (current or "") + _KANJI_DIGIT.get(token, token),
                not token[0].isdigit(),
            )
        elif token in _KANJI_SCALE:
            if _KANJI_SCALE[token] >= scale_before:
                return None
            section += Fraction(current or "1") * _KANJI_SCALE[token]
            current, scale_before = None, _KANJI_SCALE[token]
        else:
            if (section == 0 and current is None) or _KANJI_MYRIAD[token] >= myriad_before:
                return None
            total += (section + Fraction(current or "0")) * _KANJI_MYRIAD[token]
            section, current = Fraction(0), None
            scale_before, myriad_before = 10_000, _KANJI_MYRIAD[token]
    return total + section + Fraction(current or "0")


def with_digits(text: str) -> str:
    """``text`` with its numbers in digits: English number words ("twenty five" -> 25),
    kanji numerals (五千, 1万 -> 5000, 10000) and full-width digits; thousands separators
    dropped (1,000円)."""
    text = text.translate(_FULL_WIDTH)
    text = re.sub(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))", "", text)

    def english(match: re.Match[str]) -> str:
        value = _english_number(match.group(0))
        return match.group(0) if value is None else str(value)

    def kanji(match: re.Match[str]) -> str:
        if match.group(0).replace(".", "").isdigit():
            return match.group(0)  # digits only: as they are
        value = _kanji_number(match.group(0))
        return match.group(0) if value is None else _exact(value)

    text = _WORD_RUN.sub(english, text)
    return _KANJI_RUN.sub(kanji, text)


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．＋－×÷／％？", "0123456789.+-×÷/%?")
_NUMBER = r"([0-9]{1,15}(?:\.[0-9]{1,6})?)(?![0-9.])"
"""A number asked about: up to 15 digits and 6 decimals (longer ones are not said aloud)."""

# -- units -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    kind: str
    size: Fraction  # in the kind's base unit: seconds, metres, grams
    en: str  # the plural, as answered
    ja: str


_UNITS: dict[str, _Unit] = {}


def _unit(kind: str, size: str, en: str, ja: str, *names: str) -> None:
    unit = _Unit(kind, Fraction(size), en, ja)
    for name in (en, ja, *names):
        _UNITS[name] = unit


_unit("time", "1", "seconds", "秒", "second", "secs", "sec")
_unit("time", "60", "minutes", "分", "minute", "mins", "min")
_unit("time", "3600", "hours", "時間", "hour", "hrs", "hr")
_unit("time", "86400", "days", "日", "day")
_unit("time", "604800", "weeks", "週間", "week", "週")
_unit("length", "0.001", "millimeters", "ミリ", "millimeter", "millimetre", "millimetres", "mm",
      "ミリメートル")  # fmt: skip
_unit("length", "0.01", "centimeters", "センチ", "centimeter", "centimetre", "centimetres",
      "cm", "センチメートル")  # fmt: skip
_unit("length", "1", "meters", "メートル", "meter", "metre", "metres", "m")
_unit("length", "1000", "kilometers", "キロメートル", "kilometer", "kilometre", "kilometres",
      "km")  # fmt: skip
_unit("length", "0.0254", "inches", "インチ", "inch")
_unit("length", "0.3048", "feet", "フィート", "foot", "ft")
_unit("length", "0.9144", "yards", "ヤード", "yard")
_unit("length", "1609.344", "miles", "マイル", "mile")
_unit("weight", "1", "grams", "グラム", "gram", "g")
_unit("weight", "1000", "kilograms", "キログラム", "kilogram", "kilos", "kilo", "kg", "キロ")
_unit("weight", "453.59237", "pounds", "ポンド", "pound", "lbs", "lb")
_unit("weight", "28.349523125", "ounces", "オンス", "ounce", "oz")
_unit("volume", "1", "milliliters", "ミリリットル", "milliliter", "millilitre", "millilitres",
      "ml")  # fmt: skip
_unit("volume", "10", "centiliters", "センチリットル", "centiliter", "centilitre", "centilitres",
      "cl")  # fmt: skip
_unit("volume", "100", "deciliters", "デシリットル", "deciliter", "decilitre", "decilitres",
      "dl")  # fmt: skip
_unit("volume", "1000", "liters", "リットル", "liter", "litre", "litres", "l")
_unit("volume", "3785.411784", "US gallons", "ガロン", "gallon", "gallons", "us gallon",
      "us gallons")  # fmt: skip
_unit("power", "1", "watts", "ワット", "watt")
_unit("power", "1000", "kilowatts", "キロワット", "kilowatt", "kw")
_unit("power", "1000000", "megawatts", "メガワット", "megawatt")
_TEMPERATURE = {
    "celsius": "C", "centigrade": "C", "摂氏": "C", "fahrenheit": "F", "華氏": "F",
}  # fmt: skip

_UNIT_EN = "|".join(sorted((u for u in _UNITS if u.isascii()), key=len, reverse=True))
_UNIT_JA = "|".join(sorted((u for u in _UNITS if not u.isascii()), key=len, reverse=True))

_KANA_DIGITS = (
    ("きゅう", "九"), ("じゅう", "十"), ("じゅっ", "十"), ("ひゃく", "百"), ("びゃく", "百"),
    ("ぴゃく", "百"), ("いち", "一"), ("いっ", "一"), ("さん", "三"), ("よん", "四"),
    ("ろく", "六"), ("ろっ", "六"), ("なな", "七"), ("しち", "七"), ("はち", "八"), ("はっ", "八"),
    ("せん", "千"), ("ぜん", "千"), ("まん", "万"), ("に", "二"), ("ご", "五"),
)  # fmt: skip
"""Numbers in kana, as a recogniser writes them (いちインチ, さんびゃくグラム), by the
readings that make them: longest first."""
_ONES = "一二三四五六七八九"
"""Two of these in a row are no number (にさんキロ: two or three kilos)."""
_KANA_RUN = re.compile(rf"([ぁ-ゖ]+)(?=(?:{_UNIT_JA}))")


def _kana_number(run: str) -> str | None:
    """``run`` (hiragana) as kanji numerals, if it is only readings of them ("さんびゃく" ->
    "三百"); None else."""
    out, at = [], 0
    while at < len(run):
        found = next(((k, v) for k, v in _KANA_DIGITS if run.startswith(k, at)), None)
        if found is None:
            return None
        out.append(found[1])
        at += len(found[0])
    return "".join(out)


def _kana_numbers(text: str) -> str:
    """``text`` with a number in kana right before a unit in kanji (「いちインチって何センチ」 ->
    「一インチって何センチ」): the longest end of the kana run that is only a number's readings
    and a well-formed one (「あのいちインチ」: いち; 「にさんキロ」, two or three, is none)."""

    def number(match: re.Match[str]) -> str:
        run = match.group(1)
        for start in range(len(run)):
            kanji = _kana_number(run[start:])
            if kanji is not None and not re.search(f"[{_ONES}]{{2}}", kanji):
                return run[:start] + kanji
        return run

    return _KANA_RUN.sub(number, text)


# -- the questions ---------------------------------------------------------------------------

_FILLER_EN = re.compile(
    r"^(?:(?:um+|uh+|er+|erm|hmm+|so|okay|ok|hey|hi|oh|and|sorry|quick one|quick question|"
    r"random question|one more thing|also|well|right|just wondering|i was wondering)\b[\s,.!:;]*)+"
)
_ASK_EN = (
    r"(?:(?:can you |could you |please )?(?:tell me |remind me )?"
    r"(?:what's|whats|what is|what are|how much is|how much's|what does|what do|what would|"
    r"calculate|compute|work out|figure out|do you know what)\s+)"
)
"""How a question for a sum opens: without it, "two plus one" may answer "how many of you?"."""
_OPERATIONS_EN = {
    "plus": "+", " + ": "+", "minus": "-", " - ": "-", "take away": "-", "times": "*",
    " x ": "*", " × ": "*", " * ": "*", "multiplied by": "*", "divided by": "/", " / ": "/",
    " ÷ ": "/",
}  # fmt: skip
"""A sign between spaces only: "555-1234", "12/25" and "4x4" are a number, a date, a size."""
_OPERATION_EN = "|".join(re.escape(o) for o in sorted(_OPERATIONS_EN, key=len, reverse=True))
_OPERATIONS_JA = {
    "足す": "+", "たす": "+", "プラス": "+", "+": "+", "引く": "-", "ひく": "-",
    "マイナス": "-", "-": "-", "掛ける": "*", "かける": "*", "×": "*", "*": "*",
    "割る": "/", "わる": "/", "÷": "/", "/": "/",
}  # fmt: skip
_OPERATION_JA = "|".join(re.escape(o) for o in sorted(_OPERATIONS_JA, key=len, reverse=True))
_WORDS_EN = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}
_WORDS_JA = {"+": "足す", "-": "引く", "*": "掛ける", "/": "割る"}

_END_EN = r"(?:\s*(?:equal|equals|make|makes|come to|be|is|are))?(?:[\s,]*please)?[\s?.!]*$"
_SUM_EN = re.compile(rf"^({_ASK_EN})?{_NUMBER}\s*({_OPERATION_EN})\s*{_NUMBER}{_END_EN}")
_PERCENT_EN = re.compile(
    rf"^{_ASK_EN}{_NUMBER}\s*(?:%|percent|per cent)\s+(of|off)\s+(?:\$|£|€)?{_NUMBER}{_END_EN}"
)
_HOW_MANY_EN = re.compile(
    rf"^(?:(?:can you |could you )?(?:tell me )?)?how many ({_UNIT_EN})\s+"
    rf"(?:are there |are |is |make |makes )?(?:there )?(?:in|is|make|makes|in one|in a|in an)\s+"
    rf"(?:(a|an|one)\s+|{_NUMBER}\s*)?({_UNIT_EN}){_END_EN}"
)
_CONVERT_EN = re.compile(
    rf"^(?:{_ASK_EN}|convert\s+)"
    rf"{_NUMBER}\s*(?:degrees?\s+)?({_UNIT_EN}|celsius|centigrade|fahrenheit)\s+"
    rf"(?:in|to|into|in terms of)\s+(?:degrees?\s+)?({_UNIT_EN}|celsius|centigrade|fahrenheit)"
    rf"{_END_EN}"
)
_PARTS_EN = {
    "half": Fraction(1, 2), "a half": Fraction(1, 2), "1 half": Fraction(1, 2),
    "a third": Fraction(1, 3), "1 third": Fraction(1, 3), "2 thirds": Fraction(2, 3),
    "a quarter": Fraction(1, 4), "1 quarter": Fraction(1, 4),
    "3 quarters": Fraction(3, 4), "double": Fraction(2), "twice": Fraction(2),
    "triple": Fraction(3),
}  # fmt: skip
"""(As `with_digits` leaves them: "two thirds" is "2 thirds".)"""
_PART_SAID = {"1 half": "one half", "1 third": "one third", "2 thirds": "two thirds",
              "1 quarter": "one quarter", "3 quarters": "three quarters"}  # fmt: skip
_PART_NAMES_EN = "|".join(k.replace(" ", "[ -]") for k in sorted(_PARTS_EN, key=len, reverse=True))
_PART_EN = re.compile(
    rf"^({_ASK_EN})?({_PART_NAMES_EN})\s+(of\s+)?"
    rf"(?:\$|£|€)?{_NUMBER}{_END_EN}"
)
"""Half of a number, a third, twice it: "what's half of 350", "two thirds of 90?"."""
_ADDED_EN = re.compile(
    rf"^({_ASK_EN})?(?:\$|£|€)?{_NUMBER}\s+(?:plus|with)\s+(?:a\s+)?{_NUMBER}\s*"
    rf"(?:%|percent|per cent)(?:\s+(tip|tax|vat|service(?: charge)?|on top))?{_END_EN}"
)
"""A number with a percentage added: "what's 80 plus 15 percent", "45 with a 20% tip"."""
_DOZEN_EN = re.compile(
    rf"^(?:how many (?!(?:{_UNIT_EN}|calories|dollars|euros|cents|yen|carbs)\b)(?:\w+\s+)?"
    rf"(?:are |is )?(?:there )?in\s+(a|one|{_NUMBER})\s+dozens?"
    rf"|(?:what's|whats|what is|how many is|how many are)\s+(a|one|{_NUMBER})\s+dozens?)"
    rf"{_END_EN}"
)
"""Dozens counted: "how many eggs are in a dozen", "what's three dozen"; not "how much is a
dozen?" (a price) or "how many calories are in a dozen?"."""
_HOW_MANY_IS_EN = re.compile(
    rf"^how many ({_UNIT_EN}) (?:is|are|in|make)\s+{_NUMBER}\s*({_UNIT_EN}){_END_EN}"
)

_FILLER_JA = re.compile(
    r"^(?:(?:えっと|えーと|えー|あの|あのー|あのさ|ねえ|ねぇ|ちょっと|すみません|すいません|"
    r"じゃあ|では|それと|ところで|ちなみに)[\s、,。ー…]*)+"
)
_TAIL_JA = r"(.{0,24})$"
"""What follows the numbers: particles and a question ending, checked by `_TAIL_WORDS` (a
pattern of alternatives repeated here backtracked exponentially: 3足す5はなんですか...)."""
_TAIL_WORDS = re.compile(r"[\sぁ-ゖー何全部合計計算教?。!！]*")
_ASKS_JA = re.compile(r"いくつ|いくら|何|なに|なん|どれくらい|どのくらい|計算して|教えて")
_ASKS_SHORT_JA = re.compile(r"(?:は|って)\s*\?")
"""A bare 「3足す5は？」 asks too (not as an answer to a question: `worked_out`)."""
_SUM_JA = re.compile(rf"^{_NUMBER}\s*({_OPERATION_JA})\s*{_NUMBER}{_TAIL_JA}")
_PERCENT_JA = re.compile(
    rf"^{_NUMBER}\s*(円|ドル)?の\s*{_NUMBER}\s*(%|パーセント|割)(引き|引|オフ|off)?{_TAIL_JA}"
)
_CONVERT_JA = re.compile(
    rf"^{_NUMBER}\s*({_UNIT_JA})\s*(?:って|は)\s*(?:全部で|合計で)?\s*"
    rf"(?:何|なん)\s*({_UNIT_JA})(?:に|で)?{_TAIL_JA}"
)
"""With って or は: 1時間何分 is an hour and some minutes, 1日何時間 hours a day."""
_CONVERT_TO_JA = re.compile(
    rf"^{_NUMBER}\s*({_UNIT_JA})\s*(?:って|は)\s*[、,]?\s*({_UNIT_JA})\s*"
    rf"(?:だと|で|に|では|にすると|に直すと|に換算すると)\s*"
    rf"(?:だいたい|大体|およそ|約)?\s*(?:何|なん|どれくらい|どれぐらい|どのくらい|どのぐらい|いくつ)"
    rf"{_TAIL_JA}"
)
"""The unit asked for first: 「50ポンドって、キロだとだいたいどれくらい？」."""
_PARTS_JA = {"半分": Fraction(1, 2), "倍": Fraction(2)}
_PART_JA = re.compile(rf"^{_NUMBER}\s*(円|ドル)?\s*の\s*(半分|倍|([0-9]+)分の([0-9]+)){_TAIL_JA}")
"""「350の半分は？」, 「1200円の3分の1っていくら？」."""
_ADDED_JA = re.compile(
    rf"^{_NUMBER}\s*(円|ドル)?(?:のもの|の物|の商品|の買い物|の料金|の代金)?\s*に\s*"
    rf"(?:消費税|税金|税|サービス料|チップ)?\s*(?:が|を)?\s*{_NUMBER}\s*(%|パーセント|割)\s*"
    rf"(?:の(?:税|消費税|税金|サービス料|チップ|手数料))?\s*(?:が|を)?\s*"
    rf"(?:かかったら|かかると|かかる場合|つけたら|付けたら|足したら|たしたら|乗せたら|加えたら|上乗せしたら)"
    rf"[、,]?\s*(?:全部で|合計で|税込みで|税込で|トータルで)?{_TAIL_JA}"
)
"""A price with a percentage added:
「千円のものに消費税が10パーセントかかったら、全部でいくら？」."""
_DOZEN_JA = re.compile(
    rf"^{_NUMBER}\s*ダース\s*(?:って|は|で|だと)?\s*(?:(?:何|なん)\s*個|いくつ){_TAIL_JA}"
)
"""「一ダースっていくつ？」, 「2ダースで何個？」; not 「1ダースはいくら？」 (a price)."""
_TEMPERATURE_JA = re.compile(
    rf"^(摂氏|華氏)\s*{_NUMBER}\s*度\s*(?:って|は|を|で)?\s*(摂氏|華氏)\s*"
    rf"(?:だと|で|に|では|にすると|に直すと)?\s*(?:何|なん)\s*度{_TAIL_JA}"
)


def worked_out(said: str, *, answering: bool = False) -> str | None:
    """The answer to ``said`` if it is nothing but a sum, a percentage or a conversion of
    units (see the module's text), as a sentence in its language; None for anything else.
    ``answering``: ``said`` follows a question ("How many tickets?" - "Two plus one?"), so
    only a sum asked as one ("what's", いくつ) is taken for one."""
    text = said.strip()
    if not text or len(text) > 120:
        return None
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):
        return _japanese(with_digits(_kana_numbers(_FILLER_JA.sub("", text).strip())), answering)
    # (fillers first: "quick one" is no number)
    cleaned = with_digits(_FILLER_EN.sub("", text.lower().replace("’", "'"))).strip()
    return _english(cleaned, answering)


def _english(text: str, answering: bool) -> str | None:
    match = _SUM_EN.match(text)
    spoken = match is not None and match[3].strip() not in ("+", "-", "*", "x", "×", "/", "÷")
    asked = match is not None and (match[1] or (spoken and text.endswith("?") and not answering))
    if match and asked:  # "what's 2 plus 2", "two plus two?"
        a, op, b = match[2], _OPERATIONS_EN[match[3]], match[4]
        result = _operate(Fraction(a), op, Fraction(b))
        if result is None:
            return "You can't divide by zero."
        return _sentence(result, lambda r: f"{a} {_WORDS_EN[op]} {b} is {_about(result)}{r}.")
    match = _PERCENT_EN.match(text)
    if match:
        p, b = match[1], match[3]
        if match[2] == "of":
            part = Fraction(b) * Fraction(p) / 100
            return _sentence(part, lambda r: f"{p} percent of {b} is {_about(part)}{r}.")
        left = Fraction(b) * (100 - Fraction(p)) / 100
        return _sentence(left, lambda r: f"{b} with {p} percent off is {_about(left)}{r}.")
    match = _PART_EN.match(text)
    if match and (match[1] or (text.endswith("?") and not answering)):
        name, b = match[2].replace("-", " "), match[4]
        times = name in ("double", "twice", "triple")
        if (not times and not match[3]) or (times and not match[1]):
            return None  # "half seven?" (half past seven), "double 12?" (a room?)
        value = Fraction(b) * _PARTS_EN[name]
        said = _PART_SAID.get(name, name)
        said = said if times else f"{said} of"
        return _sentence(value, lambda r: f"{said.capitalize()} {b} is {_about(value)}{r}.")
    match = _ADDED_EN.match(text)
    if match and (match[1] or (text.endswith("?") and not answering)):
        b, p, what = match[2], match[3], match[4]
        value = Fraction(b) * (100 + Fraction(p)) / 100
        if what == "tip":
            added = f"{b} with a {p} percent tip"
        else:
            added = f"{b} plus {p} percent" + (f" {what}" if what and what != "on top" else "")
        return _sentence(value, lambda r: f"{added} is {_about(value)}{r}.")
    match = _DOZEN_EN.match(text)
    if match:
        amount = match[1] or match[3]
        count = Fraction(1) if amount in ("a", "one") else Fraction(amount)
        value = count * 12
        first = "A dozen" if amount in ("a", "one") else f"{amount} dozen"
        return _sentence(value, lambda r: f"{first} is {r}.")
    match = _HOW_MANY_EN.match(text)
    if match:
        return _converted_en(match[3] or "1", match[4], match[1], spelled=bool(match[2]))
    match = _HOW_MANY_IS_EN.match(text)
    if match:
        return _converted_en(match[2], match[3], match[1])
    match = _CONVERT_EN.match(text)
    if match:
        return _converted_en(match[1], match[2], match[3])
    return None


def _asks_ja(tail: str, answering: bool) -> bool:
    """Whether the words after the numbers are particles and a question (いくつ, 何; a bare
    は？ only when not answering a question)."""
    if _TAIL_WORDS.fullmatch(tail) is None:
        return False
    return bool(_ASKS_JA.search(tail) or (not answering and _ASKS_SHORT_JA.search(tail)))


def _japanese(text: str, answering: bool) -> str | None:
    match = _SUM_JA.match(text)
    if match and match[2] in "-/" and f" {match[2]} " not in text:
        match = None  # "555-1234は？", "12/25は？": a number, a date
    if match and _asks_ja(match[4], answering):
        a, op, b = match[1], _OPERATIONS_JA[match[2]], match[3]
        result = _operate(Fraction(a), op, Fraction(b))
        if result is None:
            return "ゼロで割ることはできません。"
        return _sentence(result, lambda r: f"{a}{_WORDS_JA[op]}{b}は{_about_ja(result)}{r}です。")
    match = _PERCENT_JA.match(text)
    if match and _asks_ja(match[6], answering):
        b, currency, p, mark, off = match[1], match[2] or "", match[3], match[4], match[5]
        share = Fraction(p) * (10 if mark == "割" else 1)
        value = Fraction(b) * ((100 - share) if off else share) / 100
        part = f"{p}割" if mark == "割" else f"{p}パーセント"
        said = f"{part}引き" if off else part
        return _sentence(
            value, lambda r: f"{b}{currency}の{said}は{_about_ja(value)}{r}{currency}です。"
        )
    match = _PART_JA.match(text)
    if match and _asks_ja(match[6], answering):
        b, currency, part = match[1], match[2] or "", match[3]
        if match[4]:
            if int(match[4]) == 0:
                return None
            share = Fraction(int(match[5]), int(match[4]))
        else:
            share = _PARTS_JA[part]
        value = Fraction(b) * share
        return _sentence(
            value, lambda r: f"{b}{currency}の{part}は{_about_ja(value)}{r}{currency}です。"
        )
    match = _ADDED_JA.match(text)
    if match and _asks_ja(match[5], answering):
        b, currency, p, mark = match[1], match[2] or "", match[3], match[4]
        share = Fraction(p) * (10 if mark == "割" else 1)
        value = Fraction(b) * (100 + share) / 100
        part = f"{p}割" if mark == "割" else f"{p}パーセント"
        return _sentence(
            value, lambda r: f"{b}{currency}に{part}を足すと{_about_ja(value)}{r}{currency}です。"
        )
    match = _DOZEN_JA.match(text)
    if match and _TAIL_WORDS.fullmatch(match[2]) and not answering:
        count = match[1]
        value = Fraction(count) * 12
        return _sentence(value, lambda r: f"{count}ダースは{r}個です。")
    match = _TEMPERATURE_JA.match(text)
    if match and _TAIL_WORDS.fullmatch(match[4]):
        scales = _TEMPERATURE[match[1]], _TEMPERATURE[match[3]]
        if scales[0] == scales[1]:
            return None
        value = _temperature(Fraction(match[2]), *scales)
        was, degrees, now = match[1], match[2], match[3]
        return _sentence(value, lambda r: f"{was}{degrees}度は{now}{_about_ja(value)}{r}度です。")
    for pattern in (_CONVERT_JA, _CONVERT_TO_JA):  # 1時間って何分？, 50ポンドって、キロだと...
        match = pattern.match(text)
        if match and _TAIL_WORDS.fullmatch(match[4]):
            return _converted_ja(match[1], match[2], match[3])
    return None


def _converted_ja(amount: str, source_name: str, target_name: str) -> str | None:
    """``amount`` of unit ``source_name`` in unit ``target_name`` (Japanese names), as a
    sentence; None if they measure different things."""
    source, target = _kilo(source_name, target_name), _kilo(target_name, source_name)
    if source is None or target is None or source.kind != target.kind or source == target:
        return None
    value = Fraction(amount) * source.size / target.size
    was, now = source.ja, target.ja
    return _sentence(value, lambda r: f"{amount}{was}は{_about_ja(value)}{r}{now}です。")


def _sentence(value: Fraction, say: Callable[[str], str]) -> str | None:
    """``say(value as said)``; None for a value too big or too small to be said aloud (more
    than 15 digits, or closer to 0 than 0.000000001): the model words those."""
    if abs(value) >= 10**15 or (value and abs(value) < Fraction(1, 10**9)):
        return None
    return say(_say(value))


def _kilo(name: str, other: str) -> _Unit | None:
    """The unit ``name`` (Japanese) is, given the ``other`` it is converted from or to: キロ is
    kilometres beside a length (1マイルって何キロ？), kilowatts beside a power, else
    kilograms."""
    unit, beside = _UNITS.get(name), _UNITS.get(other)
    if name == "キロ" and beside is not None and beside.kind == "length":
        return _UNITS["キロメートル"]
    if name == "キロ" and beside is not None and beside.kind == "power":
        return _UNITS["キロワット"]
    if name == "ミリ" and beside is not None and beside.kind == "volume":
        return _UNITS["ミリリットル"]  # 500ミリって何リットル？
    return unit


def _converted_en(amount: str, source: str, target: str, spelled: bool = False) -> str | None:
    """``amount`` (as said) of unit ``source`` in unit ``target`` (English names), as a
    sentence; None if they measure different things. ``spelled``: the amount was "a", "an"
    or "one" ("One hour is...")."""
    if source in _TEMPERATURE or target in _TEMPERATURE:
        scales = _TEMPERATURE.get(source), _TEMPERATURE.get(target)
        if scales[0] is None or scales[1] is None or scales[0] == scales[1]:
            return None
        value = _temperature(Fraction(amount), scales[0], scales[1])
        names = {"C": "Celsius", "F": "Fahrenheit"}
        was, now = names[scales[0]], names[scales[1]]
        return _sentence(
            value,
            lambda r: (
                f"{amount} {_degrees(amount)} {was} is {_about(value)}{r} {_degrees(r)} {now}."
            ),
        )
    unit, into = _UNITS.get(source), _UNITS.get(target)
    if unit is None or into is None or unit.kind != into.kind or unit == into:
        return None
    value = Fraction(amount) * unit.size / into.size
    first = f"{'One' if spelled else amount} {_named(unit, amount)}"
    return _sentence(value, lambda r: f"{first} is {_about(value)}{r} {_named(into, r)}.")


def _degrees(amount: str) -> str:
    return "degree" if amount in ("1", "-1") else "degrees"


def _named(unit: _Unit, amount: str) -> str:
    """The unit's name in English, for ``amount`` as said: "1 foot", "1.5 feet"."""
    if amount != "1":
        return unit.en
    return {"inches": "inch", "feet": "foot"}.get(unit.en, unit.en[:-1])


def _temperature(value: Fraction, source: str, target: str) -> Fraction:
    return value * 9 / 5 + 32 if source == "C" else (value - 32) * 5 / 9


def _operate(a: Fraction, op: str, b: Fraction) -> Fraction | None:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return None if b == 0 else a / b


def _say(value: Fraction) -> str:
    """``value`` as it is said: a whole number as it is ("3600"), a fraction rounded to two
    decimals ("3.33"), or to three significant digits below 1 ("0.00333"); trailing zeros
    dropped."""
    if value.denominator == 1:
        return str(value.numerator)
    size = abs(value)
    places = 2 if size >= 1 else min(12, 2 - math.floor(math.log10(size)))
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        text = format(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def _exact(value: Fraction) -> str:
    """``value`` in digits, as it is (a decimal with as many places as it needs)."""
    if value.denominator == 1:
        return str(value.numerator)
    with localcontext() as context:
        context.prec = 60
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".")


def _about(value: Fraction, word: str = "about ") -> str:
    """``word`` if ``value`` is said rounded (`_say`), else nothing."""
    return word if Fraction(_say(value)) != value else ""


def _about_ja(value: Fraction) -> str:
    return _about(value, "約")
