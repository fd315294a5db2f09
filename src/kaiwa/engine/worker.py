"""`ModelWorker`: the one thread that makes every call into a model, with a queue of jobs; and
`stream_in_thread`, a blocking generator's items on the event loop. Cancelling is a `Cancel`
(an event that wakes whatever waits on it); nothing polls.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import functools
import logging
import queue
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._threads import Cancel

__all__ = ["ModelWorker", "StepAside", "stream_in_thread"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
_DONE = object()


@dataclass(frozen=True)
class StepAside(Generic[T]):
    """Yielded by a `ModelWorker` job to let the jobs waiting go first: the worker closes the
    job's iterator and queues ``then`` (the rest of the work) behind them. The job's consumer
    sees nothing but a longer wait."""

    then: Callable[[Cancel], Iterator[T | StepAside[T]]]


class ModelWorker:
    """The one thread that makes every call into a model, running jobs one at a time from a
    queue: urgent jobs first, then first come first served; jobs for idle time (`when_idle`)
    only when no other waits.

    Why one thread: llama.cpp (with OpenMP) keeps a team of worker threads for each thread
    that calls it; once two callers have teams, there are more OpenMP threads than cores,
    libgomp stops spinning at its barriers, and each token waits on hundreds of futex wake-ups
    (60 ms a token instead of 39 here). Why a queue: the model is shared by every session, so
    who goes next is decided in one place, and a job that is cancelled while it waits leaves
    the queue at once.

    A streaming job (`iterate`, `aiterate`) produces only what its consumer asks for, and
    stops within one item when cancelled or closed. It may yield `StepAside` to let the jobs
    waiting go first (see `waiting`) and go on after them.
    """

    def __init__(self, name: str) -> None:
        self._changed = threading.Condition()
        self._queue: collections.deque[_Job] = collections.deque()
        self._idle: collections.deque[_IdleCall] = collections.deque()
        self._urgent = 0
        self._closed = False
        self._current: _Job | None = None
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()
        _workers.add(self)

    @property
    def waiting(self) -> int:
        """Jobs waiting for their turn."""
        return len(self._queue)

    @property
    def urgent(self) -> int:
        """Of those, the urgent ones."""
        return self._urgent

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the worker, when its turn comes (blocking the caller until it is done)."""
        if threading.get_ident() == self._thread.ident:
            return fn()  # already there: queueing would wait on itself
        done: Future[T] = Future()
        self._put(_Call(fn, done))
        return done.result()

    def when_idle(self, fn: Callable[[], T], default: T) -> T:
        """``fn()`` on the worker once no other job waits (blocking the caller until it is
        done), for work nobody waits for (`LocalLLM.prepare`). Such a job is not counted in
        `waiting`, so other jobs never step aside for it, and ``fn`` sees work arriving
        (``waiting``) and can give way. ``default`` if the worker closes before its turn."""
        if threading.get_ident() == self._thread.ident:
            return fn()
        done: Future[T] = Future()
        with self._changed:
            if self._closed:
                return default
            self._idle.append(_IdleCall(fn, done, default))
            self._changed.notify_all()
        return done.result()

    def later(self, fn: Callable[[], object]) -> None:
        """Run ``fn()`` on the worker next, before the jobs waiting; do not wait for it. For
        short work that follows the current job (its errors are logged, not raised; once the
        worker is closed, it is not run)."""
        with self._changed:
            if self._closed:
                return
            self._put(_Call(fn, None), first=True)

    def iterate(
        self,
        produce: Callable[[Cancel], Iterator[T | StepAside[T]]],
        *,
        cancel: Cancel | None = None,
        urgent: bool = False,
    ) -> Generator[T, None, None]:
        """Iterate ``produce(stop)`` on the worker, yielding its items to the caller (a
        blocking generator).

        The work advances only when the caller asks for the next item: a consumer that pauses
        pauses the job (it does not compute ahead into a buffer). ``stop`` is set by
        ``cancel`` and when the caller closes the generator early, which then waits for the
        work to stop.
        """
        stop = Cancel(parent=cancel)
        if threading.get_ident() == self._thread.ident:
            try:
                yield from _inline(produce, stop)
            finally:
                stop.detach()
            return
        items: queue.SimpleQueue[object] = queue.SimpleQueue()
        job = _Stream(produce, stop, items.put)
        try:
            self._put(job, urgent=urgent)
            try:
                while True:
                    job.ask()
                    item = items.get()
                    if item is _DONE:
                        return
                    if isinstance(item, _Failed):
                        raise item.error
                    yield item  # type: ignore[misc]
            finally:
                stop.set()
                while not job.over:  # wait for the work to stop
                    if items.get() is _DONE:
                        break
        finally:
            stop.detach()  # (a long-lived ``cancel`` must not keep this job alive)

    async def aiterate(
        self,
        produce: Callable[[Cancel], Iterator[T | StepAside[T]]],
        *,
        cancel: Cancel | None = None,
        urgent: bool = False,
    ) -> AsyncGenerator[T, None]:
        """`iterate` for the event loop: the items come to the loop from the worker directly.
        Leaving the loop early (``break``, an exception, the task cancelled) stops the work
        and waits until it has stopped."""
        loop = asyncio.get_running_loop()
        # Bounded by the lockstep: one item asked for, then the end (or an error).
        items: asyncio.Queue[object] = asyncio.Queue()
        finished: asyncio.Future[None] = loop.create_future()

        def deliver(item: object) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
                loop.call_soon_threadsafe(_arrive, items, finished, item)

        stop = Cancel(parent=cancel)
        job = _Stream(produce, stop, deliver)
        try:
            self._put(job, urgent=urgent)
            try:
                while True:
                    job.ask()
                    item = await items.get()
                    if item is _DONE:
                        return
                    if isinstance(item, _Failed):
                        raise item.error
                    yield item  # type: ignore[misc]
            finally:
                stop.set()
                await asyncio.shield(finished)
        finally:
            stop.detach()  # (a long-lived ``cancel`` must not keep this job alive)

    def close(self) -> None:
        """Stop the thread once the jobs queued now are done."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def shutdown(self, timeout: float = 30.0) -> None:
        """Cancel the streams queued or running, and wait (up to ``timeout`` s) for the thread
        to end. Done for every worker at interpreter exit: the model must not be freed while
        its thread is still inside it (a crash, not an error)."""
        self.close()
        with self._changed:
            jobs = [*self._queue, *([self._current] if self._current is not None else [])]
        for job in jobs:
            if isinstance(job, _Stream):
                job.stop.set()  # its consumer (an event loop) may be gone: nobody will ask
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _put(
        self, job: _Job, *, urgent: bool = False, first: bool = False, again: bool = False
    ) -> None:
        with self._changed:
            if self._closed and not again:
                raise RuntimeError("the model's worker is closed")
            if first:
                self._queue.appendleft(job)
            elif urgent:
                # After the urgent jobs waiting (and after a `later` job at the front).
                at = self._urgent + sum(1 for j in self._queue if j.first)
                self._queue.insert(at, job)
            else:
                self._queue.append(job)
            job.first, job.urgent = first, urgent and not first
            self._urgent += job.urgent
            self._changed.notify_all()
        if isinstance(job, _Stream):
            job.stop.on_set(functools.partial(self._withdraw, job))

    def _withdraw(self, job: _Job) -> None:
        """A cancelled job that has not begun leaves the queue now, not when its turn comes."""
        with self._changed:
            try:
                self._queue.remove(job)
            except ValueError:
                return  # running, or done
            self._urgent -= job.urgent
        job.abandon()

    def _serve(self) -> None:
        while True:
            with self._changed:
                while not self._queue and not (self._idle and not self._closed):
                    if self._closed:
                        for idle in self._idle:
                            idle.abandon()
                        self._idle.clear()
                        return
                    self._changed.wait()
                job: _Job = self._queue.popleft() if self._queue else self._idle.popleft()
                self._urgent -= job.urgent
                self._current = job
            then = job.run()
            with self._changed:  # (one step: `shutdown` sees the job queued or current)
                self._current = None
                if then is not None:  # it steps aside: the rest waits behind the others
                    self._put(then, again=True)
            del job, then  # nothing of a finished job is kept while the worker waits


_workers: weakref.WeakSet[ModelWorker] = weakref.WeakSet()


@atexit.register
def _shut_down_workers() -> None:
    for worker in list(_workers):
        worker.shutdown()


class _Job:
    urgent = False
    first = False

    def run(self) -> _Job | None:
        """Do the work (on the worker); return what is left of it, to queue again."""
        raise NotImplementedError

    def abandon(self) -> None:
        """Withdrawn before it began."""


class _Call(_Job):
    def __init__(self, fn: Callable[[], object], done: Future[Any] | None) -> None:
        self._fn = fn
        self._done = done

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:
            if self._done is None:
                logger.exception("a job queued for later failed")
            else:
                self._done.set_exception(exc)
        else:
            if self._done is not None:
                self._done.set_result(result)
        self._fn, self._done = _nothing, None  # what it held can go
        return None


class _IdleCall(_Call):
    """A `ModelWorker.when_idle` job: its ``default`` if it never runs."""

    def __init__(self, fn: Callable[[], object], done: Future[Any], default: object) -> None:
        super().__init__(fn, done)
        self._default = default

    def abandon(self) -> None:
        done, self._done = self._done, None
        if done is not None and not done.done():
            done.set_result(self._default)


class _Stream(_Job):
    def __init__(
        self,
        produce: Callable[[Cancel], Iterator[Any]],
        stop: Cancel,
        deliver: Callable[[object], None],
    ) -> None:
        self._produce = produce
        self.stop = stop
        self._deliver = deliver
        # The consumer's requests; a cancel counts as one, to wake the work and end it.
        self._asked = threading.Semaphore(0)
        self.over = False
        stop.on_set(self._asked.release)

    def ask(self) -> None:
        self._asked.release()

    def abandon(self) -> None:
        self._end()

    def _end(self) -> None:
        self.over = True
        self._deliver(_DONE)
        self._produce = _no_items  # what it held (a model, a conversation) can go

    def run(self) -> _Job | None:
        items: Iterator[Any] | None = None
        try:
            while True:
                self._asked.acquire()
                if self.stop.is_set:
                    break
                if items is None:
                    items = iter(self._produce(self.stop))
                try:
                    item = next(items)
                except StopIteration:
                    break
                if isinstance(item, StepAside):
                    self._asked.release()  # the request is still to be answered
                    self._produce = item.then
                    return self
                self._deliver(item)
        except BaseException as exc:  # raised in the consumer
            self._deliver(_Failed(exc))
        finally:
            if items is not None:
                close = getattr(items, "close", None)
                if close is not None:
                    try:
                        close()  # on this thread, where the model's stream lives
                    except Exception:
                        logger.exception("closing a model's stream failed")
        self._end()
        return None


def _nothing() -> None:
    return None


def _no_items(stop: Cancel) -> Iterator[Any]:
    return iter(())


def _inline(produce: Callable[[Cancel], Iterator[T | StepAside[T]]], stop: Cancel) -> Iterator[T]:
    """A job run where it is asked for (on the worker itself): a step aside goes straight on."""
    while True:
        items = produce(stop)
        try:
            for item in items:
                if isinstance(item, StepAside):
                    produce = item.then
                    break
                yield item
            else:
                return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()


def _arrive(items: asyncio.Queue[object], finished: asyncio.Future[None], item: object) -> None:
    items.put_nowait(item)
    if item is _DONE and not finished.done():
        finished.set_result(None)


@dataclass(frozen=True)
class _Failed:
    error: BaseException


async def stream_in_thread(
    produce: Callable[[Cancel], Iterator[T]], *, maxsize: int = 64
) -> AsyncGenerator[T, None]:
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
                space.acquire()  # a permit: asked for, or released by the cancel
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
