"""The output side of a voice turn: LLM tokens -> clauses -> speech, as one cancellable stream.

The LLM runs in one worker thread and speech synthesis in another, so the model keeps writing
the next clause while the first is being spoken: the first audio comes after the first clause,
not after the whole answer. Cancelling (barge-in) stops both within one chunk.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..audio.codecs import resample
from ._threads import stream_in_thread
from .chat import ChatMessage, LLMStage, ToolCall, ToolChoice, ToolSpec
from .text import ClauseSplitter
from .tts import SpeechSynthesizer

__all__ = ["ResponseChunk", "respond"]

_END = object()


@dataclass(frozen=True)
class ResponseChunk:
    """A spoken clause (its text and audio at the requested rate), or a tool call."""

    text: str = ""
    audio: npt.NDArray[np.float32] | None = None
    tool_call: ToolCall | None = None


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
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=32)
    speaking: list[asyncio.Future[npt.NDArray[np.float32]]] = []

    def synth(text: str) -> npt.NDArray[np.float32]:
        assert tts is not None
        parts = list(tts.synthesize(text, speed=speed))
        audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return resample(audio, tts.sample_rate, rate)

    async def clause(text: str) -> None:
        future = asyncio.ensure_future(asyncio.to_thread(synth, text)) if tts else None
        if future is not None:
            speaking.append(future)
        await queue.put((text, future))
        if future is not None and len(speaking) == 1:
            # The first audio is what the user waits for: let synthesis have the CPU to itself
            # (the LLM computes only the tokens asked for, so it idles meanwhile).
            await asyncio.wait([future])

    async def produce() -> None:
        # Runs ahead of the consumer: the LLM writes clause 2 while clause 1 is synthesised.
        try:
            async for delta in stream_in_thread(
                lambda cancel: llm.stream(
                    messages, tools, tool_choice=tool_choice, max_tokens=max_tokens, cancel=cancel
                ),
                maxsize=0,
            ):
                if not counts:
                    prompt = getattr(llm, "last_prompt_tokens", 0)
                    counts["input_tokens"] = prompt
                    counts["cached_tokens"] = prompt - getattr(llm, "last_evaluated_tokens", prompt)
                    counts["output_tokens"] = 0
                counts["output_tokens"] += 1
                if delta.tool_call is not None:
                    await queue.put(delta.tool_call)
                for text in splitter.push(delta.text):
                    await clause(text)
            for text in splitter.flush():
                await clause(text)
        except Exception as exc:
            await queue.put(exc)
        finally:
            await queue.put(_END)

    producer = asyncio.get_running_loop().create_task(produce())
    try:
        while (item := await queue.get()) is not _END:
            if isinstance(item, Exception):
                raise item
            if isinstance(item, ToolCall):
                yield ResponseChunk(tool_call=item)
                continue
            assert isinstance(item, tuple)
            text: str = item[0]
            future: asyncio.Future[npt.NDArray[np.float32]] | None = item[1]
            yield ResponseChunk(text=text, audio=await future if future is not None else None)
    finally:
        producer.cancel()
        for future in speaking:
            future.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await producer
