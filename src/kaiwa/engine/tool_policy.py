"""What a model's tool calls must pass before they are made: one policy for every LLM backend.

A small model calls tools it should not: a function it made up ("Say hello." -> ``say_hello``),
a tool with a value nobody gave ("How are you?" -> ``get_weather(city="London")``), the call it
already has the result of, or a transfer straight back to the agent that handed over. The same
conversation must get the same treatment whether the model runs in-process (`LocalLLM`) or
behind a chat-completions URL (`ChatCompletionsLLM`), so the rules live here and each backend
only carries out the verdict: make the calls, answer in words, or write the call again.

The checks themselves are in `kaiwa.engine.tool_calls`.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .call_text import names_no_tool, parse_calls, takes_no_values, valid_arguments
from .chat import ChatMessage, ToolCall, ToolChoice, ToolSpec, choose_tools
from .days import with_day
from .durations import in_said_units, time_parameter
from .general import asks_the_service, general_question
from .light_sense import lit_by_sense
from .party import in_said_count, people_parameter
from .questions import asked_for
from .remarks import asks_nothing, only_remarks
from .repairs import repaired, repairs
from .scope import other_service, out_of_scope_reply
from .shapes import reshaped
from .small_talk import small_talk_turn
from .text import folded, is_japanese
from .tool_calls import (
    answered,
    as_identifiers,
    asks,
    asks_for_tool,
    looks_up,
    made_up_values,
    name_words,
    relabelled,
    user_since_reply,
    users_words,
)
from .weather import WEATHER_ASKED, weather_said, weather_tool

__all__ = [
    "ASK_FOR",
    "HANDOFF_PREFIX",
    "Asked",
    "ToolCallPolicy",
    "Verdict",
    "VerdictKind",
    "asked_for",
    "asked_for_a_value",
    "asks_the_time",
    "clock_asked",
    "faq_question",
    "instructions_of",
    "no_tool_hint",
    "without_handoffs",
]

HANDOFF_PREFIX = "transfer_to_"
"""The names of handoff tools (the Agents SDK's convention)."""


class VerdictKind(enum.Enum):
    CALL = "call"
    """Make the calls."""
    WORDS = "words"
    """Answer in words, from the same prompt (the call was already answered: a loop)."""
    WORDS_TOLD = "words told"
    """Answer in words, told so (`NO_TOOL_HINT`): the call was not the user's request."""
    REWRITE = "rewrite"
    """The call names one of the tools but does not parse or fit its schema: write it again
    (under a grammar, where the backend has one)."""


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    calls: tuple[ToolCall, ...] = ()
    missing: tuple[str, ...] = ()
    """With `WORDS_TOLD`: the required values the call made up (its parameters' names), to
    be asked for (`no_tool_hint`)."""
    refused: ToolCall | None = None
    """With `WORDS_TOLD`: the call refused for values nobody said (named in ``made_up``)."""
    made_up: tuple[str, ...] = ()
    """The parameters of ``refused`` whose values nobody said (asked for or not)."""
    unoffered: str | None = None
    """With `WORDS_TOLD`: the function the call named, none of the tools (``say_hello``)."""
    reply: str = ""
    """With `WORDS_TOLD`: what to say instead of the model's words (a request for a
    service nobody here offers: `out_of_scope_reply`); empty: the model's words."""
    fallback: tuple[ToolCall, ...] = ()
    """With `WORDS_TOLD`: the calls to make after all if the model's words come out unfit
    to be spoken (a lookup of a question about the world: the FAQ's "I don't know the
    answer to that question" tells the user more than "say that another way"). `LocalLLM`
    only: `ChatCompletionsLLM` does not check its words, and speaks them."""


@dataclass(frozen=True)
class Asked:
    """One request as the model is to see it."""

    messages: Sequence[ChatMessage]
    """The conversation, without handoffs (see `without_handoffs`)."""
    mode: str
    """``auto``, ``none`` or ``required`` (a named function is ``required`` of that one)."""
    shown: Sequence[ToolSpec]
    """The tools in the prompt (none with ``tool_choice="none"``: a small model shown tools
    writes calls in prose)."""
    callable: Sequence[ToolSpec]
    """The tools a call may use."""

    @property
    def user_turn(self) -> bool:
        """Whether the model chooses whether to call (``auto``) and the user spoke last: the
        turn the request rules (a handoff for a change, a question, a name) may decide."""
        return self.mode == "auto" and bool(self.messages) and self.messages[-1].role == "user"


NO_TOOL_HINT = "(Answer in words, without a tool. If something is missing, ask for it.)"
"""Added to the user's last message when the model is to answer in words after all."""
NO_TOOL_HINT_JA = "（ツールを使わずに日本語で答えてください。足りない情報があれば聞いてください。）"
"""`NO_TOOL_HINT` after words in Japanese: told in English, the 0.5B model answered in
English ("Yes, I can help you with that.")."""


ASK_FOR = "(Answer in words, without a tool. Ask for the {}.)"
"""`NO_TOOL_HINT` when the call refused made up values: the user is asked for them (in
English; a Japanese request gets `NO_TOOL_HINT_JA`, and `LocalLLM` asks in Japanese itself)."""


def no_tool_hint(said: str, missing: Sequence[str] = ()) -> str:
    """The `NO_TOOL_HINT` for the language of ``said``, the user's last words; with
    ``missing`` (parameters' names), in English, one that says to ask for those values."""
    if is_japanese(said):
        return NO_TOOL_HINT_JA
    words = asked_for(missing)
    return ASK_FOR.format(words) if words else NO_TOOL_HINT


class ToolCallPolicy:
    """The rules a model's tool calls must pass, the same for every LLM backend.

    Args:
        ground_calls: answer in words instead of making a call whose text arguments nobody
            said (see `kaiwa.engine.tool_calls.made_up_values`).
        clocks_asked: with ``ground_calls``, a clock is called for a Japanese request only
            if it asks about a time or a date (`_clock_unasked`): for `LocalLLM`, whose call
            hint on Japanese turns makes the 0.5B model call a clock for other questions.
    """

    def __init__(self, *, ground_calls: bool = True, clocks_asked: bool = False) -> None:
        self.ground_calls = ground_calls
        self.clocks_asked = clocks_asked

    def ask(
        self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec], tool_choice: ToolChoice
    ) -> Asked:
        """The request to put to the model. Raises `UserError` for a ``tool_choice`` that
        names no tool."""
        mode, callable_tools = choose_tools(tool_choice, tools)
        if _handed_off(messages):  # just taken over: transferring again would be ping-pong
            callable_tools = [t for t in callable_tools if not t.name.startswith(HANDOFF_PREFIX)]
        return Asked(
            messages=without_handoffs(messages),
            mode=mode,
            shown=tools if mode != "none" else (),
            callable=callable_tools,
        )

    def judge_written(self, text: str, asked: Asked) -> Verdict:
        """The verdict on calls the model wrote as text (in Qwen's tag, fenced, or bare JSON)."""
        calls = parse_calls(text, asked.callable)
        if calls is None:
            if unoffered := names_no_tool(text, asked.callable):
                return Verdict(VerdictKind.WORDS_TOLD, unoffered=unoffered)
            return Verdict(VerdictKind.REWRITE)
        return self.judge(calls, asked)

    def judge(self, calls: Sequence[ToolCall], asked: Asked) -> Verdict:
        """The verdict on calls the model made (a backend's structured calls, or calls
        written again under a grammar).

        - a function that is none of the tools: words, told so (it wanted to answer);
        - arguments to a tool that takes none: dropped; others that do not parse or fit
          the schema, or a handoff among other calls: write the call again (`LocalLLM`
          reads no further than a handoff written first: it is made alone);
        - identifiers spoken letter by letter are written as one (`as_identifiers`), two
          put in each other's place are swapped back (`relabelled`), and values the user
          took back are replaced by the ones said after them (`repaired`), a light switched
          as the room's state asks (`lit_by_sense`), a length of time put in the unit of the
          parameter that takes it (`in_said_units`), the people counted out in the
          parameter for their number (`in_said_count`);
          a time written alone gets the day the conversation is about (`with_day`, after
          the checks below);
        - with ``ground_calls``, a call for small talk ("hello", "thanks", "noted":
          `small_talk`), for a question about the world that names nothing the tool is for
          ("whats the capital of canada": `general_question`, `_general_unnamed`), a lookup
          of one put to the world, not the service ("why is the sky blue?": `_world_looked_up`;
          if the model has no words fit to be spoken, the lookup after all), a lookup
          of a remark that asks nothing ("Honestly, I hate flying.": `_remark_looked_up`), a
          handoff for one (`_remark_handed_off`), or
          with a value nobody said: words, told so; a handoff or a lookup for a service
          nobody here offers ("get me a cab": `_other_service`): kaiwa's own words
          (`Verdict.reply`); when the request names what the tool
          does (`asks_for_tool`), the values are asked for (``missing``);
        - with ``ground_calls`` and ``clocks_asked``, a clock called for a request that asks
          no time or date: left out; none left, words, told so (`_clock_unasked`);
        - right after a tool's result, a call to another tool the request does not name, or
          one whose value is the result copied: words (`_chained_unasked`,
          `_result_looked_up`);
        - every call already answered since the user last spoke: words (a loop, not a request).
        """
        if not calls:
            return Verdict(VerdictKind.WORDS)
        tools = {t.name: t for t in asked.callable}
        if unknown := [c.name for c in calls if c.name not in tools]:
            return Verdict(VerdictKind.WORDS_TOLD, unoffered=unknown[0])
        # transfer_to_seat_booking_agent(city="New York", seat_number="A101"): a tool that
        # takes no values gets none (written again under the grammar, it would be the same
        # call, ~0.5 s later)
        calls = [_valueless_call(c, tools[c.name]) for c in calls]
        if len(calls) > 1 and any(c.name.startswith(HANDOFF_PREFIX) for c in calls):
            # transfer_to_faq_agent(), transfer_to_seat_booking_agent(), get_weather(...):
            # a handoff goes alone; written again under the grammar, one call is chosen
            return Verdict(VerdictKind.REWRITE)
        if not all(valid_arguments(c, tools[c.name]) for c in calls):
            return Verdict(VerdictKind.REWRITE)
        # "b x nine two seven four", as the recogniser wrote it, is the order number BX9274
        said = user_since_reply(asked.messages)
        users = users_words(asked.messages)
        # "27D please, confirmation DFG441": each code where the user's words put it
        calls = [
            _placed_right(as_identifiers(c, tools[c.name], said, users), tools[c.name], said)
            for c in calls
        ]
        # "17B, sorry, 17E": the seat is 17E, whichever the model copied
        calls = [_fitting(repaired(c, tools[c.name], said), c, tools[c.name]) for c in calls]
        # "it's way too dark in the hallway" -> set_lights(on=false): switched on
        calls = [_fitting(lit_by_sense(c, tools[c.name], said), c, tools[c.name]) for c in calls]
        # "a timer for an hour and a half" -> set_timer(minutes=30): 90, the length said;
        # "two adults and three kids" -> book_table(party_size=2): 5, the people counted out.
        # Only for one call with such a parameter ("timers for 5 and 10 minutes" are two),
        # and not where a value was taken back ("10 minutes, no 15" is `repaired`'s).
        if not repairs(said):
            for parameter, put in (
                (time_parameter, in_said_units),
                (people_parameter, in_said_count),
            ):
                if sum(parameter(tools[c.name]) is not None for c in calls) == 1:
                    calls = [_fitting(put(c, tools[c.name], said), c, tools[c.name]) for c in calls]
        # "a table on Friday at 7:30" -> time="7:30": the booking's day is put back (after
        # the checks below, which judge what the model wrote: the day is not its value)
        dated = [
            _fitting(with_day(c, tools[c.name], asked.messages), c, tools[c.name]) for c in calls
        ]
        if asked.mode == "required":
            return Verdict(VerdictKind.CALL, tuple(dated))  # asked for: made as they are
        if self.ground_calls and small_talk_turn(asked.messages):
            # "hello" -> get_current_time(), "ありがとう" -> set_lights(room="kitchen")
            return Verdict(VerdictKind.WORDS_TOLD)
        last = asked.messages[-1].role if asked.messages else ""
        if self.ground_calls and last == "user" and _general_unnamed(calls, tools, asked):
            # "quick one whats the capital of canada" -> faq_lookup_tool(question=...), "what
            # currency do they use in switzerland" -> get_weather(city="Switzerland")
            return Verdict(VerdictKind.WORDS_TOLD)
        if self.ground_calls and last == "user" and _remark_looked_up(calls, tools, asked):
            # "Honestly, I hate flying." -> faq_lookup_tool(question="I hate flying."): a
            # lookup answers a question, and a remark asks none
            return Verdict(VerdictKind.WORDS_TOLD)
        if self.ground_calls and last == "user" and _remark_handed_off(calls, asked):
            # "the wifi on my last flight was actually pretty decent" ->
            # transfer_to_faq_agent(): nothing asked, nothing for another agent to do
            return Verdict(VerdictKind.WORDS_TOLD)
        if self.ground_calls and last == "user" and _other_service(calls, tools, asked):
            # "could you get me a cab to the airport" -> transfer_to_faq_agent(): nobody
            # here arranges cabs; what can be done is said instead
            return Verdict(VerdictKind.WORDS_TOLD, reply=out_of_scope_reply(said, asked.callable))
        if self.ground_calls and last == "user" and _world_looked_up(calls, tools, asked):
            # "why is the sky blue?" -> faq_lookup_tool(question=...): the airline's answers
            # are about the airline; the world's are the model's own (if it has any to say)
            return Verdict(VerdictKind.WORDS_TOLD, fallback=tuple(dated))
        if self.ground_calls and self.clocks_asked and last == "user":
            # "一週間って全部で何時間？" -> get_current_time(): a sum, not the time now
            kept = [i for i, c in enumerate(calls) if not _clock_unasked(c, tools[c.name], said)]
            if not kept and WEATHER_ASKED.search(said) and not weather_tool(asked.callable):
                # "What's the weather in Paris?" -> get_current_time(): no tool here knows the
                # weather, and the model's words made it up ("sunny, 20 degrees")
                return Verdict(
                    VerdictKind.WORDS_TOLD, reply=out_of_scope_reply(said, asked.callable)
                )
            if not kept:
                return Verdict(VerdictKind.WORDS_TOLD)
            calls, dated = [calls[i] for i in kept], [dated[i] for i in kept]
        if self.ground_calls and _chained_unasked(calls, asked.messages):
            # "Where's order 55102?" -> its status; then request_refund("55102"), nobody asked
            return Verdict(VerdictKind.WORDS)
        if self.ground_calls and _result_looked_up(calls, asked.messages):
            # 「機内でWi-Fiは使えますか？」 -> the FAQ's answer, then faq_lookup_tool(question=
            # that answer): the result is to be read out, not looked up
            return Verdict(VerdictKind.WORDS)
        if self.ground_calls:
            for c in calls:
                made_up = made_up_values(c, tools[c.name], asked.messages)
                if made_up:
                    # "How are you today?" -> get_weather(city="London"): nobody said London.
                    # "Where's my order?" -> order_number="12345": the user is asked for it.
                    asked_for = not c.name.startswith(HANDOFF_PREFIX) and asks_for_tool(
                        c.name, asked.messages
                    )
                    return Verdict(
                        VerdictKind.WORDS_TOLD,
                        missing=made_up if asked_for else (),
                        refused=c,
                        made_up=made_up,
                    )
        if all(
            answered(c, asked.messages) or answered(d, asked.messages)
            for c, d in zip(calls, dated, strict=True)
        ):
            # A small model may call again what it already has the answer to: that is a
            # loop, not a request.
            return Verdict(VerdictKind.WORDS)
        return Verdict(VerdictKind.CALL, tuple(dated))


def _remark_looked_up(calls: Sequence[ToolCall], tools: dict[str, ToolSpec], asked: Asked) -> bool:
    """Whether every call is a lookup of a question (`_asks_a_question`) of a remark: words
    that ask nothing and request nothing (`asks_nothing`: "Honestly, I hate flying.",
    "孫に会いにハワイまで行くんですよ。"), and that answer no question of the assistant's asking
    for a value; a remark that tells a problem, a value or a code (not `only_remarks`) only
    when it names nothing the tool is for ("so my bag weighs twenty kilos" and "my knees
    always end up jammed" come near the FAQ's baggage and seats: `touches`; "the seats on
    your new planes are really comfy" tells none, and asks nothing)."""
    from .topics import touches  # (topics reads this module's names)

    said = user_since_reply(asked.messages)
    if not all(_asks_a_question(c, tools[c.name]) for c in calls) or not asks_nothing(said):
        return False
    if asked_for_a_value(asked):
        return False
    if only_remarks(said):
        return True  # no problem, value or code told: "the seats on your planes are comfy"
    return not any(touches(tools[c.name], said) for c in calls)


def _world_looked_up(calls: Sequence[ToolCall], tools: dict[str, ToolSpec], asked: Asked) -> bool:
    """Whether every call is a lookup of a question (`_asks_a_question`) in a service's own
    answers (`_service_faq`) for one that asks the world, not the service
    (`asks_the_service`: "why is the sky blue?", "who won the World Cup in 2018?",
    「織田信長ってどんな人やったん？」; not "can I bring my cat?" nor "carry-on limit?"), and
    names nothing the tool is for (`speaks_of`; not `touches`, whose prefixes find the
    FAQ's "airline" in "why is the sky blue?", the sky being air) nor, in English, what the
    agent's instructions say it deals in (`instructed_topics`); not in answer to the
    assistant's question for a value, nor a follow-up to requests the same tool was called
    for (`_follows_up`: "and what about getting online?" after a lookup of the baggage
    allowance). A handoff to an agent that answers questions is not judged so: such agents
    also do things ("Makes bookings and answers questions about opening hours"), and a
    request to do them asks nothing of the service's words."""
    from .topics import instructed_topics, said_topics, speaks_of  # (topics reads this module)

    said = user_since_reply(asked.messages)
    if not all(_asks_a_question(c, tools[c.name]) and _service_faq(tools[c.name]) for c in calls):
        return False
    if asks_the_service(said):
        return False
    if asked_for_a_value(asked) or _follows_up({c.name for c in calls}, asked.messages):
        return False
    if not is_japanese(said):
        # the agent's own words for what it deals in: a hotel's FAQ, "when does the pool
        # open?" (not in Japanese: glossed, 空 is also the weather)
        if instructed_topics(instructions_of(asked)) & said_topics(said):
            return False
    return not any(speaks_of(tools[c.name], said) for c in calls)


_SERVICE_FAQ = re.compile(
    r"(?i)\bfaqs?\b|frequently asked|\bpolic(?:y|ies)\b|help (?:cent(?:er|re)|desk|articles?)"
    r"|knowledge base"
)


def faq_question(tool: ToolSpec) -> str | None:
    """The one value ``tool`` requires, when it looks up a service's own answers
    (`_service_faq`: ``faq_lookup_tool``) by a question (`_QUERY_PARAMETER`: ``question``,
    a string); None for any other tool, a handoff or one that takes more values."""
    if tool.name.startswith(HANDOFF_PREFIX) or not _service_faq(tool):
        return None
    required = tool.parameters.get("required") or []
    if len(required) != 1 or not _QUERY_PARAMETER.search(required[0]):
        return None
    kind = ((tool.parameters.get("properties") or {}).get(required[0]) or {}).get("type")
    return required[0] if kind in (None, "string") else None


def _service_faq(tool: ToolSpec) -> bool:
    """Whether ``tool`` holds a service's own answers by its name or description
    (``faq_lookup_tool``, "Lookup frequently asked questions.", a policy, a help centre):
    not a web search, a recipe finder or an encyclopedia, which the world's questions are
    for."""
    named = " ".join(name_words(tool.name))  # (in their order: "help center")
    return bool(_SERVICE_FAQ.search(f"{named} {tool.description}"))


def _follows_up(names: set[str], messages: Sequence[ChatMessage]) -> bool:
    """Whether a tool of ``names`` was called since the user's request two before this one
    ("and what about for kids?" after a lookup of the baggage allowance, small talk or an
    answer in words between them or not). A request is what the user said between two
    replies of the assistant's ("um", "and", "what about for kids" in a row are one). A
    question about the world right after a lookup is looked up too: the price of keeping
    follow-ups."""
    starts = [
        i
        for i, m in enumerate(messages)
        if m.role == "user" and (i == 0 or messages[i - 1].role != "user")
    ]
    if len(starts) < 2:
        return False
    start, end = starts[max(0, len(starts) - 3)], starts[-1]
    return any(c.name in names for m in messages[start:end] for c in m.tool_calls)


def _remark_handed_off(calls: Sequence[ToolCall], asked: Asked) -> bool:
    """Whether every call is a handoff, made for a remark that asks nothing, requests
    nothing, gives no code and tells of no problem (`only_remarks`: "the wifi on my last
    flight was actually pretty decent", 「もう荷造り終わっちゃった、旅行楽しみすぎる」; not
    "They lost my luggage."), not in answer to the assistant's question for a value (an offer
    of help, kaiwa's own "Is there anything I can help you with?", asks none). The remark
    may name what the other agent handles (wifi): it asks it nothing."""
    if not all(c.name.startswith(HANDOFF_PREFIX) for c in calls):
        return False
    return only_remarks(user_since_reply(asked.messages)) and not asked_for_a_value(asked)


_BOOKING_WORDS = re.compile(r"(?i)\b(?:book|books|booked|reserve|reserved|arrange)\b|予約|手配")
"""The verbs of asking for a service, not the service: "book" of "book me a hotel" is not the
seat booking agent's "booking" (nouns, "booking", "order", "reservation", stay: they are
what tools deal in)."""


def instructions_of(asked: Asked) -> str:
    """The agent's instructions in ``asked`` (its system messages, joined)."""
    return " ".join(m.content for m in asked.messages if m.role == "system")


def _other_service(calls: Sequence[ToolCall], tools: dict[str, ToolSpec], asked: Asked) -> bool:
    """Whether every call is a handoff, a lookup in the model's words (`looks_up`) or a
    weather tool's asked no weather, for a request naming a service nothing offered names
    (`other_service`: a cab, a hotel, a rental car, a restaurant's table; not in the tools,
    the handoffs or the instructions), and nothing a called tool is for ("is there wifi at
    the hotel?" stays the FAQ's: `touches`, the verbs of asking, "book", aside). The triage
    agent called get_weather(city="大阪") for 「大阪駅の近くでホテル取ってもらえますか」;
    another tool that takes values may well serve such a request (a restaurant host's
    ``make_reservation``, asked for a table) and stands."""
    from .topics import touches

    said = user_since_reply(asked.messages)

    def passed_on(call: ToolCall) -> bool:
        tool = tools[call.name]
        if call.name.startswith(HANDOFF_PREFIX) or looks_up(call, tool):
            return True
        return weather_tool([tool]) and not weather_said(said)

    if not all(passed_on(c) for c in calls):
        return False
    if other_service(said, asked.callable, instructions_of(asked)) is None:
        return False
    topical = _BOOKING_WORDS.sub(" ", said)
    return not any(touches(tools[c.name], topical) for c in calls)


_QUERY_PARAMETER = re.compile(r"(?i)question|query|^q$|search|keywords?|terms?|topic|faq")
"""Parameters whose value is a question to look up (not a message, a note or feedback, which
a statement may well be: "Remember that my wife's birthday is on the fifth of May")."""


def _asks_a_question(call: ToolCall, tool: ToolSpec) -> bool:
    """Whether ``call`` is a lookup (`looks_up`) whose every required value is a question or
    a query by its parameter's name (``faq_lookup_tool(question=...)``; not
    ``add_note(note=...)`` or ``send_message(message=...)``)."""
    required = tool.parameters.get("required") or []
    return looks_up(call, tool) and all(_QUERY_PARAMETER.search(k) for k in required)


def _general_unnamed(calls: Sequence[ToolCall], tools: dict[str, ToolSpec], asked: Asked) -> bool:
    """Whether the user asked a question about the world (`general_question`), not in
    answer to the assistant's question (after "Which city?", "the capital of France" is a
    value; "How can I help?" asks for none), and
    named nothing any called tool is for ("what's the weather in the capital of Peru?"
    names the weather: `speaks_of`)."""
    from .topics import speaks_of  # (topics reads this module's names)

    said = user_since_reply(asked.messages)
    if not general_question(said):
        return False
    if asked_for_a_value(asked):
        return False
    return not any(speaks_of(tools[c.name], said) for c in calls)


_OFFERS_HELP = re.compile(
    r"(?i)\b(?:help|assist|anything else|what can i do)\b|ご用件|ほかに|他に|お手伝い"
)
_ASKS_WHICH = re.compile(r"(?i)\b(?:which|what) (?!can\b|else\b)[a-z]+|どの|どちら|何(?!か)")


def asked_for_a_value(asked: Asked) -> bool:
    """Whether the assistant last asked a question that wants a value ("Which city?",
    "Please tell me the name on your booking."), not an offer of help (`_offers_help`): the
    user's words then answer it."""
    reply = next(
        (m.content for m in reversed(asked.messages) if m.role == "assistant" and m.content),
        "",
    )
    return (
        bool(reply) and (asks(reply) or bool(_ASKS_FOR.search(reply))) and not _offers_help(reply)
    )


_ASKS_FOR = re.compile(
    r"(?i)\b(?:please|could\s+you|can\s+you)\s+(?:tell|give|provide|share|confirm|spell|say)\b"
    r"|教えて|お知らせ|お聞かせ|おっしゃって"
)
"""A value asked for without a question mark: "Please tell me the name on your booking.",
「予約番号を教えてください。」."""


def _offers_help(reply: str) -> bool:
    """Whether the assistant's last question asks for no value ("How can I help?",
    "Anything else?"), unlike "Happy to help! Which city?"."""
    last = [q for q in re.split(r"(?<=[.!?。！？])\s*", reply.strip()) if q][-1:]
    return bool(last) and bool(_OFFERS_HELP.search(last[0])) and not _ASKS_WHICH.search(last[0])


def _placed_right(call: ToolCall, tool: ToolSpec, said: str) -> ToolCall:
    """``call`` with two codes put back in each other's place: where the user's words say
    which is which ("27D please, confirmation DFG441": `relabelled`), else, when they do not,
    where the tool's description shows their shape (a seat "such as 12A": `reshaped`)."""
    labelled = relabelled(call, said)
    if labelled is not call:
        return labelled
    return _fitting(reshaped(call, tool), call, tool)


def _valueless_call(call: ToolCall, tool: ToolSpec) -> ToolCall:
    """``call`` without arguments if ``tool`` takes none (`takes_no_values`)."""
    if call.arguments.strip() in ("", "{}") or not takes_no_values(tool.parameters):
        return call
    return call.with_arguments({})


def _fitting(fixed: ToolCall, call: ToolCall, tool: ToolSpec) -> ToolCall:
    """``fixed`` (``call`` with values put right), unless it no longer fits ``tool``'s
    schema: then ``call`` as it was."""
    return fixed if fixed is call or valid_arguments(fixed, tool) else call


_CLOCK_NAME = re.compile(r"(?:^|_)(?:time|date|datetime|clock|now)(?:_|$)", re.IGNORECASE)
_CLOCK_DESCRIPTION = re.compile(r"\b(?:current|local)\b[^.]*\b(?:time|date)\b", re.IGNORECASE)
_TIME_WORDS_JA = re.compile(
    r"時|日|曜|月|年|いつ|あした|あす|あさって|きのう|今|いま|現在|きょう|もう|何分"
)
"""Words of a Japanese question about a time or a date: 今何時？, 何曜日？, 時間を教えて,
クリスマスまであと何日？, もう十二時過ぎてる？"""


_CLOCK_ASKED = re.compile(
    r"(?i)\bwhat\s+(?:time|day|date)\b|\bthe\s+(?:time|date)\b|o'?clock|何時|何日|何曜|日付"
)
"""The time or the date asked in so many words ("what time is it in Paris and is it raining")."""


_TIME_WORDS_EN = re.compile(
    r"(?i)\b(?:time|times|date|dates|day|days|today|o'?clock|"
    r"hours?|minutes?|seconds?|months?|years?|weeks?|weekday|weekend|calendar|clock|now|"
    r"when|late|early|morning|afternoon|evening|noon|midnight|am|pm|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|christmas|new\s+year|birthday|season|summer|winter|"
    r"spring|autumn|fall|dst|zone|schedule|deadline|until|till|since|ago|left|long)\b"
    r"|\d{1,2}(?::\d{2})?\s*(?:am|pm)?\b"
)
"""Words of an English question about a time or a date, broadly ("what day is it", "how long
until Friday", "is it late in Tokyo", "what's the date", "3pm"): without any, a request asks
no clock ("What's the weather in Paris?")."""
_LENGTH_JA = re.compile(r"何時間|何日間|何日まで|全部で|何分間")
"""A length asked for, not a time: 一週間って全部で何時間？, うるう年の二月って何日まで？"""
_NOW_JA = re.compile(r"今|現在|本日")


def is_clock(tool: ToolSpec) -> bool:
    """Whether ``tool`` may be a clock: it takes no values, and it is named for the time or
    the date or described as giving the current one; never a handoff. Loose, for refusing
    a call (`_clock_unasked`); `_tells_the_time` is the strict test for making one."""
    return _valueless(tool) and bool(
        _CLOCK_NAME.search(tool.name) or _CLOCK_DESCRIPTION.search(tool.description)
    )


def _valueless(tool: ToolSpec) -> bool:
    """Whether ``tool`` takes no values and is no handoff: what a clock must be."""
    return not tool.parameters.get("properties") and not tool.name.startswith(HANDOFF_PREFIX)


_CLOCK_TOOL_NAME = re.compile(
    r"(?:get_|read_|tell_|show_)?(?:the_)?(?:current_|local_)?"
    r"(?:time|date|datetime|date_?time|time_and_date|date_and_time|clock)(?:_now)?",
    re.IGNORECASE,
)
_CLOCK_TOOL_DESCRIPTION = re.compile(
    r"^\s*(?:gets?|returns?|tells?|gives?|reads?|shows?)\s+(?:the\s+)?"
    r"(?:current|local|today's)\s+(?:local\s+)?(?:date|time)(?:\s+and\s+(?:date|time))?"
    r"(?:\s+now)?\s*(?:[.;]|$)",
    re.IGNORECASE,
)


def _tells_the_time(tool: ToolSpec) -> bool:
    """Whether ``tool`` is a clock for certain: it takes no values and its whole name is
    one (``get_current_time``, ``current_datetime``, ``clock``), or its description starts
    by saying it gives the current time ("Get the current local date and time."). Not
    ``book_now``, ``get_delivery_date`` or ``get_time_zone`` (a review's)."""
    return _valueless(tool) and bool(
        _CLOCK_TOOL_NAME.fullmatch(tool.name) or _CLOCK_TOOL_DESCRIPTION.search(tool.description)
    )


_ASKED_EN = (
    r"(?=\s*(?:$|[?.!]|,?\s*please\b|again\b|(?:right\s+)?now\b(?!\s+(?:in|at|over|for)\b)))"
)
"""The end of a question for the time: nothing after it but "please", "again" or "now"
("what time is it now in Tokyo" asks for another clock)."""
_TIME_NOW_EN = re.compile(
    "|".join(
        f"(?:{question}){_ASKED_EN}"
        for question in (
            r"\bwhat\s+time(?:\s+is|'s)\s+it",
            r"\bwhat\s+hour\s+is\s+it",
            r"(?:^|\b(?:could|can|would|will)\s+you\s+)(?:please\s+)?(?:tell|give)\s+me\s+"
            r"(?:what\s+time\s+it\s+is|the\s+time)",
            r"\b(?:do\s+)?you\s+(?:know|have|got)\s+(?:what\s+time\s+it\s+is|the\s+time)",
            r"^\s*(?:got|have)\s+the\s+time",
            r"\bwhat(?:'s|s|\s+is)\s+the\s+(?:time|date)(?:\s+today)?",
            r"\bwhat(?:'s|s|\s+is)\s+(?:the\s+)?(?:current|local)\s+(?:time|date)",
            r"\b(?:tell\s+me|give\s+me)\s+the\s+(?:current|local)\s+(?:time|date)",
            r"\bwhat(?:'s|s|\s+is)\s+today'?s\s+date",
            r"\bwhat\s+(?:day|date|month|year)\s+is\s+(?:it|today)(?:\s+today)?",
            r"\bwhat\s+day\s+(?:are\s+we\s+on|of\s+the\s+week\s+is\s+it)",
            r"\bwhat(?:'s|s|\s+is)\s+the\s+day\s+today",
        )
    ),
    re.IGNORECASE,
)
"""A question for the time or the date now: "What time is it?", "what's the time right
now", "What's today's date?", "what day is it", "Could you tell me the time?". Not "What
time do you open?", "What time is it in London?", "what's the time limit", "I don't have time
now", "what day is it best to fly" (a review's)."""
_NOT_NOW_JA = (
    r"(?![間目頃前後にの発分]|まで|ほど|かか"
    r"|(?:ごろ|頃|くらい|ぐらい)(?![?？。!！、,\s]|$|です|でしょ|だろ|やろ|かな|か[?？]?$))"
)
"""After 何時 or 何日: not a time asked for (何時間, 何日目, 何時に出発, 何時まで, 何時発,
何時何分発, 何日分, 何時くらいに出れば); "about what time" ending the question is
(いま何時くらい？, 今何時ごろかな)."""
_WEEKDAY_ASKED_JA = r"何曜日|なんようび|何曜(?!日)|なんよう(?!び)"
_TIME_NOW_JA = re.compile(
    r"(?:今|いま)[、,\s]*(?:は|って)?[、,\s]*"
    rf"(?:何時|なんじ|何日|なんにち|{_WEEKDAY_ASKED_JA}|何月|なんがつ)"
    + _NOT_NOW_JA
    + r"|(?:今日|きょう|本日)[、,\s]*(?:は|って)?[、,\s]*"
    rf"(?:何日|なんにち|{_WEEKDAY_ASKED_JA}|何月)"
    + _NOT_NOW_JA
    + r"|(?:今日|きょう|本日)の日付(?=を(?:教|おし)|は|って|[?？]|$)|現在(?:の)?(?:時刻|日時)"
    + r"|(?:今|いま)の(?:時刻|時間)(?=を|は|って|[?？]|$)"
    + r"|^(?:(?:えーと|えっと)[、,\s]*|(?:あの|ねえ|ちょっと)[、,\s]+)*(?:時間|じかん)を?"
    r"(?:教|おし)え(?:て(?:ください|くれる|くれない|くれへん|もらえる|もらえます)?)?"
    r"[かなー]*[？?。!！\s]*$"
)
"""The same in Japanese: 今何時？, 今、何時？, 今日は何曜日？, 現在の時刻, 今の時間を教えて,
えーとじかんおしえて. Not 今何時間かかる, 今何時に出発すればいい, 今日は何日に届きますか,
今の時間帯, 営業時間を教えて."""


def asks_the_time(said: str) -> bool:
    """Whether ``said`` asks for the time or the date now (`_TIME_NOW_EN`, `_TIME_NOW_JA`)."""
    said = said.replace("\u2019", "'")  # "What’s the time?"
    return bool(_TIME_NOW_EN.search(said) or _TIME_NOW_JA.search(said))


def clock_asked(asked: Asked) -> ToolSpec | None:
    """The clock (`_tells_the_time`) a request at hand asks for the time or the date now,
    if one may be called: what the model is to call when it chose words instead (used by
    `LocalLLM`, whose words are checked before they go out; not by `ChatCompletionsLLM`,
    whose words stream as the server writes them). Asked
    "What time is it?", Qwen2.5-Coder 1.5B answers "The current local date and time is
    10:30 AM on March 2, 2023." (dev half of ``bench/quality``: 3 of 12 clock requests; a
    made-up time cut short by the reply check is "The current local date" and nothing
    more)."""
    if not asked.user_turn:
        return None
    if not asks_the_time(user_since_reply(asked.messages)):
        return None
    return next((t for t in asked.callable if _tells_the_time(t)), None)


def _clock_unasked(call: ToolCall, tool: ToolSpec, said: str) -> bool:
    """Whether ``call`` is to a clock (a tool taking no values, named for the time or the
    date, or described as giving the current one) for a Japanese request (``said``) that
    asks no time or date: it has no word of one, or asks for a length (何時間, 何日まで) and
    says nothing of now. The call hint is shown on Japanese turns to such tools (without it
    the time was made up); with it, the 0.5B model called the clock for "一週間って全部で
    何時間？", "うるう年の二月って何日まで？" and "タクシー呼んでくれへん？" (dev half, the
    fourth writer's). In English, a request with no word of a time or a date at all
    (`_TIME_WORDS_EN`): kaiwa chat's assistant called its clock for "What's the weather in
    Paris?" and made the weather up. Never a handoff."""
    if not is_clock(tool):
        return False
    if WEATHER_ASKED.search(said) and not _CLOCK_ASKED.search(said):
        return (
            True  # "What's the weather today?", 「明日の東京の天気は？」: the weather, not the day
        )
    if not is_japanese(said):
        # "What's the weather in Paris?", "Is it going to rain tomorrow?": no word of a time
        # or a date asked (kaiwa chat's assistant called its clock and made the weather up)
        return bool(said.strip()) and not _TIME_WORDS_EN.search(said)
    if _TIME_NOW_JA.search(said):
        return False  # (asked for the time now: "えーとじかんおしえて", in kana)
    if not _TIME_WORDS_JA.search(said):
        return True
    return bool(_LENGTH_JA.search(said)) and not _NOW_JA.search(said)


def _chained_unasked(calls: Sequence[ToolCall], messages: Sequence[ChatMessage]) -> bool:
    """Whether, right after a tool's result, ``calls`` go on to a tool not called yet since
    the user last spoke, whose name the request does not say (`asks_for_tool`). A small
    model answering a result often calls the next tool that takes the same values: the
    order's status, then a refund for it; "Turn on the lights and set a timer." may call
    set_timer after set_lights (in Japanese, "電気つけてタイマーもかけて", through the
    nouns' English glosses). (Not caught: the same tool called again with other values,
    which a second city may need: "Weather in Paris and London?")"""
    if not messages or messages[-1].role != "tool":
        return False
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)
    called = {c.name for m in messages[last_user + 1 :] for c in m.tool_calls}
    return any(c.name not in called and not asks_for_tool(c.name, messages) for c in calls)


def _result_looked_up(calls: Sequence[ToolCall], messages: Sequence[ChatMessage]) -> bool:
    """Whether, right after a tool's result, a call's value is that result copied (most of a
    value of 8 characters or more found in it, in one piece): the model calling a tool on
    what it was given to read out."""
    if not messages or messages[-1].role != "tool":
        return False
    result = folded(messages[-1].content)
    for call in calls:
        for value in (call.parsed_arguments() or {}).values():
            text = folded(value) if isinstance(value, str) else ""
            if len(text) < 8:
                continue
            found = difflib.SequenceMatcher(None, text, result, autojunk=False)
            match = found.find_longest_match(0, len(text), 0, len(result))
            if match.size >= 0.6 * len(text):
                return True
    return False


def _handed_off(messages: Sequence[ChatMessage]) -> bool:
    """Whether the last message is the result of a handoff (a ``transfer_to_...`` call)."""
    if not messages or messages[-1].role != "tool":
        return False
    call_id = messages[-1].tool_call_id
    return any(
        c.call_id == call_id and c.name.startswith(HANDOFF_PREFIX)
        for m in messages
        for c in m.tool_calls
    )


def without_handoffs(messages: Sequence[ChatMessage]) -> Sequence[ChatMessage]:
    """``messages`` without handoff calls (``transfer_to_...``) and their results.

    The agent taking over answers the user's request as if it had been asked; shown the
    transfer and its JSON result, a small model reads the result out, answers in JSON or
    transfers straight back.
    """
    ids = {c.call_id for m in messages for c in m.tool_calls if c.name.startswith(HANDOFF_PREFIX)}
    if not ids:
        return messages
    kept: list[ChatMessage] = []
    for m in messages:
        if m.role == "tool" and m.tool_call_id in ids:
            continue
        if m.tool_calls and any(c.call_id in ids for c in m.tool_calls):
            calls = [c for c in m.tool_calls if c.call_id not in ids]
            if not calls and not m.content.strip():
                continue
            m = dataclasses.replace(m, tool_calls=tuple(calls))
        kept.append(m)
    return kept
