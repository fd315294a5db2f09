"""How `LocalLLM` settles between a call and words once the model has chosen.

The model writes a call or starts on words; the policy (`kaiwa.engine.tool_policy`) judges a
call. What follows is here: a malformed call written again under the grammar; a handoff
for a request this agent's own tool is named for made that tool's call; a lookup, or a call
that only reads, for a request another agent handles made that agent's handoff; a function
not offered that stands for a tool made that tool's call; a place the model could not spell
chosen among the places the user named; a value nobody gave asked for; words, told so.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from ..exceptions import EngineError
from ._threads import Cancel
from .chat import ChatMessage, LlmDelta, ToolCall, ToolSpec
from .prompt import HINT_IN_JSON, without_hint
from .questions import question_for
from .reply_check import Fault
from .service_questions import question_handoff, question_lookup
from .text import is_japanese, place_names
from .tool_calls import asks_for_tool, is_name, looks_up, user_since_reply
from .tool_policy import (
    HANDOFF_PREFIX,
    Asked,
    ToolCallPolicy,
    Verdict,
    VerdictKind,
    clock_asked,
    no_tool_hint,
)
from .topics import change_asked, describes, handoff_for_change, named_alike, named_handoff
from .words import WordsMixin, WordsOutcome, last_user_text, unclear_reply

__all__ = ["DecisionsMixin"]

logger = logging.getLogger("kaiwa.engine.llm")  # (one logger for the stage, as before the split)


class _CallCutShort(EngineError):
    """A call generated under the grammar ran past its token budget (not a failure of the
    model itself: the turn is answered in words instead)."""


def _refused_tool(verdict: Verdict, asked: Asked) -> list[ToolSpec]:
    """The tool of the call ``verdict`` refused for values nobody said (whose parameters
    `Verdict.missing` names); every callable tool if none is named."""
    name = verdict.refused.name if verdict.refused is not None else None
    return [t for t in asked.callable if t.name == name] or list(asked.callable)


_READ_VERBS = frozenset(
    {"get", "lookup", "look", "check", "find", "search", "fetch", "list", "show", "read"}
)
_CHANGE_WORDS = frozenset(
    {"in", "book", "refund", "cancel", "set", "update", "change", "create", "delete", "add",
     "remove", "send", "order", "pay", "buy", "reserve", "make", "start", "stop", "reset"}
)  # fmt: skip


def _reads(name: str) -> bool:
    """Whether a tool's name says it only reads (``get_weather``, ``checkStatus``,
    ``GetWeather``), not one that changes things (``update_seat``, ``check_in``,
    ``get_refund``, ``find_and_book_table``)."""
    parts = [p.lower() for p in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if p]
    return bool(parts) and parts[0] in _READ_VERBS and not _CHANGE_WORDS & set(parts)


def _handoff_asked(asked: Asked) -> ToolSpec | None:
    """The handoff a request is for, when the model would not make it: the one that makes a
    change asked for (`change_asked`), else the one whose description names what it is
    about (`named_handoff`), else the one that answers questions, for a question of the
    service's terms (`question_handoff`)."""
    return change_asked(asked) or named_handoff(asked) or question_handoff(asked)


class DecisionsMixin(WordsMixin):
    """`LocalLLM`'s decisions after the model chose between a call and words. The model,
    its policy and its grammars are `LocalLLM`'s."""

    policy: ToolCallPolicy
    ask_named_tools: bool

    if TYPE_CHECKING:

        def render(
            self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec], *, hint: str = ""
        ) -> str: ...

        def _grammar_calls(
            self,
            prompt: str,
            tools: Sequence[ToolSpec],
            cancel: Cancel | None,
            cache: bool = True,
        ) -> Iterator[ToolCall]: ...

    def _settle(
        self,
        verdict: Verdict,
        prompt: str,
        asked: Asked,
        max_tokens: int,
        cancel: Cancel,
        tools: Sequence[ToolSpec] = (),
    ) -> Iterator[LlmDelta]:
        """What comes of the policy's verdict on a call the model wrote: the call, written
        again under the grammar first if it did not fit (to one of ``tools``, if given, else
        of the callable ones); or words, told so or not. A handoff for a request this agent's
        own tool is named for is that tool's call first (`_own_tool_first`); a lookup, or a
        call that only reads (`_reads`), for a request another agent's handoff names (and
        nothing of the tool) is that handoff, or the one that makes a change asked for
        (`change_asked`); a call of a function not offered that stands for a tool
        (`_stands_for`) is that tool's call; words with a reply of kaiwa's own
        (`Verdict.reply`: a service nobody here offers) are that reply."""
        if verdict.kind is VerdictKind.REWRITE:  # a tool of ours, malformed: under the grammar
            judged = self._written_and_judged(prompt, tools or asked.callable, asked, cancel)
            if judged is None:  # stopped while it wrote: nothing more
                return
            made, verdict = judged
            # none made: it ran on past its budget; say something instead (a rewrite again:
            # the grammar makes it unreachable)
            if not made or verdict.kind is VerdictKind.REWRITE:
                verdict = Verdict(VerdictKind.WORDS_TOLD)
        if verdict.kind is VerdictKind.CALL and self.ask_named_tools:
            handoffs = all(c.name.startswith(HANDOFF_PREFIX) for c in verdict.calls)
            called = {c.name for c in verdict.calls}
            described = any(describes(t, asked) for t in asked.callable if t.name in called)
            own = self._named_tool(asked) if handoffs else None
            if own is not None and not described:
                yield from self._own_tool_first(own, verdict, prompt, asked, max_tokens, cancel)
                return
            # A change asked for, handed to an agent that answers questions on the same
            # thing: the one that changes it (`handoff_for_change`).
            change = None
            if handoffs and len(verdict.calls) == 1:
                change = handoff_for_change(verdict.calls[0].name, asked)
            if change is not None:
                logger.info("a change asked for: %s, not %s", change.name, called)
                yield LlmDelta(tool_call=ToolCall(name=change.name, arguments="{}"))
                return
            # The mirror: this agent's own tool called for a request that names nothing it
            # does and names what another agent handles (the FAQ agent, asked "What's the
            # weather like in Tokyo?", looked it up in the FAQ; the triage agent, asked about
            # bags on a flight to Denver, called get_weather(city="Denver")): handed off; a
            # change asked for, to the agent that makes it (`change_asked`).
            # Only a lookup in the model's own words (``question=...``), which passes any
            # request, or a call that only reads (`_reads`): one that changes things stands.
            by_name = {t.name: t for t in asked.callable}
            elsewhere = None
            if not described and all(
                c.name in by_name
                and not c.name.startswith(HANDOFF_PREFIX)
                and (looks_up(c, by_name[c.name]) or _reads(c.name))
                for c in verdict.calls
            ):
                elsewhere = change_asked(asked) or named_handoff(asked)
            if elsewhere is not None:
                logger.info("a call of %s for a request %s handles", called, elsewhere.name)
                yield LlmDelta(tool_call=ToolCall(name=elsewhere.name, arguments="{}"))
                return
        if verdict.kind is VerdictKind.CALL:
            for c in verdict.calls:
                yield LlmDelta(tool_call=c)
        elif verdict.kind is VerdictKind.WORDS_TOLD and verdict.reply:
            yield LlmDelta(text=verdict.reply)  # kaiwa's own: "Sorry, I can't help with that"
        elif verdict.kind is VerdictKind.WORDS_TOLD:
            # A function none of the tools is, standing for one (after a handoff, the triage
            # agent asked "What's the weather like in Tokyo?" wrote weather_lookup_tool(...),
            # then words made up): that tool's call, under the grammar. Else words (asked
            # "Say hello.", say_hello()).
            named_tool = self._stands_for(verdict.unoffered, asked) if verdict.unoffered else None
            if named_tool is not None:
                logger.info("a call of a function not offered: %s instead", named_tool.name)
                rewrite = Verdict(VerdictKind.REWRITE)
                yield from self._settle(rewrite, prompt, asked, max_tokens, cancel, [named_tool])
                return
            named = self._names_from_words(verdict, prompt, asked, cancel)
            if named is not None:
                for c in named:
                    yield LlmDelta(tool_call=c)
                return
            if cancel.is_set:
                return
            # A call refused for values made up, to a request that is another agent's
            # ("How many bags can I bring?" -> get_weather(city="London")): handed off, in
            # `_instead_of_words`'s order (a seat wish to the seat agent before a question).
            handoff = _handoff_asked(asked) if self.ask_named_tools else None
            if handoff is not None and not verdict.missing:
                yield LlmDelta(tool_call=ToolCall(name=handoff.name, arguments="{}"))
                return
            # Not a call to make: answer in words, told so (the prompt changes only at its
            # end: the cached prefix holds).
            # A value it made up is asked for instead ("Where's my order?": the order number).
            # In English by kaiwa itself: told to ask for it, the 0.5B model answered with
            # values of its own in words ("The weather is clear.", "The order number is
            # 12345."; dev half).
            said = last_user_text(asked.messages)
            question = question_for(verdict.missing, _refused_tool(verdict, asked), said)
            if question:
                yield LlmDelta(text=question)
                return
            hint = no_tool_hint(said)
            told = self.render(asked.messages, asked.shown, hint=hint)
            # A lookup refused as the world's (`Verdict.fallback`): the model's own answer, or
            # if it has none fit to be spoken (Japanese, mostly), the lookup after all
            outcome = yield from self._words(
                told, max_tokens, cancel, asked, may_call=bool(verdict.fallback), hint=hint
            )
            if outcome is not WordsOutcome.SAID and not cancel.is_set:
                logger.info("no words fit to be spoken: %s after all", verdict.fallback)
                for c in verdict.fallback:
                    yield LlmDelta(tool_call=c)
        else:
            yield from self._words(prompt, max_tokens, cancel, asked)

    def _written_and_judged(
        self,
        prompt: str,
        tools: Sequence[ToolSpec],
        asked: Asked,
        cancel: Cancel,
        cache: bool = True,
    ) -> tuple[list[ToolCall], Verdict] | None:
        """A call to one of ``tools`` written under the grammar, and the policy's verdict on
        it (none made, and `WORDS`, when it ran past its budget or there are no tools); None
        if cancelled."""
        made: list[ToolCall] = []
        if tools:
            try:
                made = [
                    without_hint(c) for c in self._grammar_calls(prompt, tools, cancel, cache=cache)
                ]
            except _CallCutShort:
                logger.warning("the model could not write its tool call", exc_info=True)
        if cancel.is_set:
            return None
        return made, self.policy.judge(made, asked) if made else Verdict(VerdictKind.WORDS)

    def _names_from_words(
        self, verdict: Verdict, prompt: str, asked: Asked, cancel: Cancel
    ) -> tuple[ToolCall, ...] | None:
        """A call refused for a name nobody said, to a Japanese speaker: the 0.5B model
        writes a place of its own for one it cannot spell ("あさって那覇に着くんだけど" ->
        ``city="Tokyo"``, "シアトルの天気" -> ``"Sydney"``). The call is written again with
        those values chosen among the places the user named (`place_names`: 那覇, シアトル),
        and made if it then passes; None otherwise. Only names are chosen so (`is_name`, in a
        string parameter): not identifiers, numbers or the model's own wording."""
        call, made_up = verdict.refused, verdict.made_up
        said = user_since_reply(asked.messages)
        if call is None or not made_up or not is_japanese(said) or not self.policy.ground_calls:
            return None
        places = place_names(said)
        tool = next((t for t in asked.callable if t.name == call.name), None)
        if not places or tool is None:
            return None
        written = call.parsed_arguments()
        if written is None:
            return None
        properties = dict(tool.parameters.get("properties") or {})
        for key in made_up:
            schema, value = properties.get(key), written.get(key)
            if (
                not isinstance(schema, Mapping)
                or schema.get("type") != "string"
                or not isinstance(value, str)
                or not is_name(key, value)
            ):
                return None  # not a name: an identifier, a number, the model's wording
            properties[key] = {**schema, "enum": list(places)}
        narrowed = dataclasses.replace(
            tool, parameters={**tool.parameters, "properties": properties}
        )
        judged = self._written_and_judged(prompt, [narrowed], asked, cancel, cache=False)
        if judged is None:
            return None
        again = judged[1]
        logger.info("places from the user's words %s: %s -> %s", places, call, again)
        return again.calls if again.kind is VerdictKind.CALL else None

    def _instead_of_words(self, asked: Asked) -> ToolSpec | ToolCall | None:
        """The tool for a request the model chose words for (with `ask_named_tools`): the
        clock asked for the time now (`clock_asked`), else the tool the request names what
        it does (`_named_tool`), else the handoff that makes a change asked for
        (`change_asked`: 「窓側がよかったんですけど、今通路側になってて」 to the seat booking
        agent), else the handoff
        whose description names what the request is about (`named_handoff`: "Is there wifi
        on the plane?" to the FAQ agent), else the one that answers questions, for a question
        asked of the service (`question_handoff`: "Extra fee for my skis?"), else the
        lookup of such a question in the agent's own FAQ (`question_lookup`: 「便の変更って
        手数料かかります？」), a call made."""
        if not self.ask_named_tools:
            return None
        return (
            clock_asked(asked)
            or self._named_tool(asked)
            or _handoff_asked(asked)
            or question_lookup(asked)
        )

    def _called_instead(
        self,
        tool: ToolSpec | ToolCall,
        prompt: str,
        asked: Asked,
        max_tokens: int,
        cancel: Cancel,
    ) -> Iterator[LlmDelta]:
        """`_instead_of_words`'s tool: the clock or a handoff called (nothing to write: the
        time now, asked for, is never made up in words), a named tool's call written and
        judged (`_named`); a lookup's call, made, judged as the model's would be."""
        if isinstance(tool, ToolCall):
            verdict = self.policy.judge([tool], asked)
            yield from self._settle(verdict, prompt, asked, max_tokens, cancel)
            return
        if not tool.parameters.get("properties"):  # the clock: no value to write
            yield LlmDelta(tool_call=ToolCall(name=tool.name, arguments="{}"))
            return
        yield from self._named(tool, prompt, asked, max_tokens, cancel)

    def _stands_for(self, name: str, asked: Asked) -> ToolSpec | None:
        """The tool a call of ``name``, a function not offered, stands for (with
        `ask_named_tools`): the one the request names (`_named_tool`) and describes, whose
        name or description shares a word with ``name`` (``weather_lookup_tool`` for
        ``get_weather``, asked "What's the weather like in Tokyo?"; not ``tell_fun_fact``
        for ``set_lights``, asked for a fun fact about lights; not ``update_seat`` asked the
        weather in Seattle, whose first letters are "seat"), or when ``name`` is a tool
        called earlier in the conversation, another agent's (handed the weather question,
        the triage agent called the FAQ agent's ``faq_lookup_tool`` again)."""
        if not self.ask_named_tools:
            return None
        tool = self._named_tool(asked)
        if tool is None or not describes(tool, asked):
            return None
        called = {c.name for m in asked.messages for c in m.tool_calls}
        return tool if name in called or named_alike(name, tool) else None

    @staticmethod
    def _named_tool(asked: Asked) -> ToolSpec | None:
        """The tool the request names what it does ("Where's my order?": get_order_status),
        if it takes values to be given (`asks_for_tool`; handoffs aside)."""
        for tool in asked.callable:
            if tool.name.startswith(HANDOFF_PREFIX) or not tool.parameters.get("required"):
                continue
            if asks_for_tool(tool.name, asked.messages):
                return tool
        return None

    def _own_tool_first(
        self,
        tool: ToolSpec,
        handoff: Verdict,
        prompt: str,
        asked: Asked,
        max_tokens: int,
        cancel: Cancel,
    ) -> Iterator[LlmDelta]:
        """The model handed off a request that names what this agent's own ``tool`` does,
        and no word of the handoff's description: the seat booking agent, told "I need a
        different seat.", handed it back to triage ("Finds out what the traveller needs and
        passes them on."), which hands seat changes to it. That tool's call is written under
        the grammar and judged: made if it passes, its missing values asked for if it made
        them up; else the handoff stands (``handoff``). ("The weather made me late, can I
        change my seat?" names get_weather, but also the seat booking handoff's "seat": it
        is handed off without this.)"""
        judged = self._written_and_judged(prompt, [tool], asked, cancel)
        if judged is None:
            return
        made, verdict = judged
        logger.info("a handoff for a request naming %s: the call %s, %s", tool.name, made, verdict)
        if verdict.kind is VerdictKind.CALL or verdict.missing:
            yield from self._settle(verdict, prompt, asked, max_tokens, cancel)
            return
        for c in handoff.calls:
            yield LlmDelta(tool_call=c)

    def _named(
        self, tool: ToolSpec, prompt: str, asked: Asked, max_tokens: int, cancel: Cancel
    ) -> Iterator[LlmDelta]:
        """The model chose words for a request that names ``tool``: it answers such requests
        with values made up in words ("Where's my order?" -> "The order number is 12345.",
        "What's the weather doing?" -> "The weather is clear."). The call is written under
        the grammar and judged: if it made a value up, the user is asked for it; else the
        words the model chose (a call the model did not choose is not made: "Tell me a fun
        fact about lights." is no request for ``set_lights``)."""
        judged = self._written_and_judged(prompt, [tool], asked, cancel)
        if judged is None:
            return
        made, verdict = judged
        logger.info("words for a request naming %s: the call %s, %s", tool.name, made, verdict)
        if verdict.missing or verdict.reply:
            yield from self._settle(verdict, prompt, asked, max_tokens, cancel)
            return
        yield from self._in_words(prompt, asked, max_tokens, cancel)

    def _in_words(
        self,
        prompt: str,
        asked: Asked,
        max_tokens: int,
        cancel: Cancel,
        failed: tuple[Fault, str] | None = None,
    ) -> Iterator[LlmDelta]:
        """A reply the model chose to give in words (`_words`, ``failed``: its first try,
        found unfit); a call it spells out in them is written under the grammar instead."""
        outcome = yield from self._words(
            prompt, max_tokens, cancel, asked, may_call=True, failed=failed
        )
        if outcome is WordsOutcome.SPELLED:
            yield from self._settle(Verdict(VerdictKind.REWRITE), prompt, asked, max_tokens, cancel)
        elif outcome is WordsOutcome.UNFIT:
            yield from self._call_after_all(prompt, asked, max_tokens, cancel)

    def _call_after_all(
        self, prompt: str, asked: Asked, max_tokens: int, cancel: Cancel
    ) -> Iterator[LlmDelta]:
        """The model's words were unfit twice (said back, mostly: "重さは何キロまでですか？"
        -> the request again): before the user is asked to say it another way, a call to a
        tool that takes values is written under the grammar and judged by the policy's checks
        (`made_up_values`: what the user said must ground it). Made if it passes; a value it
        made up is asked for (`Verdict.missing`); else `UNCLEAR`. A tool without values is
        never called so (nothing said grounds it), nor any without the checks."""
        valued = [t for t in asked.callable if t.parameters.get("required")]
        judged = self._written_and_judged(
            prompt, valued if self.policy.ground_calls else [], asked, cancel
        )
        if judged is None:
            return
        made, verdict = judged
        logger.info("words unfit twice: the call %s, %s", made, verdict)
        if verdict.kind is VerdictKind.CALL or verdict.fallback:
            # (a lookup refused as the world's, after words unfit twice: the lookup after all)
            for c in verdict.calls or verdict.fallback:
                yield LlmDelta(tool_call=c)
            return
        if verdict.reply:  # a service nobody here offers: kaiwa's own words
            yield LlmDelta(text=verdict.reply)
            return
        said = last_user_text(asked.messages)
        question = question_for(verdict.missing, _refused_tool(verdict, asked), said)
        yield LlmDelta(text=question or unclear_reply(asked))

    def _judge_written(self, text: str, asked: Asked) -> Verdict:
        """The policy's verdict on calls the model wrote, without the `CALL_HINT` it copied
        into them (the checks must see the value the user gave)."""
        return self.policy.judge_written(HINT_IN_JSON.sub("", text), asked)
