"""What the engine says: the reply stream behind a response, and the early reply.

`engine_reply` turns a response's options and items into the engine's stream of spoken
clauses and tool calls. `EarlyReply` starts that stream on the transcript of a pause that
sounds final, before the turn is confirmed; it is used only if the confirmed turn says the same
words to the same conversation, and otherwise dropped unseen.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from ..engine.engine import Engine
from ..engine.responder import ResponseChunk, respond
from ..engine.speculation import SpeculativeReply
from ..engine.tts import resolve_voice
from .conversation import Conversation, to_messages, tool_specs
from .response import ResponseOptions

__all__ = ["EarlyReply", "engine_reply", "response_items", "warm_up"]

logger = logging.getLogger("kaiwa.core")


def engine_reply(
    engine: Engine,
    options: ResponseOptions,
    items: Sequence[Mapping[str, Any]],
    usage: dict[str, int],
) -> AsyncIterator[ResponseChunk]:
    """The engine's reply to ``items`` (``usage`` receives the token counts)."""
    _, rate = resolve_voice(options.voice)
    return respond(
        engine.llm,
        engine.tts if options.audio else None,
        to_messages(options.instructions, items),
        tool_specs(options.tools),
        tool_choice=options.tool_choice,
        max_tokens=options.max_tokens,
        speed=rate * options.speed,
        rate=options.rate,
        usage=usage,
    )


def warm_up(
    engine: Engine,
    options: ResponseOptions,
    items: Sequence[Mapping[str, Any]],
    language: str | None,
) -> None:
    """Blocking: load and prime what the next reply will need, so it does not wait for it:
    the LLM evaluates the instructions and tools, the recognizer and voice for ``language``
    load. Failures are logged; the reply would meet them again and report them."""
    try:
        warm = getattr(engine.llm, "warm", None)
        if warm is not None:
            warm(to_messages(options.instructions, items), tool_specs(options.tools))
        engine.recognizer(language)
        if language is not None and language.startswith("ja"):
            _ = engine.tts.japanese
    except Exception:
        logger.warning("warming up the engine failed", exc_info=True)


def response_items(
    conversation: Conversation, options: ResponseOptions
) -> Sequence[Mapping[str, Any]]:
    """What a response answers: the conversation, or the ``input`` it was given (items, and
    references to conversation items).

    Raises:
        ItemError: a reference to an item that is not in the conversation.
    """
    if options.input_items is None:
        return conversation.items()
    items: list[Mapping[str, Any]] = []
    for ref in options.input_items:
        if ref.get("type") == "item_reference":
            items.append(conversation.get(ref["id"]))
        else:
            items.append(ref)
    return items


class EarlyReply:
    """A reply begun before the user's turn is confirmed (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._spec: SpeculativeReply[ResponseChunk] = SpeculativeReply(self._make)
        self._basis: tuple[ResponseOptions, Sequence[Mapping[str, Any]]] | None = None
        self._version = -1
        self._usage: dict[str, int] = {}

    def start(
        self,
        transcript: str,
        options: ResponseOptions,
        items: Sequence[Mapping[str, Any]],
        version: int,
    ) -> None:
        """Start answering ``transcript`` after ``items`` (the conversation at ``version``)."""
        self._basis, self._version = (options, items), version
        self._spec.start(transcript)

    def _make(self, transcript: str) -> AsyncIterator[ResponseChunk]:
        assert self._basis is not None
        options, items = self._basis
        user = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": transcript}],
        }
        self._usage = {}
        return engine_reply(self._engine, options, [*items, user], self._usage)

    def take(
        self, transcript: str, version: int
    ) -> tuple[AsyncIterator[ResponseChunk], dict[str, int]] | None:
        """The early reply and its usage counts, if it answers ``transcript`` after the
        conversation at ``version``; else None (and it is dropped)."""
        if self._spec.transcript != transcript or self._version != version:
            self.cancel()
            return None
        return self._spec.take(transcript), self._usage

    def cancel(self) -> None:
        self._spec.cancel()
