"""uvicorn's server with kaiwa's shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from types import FrameType

import uvicorn

__all__ = ["GentleServer"]


class GentleServer(uvicorn.Server):
    """On SIGTERM or SIGINT the app drains first (``drain(grace_s)``: new sessions refused,
    answers under way finished or cut, sockets closed with 1001), then uvicorn stops. A second
    signal stops at once. Unlike uvicorn, the signal is not raised again at the end, so the
    process exits with 0 rather than by the signal."""

    def __init__(
        self,
        config: uvicorn.Config,
        drain: Callable[[float], Awaitable[None]],
        grace_s: float,
    ) -> None:
        super().__init__(config)
        self._drain, self._grace_s = drain, grace_s
        self._draining: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()

        def on_signal(sig: int, frame: FrameType | None) -> None:
            if self._draining is not None:  # a second signal: stop now
                self.should_exit = self.force_exit = True
                return
            loop.call_soon_threadsafe(self._start_draining)

        signals = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, on_signal) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    def _start_draining(self) -> None:
        if self._draining is None:
            self._draining = asyncio.get_running_loop().create_task(self._finish())

    async def _finish(self) -> None:
        print("kaiwa serve: shutting down", file=sys.stderr, flush=True)
        try:
            await self._drain(self._grace_s)
        finally:
            self.should_exit = True
