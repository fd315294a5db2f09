"""The reply stream with scripted stand-ins for the LLM and the voice (test fixtures, named
so): what it asks of the shared model when its consumer stops reading."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from kaiwa.engine.chat import ChatMessage, LlmDelta, ToolSpec
from kaiwa.engine.responder import SYNTH_AHEAD, respond

CLAUSES = 60


class ScriptedLLM:
    """A test fixture: writes ``CLAUSES`` short sentences, holding a lock while it writes (as
    the real model does), and says when it has finished."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.finished = threading.Event()

    def stream(
        self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] = (), **_: Any
    ) -> Iterator[LlmDelta]:
        with self.lock:
            for i in range(CLAUSES):
                yield LlmDelta(text=f"Sentence number {i} is here. ")
        self.finished.set()


class ScriptedVoice:
    """A test fixture: 10 ms of silence per clause; records what it was asked to say."""

    sample_rate = 24000

    def __init__(self) -> None:
        self.said: list[str] = []

    def synthesize(self, text: str, *, speed: float = 1.0, cancel: Any = None) -> Iterator[Any]:
        self.said.append(text)
        yield np.zeros(240, np.float32)


async def test_a_consumer_that_stops_reading_does_not_hold_the_model() -> None:
    llm, voice = ScriptedLLM(), ScriptedVoice()
    chunks = respond(llm, voice, [ChatMessage("user", "Talk for a while.")], max_tokens=400)
    try:
        first = await anext(chunks)  # then the consumer stops, as a client that does not read
        assert first.text.startswith("Sentence number 0")
        # The model finishes the reply for nobody waiting: another session may use it now.
        assert await asyncio.to_thread(llm.finished.wait, 60)
        assert llm.lock.acquire(timeout=60)
        llm.lock.release()
        await check_the_rest(chunks, voice)
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]


async def check_the_rest(chunks: Any, voice: ScriptedVoice) -> None:
    # Speech was made only a little ahead of what was taken.
    await asyncio.sleep(0.2)  # let any synthesis that was started run (none more should)
    assert len(voice.said) <= 1 + SYNTH_AHEAD
    # Reading on, nothing was lost.
    rest = [chunk async for chunk in chunks]
    assert len(rest) == CLAUSES - 1
    assert [c.text for c in rest][-1].startswith(f"Sentence number {CLAUSES - 1}")
    assert all(c.audio is not None and c.audio.size == 240 for c in rest)
    assert len(voice.said) == CLAUSES


class RankedVoice(ScriptedVoice):
    """A test fixture: a voice that takes ``urgent``, and records it."""

    def __init__(self) -> None:
        super().__init__()
        self.urgent: list[bool] = []

    def synthesize(
        self, text: str, *, speed: float = 1.0, cancel: Any = None, urgent: bool = False
    ) -> Iterator[Any]:
        self.urgent.append(urgent)
        yield from super().synthesize(text, speed=speed, cancel=cancel)


async def test_only_the_first_clause_asks_the_shared_voice_to_go_first() -> None:
    voice = RankedVoice()
    chunks = respond(ScriptedLLM(), voice, [ChatMessage("user", "Talk.")], max_tokens=400)
    said = [chunk.text async for chunk in chunks]
    assert len(said) == CLAUSES
    assert voice.urgent == [True] + [False] * (CLAUSES - 1)


async def test_a_voice_without_urgent_still_speaks() -> None:
    voice = ScriptedVoice()  # its synthesize() takes no `urgent`
    chunks = respond(ScriptedLLM(), voice, [ChatMessage("user", "Talk.")], max_tokens=400)
    assert len([chunk async for chunk in chunks]) == CLAUSES


class WorkerLLM:
    """A test fixture with the local model's shape: its deltas come from a `ModelWorker`
    through ``astream`` (the responder must use it, and close it when it stops early)."""

    def __init__(self) -> None:
        from kaiwa.engine.worker import ModelWorker

        self.worker = ModelWorker("test-llm")
        self.made = 0
        self.stopped = threading.Event()
        self.waited_out = False  # the long reply ran its 30 s instead of being stopped

    def _produce(self, stop: Any) -> Iterator[LlmDelta]:
        try:
            for i in range(3):
                self.made += 1
                yield LlmDelta(text=f"Sentence number {i} is here. ")
            stop_set = threading.Event()
            stop.on_set(stop_set.set)
            self.waited_out = not stop_set.wait(30)  # a long reply, under way until stopped
        finally:
            self.stopped.set()

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[LlmDelta]:
        raise AssertionError("the responder should use astream")

    def astream(self, *args: Any, **kwargs: Any) -> Any:
        return self.worker.aiterate(self._produce, urgent=True)


async def test_a_stage_with_astream_is_read_on_the_loop_and_stopped_when_left() -> None:
    from kaiwa.engine.chat import AsyncLLMStage

    llm, voice = WorkerLLM(), ScriptedVoice()
    assert isinstance(llm, AsyncLLMStage)
    chunks = respond(llm, voice, [ChatMessage("user", "Talk.")], max_tokens=400)
    first = await anext(chunks)
    assert first.text.startswith("Sentence number 0") and first.llm_first_token_at is not None
    second = await anext(chunks)
    assert second.llm_first_token_at is None  # only the first chunk carries it
    await chunks.aclose()  # type: ignore[attr-defined]
    # The work had stopped when aclose returned, by the cancel, not by its 30 s running out.
    # Whether the third delta had been asked for by then depends on the machine's load (the
    # responder reads ahead of its consumer): stopped before it, or in the long wait after.
    assert llm.stopped.is_set() and not llm.waited_out
    assert llm.made in (2, 3)
    llm.worker.close()
