"""Running model work off the event loop: one thread per model, and work only on demand."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from kaiwa.engine._threads import Cancel, OwnThread, stream_in_thread


def test_own_thread_runs_every_call_on_the_same_thread() -> None:
    own = OwnThread("test-own")
    seen = {own.call(threading.get_ident)}
    callers = [threading.Thread(target=lambda: seen.add(own.call(threading.get_ident)))]
    callers.append(threading.Thread(target=lambda: seen.add(own.call(threading.get_ident))))
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert len(seen) == 1
    assert seen != {threading.get_ident()}
    # A call made from the thread itself runs in place instead of waiting on itself.
    assert own.call(lambda: own.call(threading.get_ident)) in seen


def test_iterate_produces_on_the_own_thread_only_what_is_asked() -> None:
    own = OwnThread("test-iterate")
    home = own.call(threading.get_ident)
    produced: list[int] = []
    closed_on: list[int] = []

    def produce(stop: Cancel) -> Iterator[int]:
        try:
            for i in range(100):
                assert threading.get_ident() == home
                produced.append(i)
                yield i
        finally:
            closed_on.append(threading.get_ident())

    items = own.iterate(produce)
    assert next(items) == 0
    time.sleep(0.2)  # a producer that ran ahead would have filled a buffer by now
    assert produced == [0]
    assert next(items) == 1
    items.close()
    assert produced == [0, 1]
    assert closed_on == [home]  # the generator was closed where it ran


def test_iterate_raises_the_producers_error_in_the_caller() -> None:
    own = OwnThread("test-error")

    def produce(stop: Cancel) -> Iterator[int]:
        yield 1
        raise ValueError("model broke")

    with pytest.raises(ValueError, match="model broke"):
        list(own.iterate(produce))
    assert own.call(lambda: 2) == 2  # the thread is still usable


def test_iterate_stops_when_the_caller_cancels() -> None:
    own = OwnThread("test-cancel")
    cancel = Cancel()
    produced: list[int] = []

    def produce(stop: Cancel) -> Iterator[int]:
        for i in range(10):
            produced.append(i)
            yield i

    items = own.iterate(produce, cancel=cancel)
    assert next(items) == 0
    cancel.set()
    assert list(items) == []  # ends instead of asking the model for more
    assert produced == [0]


@pytest.mark.parametrize("maxsize", [0, 1])
async def test_stream_in_thread_computes_at_most_maxsize_ahead(maxsize: int) -> None:
    produced: list[int] = []

    def produce(cancel: Any) -> Iterator[int]:
        for i in range(50):
            if cancel.is_set:
                return
            produced.append(i)
            yield i

    stream = stream_in_thread(produce, maxsize=maxsize)
    assert await anext(stream) == 0
    await asyncio.sleep(0.2)  # the consumer is busy elsewhere
    assert len(produced) == 1 + maxsize
    assert await anext(stream) == 1
    await stream.aclose()
    assert len(produced) <= 2 + maxsize


async def test_waiting_streams_leave_the_executor_to_short_jobs() -> None:
    # Producers that wait long (for the model's lock, for their consumer) must not take the
    # loop's default executor, which the consumers' own short jobs (synthesis, VAD) need.
    release = threading.Event()

    def produce(cancel: Any) -> Iterator[int]:
        while not release.wait(0.05):
            if cancel.is_set:
                return
        yield 1

    streams = [stream_in_thread(produce, maxsize=0) for _ in range(12)]
    waiting = [asyncio.ensure_future(anext(s)) for s in streams]
    await asyncio.sleep(0.2)
    try:
        assert await asyncio.wait_for(asyncio.to_thread(lambda: 42), timeout=5) == 42
    finally:
        release.set()
    assert [await w for w in waiting] == [1] * 12
    for s in streams:
        await s.aclose()


def test_turns_go_in_order_with_urgent_callers_first() -> None:
    from kaiwa.engine._threads import Turns

    turns, order = Turns(), []
    turns.acquire()

    def wait(name: str, urgent: bool) -> threading.Thread:
        def run() -> None:
            turns.acquire(urgent=urgent)
            order.append(name)
            turns.release()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    threads = []
    for name, urgent in [("a", False), ("b", False), ("first", True), ("second", True)]:
        threads.append(wait(name, urgent))
        while turns.waiting < len(threads):  # queued in this order
            time.sleep(0.001)
    assert (turns.waiting, turns.urgent) == (4, 2)
    turns.release()
    for thread in threads:
        thread.join(10)
    assert order == ["first", "second", "a", "b"]
    assert (turns.waiting, turns.urgent) == (0, 0)


def test_a_cancelled_wait_for_a_turn_leaves_the_line() -> None:
    from kaiwa.engine._threads import Turns

    turns, cancel = Turns(), Cancel()
    turns.acquire()
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(turns.acquire(cancel, urgent=True)))
    waiter.start()
    while not turns.waiting:
        time.sleep(0.001)
    cancel.set()
    waiter.join(10)
    assert got == [False] and (turns.waiting, turns.urgent) == (0, 0)
    turns.release()
    assert turns.acquire(Cancel())  # free for the next caller
