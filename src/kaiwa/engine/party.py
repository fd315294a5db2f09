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
from .text import is_japanese
from .tool_calls import name_parts
from .written import written_form

__all__ = ["in_said_count", "people_parameter", "said_party"]

_ONE_EN = (
    r"wife|husband|partner|boyfriend|girlfriend|fianc[ée]e?|friend|mom|mum|mother|dad|father|"
    r"son|daughter|brother|sister|boss|colleague|coworker|grandma|grandpa|grandmother|"
    r"grandfather|aunt|uncle|cousin|nephew|niece|baby|kid|child|toddler|guest|date|"
    r"mother-in-law|father-in-law"
)
_MANY_EN = (
    r"adults?|grown-?ups?|kids?|children|friends?|people|persons|guests|colleagues|"
    r"coworkers|sons|daughters|brothers|sisters|teenagers|teens|toddlers|babies|infants|"
    r"seniors|others|clients|customers|students|players|teammates|of\s+us|of\s+them"
)
_PAIRS_EN = {"parents": 2, "grandparents": 2, "in-laws": 2}
_MEMBER_EN = re.compile(
    rf"\b(?:"
    rf"(?P<self>me|myself|i)"
    rf"|(?:(?:my|our)\s+)?(?P<count>\d{{1,2}})\s+(?:(?:of\s+)?(?:my|our)\s+)?(?:{_MANY_EN})"
    rf"|(?:(?:my|our)\s+)?(?P<pair>{'|'.join(_PAIRS_EN)})"
    rf"|(?:my|our|a|an|one)\s+(?:little\s+|young\s+|best\s+|older\s+|younger\s+)?(?:{_ONE_EN})"
    rf")\b",
    re.IGNORECASE,
)
_JOIN_EN = re.compile(
    r"^\s*(?:,|and|plus|with|&|along\s+with|as\s+well\s+as|\s)*\s*$", re.IGNORECASE
)

_ONE_JA = (
    r"私|わたし|僕|ぼく|俺|自分|妻|夫|主人|旦那|嫁|家内|彼女|彼氏|友達|友人|母|父|息子|娘|兄|姉|"
    r"弟|妹|祖母|祖父|上司|同僚|子ども|子供|こども|赤ちゃん|赤ん坊|孫|義母|義父"
)
_MANY_JA = r"大人|子ども|子供|こども|友達|友人|同僚|孫|高校生|中学生|小学生|幼児|学生"
_MEMBER_JA = re.compile(
    rf"(?:(?P<group>{_MANY_JA}|{_ONE_JA})\s*(?P<count>\d{{1,2}})\s*(?:人|名)"
    rf"|(?P<pair>両親|祖父母)"
    rf"|(?P<one>{_ONE_JA}))"
)
_JOIN_JA = re.compile(r"^\s*(?:と|、|,|，|・|\s)*\s*$")
_TOTAL_JA = re.compile(r"^\s*の?\s*\d{1,2}\s*(?:人|名)")
_TOTAL_EN = re.compile(
    r"^\s*,?\s*(?:so\s+)?(?:that'?s\s+)?\d{1,2}\s+(?:of\s+us|people|in\s+total|total)",
    re.IGNORECASE,
)


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
    or gives its total itself."""
    japanese = is_japanese(text)
    text = with_digits(written_form(text))  # 二人 -> 2人, ふたり -> 2人, three kids -> 3 kids
    members = _members(text, japanese)
    if len(members) < 2:
        return None
    join = _JOIN_JA if japanese else _JOIN_EN
    # the longest run of members joined one to the next: the list
    runs: list[list[re.Match[str]]] = [[members[0]]]
    for before, after in itertools.pairwise(members):
        if join.match(text[before.end() : after.start()]):
            runs[-1].append(after)
        else:
            runs.append([after])
    lists = [run for run in runs if len(run) >= 2]
    if len(lists) != 1:
        return None
    (run,) = lists
    total = _TOTAL_JA if japanese else _TOTAL_EN
    if total.match(text[run[-1].end() :]):
        return None  # its total said after it: the model copies that
    return sum(_count(m, japanese) for m in run)


_PEOPLE_NAMES = {"party", "people", "persons", "guests", "diners", "covers", "pax", "headcount"}
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
    found = [
        key
        for key, schema in properties.items()
        if isinstance(schema, dict)
        and schema.get("type") == "integer"
        and (
            name_parts(key) & _PEOPLE_NAMES
            or _PEOPLE_DESCRIBED.search(str(schema.get("description") or ""))
        )
    ]
    return found[0] if len(found) == 1 else None


def in_said_count(call: ToolCall, tool: ToolSpec, said: str) -> ToolCall:
    """``call`` with the number of people ``said`` (the user's words) counts out in the
    tool's parameter for it (`people_parameter`), when the model wrote another; as it is
    otherwise."""
    key = people_parameter(tool)
    if key is None:
        return call
    arguments = call.parsed_arguments()
    if arguments is None or key not in arguments:
        return call
    counted = said_party(said)
    if counted is None or counted < 1:
        return call
    current = arguments[key]
    if not isinstance(current, bool) and current == counted:
        return call
    return call.with_arguments({**arguments, key: counted})
