"""Running blocking, chunked work (a model's generator) off the event loop, cancellably."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

__all__ = ["Cancel", "stream_in_thread"]

T = TypeVar("T")
_DONE = object()


class Cancel:
    """A flag a worker checks between chunks; setting it stops the work within one chunk."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()


async def stream_in_thread(
    produce: Callable[[Cancel], Iterator[T]], *, maxsize: int = 64
) -> AsyncIterator[T]:
    """Iterate ``produce(cancel)`` in a worker thread, yielding its items on the event loop.

    The queue between them is bounded: a slow consumer pauses the producer. Leaving the loop
    early (``break``, an exception, task cancellation) sets ``cancel`` and waits for the worker
    to stop, so no model keeps computing for nobody.
    """
    loop = asyncio.get_running_loop()
    # The semaphore bounds the items; the queue itself also carries the end marker or an error.
    queue: asyncio.Queue[object] = asyncio.Queue()
    cancel = Cancel()
    space = threading.Semaphore(maxsize)

    def put(item: object) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def work() -> None:
        try:
            for item in produce(cancel):
                while not space.acquire(timeout=0.1):
                    if cancel.is_set:
                        return
                if cancel.is_set:
                    return
                put(item)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)
        finally:
            put(_DONE)

    worker = loop.run_in_executor(None, work)
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                break
            space.release()
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        cancel.set()
        await asyncio.shield(worker)
