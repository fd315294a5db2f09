"""What the engine says: the reply stream behind a response, and the early reply.

`engine_reply` turns a response's options and items into the engine's stream of spoken
clauses and tool calls. `EarlyReply` starts that stream on the transcript of a pause that
sounds final, before the turn is confirmed; it is used only if the confirmed turn says the same
words to the same conversation, and otherwise dropped unseen.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from ..engine.engine import Stages
from ..engine.responder import ResponseChunk, respond
from ..engine.speculation import SpeculativeReply
from ..engine.tts import resolve_voice
from .commands import Transcribe
from .conversation import to_messages, tool_specs
from .response import ResponseOptions

__all__ = ["EarlyReply", "engine_reply", "prepare", "transcribe", "warm_up"]

logger = logging.getLogger("kaiwa.core")


def engine_reply(
    engine: Stages,
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
    engine: Stages,
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
            _ = getattr(engine.tts, "japanese", None)
    except Exception:
        logger.warning("warming up the engine failed", exc_info=True)


def prepare(engine: Stages, instructions: str, tools: Sequence[Mapping[str, Any]]) -> int:
    """Blocking, best effort: have the LLM evaluate ``instructions`` and ``tools`` (in the
    ``session.update`` shape) while it is idle, for settings a session may switch to (a
    handoff's agent), so that its first reply finds them evaluated. Returns the tokens
    evaluated (0 for an LLM that cannot, or when other work waited); failures are logged."""
    make_ready = getattr(engine.llm, "prepare", None)
    if make_ready is None:
        return 0
    try:
        return int(make_ready(to_messages(instructions, ()), tool_specs(tools)))
    except Exception:
        logger.warning("preparing the LLM for other settings failed", exc_info=True)
        return 0


async def transcribe(engine: Stages, command: Transcribe) -> tuple[str, Exception | None]:
    """A committed turn's words: the listener's transcription already under way, or a new
    one; with the error if recognition failed (the words are then empty)."""
    running = command.running
    try:
        if isinstance(running, asyncio.Task) and not running.cancelled():
            result = await running
        else:
            recognizer = await asyncio.to_thread(engine.recognizer, command.language)
            result = await asyncio.to_thread(
                recognizer.transcribe,
                command.audio,
                language=command.language,
                prompt=command.prompt,
            )
    except Exception as exc:
        return "", exc
    return str(result.text), None


class EarlyReply:
    """A reply begun before the user's turn is confirmed (see the module docstring)."""

    def __init__(self, engine: Stages) -> None:
        self._engine = engine
        self._starts = itertools.count()
        self._key = ""
        self._basis: tuple[ResponseOptions, Sequence[Mapping[str, Any]]] | None = None
        self._spec: SpeculativeReply[ResponseChunk] = SpeculativeReply(self._make)
        self._usage: dict[str, int] = {}

    def start(self, options: ResponseOptions, items: Sequence[Mapping[str, Any]]) -> None:
        """Start answering ``items`` (replacing any early reply)."""
        self._basis = (options, items)
        # Made here, not when the reply's task first runs: a `take` that comes before then
        # (the turn confirmed at once) must get the dict the reply will fill.
        self._usage = {}
        self._key = str(next(self._starts))
        self._spec.start(self._key)

    def _make(self, key: str) -> AsyncIterator[ResponseChunk]:
        assert self._basis is not None
        options, items = self._basis
        return engine_reply(self._engine, options, items, self._usage)

    def take(self) -> tuple[AsyncIterator[ResponseChunk], dict[str, int]]:
        """The early reply and its usage counts (a fresh reply to the same items if it was
        dropped meanwhile)."""
        return self._spec.take(self._key), self._usage

    def cancel(self) -> None:
        self._spec.cancel()
