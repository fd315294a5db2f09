"""How many people, when the user counts them out: "two adults and three kids", "me, my wife
and our two sons", 「大人2人と子ども1人」, 「私と妻と子ども2人で」.

Asked for a table for "two adults and three kids", the 0.5B model wrote ``party_size=2``; for
「大人2人と子ども1人」 2, for 「私と妻と子ども2人で」 2: it copies the first number it sees,
or none. People often give the size of a party by naming who comes.

`said_party` adds up such a list: each member a person ("me", "my wife", 私, 妻), a counted
group ("three kids", "2 adults", 子ども2人, 大人2名) or a pair by its name ("my parents",
両親), joined by "and", "plus", "with", commas, と or 、. Only a whole list of at least two
members counts: "my kids and me" (how many kids?), "for four" or 「夫婦二人で」 give None, and
so does a list that also gives its total (「両親と私の3人で」: the total is the model's to
copy). `in_said_count` puts the sum in a tool's one integer parameter for the number of
people (``party_size``, ``guests``, "how many people") when the model wrote another.
"""

from __future__ import annotations

import itertools
import re

from .arithmetic import with_digits
from .chat import ToolCall, ToolSpec
from .text import is_japanese, outside
from .tool_calls import name_parts
from .written import written_form

__all__ = ["in_said_count", "people_parameter", "said_party"]

_ONE_EN = (
    r"wife|husband|partner|boyfriend|girlfriend|fianc[ée]e?|friend|mom|mum|mother|dad|father|"
    r"son|daughter|brother|sister|boss|colleague|coworker|grandma|grandpa|grandmother|"
    r"grandfather|aunt|uncle|cousin|nephew|niece|baby|kid|child|toddler|"
    r"mother-in-law|father-in-law|boy|girl|man|woman|lady|gentleman|adult|client|customer"
)
_MANY_EN = (
    r"adults|grown-?ups|kids|children|friends|colleagues|coworkers|sons|daughters|brothers|"
    r"sisters|teenagers|teens|toddlers|babies|infants|seniors|clients|customers|students|"
    r"players|teammates|boys|girls|men|women|ladies|gentlemen"
)
_PAIRS_EN = {"parents": 2, "grandparents": 2, "in-laws": 2}
_MEMBER_EN = re.compile(
    rf"\b(?:"
    rf"(?P<self>me|myself|i)"
    rf"|(?:(?:my|our)\s+)?(?P<count>\d{{1,2}})\s+(?:(?:of\s+)?(?:my|our)\s+)?"
    rf"(?:{_MANY_EN}|{_ONE_EN})"
    rf"|(?:(?:my|our)\s+)?(?P<pair>{'|'.join(_PAIRS_EN)})"
    rf"|(?:my|our|a|an)\s+(?:little\s+|young\s+|best\s+|older\s+|younger\s+)?(?:{_ONE_EN})"
    rf")\b",
    re.IGNORECASE,
)
_JOIN_EN = re.compile(
    r"^[\s,&]*(?:(?:and|plus|with|along\s+with|as\s+well\s+as)\b[\s,&]*)*$", re.IGNORECASE
)
_GOES_ON_EN = re.compile(r"^(?:['’]s\b|[\s,&]*(?:and|plus|with|&)\b)", re.IGNORECASE)
"""What continues a list past its last member read: "me and my wife and kids" (how many?),
"my wife's" (not a person)."""
_GOES_ON_BEFORE_EN = re.compile(
    r"(?:\b(?:and|plus|with|bring|bringing|join|joining)|[,&])\s*$", re.I
)
_NOT_COUNTED_EN = re.compile(
    r"(?i)\b(?:of\s+them|of\s+whom|can'?t|cannot|won'?t|not|without|except|minus|also|too|"
    r"join|joins|joining|add|adding|extra|another|more|instead|separate)\b"
)
"""Words that make a list no headcount: a part of it ("2 of them vegetarian"), someone not
coming ("my wife can't make it"), people added to a party already booked ("my brother is
joining too")."""
_OTHER_NUMBER_EN = re.compile(
    r"(?i)(?<![:\d])(?<!\bat\s)(?<!\baround\s)(?<!\babout\s)(?<!\bby\s)(?<!\buntil\s)\b\d{1,3}\b"
    r"(?!\s*(?::\d|am\b|pm\b|a\.m|p\.m|o'?clock|ish\b|th\b|st\b|nd\b|rd\b))"
)
"""A number other than the members' and a time's: a total ("a table for 8", "6 of us"), so
the list is not the count."""

_ONE_JA = (
    r"私|わたし|僕|ぼく|俺|自分|妻|夫|主人|旦那|嫁|家内|彼女|彼氏|友達|友人|母|父|息子|娘|"
    r"祖母|祖父|上司|同僚|子ども|子供|こども|赤ちゃん|赤ん坊|孫|義母|義父|兄|姉|弟|妹"
)
_MANY_JA = (
    r"大人|子ども|子供|こども|友達|友人|同僚|孫|高校生|中学生|小学生|幼児|学生|兄弟|姉妹|取引先|"
    r"お客様|お客さん"
)
_MEMBER_JA = re.compile(
    rf"(?:(?P<group>{_MANY_JA}|{_ONE_JA})\s*(?P<count>\d{{1,2}})\s*(?:人|名)"
    rf"|(?P<pair>両親|祖父母)"
    rf"|(?P<unknown>兄弟|姉妹|家族|みんな|たち|ども|達)"
    rf"|(?P<one>{_ONE_JA}))"
)
_SELF_JA = re.compile(r"私|わたし|僕|ぼく|俺|自分")
_JOIN_JA = re.compile(r"^[\s、，,・と]*$")
_GOES_ON_JA = re.compile(r"^(?:[\s、，,・]*(?:と|や|あと)|が\s*\d|たち|達|の?\s*\d)")
_GOES_ON_BEFORE_JA = re.compile(r"(?:と|や|、|あと)\s*$")
_NOT_COUNTED_JA = re.compile(
    r"うち|行けな|来られな|来れな|来ない|行かな|抜き|除い|以外|も来|も行|も参加|追加|増え|別"
)
_OTHER_NUMBER_JA = re.compile(r"\d{1,3}\s*(?:人|名)")


def _members(text: str, japanese: bool) -> list[re.Match[str]]:
    return list((_MEMBER_JA if japanese else _MEMBER_EN).finditer(text))


def _count(m: re.Match[str], japanese: bool) -> int:
    if m["count"]:
        return int(m["count"])
    if m["pair"]:
        return 2 if japanese else _PAIRS_EN[m["pair"].lower()]
    return 1


def said_party(text: str) -> int | None:
    """The number of people ``text`` counts out (see the module); None when it counts none,
    or not all of them, or gives a total too, or speaks of some who are not coming or who
    are added to a party (see the module)."""
    japanese = is_japanese(text)
    text = with_digits(written_form(text))  # 二人 -> 2人, ふたり -> 2人, three kids -> 3 kids
    if (_NOT_COUNTED_JA if japanese else _NOT_COUNTED_EN).search(text):
        return None
    members = _members(text, japanese)
    if len(members) < 2 or (japanese and any(m["unknown"] for m in members)):
        return None
    join = _JOIN_JA if japanese else _JOIN_EN
    for before, after in itertools.pairwise(members):
        if not join.match(text[before.end() : after.start()]):
            return None  # not one list
    first, last = members[0], members[-1]
    goes_on = _GOES_ON_JA if japanese else _GOES_ON_EN
    goes_on_before = _GOES_ON_BEFORE_JA if japanese else _GOES_ON_BEFORE_EN
    if goes_on.match(text[last.end() :]) or goes_on_before.search(text[: first.start()]):
        return None  # more members than were read: "me and my wife and kids"
    said = [m.group().lower() for m in members]
    if len(set(said)) != len(said):
        return None  # someone said twice
    # no number but the members' (a total said too: "a table for 8, my wife and i ...")
    if (_OTHER_NUMBER_JA if japanese else _OTHER_NUMBER_EN).search(outside(text, members)):
        return None
    # the speaker among them, or only counted groups ("two adults and three kids"): not
    # "dinner with my wife and 2 friends" (and me?)
    if japanese:
        has_self = any(_SELF_JA.fullmatch(m["one"] or "") for m in members)
    else:
        has_self = any(m["self"] for m in members)
    if not has_self and not all(m["count"] for m in members):
        return None
    return sum(_count(m, japanese) for m in members)


_PEOPLE_NAMES = {"party", "people", "persons", "guests", "diners", "covers", "pax", "headcount"}
_PART_NAMES = {"adults", "children", "kids", "infants", "babies", "child", "seniors"}
_PEOPLE_DESCRIBED = re.compile(
    r"(?i)how\s+many\s+(?:people|guests|persons|diners)|number\s+of\s+(?:people|guests|"
    r"persons|diners)|人数|何名|何人"
)


def people_parameter(tool: ToolSpec) -> str | None:
    """``tool``'s one integer parameter for a number of people (``party_size``, ``guests``,
    or one described "how many people"); None if it has none, or more than one."""
    properties = tool.parameters.get("properties")
    if not isinstance(properties, dict):
        return None
    if any(name_parts(key) & _PART_NAMES for key in properties):
        return None  # adults and children apart: the model's to fill
    found = [
        key
        for key, schema in properties.items()
        if isinstance(schema, dict)
        and schema.get("type") == "integer"
        and (
            (name_parts(key) & _PEOPLE_NAMES and not name_parts(key) & {"id", "ids", "number"})
            or _PEOPLE_DESCRIBED.search(str(schema.get("description") or ""))
        )
    ]
    return found[0] if len(found) == 1 else None


def in_said_count(call: ToolCall, tool: ToolSpec, said: str) -> ToolCall:
    """``call`` with the number of people ``said`` (the user's words) counts out in the
    tool's parameter for it (`people_parameter`), when the model wrote another; as it is
    otherwise."""
    key = people_parameter(tool)
    counted = said_party(said) if key is not None else None
    if key is None or counted is None or counted < 1:
        return call
    return call.replaced(key, counted)
