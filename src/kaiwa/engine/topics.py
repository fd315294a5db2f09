"""The agent a request is for, by what the handoffs' descriptions say they handle.

A triage agent hands a request to another agent by calling ``transfer_to_<agent>``; the tool's
description is what the other agent handles ("Answers travellers' questions on bags and
baggage, seats and wifi."). The 0.5B model rarely makes that call for a question: asked "How many
bags can I bring on the plane?" or "Is there wifi on the plane?", the airline demo's triage
agent wrote ``get_weather(city="London")`` (its first tool, a city made up: refused) and then
answered from its own ideas ("10 bags", "No wifi on the plane."): the FAQ agent, whose tool
knows, was never asked. Its probabilities for the tools' names do not tell those requests
from the ones that need no tool (dev half: the FAQ handoff's 0.07-0.87 where it is wanted,
0.01-0.60 where nothing is).

`named_handoff` is the handoff whose description names what the user said, when the model
would answer in words: a word of the description, said (in a request in English, or one of
its meanings through JMdict: "luggage" means baggage; `kaiwa.engine.glosses.synonyms`) or
glossed from a Japanese noun (荷物 -> baggage; `kaiwa.engine.glosses.english_words`). Only
words that say what one handoff handles and no other: "seat" is in both the FAQ's and the
seat booking's descriptions, so it names neither; and only words of four letters or more,
other than what every agent does (`_ROLE_WORDS`: answers, questions, helps). A request that
names two handoffs' topics names none. When the words name none, the kinds of things they
name may (`kinds_said`, through WordNet: a suitcase is a bag, so "how heavy can my suitcase
be?" names the FAQ's bags).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from .call_text import takes_no_values
from .chat import ToolSpec
from .glosses import content_words, english_words, glosses, synonyms
from .remarks import only_remarks
from .text import is_japanese
from .tool_calls import TOOL_VERBS, name_parts, user_since_reply
from .tool_policy import HANDOFF_PREFIX, Asked
from .wordnet import broader
from .written import written_form

__all__ = [
    "answers_questions",
    "change_asked",
    "describes",
    "handoff_for_change",
    "handoff_topics",
    "instructed_topics",
    "kinds_said",
    "named_alike",
    "named_handoff",
    "plain_handoffs",
    "said_topics",
    "speaks_of",
    "touches",
]

_BOILERPLATE = re.compile(r"^Handoff to the .*? to handle the request\.\s*", re.S)
"""The opening the SDK gives every handoff's description (the agent's own
``handoff_description`` follows it)."""

_LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _lemma(word: str) -> str:
    """``word`` lower-cased, hyphens and apostrophes out ("Wi-Fi" -> "wifi", "bag's" ->
    "bag"), a plural's s off ("bags" -> "bag", "boxes" -> "box", "queries" -> "query", not
    "class")."""
    w = re.sub(r"'s$", "", word.lower()).replace("-", "").replace("'", "")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"  # "queries" -> "query"
    if len(w) > 4 and w.endswith(("sses", "xes", "ches", "shes")):
        return w[:-2]  # "passes" -> "pass", "boxes" -> "box"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


_ROLE_WORDS_SAID = (
    # what an agent does
    "answer question handle help change find look pass take give make deal care assist "
    "tell say "
    "support serve solve resolve traveller traveler customer user person people request "
    "agent assistant representative team specialist expert information service issue "
    "problem matter query inquiry enquiry topic detail everything anything something "
    "nothing thing other else "
    # words of any sentence
    "about above after again against also always anyone because been before being below "
    "between both could does doing down during each every from further have having here "
    "into just know like more most much must need only onto other over same should since "
    "some such than that their them then there these they this those through under until "
    "upon used using very want were what when where which while whom with within without "
    "would your yours"
)
_ROLE_WORDS = frozenset(_lemma(w) for w in _ROLE_WORDS_SAID.split())
"""Words of a description that say what an agent does, not what about (every agent answers
questions, helps, handles requests), and the words any sentence has ("Handles billing and
anything else you would like to know.": billing); as `_lemma` leaves them."""


@functools.lru_cache(maxsize=256)
def _described(description: str) -> frozenset[str]:
    text = _BOILERPLATE.sub("", description)
    words = {_lemma(w) for w in _LATIN.findall(text) if len(w) >= 4}
    return frozenset(words - _ROLE_WORDS)


_INSTRUCTION_WORDS = frozenset(
    _lemma(w)
    for w in (
        "short spoken sentence sentences back tool tools transfer lookup look answer answers "
        "reply replies language english japanese always words else anything friendly voice "
        "assistant agent agents triage plain lists markdown"
    ).split()
)
"""Words of an agent's instructions about how to speak and whom to hand over to, not what
about ("Answer in one or two short spoken sentences.", "Transfer back to the triage agent")."""


def instructed_topics(instructions: str) -> frozenset[str]:
    """What an agent's ``instructions`` say it deals in ("You are the concierge of the Grand
    Hotel. Answer guests' questions about the restaurant, the pool..." -> hotel, pool,
    restaurant...), as `said_topics` can meet them."""
    return _described(instructions) - _INSTRUCTION_WORDS


def plain_handoffs(tools: Sequence[ToolSpec]) -> dict[str, ToolSpec]:
    """The handoffs among ``tools`` that take no values, by name (one with an
    ``input_type`` is the model's to write)."""
    return {
        t.name: t
        for t in tools
        if t.name.startswith(HANDOFF_PREFIX) and takes_no_values(t.parameters)
    }


def handoff_topics(tools: Sequence[ToolSpec]) -> dict[str, frozenset[str]]:
    """What each handoff among ``tools`` handles: the words of its description that no
    other handoff's has (handoffs that take values, an ``input_type``, are left out: the
    model writes those) ({"transfer_to_faq_agent": {"bag", "baggage", "wifi"},
    "transfer_to_seat_booking_agent": {"booking"}}); empty sets are left out."""
    described = {name: _described(t.description) for name, t in plain_handoffs(tools).items()}
    topics: dict[str, frozenset[str]] = {}
    for name, words in described.items():
        others: set[str] = set()
        for other, theirs in described.items():
            if other != name:
                others |= theirs
        own = words - others
        if own:
            topics[name] = own
    return topics


def describes(tool: ToolSpec, asked: Asked) -> bool:
    """Whether the user's words since the assistant last spoke name a word of ``tool``'s
    description, shared with other handoffs or not ("Can I change my seat?" names the seat
    booking handoff's "seat", which the FAQ's names too), or, for a tool not a handoff, of
    its name (``get_weather``: weather)."""
    words = _described(tool.description)
    if not tool.name.startswith(HANDOFF_PREFIX):
        words |= _named(tool.name)
    return bool(words & said_topics(user_since_reply(asked.messages)))


def speaks_of(tool: ToolSpec, text: str) -> bool:
    """Whether ``text`` names what ``tool`` is for: a word of its name ("weather" for
    ``get_weather``), or for a handoff or a tool whose name says nothing
    (``faq_lookup_tool``) a word of its description. Narrower than `describes`:
    "イギリスの首都ってどこだっけ？" glosses to "capital city", and ``get_weather``'s
    description says "Get the weather in a city", but it asks no weather."""
    words = _named(tool.name)
    if tool.name.startswith(HANDOFF_PREFIX) or not words:
        # a handoff, or a name that says nothing ("faq_lookup_tool"): its description
        words |= _described(tool.description)
    return bool(words & said_topics(text))


def touches(tool: ToolSpec, text: str) -> bool:
    """Whether ``text`` comes near what ``tool`` is for: `speaks_of`, or a word said that
    begins a word of it or that one of its words begins ("my bag weighs twenty kilos" and
    the FAQ's "baggage"). Looser: for keeping a call, not for choosing one."""
    words = _named(tool.name)
    if tool.name.startswith(HANDOFF_PREFIX) or not words:
        words |= _described(tool.description)
    said = {w for w in said_topics(text) if len(w) >= 3}
    return any(w.startswith(s) or s.startswith(w) for w in words for s in said)


@functools.lru_cache(maxsize=256)
def _named(name: str) -> frozenset[str]:
    """The words of a function's name that say what it does ("get_order_status" ->
    {"order"}; "weatherLookupTool" -> {"weather"})."""
    words = {_lemma(w) for w in name_parts(name) if len(w) >= 4}
    return frozenset(words - _ROLE_WORDS - {_lemma(v) for v in TOOL_VERBS})


def named_alike(name: str, tool: ToolSpec) -> bool:
    """Whether a function's ``name`` shares a word with ``tool``'s name or description
    (``weather_lookup_tool`` and ``get_weather``; not ``tell_fun_fact`` and ``set_lights``)."""
    return bool(_named(name) & (_named(tool.name) | _described(tool.description)))


@functools.lru_cache(maxsize=256)
def said_topics(text: str) -> frozenset[str]:
    """What ``text`` speaks of, as words a description may use: its English words (and what
    each means through JMdict, `synonyms`), or for Japanese the glosses of its nouns and any
    Latin words in it ("機内でWi-Fiは使えますか？" -> {"wifi", "plane", "inside", ...})."""
    latin = _latin(text)
    if is_japanese(text):
        return latin | _glossed(text)
    said = set(latin)
    for w in latin:
        said |= {_lemma(s) for s in synonyms(w)}
    return frozenset(said)


@functools.lru_cache(maxsize=256)
def kinds_said(text: str) -> frozenset[str]:
    """What the things ``text`` names are kinds of, through WordNet (`kaiwa.engine.wordnet.
    broader`: "suitcase", スーツケース -> bag, baggage; "backpack" -> bag), from its English
    words or, in Japanese, its loanwords' glosses (`_loanwords`); as `_lemma` leaves them.
    For `named_handoff` when the words themselves name no handoff, and nowhere else: a kind
    is a guess, and the words said come first."""
    words = _loanwords(text) if is_japanese(text) else _latin(text)
    return frozenset(
        _lemma(k) for w in words if len(w) >= 4 and w not in _ROLE_WORDS for k in broader(w)
    )


def _latin(text: str) -> frozenset[str]:
    return frozenset(_lemma(w) for w in _LATIN.findall(text))


def _glossed(text: str) -> frozenset[str]:
    return frozenset(_lemma(w) for w in english_words(text))


_KATAKANA = re.compile(r"[ァ-ヶー・]+")


def _loanwords(text: str) -> frozenset[str]:
    """The first one-word gloss of each loanword among Japanese ``text``'s nouns (スーツケース
    -> suitcase, リュック -> rucksack): what WordNet is asked about for Japanese. Not the
    glosses of every noun, nor every gloss: JMdict's senses of 便 run from a flight to a
    stool (a kind of seat), ペット's from a pet to a trumpet."""
    found: set[str] = set()
    for w in content_words(text):
        if _KATAKANA.fullmatch(w):
            plain = [g.lower() for g in glosses(w) if re.fullmatch(r"[a-z][a-z-]*", g.lower())]
            found.update(_lemma(g) for g in plain[:1])
    return frozenset(found)


def named_handoff(asked: Asked) -> ToolSpec | None:
    """The one handoff the user's words since the assistant last spoke name the topic of
    (see the module); None when none does, or more than one, or when the user did not speak
    last (a tool's result is to be read out) or a call is not the model's to choose
    (``tool_choice`` other than ``auto``), or when they ask nothing (a remark:
    `only_remarks`)."""
    if asked.mode != "auto" or not asked.messages or asked.messages[-1].role != "user":
        return None
    topics = handoff_topics(asked.callable)
    if not topics:
        return None
    text = user_since_reply(asked.messages)
    if only_remarks(text):
        return None  # a remark: "my suitcase is packed already" asks the FAQ agent nothing
    said = said_topics(text)
    named = [name for name, words in topics.items() if words & said]
    if not named:  # no handoff named by the words: by the kinds of things they name
        kinds = kinds_said(text)
        named = [name for name, words in topics.items() if words & kinds]
    if len(named) != 1:
        return None
    return next(t for t in asked.callable if t.name == named[0])


_CHANGES_SAID = re.compile(
    r"(?i)\b(?:change|mov(?:e|ed|ing)|switch|swap|upgrade|put\s+(?:me|us)|seat\s+(?:me|us)|"
    r"be\s+(?:moved|put|seated|switched)|sit\s+(?:in|by|at|near)\s+(?:the\s+|an?\s+)?"
    r"(?:emergency\s+)?(?:exit|window|aisle|front|back|bulkhead)|"
    r"(?:i'?d|i\s+would)\s+(?:rather|prefer)\s+(?:have|sit|be\s+in|a|an|the|to\s+(?:sit|have|"
    r"move|switch|change))|rather\s+(?:have|sit)|reassign|relocate|get\s+me\s+out|"
    r"(?<!book\s)(?<!buy\s)(?:an)?other\s+seat(?!\s*(?:belt|blanket|cushion|pocket|cover|screen|"
    r"extender|for\b))|(?:some|any)where\s+else|"
    r"(?:i'?d|i\s+would)\s+(?:love|like)\s+to\s+(?:be|sit)\s+(?:by|in|at|near|next|closer|"
    r"further|up|nearer))\b"
    r"|(?<!着)替え|変え|変更|代え|取り替|移り|移れ|移ら|移して|移動|(?<![着持])かえ[てらられ]"
    r"|そっちにして|なんとかな(?:らない|らへん|りません|る)|座りたい(?!場合|とき|時|なら|人|方は)|座らせて"
    r"|(?:席|側|列|窓際|[0-9]{1,2}[A-Ka-k])にして(?:もらえ|ください|ほしい|くれ|いただけ)"
)
"""A change: "I'd rather have an aisle seat", "move me from 23B to 14C", "I'd like to be moved
to 14C", "could you put me by the window?", "is possible for me to sit in emergency exit
row?", 窓側に替えて, 席を移りたい (not "I'd prefer to know the seat pitch", 着替え)."""
_ASKED_FOR = re.compile(
    r"(?i)\b(?:(?:can|could|would|may)\s+(?:i|you|we|u)|i'?d\s+be\s+(?:most\s+|very\s+)?grateful|"
    r"get\s+me|any\s+\w+\s+seats?\s+(?:left|free|available)|(?:if|whether)\s+(?:i|we)\s+"
    r"(?:could|can|might)|is\s+there\s+any(?:where|thing)|"
    r"(?:i|we)'?d\s+(?:like|love|rather|prefer)|"
    r"i\s+(?:would|want|need|wanna)|please|let\s+me|any\s+chance\s+(?:you|i|we)\s+(?:could|can)|"
    r"is\s+(?:it\s+)?possible)\b"
    r"|^\s*(?:change|move|switch|swap|put)\b"
    r"|たい|てほしい|てもらえ|ていただけ|てくれ|お願い|ください|できますか|できる[？?]|可能ですか"
    r"|れたりする|れますか|れる[？?]|れます[？?]|れない[？?]|れませんか|れへん|せえへん|(?<![な])(?:かえ|変え)て(?![いお])"
    r"|ならへん|なりませんか|ならない[？?]"
)
"""A change asked for, not asked about: "can I", "I'd like", "please", "any chance you could",
"is possible for me", "move me...", 「替えてもらえますか」, 「移れたりする？」; not "will my seat
change if my flight is delayed?"."""
_WISHED = re.compile(
    _ASKED_FOR.pattern + r"|(?i:\b(?:any\s+(?:way|chance)|sort\s+me\s+out|can\s+(?:my|we)|"
    r"is\s+it\s+possible)\b)|ませんか|(?:けど|んですが|のですが)(?=[。、\s…]|$)"
)
"""A wish for another place to sit asked for: the forms of `_ASKED_FOR`, or "any way to get
somewhere with more room", "can my husband and I sit together", 「空いてませんかね」,
「窓側の方がいいんですけど」. Only with a place wished for: "is there any chance my seat will
change" asks about a change."""
_PLACE_WISH = re.compile(
    r"(?i)\bany\s+(?:\w+\s+)?seats?\s+(?:left|free|available|open)\b"
    r"|\b(?:somewhere|something|anywhere|a\s+(?:seat|spot|place)|one)\s+(?:further\s+"
    r"(?:forward|back|up)|closer\s+to\s+the\s+(?:front|back|window|aisle|exit)|(?:up\s+)?"
    r"front|quieter|with\s+(?:a\s+(?:bit|little)\s+)?(?:more|extra)\s+(?:room|space|legroom))\b"
    r"|\bsit\s+(?:somewhere|anywhere)\s+else\b|\bsit\s+(?:together|next\s+to|beside|"
    r"(?:a\s+bit\s+)?(?:closer|nearer|further))\b"
    r"|どこか(?:別|他|ほか|離れ|空い|広い)|(?:別|他|ほか)の(?:席|ところ|場所)|"
    r"(?:窓側|通路側|窓際|前の方|後ろの方|前方|後方)(?:が|の方が|のほうが)(?:よかった|いい|ええ)|"
    r"隣(?:同士|に座)|一緒に座"
)
"""A wish for another place to sit: "something further forward", "somewhere with a bit more
room", "sit together", どこか離れたところ, 窓側がよかった (not "somewhere with more shops");
with a word of the plane's seating in the request (`_SEATING`)."""
_SEATING = re.compile(
    r"(?i)\b(?:seats?|seated|rows?|window|aisle|middle|legroom|knees|loo|toilets?|lavatory|"
    r"galley|exit\s+row|bulkhead)\b"
    r"|席|(?<!行)列(?!車)|窓(?!口)|通路|足元|トイレ"
)
"""Where a place to sit is wished for on a plane, by the seating's own words: "stuck right next
to the loo", 「今の席がトイレのすぐ前」; not "somewhere with more room to relax in the airport",
「どこか空いてるカフェ」, "can my dog sit next to me on the flight", 「明日の便、どこか別の日に
できませんか」."""
_OTHER_CHANGED = re.compile(
    r"(?i)\b(?:chang(?:e|ing)|switch|mov(?:e|ing)|swap)\s+(?:off\s+|on\s+)?(?:the\s+|my\s+|our\s+|"
    r"\w+'s\s+)?(?:\w+\s+)?(?:dates?|days?|times?|flights?|names?|meals?|tickets?|destinations?|"
    r"lights?|temperature|trolley|cart|crate|bags?|suitcase|luggage|baggage|pets?|dogs?|cats?|"
    r"reservation|hotel|car)\b(?!\s+seat)"
    r"|(?:日付|日にち|日程|便|名前|食事|機内食|メニュー|時間|時刻|列車|電車|窓口|ラウンジ)"
    r"(?:だけ|を|も|の|に)?(?:変え|変更|替え|移)"
)
"""A change of something else, the seat named only by the way ("I want to change the date of
my return flight, the seat I had is fine though", 「日付だけ変えたいです。座席は今のままで」)."""
_TO_A_SEAT = re.compile(
    r"(?i)\bto\s+(?:an?\s+|the\s+)?(?:window|aisle|exit[-\s]row|middle|bulkhead)\b"
    r"|\bto\s+(?:row\s+)?\d{1,2}[a-k]?\b|(?:窓側|通路側|窓際|非常口)の?席に"
)
"""The change is to a seat after all: "Can you change my reservation to an aisle seat?"."""
_POLICY_ASKED = re.compile(
    r"(?i)\bif\s+(?:i|we)\s+(?:check|book|buy|pay|fly|travel|am|are)\b|\bif\s+(?:i'm|we're)\b"
    r"|\bafter\s+check-?in\b|\bwith\s+(?:my|a|our)\s+(?:baby|infant|toddler|kids?|child|"
    r"children|dog|cat|pet)\b|\bfor\s+(?:kids|children|a\s+child|minors|infants|babies)\b"
    r"|\b(?:kids|children|minors|infants)\s+(?:to\s+)?(?:sit|be\s+seated)\b|\bwill\s+(?:i|we)\s+be\b"
    r"|\btell\s+me\s+(?:whether|if)\b|\bwhat\s+happens\s+if\b|\bhate\s+to\s+be\b"
    r"|(?:子供|子ども|赤ちゃん|乳幼児|幼児)(?:は|が|でも)"
)
_MINE_CHANGED = re.compile(
    r"(?i)\b(?:move|put|switch|seat|swap)\s+(?:me|us)\b|\bchange\s+(?:my|our)\s+seats?\b"
    r"|\b(?:i|we)(?:\s+(?:want|need|would\s+like)|'d\s+like)\s+to\s+(?:change|move|switch|sit)\b"
    r"|\bcan\s+(?:we|i)\s+(?:sit|be\s+seated)\s+together\b"
    r"|変えて|替えて|かえて|移りたい|移動したい|にしてもらえ|にしてください|変えたい|替えたい"
)
"""A change asked for the speaker ("move me", "I'd like to change seats", 「席を替えてもらえます
か」): with it, a rule named by the way ("I'm travelling with my baby") asks no rule."""
"""A question of the rules about sitting, no wish to move: "is it possible for kids to sit in
the exit row", "Can I sit by the window with my baby?", "Is it possible to change seats
after check-in?", "Will I be put in the middle seat if I check in late?" (a review's): the
FAQ's."""
_ABOUT_COST = re.compile(
    r"(?i)\b(?:fees?|costs?|prices?|charges?|pay|paid|how\s+much|(?:for|of)\s+free|"
    r"free\s+of\s+charge|(?:is|are)\s+(?:it|that|they|those)\s+free)\b"
    r"|料金|手数料|無料|有料|いくら|費用|お金"
)
"""A question about what a change costs ("how much does it cost to change my seat?",
座席変更の手数料はいくら？): the FAQ's."""
_SEAT_CODE = re.compile(
    r"(?<!gate )(?<!flight )(?<!terminal )(?<!ターミナル)(?<!ゲート)(?<!第)(?<![0-9A-Za-z])"
    r"\d{1,2}[A-Ka-k](?![0-9A-Za-z])(?!\s*(?:階|の?ラウンジ|フロア|floor|lounge))"
)
"""A seat as `written_form` writes it (23B, 14C, 「14Cに移りたい」): not a gate, a flight or a
terminal."""

_SEAT_WORDS = re.compile(
    r"(?i)\b(?:seats?(?!\s*(?:belts?|blankets?|cushions?|pockets?|covers?|screens?|extenders?|"
    r"pitch|maps?)\b)|rows?|window|aisle|middle\s+seat|exit\s+row|bulkhead|legroom)\b"
    r"|(?<!出)(?<!客)(?<!座)席|窓側|通路側|窓際|非常口|足元|座席"
)
"""A seat in its own words: "a window", "row 31", 「通路側」 (not a seat belt or blanket)."""
_SEAT_PLACES = re.compile(
    r"(?i)\b(?:loo|toilets?|bathroom|lavatory|galley|engine|wing|door|front"
    r"|back\s+(?:of\s+the\s+(?:plane|aircraft|cabin)|rows?)|(?:in|at)\s+the\s+(?:very\s+)?back"
    r"|(?:in|stuck\s+in)\s+the\s+middle"
    r"|(?:sit|sitting|seated)\s+together|behind\s+(?:me|us)|next\s+to\s+(?:me|us)|side\s+of\s+the\s+(?:plane|aircraft|cabin))\b"
    r"|トイレ|翼|隣|並び|前の?(?:方|ほう)|後ろ|一番後|真ん前|真ん中(?!の日|の便)|[0-9０-９一二三四五六七八九十]+列"
)
"""Where one sits, told by what is near: "right over the engine", "the back of the plane",
「トイレの真ん前」, 「3列も離されてる」. With a move asked for only (`_MOVES`): "the front desk"
and 「隣の人がうるさい」 are no place to sit."""
_MOVES = re.compile(
    r"(?i)\b(?:move|moved|moving|switch|swap|change|elsewhere|a\s+move|sit(?:ting)?\s+together"
    r"|seated\s+together|(?:some|any)where\s+(?:else|quieter|further)"
    r"|(?<!book\s)(?<!buy\s)(?<!purchase\s)(?:an)?other\s+(?:seat|one"
    r"|spot|place|side)|different\s+(?:seat|one|spot|place)|further\s+(?:forward|back|up)"
    r"|closer\s+to|nearer\s+to|away\s+from|put\s+(?:me|us)(?!\s+through)|seat\s+(?:me|us)"
    r"|is\s+there\s+any(?:thing|where)|instead\s+of|(?:be|sit)\s+(?:near|nearer|by|at|in)\s+the\s+(?:front|back"
    r"|window|aisle|door|exit))\b"
    r"|移[りれらしっ動]|(?<!着)替え|変え|変更(?!され)|別の|ほかの|他の|どこか|空いて|戻して|どうにか"
    r"|なんとか|座りたい(?!場合|とき|時|なら|人|方は)"
)
"""A move asked for: "can I go somewhere else", "could you put me closer to the door", "any
chance of a move", "I'll take it instead of 22C", 「前のほう空いてないですか」."""
_PREFERS = re.compile(
    r"(?i)\b(?:instead|rather|prefer|please|grateful|(?:can|could|may)\s+(?:i|we)\s+(?:get|have"
    r"|sit|be|take)|(?:i|we)'?d\s+(?:like|love)|(?:is|it'?s)\s+possible|if\s+you\s+can\s+manage"
    r"|(?:would|it'?d)\s+be\s+better|needs?\s+sorting|fix\s+(?:that|it|this)|change\s+it)\b"
    r"|がいい|が良い|がええ|ほうがいい|方がいい|そっち|にして(?:もらえ|ください|ほしい|くれ|いただけ)"
    r"|にでき|ほしい|欲しい|[でに]お願い"
)
"""A seat of another kind wished for: "Window please.", "Could I get an exit row instead?",
"I'd be grateful for an aisle", 「やっぱ通路側がいいです」, 「並びの席にできますか」: with a kind
of seat only (`_SEAT_KINDS`), in the same clause."""
_ELSEWHERE = re.compile(
    r"(?i)\b(?:lounge|gate|airport|terminal|caf[eé]|restaurant|bar|hotel|train|bus|taxi|"
    r"shuttle|concert|theat(?:re|er)|cinema|stadium|show|table|room|queue|line|blinds?|"
    r"cushions?|curtains?)s?\b|ラウンジ|空港|ゲート|カフェ|ホテル|レストラン|電車|列車|バス|新幹線|映画館"
    r"|劇場|コンサート|テーブル|部屋|カーテン"
)
"""Places to sit that are not on the plane, and things called by a seat's words: "could we
sit together in the lounge", "a window seat on the train", "a table by the window", "the
window blinds"."""
_KEEPS = re.compile(r"(?i)\b(?:keep|stay|remain)\b|のまま|今の(?:席|窓側|通路側|窓際)")
"""A seat kept: "No, I'd like to keep my window seat.", 「通路側のままでお願いします」."""
_TRIP_WORDS = re.compile(
    r"(?i)\b(?:flights?|return|trip|outbound|inbound|departure|date|day|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|tomorrow|earlier|later|morning|evening|booking)\b"
    r"|日|便|帰り|行き|出発"
)
"""A journey's words: with no seat's own words, "can I move my return back a day?" changes
a flight, not a seat."""
_OTHER_WANTED = re.compile(
    r"(?i)\b(?:meals?|blankets?|pillows?|drinks?|water|food|snacks?|headphones)\b"
    r"|毛布|枕|飲み物|食事|機内食|お水|イヤホン"
)
"""Things wished for at a seat: "Hi, it's 23B, could I get a vegetarian meal please?"."""
_MINE_EN = re.compile(r"(?i)\b(?:i|i'm|im|i've|ive|i'd|me|my|we|we're|us|our)\b")
_SEAT_RULES = re.compile(
    r"(?i)\bhow\s+(?:many|early|far|does|do\s+(?:i|you|they))\b|\bwhat\s+(?:is|are|do|does)\b|"
    r"\bwhat'?s\b|\bdo\s+you\s+(?:have|offer|allow)\b|\bwhen\s+(?:can|do|does)\b|"
    r"\b(?:choose|select|pick|reserve)\b|\ballowed\b|\brules?\b|\bpolic(?:y|ies)\b|"
    r"\bin\s+general\b|\busually\b|\bto\s+(?:know|find\s+out|ask|understand|learn)\b|"
    r"\btell\s+me\b|\blet\s+me\s+know\b|\bwill\s+(?!you\b|u\b)|\bwhy\b"
    r"|\b(?:once|after|during|before|when)\s+(?:i'?m|we'?re|the|take-?off|takeoff|landing"
    r"|boarding)\b|\banywhere\s+(?:i|we)\s+(?:like|want)\b"
    r"|知りたい|教えて|ことは(?:あり|ない)|ことってあ|選べ|選ぶ|選択|指定|いつから|何席|ルール|規定"
    r"|決まり|ものなん|ものです|一般的|普通は|(?:ても|て)(?:いい|良い|大丈夫|構わ|平気)|いつまで"
    r"|何時まで|すればいい|すれば良い"
)
"""A question of how seating works ("how early can I pick where I sit", "what's the legroom
like", "can I move to an empty seat after the doors close?", 「座席指定はいつから」,
「空いてる席に移ってもいいですか」), a wish to know ("I'd prefer to know the seat pitch"),
what will happen ("is there any chance my seat will change"): the FAQ's, not a wish."""


_SEAT_KINDS = re.compile(
    r"(?i)\b(?:window|aisle|middle\s+seat|exit\s+row|bulkhead|legroom|front\s+row)\b"
    r"|窓側|通路側|窓際|非常口|足元|並び|隣同士"
)
"""A kind of seat, which may be wished for without a move said: "Window please."."""
_NOT_A_SEAT = re.compile(r"(?i)^[2-5]g$|^3d$")
"""Codes that are no seat: 5G, 3D."""


def _seat_code(text: str) -> bool:
    """Whether ``text`` names a seat's code (`_SEAT_CODE`, written; not 5G or 3D)."""
    return any(not _NOT_A_SEAT.match(m.group()) for m in _SEAT_CODE.finditer(written_form(text)))


def _seat_wished_in(text: str, wish: str | None = None) -> bool:
    """Whether ``text`` names a seat (its words or its code) and a move wished for
    (`_MOVES`), or a kind of seat and a preference (`_PREFERS`: "Could I get an exit row
    instead?", "Window please."), or a place one sits by and a move; with ``wish`` (the
    clause after ``text``) a move said there. A seat named with a preference alone is no
    wish: "can I get a blanket for my seat please", 「23Bの者ですが、毛布がほしいです」."""
    if wish is not None:
        seat = _SEAT_WORDS.search(text) or _seat_code(text) or _SEAT_PLACES.search(text)
        return bool(seat and _MOVES.search(wish))
    if _SEAT_KINDS.search(text) and _PREFERS.search(text):
        return True
    if _SEAT_WORDS.search(text) or _seat_code(text):
        return bool(_MOVES.search(text))
    return bool(_SEAT_PLACES.search(text) and _MOVES.search(text))


def _own_seat_wished(said: str) -> bool:
    """Whether ``said`` wishes the speaker's own place to sit otherwise (`_seat_wished_in`;
    in Japanese within a clause, or a move in the clause after one that says where one sits:
    not 「食事にしてもらえますか、席は23Bです」; in English by the speaker, I, my, we, or a kind
    of seat alone, "Window please."), with no place off the plane named (`_ELSEWHERE`), no
    seat kept (`_KEEPS`), no flight moved without a seat's words (`_TRIP_WORDS`), no meal or
    blanket wished for (`_OTHER_WANTED`), no other thing changed (`_OTHER_CHANGED`), no
    question of how seating works (`_SEAT_RULES`) or what it costs."""
    if _ELSEWHERE.search(said) or _KEEPS.search(said):
        return False
    seat = _SEAT_WORDS.search(said) or _seat_code(said)
    if not seat and not _SEAT_PLACES.search(said) and _TRIP_WORDS.search(said):
        return False  # "can I move my return back a day?": a flight
    if _OTHER_WANTED.search(said) and not _MOVES.search(said):
        return False  # a meal, a blanket wished for at one's seat
    if is_japanese(said):
        clauses = re.split(r"[、。,.!?！？…]+", said)
        if not any(
            _seat_wished_in(c) or (i > 0 and _seat_wished_in(clauses[i - 1], c))
            for i, c in enumerate(clauses)
        ):
            return False
    elif not _seat_wished_in(said):
        return False
    elif not _MINE_EN.search(said) and not (_SEAT_KINDS.search(said) and len(said.split()) <= 4):
        return False  # the speaker's own, or a kind of seat alone: "Window please."
    if _OTHER_CHANGED.search(said) and not _TO_A_SEAT.search(said):
        return False  # the date changed, the seat named by the way
    return not (_SEAT_RULES.search(said) or _ABOUT_COST.search(said))


_CHANGES_DESCRIBED = re.compile(r"(?i)\b(?:chang(?:e|es|ing)|modif(?:y|ies)|switch(?:es)?)\b")
"""A description of a handoff that changes things ("Changes the seat on a traveller's
booking."), not one that answers questions about them."""


def handoff_for_change(called: str, asked: Asked) -> ToolSpec | None:
    """The handoff to call instead of ``called`` (a handoff the model chose) when the user
    asks to change something and ``called`` does not change things: the one other handoff
    whose description says it changes things, when the user's words since the assistant
    last spoke name none of ``called``'s own topics (`handoff_topics`). The airline triage
    agent handed "I'd rather have an aisle seat than the one they gave me." and "i need to
    move from twenty three b to fourteen c" to the FAQ agent (its description names seats
    too, for questions about them); "Can I change my baggage allowance?" names the FAQ's
    baggage and stays with it. The change must be asked for (not "will my seat change if my
    flight is delayed?"), not its cost, and of what both speak of (the seat) or a seat
    (`change_asked`)."""
    handoffs = plain_handoffs(asked.callable)
    if called not in handoffs or _changes(handoffs[called]):
        return None
    return change_asked(asked, called)


def change_asked(asked: Asked, called: str | None = None) -> ToolSpec | None:
    """The one handoff whose description says it changes things, when the user's words since
    the assistant last spoke ask for a change of what it and another handoff (``called``, or
    any that changes nothing) both speak of, or of a seat, and name none of those others'
    own topics (see `handoff_for_change`). A wish for another place to sit is such a change
    (`_PLACE_WISH`: "can you sort me out with something further forward?", "is there any
    way to get somewhere with a bit more room", 「どこか離れたところ空いてませんかね」): the
    triage agent had handed those to the FAQ agent, called get_weather or answered."""
    if asked.mode != "auto" or not asked.messages or asked.messages[-1].role != "user":
        return None
    said = user_since_reply(asked.messages)
    place = bool(_PLACE_WISH.search(said) and _SEATING.search(said))
    # one's own seat wished otherwise: only where an agent changes seats (a shop's "window
    # seat cushion" or a restaurant's "near the front" is no seat of a booking)
    own = _own_seat_wished(said) and any(
        _changes(t) and "seat" in _described(t.description)
        for t in plain_handoffs(asked.callable).values()
    )
    if not own:
        if place:
            if not _WISHED.search(said) or _ABOUT_COST.search(said):
                return None
        elif not _CHANGES_SAID.search(said) or not _ASKED_FOR.search(said):
            return None
        elif _ABOUT_COST.search(said):
            return None
        elif _OTHER_CHANGED.search(said) and not _TO_A_SEAT.search(said):
            return None
    if _POLICY_ASKED.search(said) and not _MINE_CHANGED.search(said):
        return None
    handoffs = plain_handoffs(asked.callable)
    changers = [t for name, t in handoffs.items() if name != called and _changes(t)]
    others = [called] if called else [n for n, t in handoffs.items() if not _changes(t)]
    if len(changers) != 1 or not others:
        return None
    topics = handoff_topics(asked.callable)
    said_words = said_topics(said)
    if any(topics.get(other, frozenset()) & said_words for other in others):
        return None
    # what is to be changed must be what both speak of (the seat: the FAQ answers questions
    # about seats, the other changes them), said, or a seat ("from twenty three b to fourteen
    # c", written 23B, 14C) or a word of the seating ("put me by the window"), or a place to
    # sit: not "Do I need to change planes in Dubai?",
    # nor "can I change my hotel reservation" (a reservation is a booking, but no seat)
    changer = changers[0]
    shared = frozenset().union(
        *(_described(changer.description) & _described(handoffs[o].description) for o in others)
    )
    seating = _SEATING.search(said) or _SEAT_CODE.search(written_form(said))
    if not (shared & said_words or seating or place or own):
        return None
    return changer


_ANSWERS_DESCRIBED = re.compile(
    r"(?i)\banswers?\b[^.]*\b(?:questions?|queries|enquiries|inquiries)\b|\bFAQs?\b"
    r"|\bfrequently\s+asked\b"
)
"""A description of a handoff that answers questions ("Answers travellers' questions on bags
and baggage, seats and wifi.", "the FAQ"; not "Handles return and refund questions", whose
questions are of one kind, nor "Files a claim on an insurance policy", "Runs a survey of
questions")."""


def answers_questions(handoff: ToolSpec) -> bool:
    """Whether ``handoff``'s description says it answers questions (`_ANSWERS_DESCRIBED`)
    and not that it changes things (`_changes`)."""
    return bool(_ANSWERS_DESCRIBED.search(_own_words(handoff))) and not _changes(handoff)


def _changes(handoff: ToolSpec) -> bool:
    """Whether ``handoff``'s description says it changes things (`_CHANGES_DESCRIBED`)."""
    return bool(_CHANGES_DESCRIBED.search(_own_words(handoff)))


def _own_words(handoff: ToolSpec) -> str:
    """``handoff``'s description without the SDK's opening (`_BOILERPLATE`)."""
    return _BOILERPLATE.sub("", handoff.description)
