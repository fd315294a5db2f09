"""A bounded queue of session events that can drop a cancelled response's queued audio."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

from .exceptions import InvalidState

T = TypeVar("T")

__all__ = ["EventQueue"]


class EventQueue(Generic[T]):
    """FIFO with a bound. `put` waits for room (backpressure on the model's reader);
    `put_nowait` is for events the application causes itself (an interrupt, a tool output),
    which must not wait on the application's own reading: they may use a small headroom above
    the bound, and past it raise `InvalidState` rather than grow without limit.
    """

    def __init__(
        self, maxsize: int = 1024, headroom: int = 256, *, overrun: str | None = None
    ) -> None:
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._limit = maxsize + headroom
        self._not_empty = asyncio.Event()
        self._not_full = asyncio.Event()
        self._not_full.set()
        self._closed = False
        self._overrun = overrun or (
            "{n} session events are waiting to be read: "
            "iterate the session (`async for event in session`) to consume them"
        )

    def __len__(self) -> int:
        return len(self._items)

    async def put(self, item: T) -> None:
        """Append, waiting while the queue is full."""
        while len(self._items) >= self._maxsize and not self._closed:
            self._not_full.clear()
            await self._not_full.wait()
        self._append(item)

    async def room(self) -> None:
        """Wait while the queue is full (or return at once when it is closed)."""
        while len(self._items) >= self._maxsize and not self._closed:
            self._not_full.clear()
            await self._not_full.wait()

    def put_nowait(self, item: T) -> None:
        """Append now, using the headroom if needed.

        Raises:
            InvalidState: even the headroom is full: nobody reads the session's events.
        """
        if len(self._items) >= self._limit:
            raise InvalidState(self._overrun.format(n=len(self._items)))
        self._append(item)

    def _append(self, item: T) -> None:
        self._items.append(item)
        self._not_empty.set()

    async def get(self) -> T | None:
        """The next item, waiting for one; None once closed and drained."""
        while not self._items:
            if self._closed:
                return None
            self._not_empty.clear()
            await self._not_empty.wait()
        item = self._items.popleft()
        if len(self._items) < self._maxsize:
            self._not_full.set()
        return item

    def discard(self, predicate: Callable[[T], bool]) -> int:
        """Remove every queued item matching ``predicate``; returns how many."""
        kept = deque(item for item in self._items if not predicate(item))
        removed = len(self._items) - len(kept)
        self._items = kept
        if len(self._items) < self._maxsize:
            self._not_full.set()
        return removed

    def close(self) -> None:
        """No more items will come: waiting readers get None once the queue drains."""
        self._closed = True
        self._not_empty.set()
        self._not_full.set()
