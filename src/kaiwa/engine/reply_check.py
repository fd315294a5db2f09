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
released whole once it is checked. What to do with a reply found unfit (write the call it
meant, or answer again) is the model's business: see `kaiwa.engine.llm.LocalLLM`.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence

from .text import is_japanese

__all__ = ["Fault", "ReplyCheck", "echoes", "unfit"]


class Fault(enum.Enum):
    """Why a reply is not fit to be spoken."""

    ECHO = "echo"
    """It says the user's request back."""
    CALL = "call"
    """It spells out a tool call, or names a tool."""
    LEAK = "leak"
    """It reads out an instruction the engine or the chat template gave the model."""


_CALL_SHAPE = re.compile(
    r"""^\s*(?:[>(\[]\s*)?[{\[]\s*"|"name"\s*:|\bname\s*:\s*\w|\barguments\s*[:=]|^\s*\w+_\w+\s*\(""",
    re.IGNORECASE,
)
"""``{"name": ...``, ``>{...``, ``({...``, ``["get_order_status", ...``, ``name: book_table``,
``arguments: ...``, ``set_timer(minutes=30)``."""

_TEMPLATE_LEAKS = (
    "# Tools",
    "<tools>",
    "</tools>",
    "<tool_call>",
    "function signatures",
    "XML tag",
)
"""Pieces of Qwen's tool prompt, as the model sometimes reads them out."""

_PREFACE = re.compile(
    r"^\s*(?:以下|here(?:'s| is)|below is|the (?:response|answer|reply))[^:：\n]{0,60}[:：]",
    re.IGNORECASE,
)
"""A reply that opens by announcing itself ("以下に日本語で回答します：", "Here's the
response:"): the model writing a document about the request, not answering it."""

_PREFACE_START = re.compile(r"(?:以下|here|below|the (?:response|answer|reply))", re.IGNORECASE)

_TOOL_TALK = re.compile(r"\b(?:call|use|using|function|tool)s?\b|ツール|関数", re.IGNORECASE)
"""Words of a reply that explains a tool instead of using it ("You can call the get_weather
tool..."): the start of such a reply is held until its clause ends."""

_CLAUSE_END = re.compile(r"[.!?;:,。！？、；：…\n]\s*")
_HEAD_END = re.compile(r"[.!?;,。！？、；…]")
"""A clause's end that ends the reply's start too: not a colon, which opens what a preface
announces ("以下に日本語で回答します：" then the request said back)."""

_OVERLAP = 64
"""Characters of what went out that are checked again with the next clause."""

_ECHO_MIN = {"en": 12, "ja": 6}
"""Letters (English) or characters (Japanese) a request must have before saying it back counts
as an echo: "Hello." -> "Hello!" is an answer."""


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "", text)


def echoes(reply: str, request: str) -> bool:
    """Whether ``reply`` is ``request`` said back with little added (at most half as much
    again): "Largest ocean?" -> "Largest ocean is the Pacific Ocean." is an answer."""
    asked, said = _norm(request), _norm(reply)
    long_enough = len(asked) >= _ECHO_MIN["ja" if is_japanese(request) else "en"]
    return long_enough and asked in said and len(said) - len(asked) <= len(asked) // 2


def unfit(text: str, tools: Iterable[str], hints: Iterable[str]) -> Fault | None:
    """What makes ``text`` (a reply or a clause of one) unfit to be spoken: a call spelled out,
    a tool named (a name with an underscore: "get_weather", not "search"), a hint or the
    template read out; None when nothing does."""
    if any(p in text for p in _clauses(hints)) or any(p in text for p in _TEMPLATE_LEAKS):
        return Fault.LEAK
    if _CALL_SHAPE.search(text) or any("_" in name and name in text for name in tools):
        return Fault.CALL
    return None


class ReplyCheck:
    """Releases a reply's text once it is checked; stops at the first fault.

    Args:
        request: the user's last words (the hint the engine added to them excluded).
        tools: names of the tools the model was offered (a reply naming one is a call
            spelled out, or a tool explained).
        hints: instructions the engine added to the prompt; read out, they are a leak.
        head_words: words (or, in Japanese, characters / 2) after which the reply's start is
            released if nothing is wrong with it (the first spoken piece needs about as many).
    """

    def __init__(
        self,
        request: str,
        tools: Sequence[str],
        hints: Sequence[str],
        *,
        head_words: int = 3,
    ) -> None:
        self._request = request
        self._asked = _norm(request)
        self._echo_possible = len(self._asked) >= _ECHO_MIN["ja" if is_japanese(request) else "en"]
        self._tools = tuple(tools)
        self._hints = tuple(hints)
        self._hint_clauses = _clauses(hints)
        self._head_words = head_words
        self._held = ""
        self._released = False  # the head has gone out: later text goes clause by clause
        self.fault: Fault | None = None
        """The fault found, once one is: nothing more is released."""
        self.said = ""
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
            self._released = True  # the start goes out whole, the rest clause by clause
            return self._release(self._held)
        cut = 0
        for match in _CLAUSE_END.finditer(self._held):
            cut = match.end()
        if not cut:
            return ""
        return self._release(self._held[:cut])

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
        # with the end of what went out before: a tool's name may straddle the two
        # ("あなたは「g" then "et_weather」関数...")
        before = self.said[-_OVERLAP:]
        fault = unfit(before + text, self._tools, self._hints)
        if fault is not None and unfit(before, self._tools, self._hints) is not None:
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
        if re.search(r"[:：]\s*$", held):
            return False  # a colon: what it announces comes next
        if _PREFACE_START.match(held) and len(held) < 64 and not re.search(r"[:：]", held):
            return False  # could be announcing itself
        if self._echo_possible and self._asked.startswith(_norm(_announced(held))):
            return False  # still saying the request back, so far
        if _HEAD_END.search(held):
            return True
        if any(_norm(c).startswith(_norm(held)) for c in self._hint_clauses):
            return False  # could be reading out a hint
        if _TOOL_TALK.search(held) and len(held) < 80:
            return False  # could be explaining a tool: its name may come before the clause ends
        if is_japanese(held):
            return len(held) >= 2 * self._head_words
        return len(held.split()) > self._head_words

    def _head_fault(self, whole: bool = False) -> Fault | None:
        """What is wrong with the reply's start (``whole``: the reply is all there)."""
        if _PREFACE.search(self._held):
            return Fault.LEAK
        held = _announced(self._held)
        if self._echo_possible:
            seen = _norm(held)
            if seen and (seen.startswith(self._asked) or self._asked.startswith(seen)):
                return Fault.ECHO  # it opens with the request, or is a start of it
            if whole and echoes(held, self._request):  # (a start cannot tell "little added")
                return Fault.ECHO
        return unfit(self._held, self._tools, self._hints)


def _clauses(hints: Iterable[str]) -> list[str]:
    """The clauses of ``hints`` (12 characters or more), without brackets or stops: a reply
    checked clause by clause holds one at a time, and the model drops the brackets ("Call a
    tool if one fits.")."""
    pieces = (p.strip("()（）「」 .。、,") for h in hints for p in re.split(r"[.。!?！？,、]", h))
    return [p for p in pieces if len(p) >= 12]


def _announced(text: str) -> str:
    """``text`` after a preface that ends in a colon ("Here's the response:"), if it has one."""
    match = re.search(r"[:：]", text)
    rest = text[match.end() :].strip(" \t\n\"'「『-") if match else ""
    return rest if rest else text
