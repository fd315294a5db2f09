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
from .seats import change_wished, own_seat_wished, place_wished, seating_said
from .text import is_japanese
from .tool_calls import TOOL_VERBS, name_parts, user_since_reply
from .tool_policy import HANDOFF_PREFIX, Asked
from .wordnet import broader

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
    if not asked.user_turn:
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
    (`kaiwa.engine.seats.place_wished`: "can you sort me out with something further
    forward?", "is there any way to get somewhere with a bit more room", 「どこか離れたところ
    空いてませんかね」): the triage agent had handed those to the FAQ agent, called
    get_weather or answered."""
    if not asked.user_turn:
        return None
    said = user_since_reply(asked.messages)
    place = place_wished(said)
    # one's own seat wished otherwise: only where an agent changes seats (a shop's "window
    # seat cushion" or a restaurant's "near the front" is no seat of a booking)
    own = own_seat_wished(said) and any(
        _changes(t) and "seat" in _described(t.description)
        for t in plain_handoffs(asked.callable).values()
    )
    if not change_wished(said, place=place, own=own):
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
    if not (shared & said_words or seating_said(said) or place or own):
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
