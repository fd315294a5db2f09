"""Answering before the turn is confirmed, and throwing the answer away if the user goes on.

When the user pauses and the pause's transcript looks final, the reply can start at once: by
the time the end of the turn is confirmed (500 ms of silence with ``server_vad``), its first
audio is already made. If the user speaks again, or the confirmed transcript differs, the early
reply is cancelled and nothing of it is ever sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

__all__ = ["SpeculativeReply"]

T = TypeVar("T")
_END = object()


class SpeculativeReply(Generic[T]):
    """One reply that may start early. ``make(transcript)`` builds the reply stream."""

    def __init__(self, make: Callable[[str], AsyncIterator[T]], *, maxsize: int = 256) -> None:
        self._make = make
        self._maxsize = maxsize
        self._transcript: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[object] | None = None

    @property
    def transcript(self) -> str | None:
        """The transcript the early reply answers, if one is running."""
        return self._transcript

    def start(self, transcript: str) -> None:
        """Start replying to ``transcript`` in the background (replacing any earlier start)."""
        if self._transcript == transcript and self._task is not None:
            return
        self.cancel()
        self._transcript = transcript
        queue: asyncio.Queue[object] = asyncio.Queue(self._maxsize)
        self._queue = queue

        async def run() -> None:
            try:
                async for item in self._make(transcript):
                    await queue.put(item)
            except Exception as exc:
                await queue.put(exc)
            finally:
                await queue.put(_END)

        self._task = asyncio.get_running_loop().create_task(run())

    def cancel(self) -> None:
        """Drop the early reply (the user went on speaking)."""
        if self._task is not None:
            self._task.cancel()
        self._task, self._queue, self._transcript = None, None, None

    def take(self, transcript: str) -> AsyncIterator[T]:
        """The reply to the confirmed ``transcript``: the early one if it answers the same words,
        else a fresh one."""
        if self._task is None or self._queue is None or self._transcript != transcript:
            self.cancel()
            return self._make(transcript)
        task, queue = self._task, self._queue
        self._task, self._queue, self._transcript = None, None, None
        return _Drain(task, queue)


class _Drain(Generic[T]):
    """The early reply's items; closing it (even unstarted) stops the reply's task."""

    def __init__(self, task: asyncio.Task[None], queue: asyncio.Queue[object]) -> None:
        self._task, self._queue = task, queue

    def __aiter__(self) -> _Drain[T]:
        return self

    async def __anext__(self) -> T:
        item = await self._queue.get()
        if item is _END:
            await self.aclose()
            raise StopAsyncIteration
        if isinstance(item, Exception):
            await self.aclose()
            raise item
        return item  # type: ignore[return-value]

    async def aclose(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
