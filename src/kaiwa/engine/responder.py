"""The output side of a voice turn: LLM tokens -> clauses -> speech, as one cancellable stream.

The LLM runs in one worker thread and speech synthesis in another, so the model keeps writing
the next clause while the first is being spoken: the first audio comes after the first clause,
not after the whole answer. Cancelling (barge-in) stops both within one chunk.

The LLM never waits for the consumer: a client that stops reading pauses its response, and
the shared model must not pause with it (another session's turn would wait behind it). Its
text is kept (bounded by the token budget); speech is synthesised only `SYNTH_AHEAD` clauses
ahead of what was taken.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import inspect
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..audio.codecs import resample
from .chat import AsyncLLMStage, ChatMessage, LlmDelta, LLMStage, ToolCall, ToolChoice, ToolSpec
from .text import ClauseSplitter
from .tts import SpeechSynthesizer
from .worker import stream_in_thread

__all__ = ["ResponseChunk", "respond"]

_END = object()
SYNTH_AHEAD = 2
"""Clauses synthesised ahead of the one being played: the next is ready when it is due."""


@dataclass(frozen=True)
class ResponseChunk:
    """A spoken clause (its text and audio at the requested rate), or a tool call."""

    text: str = ""
    audio: npt.NDArray[np.float32] | None = None
    tool_call: ToolCall | None = None
    llm_first_token_at: float | None = None
    """On a reply's first chunk: `time.perf_counter()` when the LLM's first token came."""


@dataclass
class _Clause:
    text: str
    audio: asyncio.Future[npt.NDArray[np.float32]] | None = None
    """Its synthesis, once started (`SYNTH_AHEAD` clauses ahead of the consumer)."""


async def respond(
    llm: LLMStage,
    tts: SpeechSynthesizer | None,
    messages: Sequence[ChatMessage],
    tools: Sequence[ToolSpec] = (),
    *,
    tool_choice: ToolChoice = "auto",
    max_tokens: int = 256,
    speed: float = 1.0,
    rate: int = 24000,
    usage: dict[str, int] | None = None,
) -> AsyncIterator[ResponseChunk]:
    """Stream a reply: clauses with their audio (``tts=None``: text only), or tool calls.

    Leaving the loop early cancels the LLM and the synthesis. ``usage``, if given, receives
    token counts: ``input_tokens``, ``cached_tokens`` (of those, found in the KV cache) and
    ``output_tokens``.
    """
    counts = usage if usage is not None else {}
    splitter = ClauseSplitter()
    # What the producer has made and the consumer not taken yet: clauses, tool calls, an
    # error, the end. The producer never waits on it: the LLM is shared by every session, so
    # a consumer that stops (its client is not reading) must not hold it. Bounded all the
    # same, by the token budget.
    pending: collections.deque[object] = collections.deque()
    arrived = asyncio.Event()
    speaking: list[asyncio.Future[npt.NDArray[np.float32]]] = []

    first_clause = True
    first_token_at: float | None = None  # when the LLM's first token came
    # A voice written before `urgent` was part of the interface still works.
    ranked = tts is not None and _takes(tts.synthesize, "urgent")

    def synth(text: str, urgent: bool) -> npt.NDArray[np.float32]:
        assert tts is not None
        pieces = (
            tts.synthesize(text, speed=speed, urgent=urgent)
            if ranked
            else (tts.synthesize(text, speed=speed))
        )
        parts = list(pieces)
        audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return resample(audio, tts.sample_rate, rate)

    def top_up() -> None:
        """Synthesise the next `SYNTH_AHEAD` clauses waiting, no more: speech for a consumer
        that has stopped would be work (and memory) for nobody. The first clause is urgent
        (its user waits for it): it goes before other sessions' clauses made ahead."""
        nonlocal first_clause
        if tts is None:
            return
        ahead = 0
        for entry in pending:
            if not isinstance(entry, _Clause):
                continue
            if entry.audio is None:
                urgent, first_clause = first_clause, False
                entry.audio = asyncio.ensure_future(asyncio.to_thread(synth, entry.text, urgent))
                speaking.append(entry.audio)
            ahead += 1
            if ahead >= SYNTH_AHEAD:
                return

    def put(entry: object) -> None:
        if len(pending) > 4 * max_tokens + 64:  # about one entry per token at most
            raise RuntimeError("the reply made more pieces than its token budget allows")
        pending.append(entry)
        top_up()
        arrived.set()

    async def clause(text: str) -> None:
        entry = _Clause(text)
        put(entry)
        if len(speaking) == 1 and entry.audio is speaking[0]:
            # The first audio is what the user waits for: let synthesis have the CPU to itself
            # (the LLM computes only the tokens asked for, so it idles meanwhile).
            await asyncio.wait([speaking[0]])

    async def produce() -> None:
        nonlocal first_token_at
        # Runs ahead of the consumer: the LLM writes clause 2 while clause 1 is synthesised.
        try:
            counts.setdefault("input_tokens", 0)
            counts.setdefault("cached_tokens", 0)
            counts["output_tokens"] = 0
            # An LLM stage written before `usage` was part of the interface still works.
            extra = {"usage": counts} if _takes(llm.stream, "usage") else {}
            deltas: AsyncGenerator[LlmDelta, None]
            if isinstance(llm, AsyncLLMStage):  # from the model's thread to the loop directly
                deltas = llm.astream(
                    messages, tools, tool_choice=tool_choice, max_tokens=max_tokens, usage=counts
                )
            else:  # a blocking stage: iterated in a thread of its own
                deltas = stream_in_thread(
                    lambda cancel: llm.stream(
                        messages,
                        tools,
                        tool_choice=tool_choice,
                        max_tokens=max_tokens,
                        cancel=cancel,
                        **extra,
                    ),
                    maxsize=0,
                )
            # Computed only as asked for: while the first clause is synthesised (below), the
            # model idles and synthesis has the CPU.
            async with contextlib.aclosing(deltas):  # leaving early stops the model
                async for delta in deltas:
                    if first_token_at is None:
                        first_token_at = time.perf_counter()
                    counts["output_tokens"] += 1
                    if delta.tool_call is not None:
                        put(delta.tool_call)
                    for text in splitter.push(delta.text):
                        await clause(text)
            for text in splitter.flush():
                await clause(text)
        except Exception as exc:
            pending.append(exc)
        finally:
            pending.append(_END)  # no wait: nothing can block the end
            arrived.set()

    stamped = False  # the first chunk carries `first_token_at`

    def stamp() -> float | None:
        nonlocal stamped
        if stamped:
            return None
        stamped = True
        return first_token_at

    producer = asyncio.get_running_loop().create_task(produce())
    try:
        while True:
            while not pending:
                arrived.clear()
                await arrived.wait()
            item = pending.popleft()
            top_up()
            if item is _END:
                break
            if isinstance(item, Exception):
                raise item
            if isinstance(item, ToolCall):
                yield ResponseChunk(tool_call=item, llm_first_token_at=stamp())
                continue
            assert isinstance(item, _Clause)
            audio = await item.audio if item.audio is not None else None
            yield ResponseChunk(text=item.text, audio=audio, llm_first_token_at=stamp())
    finally:
        producer.cancel()
        for future in speaking:
            future.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await producer


def _takes(method: Callable[..., object], name: str) -> bool:
    """Whether ``method`` accepts the keyword ``name``."""
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
