"""Reading a realtime connection in the background while a test sends to it."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np

from kaiwa.audio.codecs import float_to_pcm16, resample
from tests.checks import strict


class Recorder:
    """Collects every server event (checked with `strict`) from ``recv``, a coroutine function
    returning the next raw frame."""

    def __init__(self, recv: Callable[[], Awaitable[bytes | str]]) -> None:
        self.events: list[dict[str, Any]] = []
        self._recv = recv
        self._changed = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while True:
                self.events.append(strict(await self._recv()))
                self._changed.set()
        finally:
            self._changed.set()  # a waiter learns that the connection ended

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    async def wait(
        self,
        kind: str,
        where: Callable[[dict[str, Any]], bool] = lambda e: True,
        *,
        count: int = 1,
        timeout: float = 60,
    ) -> dict[str, Any]:
        """The ``count``-th event of ``kind`` matching ``where`` (waiting for it)."""

        async def find() -> dict[str, Any]:
            while True:
                found = [e for e in self.of(kind) if where(e)]
                if len(found) >= count:
                    return found[count - 1]
                if self._task.done():
                    self._task.result()  # raises what stopped the reader
                    raise AssertionError(f"connection ended before {kind}")
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(find(), timeout)
        except asyncio.TimeoutError:
            seen = [e["type"] for e in self.events][-30:]
            raise AssertionError(f"no {kind} within {timeout} s; last events: {seen}") from None

    async def close(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except (asyncio.CancelledError, Exception):
            pass


async def stream_speech(
    send: Callable[[str], Awaitable[Any]], audio16k: np.ndarray, *, chunk_ms: int = 40
) -> None:
    """Send 16 kHz float audio as 24 kHz pcm16 appends, paced at real time, as a microphone."""
    pcm = float_to_pcm16(resample(audio16k, 16000, 24000))
    step = 24000 * 2 * chunk_ms // 1000
    loop = asyncio.get_running_loop()
    start = loop.time()
    for n, offset in enumerate(range(0, len(pcm), step)):
        await send(base64.b64encode(pcm[offset : offset + step]).decode())
        await asyncio.sleep(max(0.0, start + (n + 1) * chunk_ms / 1000 - loop.time()))


def audio_ms(events: list[dict[str, Any]], bytes_per_ms: float = 48.0) -> float:
    """How long the ``response.output_audio.delta`` events play."""
    total = sum(
        len(base64.b64decode(e["delta"]))
        for e in events
        if e["type"] == "response.output_audio.delta"
    )
    return total / bytes_per_ms
