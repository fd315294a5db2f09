"""Is a reply in words fit to be spoken? A sans-I/O check of a small model's words as they stream.

Told to answer in words, the 0.5B model sometimes does something else with them. On the
quality bench's dev half (2026-12-05), a third of its replies in words were:

- the request said back, often with the hint the engine added to it
  ("天気を教えてもらえますか？（ツールを使わずに日本語で答えてください。…）");
- a tool call spelled out in prose or broken JSON
  ("name: update_seat arguments: confirmation_number=...", ``>{"name": "book_table", ...``);
- a tool explained instead of used ("You can call the get_weather tool by sending...").

`ReplyCheck` reads a reply piece by piece and says when a piece may be spoken. The start of the
reply is held back until it can no longer be the request said back or a call spelled out (a few
words: the first spoken piece waits for about as many anyway); after that, each clause is
released whole once it is checked (a reply reading out a tool's result: each sentence, its
numbers and days checked against the result). What to do with a reply found unfit (write the
call it meant, or answer again) is the model's business: see `kaiwa.engine.llm.LocalLLM`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence

from .facts import carried, unfounded
from .small_talk import small_talk
from .text import folded, is_japanese

__all__ = ["Fault", "ReplyCheck", "echoes", "unfit"]


class Fault(enum.Enum):
    """Why a reply is not fit to be spoken."""

    ECHO = "echo"
    """It says the user's request back."""
    CALL = "call"
    """It spells out a tool call ("name: book_table, arguments: ...")."""
    NAMED = "named"
    """It names a tool ("You can call the get_weather tool...")."""
    LEAK = "leak"
    """It reads out an instruction the engine or the chat template gave the model."""
    EMPTY = "empty"
    """It says nothing."""
    LANGUAGE = "language"
    """It answers a Japanese request with no Japanese in it ("Hand over to", "12")."""
    UNFOUNDED = "unfounded"
    """It reads out a tool's result with a number or a day the result does not say
    (`kaiwa.engine.facts.unfounded`), or goes back to a request done with instead
    (`kaiwa.engine.facts.carried`)."""


_CALL_START = re.compile(r"""^\s*(?:[>(\[]\s*)?[{\[]\s*"|^\s*\w+_\w+\s*[(:\n]""")
"""A call at the start of a reply: ``{"name": ...``, ``>{...``, ``({...``,
``["get_order_status", ...``, ``set_timer(minutes=30)``, ``get_opening_hours`` on a line."""

_QUESTION_END = re.compile(r"[?？]\s*$")
_JSON_LITERAL = re.compile(r"\s*(?:true|false|null)\s*")
"""A reply that is a JSON value alone, as a tool's result would be ("true"; "True." is an
answer)."""

_CALL_SHAPE = re.compile(
    r"""[{\[,]\s*["']\w+["']\s*:|["'](?:name|arguments)["']\s*:|\bname\s*:\s*["']?\w+_\w+"""
    r"""|\barguments\s*[:=]\s*(?:[{\[("']|\w+\s*[:=])|\(Tools\)""",
    re.IGNORECASE,
)
"""A call anywhere: JSON (``{"city": ...``, ``"name":``), ``name: book_table``,
``arguments: party_size=1``. Not 'The word "hello": a greeting', "Name: Alice" (a tool's name
has an underscore) or "two main arguments: cost and time"."""

_TEMPLATE_LEAKS = (
    "# Tools",
    "<tools>",
    "</tools>",
    "<tool_call>",
    "function signatures",
    "XML tag",
    "ツールを使わず",
)
"""Pieces of Qwen's tool prompt, as the model sometimes reads them out."""

_HINT_WORDS = re.compile(
    r"\bcall a tool\b(?! (?:rental|shop|store|hire|kit|box|set))|\bif one fits\b|\(\s*tool call"
    r"|\b(?:the\s+following|a|this)\s+json(?:\s+object)?(?:\s+with\b[^:\n]{0,60})?\s*:"
    r"|\bfunction name and (?:its )?arguments\b",
    re.I,
)
"""The call hint's own words, in a reply of the model's ("To call a tool, ...", reworded:
"ご助かり、よろしくお願いします。(Tool Call if one fits.)", dev half), or a call announced
("Here's a json object with the function name and arguments:", "...using the following JSON
object:", dev half, words the sampler drew): never an answer to the user."""

_PREFACE = re.compile(
    r"^\s*(?:以下[^:：\n]{0,60}(?:回答|答え|JSON|ツール|関数)[^:：\n]{0,30}"
    r"|here(?:'s| is) (?:the|my) (?:response|reply)[^:：\n]{0,40}|below is[^:：\n]{0,40})[:：]",
    re.IGNORECASE,
)
"""A reply that announces itself ("以下に日本語で回答します：", "Here's the response:"): the model
writing a document about the request, not answering it ("Here's one: ..." and "以下の3つが
おすすめです：" are answers)."""

_PREFACE_START = re.compile(r"^\s*(?:以下|here(?:'s| is) (?:the|my)|below is)", re.IGNORECASE)

_TOOL_TALK = re.compile(r"\b(?:call|function|tool)s?\b|ツール|関数", re.IGNORECASE)
"""Words of a reply that explains a tool instead of using it ("You can call the get_weather
tool..."): the start of such a reply is held until its first clause ends."""

_TOOL_NAMED = re.compile(r"\b(?:tool|function|json)s?\b|ツール|関数", re.IGNORECASE)
"""A reply that speaks of a tool, a function or JSON (not a call: "I'll call a taxi for you,
it should..." goes out at its first clause): held to its sentence's end."""

_CLAUSE_END = re.compile(r"[.!?;,。！？、；…\n]\s*")
"""Where text goes out: not at a colon, which opens what it announces ("Sure! name:" then
"book_table, ...")."""
_SENTENCE_END = re.compile(r"[.!?。！？\n]")
_READ_OUT_END = re.compile(r"[.!?](?=\s)|[。！？\n]\s*")
"""Where a reply reading out a result goes out: a sentence's end, not the point of 12.5 or
Dec. (a full stop counts once a space follows it; the reply's last one at `finish`)."""
_READ_OUT_CLAUSE = re.compile(r"[.,;:](?=\s)|[!?。！？、；…\n]\s*")
"""A clause's end in a reply reading out a result: not the comma of 12,000 or the point of
12.5 (as `_READ_OUT_END`)."""
_READ_OUT_MAX = 80
"""Characters of a reply reading out a result held at most before it goes out at a clause's
end, when its sentence does not end (the first audio would wait for the whole reply)."""

_OVERLAP = 64
"""Characters of what went out that are checked again with the next clause."""

_HEAD_MIN = 8
"""Characters before a clause's end that lets the reply's start go ("Sure!" alone waits for
what follows it; the first spoken piece has as many)."""

_ECHO_MIN = {"en": 12, "ja": 6}
"""Letters (English) or characters (Japanese) a request must have before saying it back counts
as an echo: "Hello." -> "Hello!" is an answer."""


def _long_enough(request: str) -> bool:
    return len(folded(request)) >= _ECHO_MIN["ja" if is_japanese(request) else "en"]


def echoes(reply: str, request: str) -> bool:
    """Whether ``reply`` is ``request`` said back with little added (at most half as much
    again): "Largest ocean?" -> "Largest ocean is the Pacific Ocean." is an answer."""
    asked, said = folded(request), folded(reply)
    return _long_enough(request) and asked in said and len(said) - len(asked) <= len(asked) // 2


def unfit(
    text: str, tools: Iterable[str], hints: Iterable[str], *, start: bool = True
) -> Fault | None:
    """What makes ``text`` unfit to be spoken: a hint or the template read out, a call spelled
    out, a tool named (a name with an underscore: "get_weather", not "search"); None when
    nothing does. ``start``: ``text`` is where the reply starts (a call may open it)."""
    if any(p in text for p in _sentences(hints)) or any(p in text for p in _TEMPLATE_LEAKS):
        return Fault.LEAK
    if _HINT_WORDS.search(text):
        return Fault.LEAK
    if _CALL_SHAPE.search(text) or (start and _CALL_START.search(text)):
        return Fault.CALL
    low = text.lower()
    if any("_" in name and name.lower() in low for name in tools):
        return Fault.NAMED
    return None


class ReplyCheck:
    """Releases a reply's text once it is checked; stops at the first fault.

    Args:
        request: the user's last words (the hint the engine added to them excluded).
        tools: names of the tools the model was offered.
        hints: instructions the engine added to the prompt; read out, they are a leak.
        head_words: words (or, in Japanese, characters / 2) after which the reply's start is
            released if nothing is wrong with it (the first spoken piece needs about as many).
        said: what already went out, checked (a reply going on after it stepped aside).
        earlier: the user's earlier words in the conversation: said back, they are an echo too.
        language: a reply to a Japanese request must have Japanese in it (`Fault.LANGUAGE`);
            off for a reply that reads out a tool's result (in English, the 0.5B model's
            usual answer to a Japanese request), which asking again would only repeat.
        facts: what a reply reading out a tool's result may say (the result and the user's
            words): with ``by_sentence``, a number or a day of the week not in it is
            `Fault.UNFOUNDED`, and the reply goes out sentence by sentence, not clause by
            clause, so that a made-up number is found before any of its sentence is spoken.
        closed: with ``facts``, what requests done with were about: a reply that names
            what only they named (not the facts) is `Fault.UNFOUNDED` too
            (`kaiwa.engine.facts.carried`); its start then waits for its first clause's end.
        by_sentence: with ``facts``, check the reply's numbers and days and release it a
            sentence at a time (a reading put into Japanese, whose numbers are often wrong);
            False: only what it goes back to (``closed``) is checked, clause by clause (a
            reading in English copies the result, mostly; checked for numbers, correct ones
            were refused: "7:00 PM" for "7 pm", a number checked a digit at a time).
    """

    def __init__(
        self,
        request: str,
        tools: Sequence[str],
        hints: Sequence[str],
        *,
        head_words: int = 3,
        said: str = "",
        earlier: Sequence[str] = (),
        language: bool = True,
        facts: str | None = None,
        closed: Sequence[str] = (),
        by_sentence: bool = True,
    ) -> None:
        self._requests = [r for r in (request, *earlier) if _long_enough(r)]
        """What may not be said back: the request, and the user's earlier words (small talk
        only word for word: "Nice to meet you." "Nice to meet you too!" is an answer)."""
        self._japanese = language and is_japanese(request)
        """A Japanese request: a reply with no Japanese in it is in the wrong language (seen
        in `kaiwa web`: "手荷物はいくつまで持ち込めますか？" -> "Hand over to", 1 run in 5)."""
        self._question = request if _QUESTION_END.search(request) else ""
        """The request, if a question: said back word for word as a question, it is an echo
        however short ("Hello." -> "Hello!" and "Ready?" -> "Ready!" are answers; "今何時？"
        -> "今何時？" is not)."""
        self.facts = facts
        """What a reply reading out a result is checked against (None: not such a reply)."""
        self._closed = tuple(closed)
        self._by_sentence = facts is not None and by_sentence
        self._tools = tuple(tools)
        self._hints = tuple(hints)
        self._hint_sentences = _sentences(hints)
        self._head_words = head_words
        self._held = ""
        self._released = bool(said)  # the start has gone out: the rest goes clause by clause
        self.fault: Fault | None = None
        """The fault found, once one is: nothing more is released."""
        self.said = said
        """All the text released so far."""

    def push(self, piece: str) -> str:
        """The text of ``piece`` (with any held before it) that may be spoken now."""
        if self.fault is not None:
            return ""
        self._held += piece
        if not self._released:
            if not self._head_done():
                return ""
            fault = self._head_fault()
            if fault is not None:
                self.fault = fault
                return ""
            self._released = True  # the start goes out whole (reading out a result: up to
            # its last sentence or clause end), the rest clause by clause (or sentence)
            if not (self._by_sentence or self._closed):
                return self._release(self._held)
        cut = self._cut(self._held)
        if not cut:
            return ""
        return self._release(self._held[:cut])

    def _cut(self, text: str) -> int:
        """How much of ``text`` may go out (0: none yet): up to its last clause end; reading
        out a result, its last clause end not inside a number, or with ``by_sentence`` its
        last sentence end, or its last clause end once `_READ_OUT_MAX` characters wait (a
        sentence that will not end)."""
        if self.facts is None:
            ends = _CLAUSE_END
        else:  # (not inside 12,000 or 12.5)
            ends = _READ_OUT_END if self._by_sentence else _READ_OUT_CLAUSE
        cut = max((m.end() for m in ends.finditer(text)), default=0)
        if not cut and self._by_sentence and len(text) >= _READ_OUT_MAX:
            cut = max((m.end() for m in _READ_OUT_CLAUSE.finditer(text)), default=0)
        return cut

    def finish(self) -> str:
        """What is left to speak once the model stopped (empty after a fault)."""
        if self.fault is not None:
            return ""
        if not self._released:
            fault = self._head_fault(whole=True)
            if fault is not None:
                self.fault = fault
                return ""
            self._released = True
        return self._release(self._held)

    @property
    def started(self) -> bool:
        """Whether any text was released (a fault after that can only cut the reply short)."""
        return bool(self.said.strip())

    def _release(self, text: str) -> str:
        self._held = self._held[len(text) :]
        fault = unfit(text, self._tools, self._hints, start=not self.said)
        if fault is None and self.facts is not None:
            made_up = self._by_sentence and unfounded(text, self.facts)
            if made_up or carried(text, self.facts, self._closed):
                fault = Fault.UNFOUNDED
        if fault is None and self.said:
            # with the end of what went out before: a tool's name or a hint may straddle
            # the two ("あなたは「g" then "et_weather」関数...")
            before = self.said[-_OVERLAP:]
            fault = unfit(before + text, self._tools, self._hints, start=False)
            if fault is not None and unfit(before, self._tools, self._hints, start=False):
                fault = None  # (what went out was judged already)
        if fault is not None:
            self.fault = fault
            self._held = ""
            return ""
        self.said += text
        return text

    def _head_done(self) -> bool:
        """Whether enough of the reply has come to judge its start."""
        held = self._held.lstrip()
        if not held:
            return False
        if (self._by_sentence or self._closed) and not self._cut(held):
            # reading out a result: judged a sentence at a time, or a clause when it may go
            # back to a request done with ("The weather in" then "Paris is sunny,")
            return False
        if re.search(r"[:：]\s*$", held):
            return False  # a colon: what it announces comes next
        if _PREFACE_START.match(held) and len(held) < 64 and not re.search(r"[:：]", held):
            if not _SENTENCE_END.search(held):
                return False  # could be announcing itself
        seen = folded(_announced(held))
        if any(self._may_be_echo(seen, folded(r), small_talk(r)) for r in self._requests):
            return False  # may be saying the request back: wait and see
        tail = folded(re.split(r"[.!?。！？、,（(「\n]", held)[-1])
        for hint in map(folded, self._hint_sentences):
            if hint.startswith(folded(held)) or (tail and hint.startswith(tail)):
                return False  # could be reading out a hint (alone, or after the request)
        if _TOOL_NAMED.search(held) and len(held) < 80 and not _SENTENCE_END.search(held):
            # explaining a tool: its name or the call may come later in the sentence ("To
            # call the tool," went out alone, the call spelled out after it was cut)
            return False
        if any(m.start() >= _HEAD_MIN for m in _CLAUSE_END.finditer(held)):
            return True
        if _TOOL_TALK.search(held) and len(held) < 80:
            return False  # could be explaining a tool: its name may come before the clause ends
        if is_japanese(held):
            return len(held) >= 2 * self._head_words
        return len(held.split()) > self._head_words

    @staticmethod
    def _may_be_echo(seen: str, asked: str, word_for_word: bool = False) -> bool:
        """Whether ``seen`` (the reply so far) may still turn out to be ``asked`` said back
        with little added (`echoes`): a start of it, after a few words at most
        ("日本語で" + "天気を教えて..."), or the whole of it with little after it so far.
        ``word_for_word``: only the very words count (small talk)."""
        little = 0 if word_for_word else len(asked) // 2
        at = seen.find(asked)
        if at >= 0:
            return len(seen) - len(asked) <= little
        return any(asked.startswith(seen[i:]) for i in range(min(little, len(seen) - 1) + 1))

    def _head_fault(self, whole: bool = False) -> Fault | None:
        """What is wrong with the reply's start (``whole``: the reply is all there)."""
        if whole and not folded(self._held) and not self._held.strip():
            return Fault.EMPTY
        if _PREFACE.search(self._held):
            return Fault.LEAK
        held = _announced(self._held)
        seen = folded(held)
        for request in self._requests:
            if small_talk(request):
                if whole and seen and folded(request).startswith(seen):
                    # "ありがとう、助かったよ" back, or its start ("ご丁寧に教えていただき、誠に。")
                    return Fault.ECHO
                continue
            if echoes(held, request):
                return Fault.ECHO
            if whole and seen and folded(request).startswith(seen) and len(seen) >= _ECHO_MIN["en"]:
                return Fault.ECHO  # (the whole reply is a start of the request)
        if (
            whole
            and len(seen) >= _ECHO_MIN["en"]
            and any(folded(h).startswith(seen) for h in self._hint_sentences)
        ):
            return Fault.LEAK  # the whole reply is a start of a hint ("Now answer the ...")
        if whole and _JSON_LITERAL.fullmatch(self._held):
            return Fault.CALL  # "天気を教えてもらえますか？" -> "true"
        if (
            whole
            and self._question
            and seen == folded(self._question)
            and _QUESTION_END.search(self._held)
        ):
            return Fault.ECHO  # a short question, back: "今何時？" -> "今何時？"
        fault = unfit(self._held, self._tools, self._hints)
        if fault is None and self._japanese and not is_japanese(self._held):
            return Fault.LANGUAGE
        return fault


def _sentences(hints: Iterable[str]) -> list[str]:
    """The sentences of ``hints`` (12 characters or more), without brackets or stops: the
    model drops the brackets ("Call a tool if one fits.")."""
    pieces = (p.strip("()（）「」 .。") for h in hints for p in re.split(r"[.。!?！？]", h))
    return [p for p in pieces if len(p) >= 12]


def _announced(text: str) -> str:
    """``text`` after a preface that ends in a colon ("Here's the response:"), if it has one."""
    match = re.search(r"[:：]", text)
    rest = text[match.end() :].strip(" \t\n\"'「『-") if match else ""
    return rest if rest else text
