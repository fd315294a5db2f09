"""Running blocking, chunked work (a model's generator) off the event loop, cancellably."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Cancel", "OwnThread", "Turns", "stream_in_thread"]

T = TypeVar("T")
_DONE = object()


class Cancel:
    """A flag a worker checks between chunks; setting it stops the work within one chunk.

    Args:
        parent: a flag whose setting also counts as this one's.
    """

    def __init__(self, parent: Cancel | None = None) -> None:
        self._event = threading.Event()
        self._parent = parent

    def set(self) -> None:
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set() or (self._parent is not None and self._parent.is_set)


class Turns:
    """A lock taken in turns: urgent callers first, then first come first served. It says who
    waits, so a holder with more to do can let them go first. Also a context manager."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._urgent = 0
        self._held = False

    @property
    def waiting(self) -> int:
        """How many wait for their turn."""
        return len(self._queue)

    @property
    def urgent(self) -> int:
        """How many of those are urgent."""
        return self._urgent

    def acquire(self, cancel: Cancel | None = None, *, urgent: bool = False) -> bool:
        """Wait for our turn; ``False`` (and no turn) if ``cancel`` is set meanwhile. An
        ``urgent`` caller goes before every caller that is not."""
        if cancel is not None and cancel.is_set:
            return False
        me = object()
        with self._changed:
            if urgent:
                self._queue.insert(self._urgent, me)
                self._urgent += 1
            else:
                self._queue.append(me)
            try:
                while self._held or self._queue[0] is not me:
                    if cancel is not None and cancel.is_set:
                        self._changed.notify_all()  # the next in line may be first now
                        return False
                    # A cancel sets no condition: look at it every 50 ms.
                    self._changed.wait(0.05 if cancel is not None else None)
                self._held = True
                return True
            finally:
                self._queue.remove(me)
                self._urgent -= urgent

    def release(self) -> None:
        with self._changed:
            self._held = False
            self._changed.notify_all()

    def __enter__(self) -> Turns:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class OwnThread:
    """One thread that runs every call into a model, for libraries that want a single caller.

    llama.cpp (with OpenMP) keeps a team of worker threads for each thread that calls it; once
    two callers have teams, there are more OpenMP threads than cores, libgomp stops spinning at
    its barriers, and each token waits on hundreds of futex wake-ups (60 ms a token instead of
    39 here). Calling from one thread keeps one team.
    """

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._ident = self._executor.submit(threading.get_ident).result()

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the thread (blocking the caller until it is done).

        Not from a thread that is in the middle of an `iterate` on this same thread: the call
        would queue behind the paused iteration.
        """
        if threading.get_ident() == self._ident:
            return fn()  # already there: submitting would wait on itself
        return self._executor.submit(fn).result()

    def later(self, fn: Callable[[], object]) -> None:
        """Queue ``fn()`` to run on the thread after what is queued now; do not wait for it."""
        self._executor.submit(fn)

    def iterate(
        self, produce: Callable[[Cancel], Iterator[T]], *, cancel: Cancel | None = None
    ) -> Generator[T, None, None]:
        """Iterate ``produce(stop)`` on the thread, yielding its items to the caller (a
        blocking generator).

        The work advances only when the caller asks for the next item, as if it ran in the
        caller's thread: a consumer that pauses pauses the model too (it does not compute ahead
        into a buffer). ``stop`` is set by ``cancel`` and when the caller closes the generator
        early, which then waits for the work to stop.
        """
        stop = Cancel(parent=cancel)
        if threading.get_ident() == self._ident:
            yield from produce(stop)
            return
        # At most one item (see `wanted`) and the end marker: a put never blocks.
        items: queue.Queue[object] = queue.Queue(maxsize=2)
        wanted = threading.Semaphore(0)

        def asked() -> bool:
            while not wanted.acquire(timeout=0.05):
                if stop.is_set:
                    return False
            return not stop.is_set

        def work() -> None:
            generator = None
            try:
                while asked():
                    if generator is None:
                        generator = produce(stop)
                    try:
                        items.put(next(generator))
                    except StopIteration:
                        break
            except BaseException as exc:  # raised in the caller's thread
                items.put(_Failed(exc))
            finally:
                try:
                    close = getattr(generator, "close", None)
                    if close is not None:
                        close()  # on this thread, where the model's stream lives
                finally:
                    items.put(_DONE)

        done = self._executor.submit(work)
        try:
            while True:
                wanted.release()
                item = items.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item  # type: ignore[misc]
        finally:
            stop.set()
            wanted.release()  # wake the work if it waits to be asked
            if threading.get_ident() != self._ident:  # (closed by the collector, on the thread)
                done.result()


@dataclass(frozen=True)
class _Failed:
    error: BaseException


async def stream_in_thread(
    produce: Callable[[Cancel], Iterator[T]], *, maxsize: int = 64
) -> AsyncIterator[T]:
    """Iterate ``produce(cancel)`` in a worker thread, yielding its items on the event loop.

    The worker computes at most ``maxsize`` items beyond the one the consumer waits for; with
    0 it computes only what is asked for, so a consumer that stops to do something heavy
    (synthesising the first clause) has the CPU to itself meanwhile. Leaving the loop early
    (``break``, an exception, task cancellation) sets ``cancel`` and waits for the worker to
    stop, so no model keeps computing for nobody.
    """
    loop = asyncio.get_running_loop()
    # The semaphore bounds the items; the queue itself also carries the end marker or an error.
    queue: asyncio.Queue[object] = asyncio.Queue()
    cancel = Cancel()
    space = threading.Semaphore(maxsize)

    def put(item: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
            loop.call_soon_threadsafe(queue.put_nowait, item)

    def work() -> None:
        items: Iterator[T] | None = None
        try:
            items = iter(produce(cancel))
            while True:
                while not space.acquire(timeout=0.1):
                    if cancel.is_set:
                        return
                if cancel.is_set:
                    return
                try:
                    item = next(items)
                except StopIteration:
                    return
                put(item)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)
        finally:
            try:
                close = getattr(items, "close", None)
                if close is not None:
                    close()  # a generator's cleanup runs here, not wherever it is collected
            finally:
                put(_DONE)

    # A thread of its own, not the loop's default executor: a producer may wait long (for the
    # model's lock, for its consumer), and executor threads waiting so would leave none for the
    # short jobs (synthesis, VAD) its consumer waits on.
    worker: asyncio.Future[None] = loop.create_future()

    def run() -> None:
        try:
            work()
        finally:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, worker)

    threading.Thread(target=run, name="kaiwa-stream", daemon=True).start()
    try:
        while True:
            space.release()  # ask for the next item
            item = await queue.get()
            if item is _DONE:
                break
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        cancel.set()
        space.release()  # wake the worker if it waits for a permit
        await asyncio.shield(worker)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
