"""Running model work off the event loop: one thread per model, and work only on demand."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kaiwa.engine._threads import Cancel
from kaiwa.engine.worker import ModelWorker, StepAside, stream_in_thread
from tests.checks import until_idle_job_queued


@pytest.fixture
def worker() -> Iterator[ModelWorker]:
    worker = ModelWorker("test-worker")
    yield worker
    worker.close()


def hold(worker: ModelWorker) -> threading.Event:
    """Keep ``worker`` busy until the returned event is set (as another session's reply
    would), once it has begun."""
    release, busy = threading.Event(), threading.Event()

    def busy_until_released() -> None:
        busy.set()
        release.wait(30)

    worker.later(busy_until_released)
    assert busy.wait(10)
    return release


def test_every_call_runs_on_the_workers_one_thread(worker: ModelWorker) -> None:
    seen = {worker.call(threading.get_ident)}
    callers = [threading.Thread(target=lambda: seen.add(worker.call(threading.get_ident)))]
    callers.append(threading.Thread(target=lambda: seen.add(worker.call(threading.get_ident))))
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert len(seen) == 1
    assert seen != {threading.get_ident()}
    # A call made from the worker itself runs in place instead of waiting on itself.
    assert worker.call(lambda: worker.call(threading.get_ident)) in seen
    with pytest.raises(ZeroDivisionError):  # a call's error is raised in its caller
        worker.call(lambda: 1 / 0)
    assert worker.call(lambda: 2) == 2


def test_iterate_produces_on_the_worker_only_what_is_asked(worker: ModelWorker) -> None:
    home = worker.call(threading.get_ident)
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

    items = worker.iterate(produce)
    assert next(items) == 0
    time.sleep(0.2)  # a producer that ran ahead would have filled a buffer by now
    assert produced == [0]
    assert next(items) == 1
    items.close()
    assert produced == [0, 1]
    assert closed_on == [home]  # the generator was closed where it ran


def test_iterate_raises_the_producers_error_in_the_caller(worker: ModelWorker) -> None:
    def produce(stop: Cancel) -> Iterator[int]:
        yield 1
        raise ValueError("model broke")

    with pytest.raises(ValueError, match="model broke"):
        list(worker.iterate(produce))
    assert worker.call(lambda: 2) == 2  # the worker is still usable


def test_iterate_stops_when_the_caller_cancels(worker: ModelWorker) -> None:
    cancel = Cancel()
    produced: list[int] = []

    def produce(stop: Cancel) -> Iterator[int]:
        for i in range(10):
            produced.append(i)
            yield i

    items = worker.iterate(produce, cancel=cancel)
    assert next(items) == 0
    cancel.set()
    assert list(items) == []  # ends instead of asking the model for more
    assert produced == [0]


def _first_items(worker: ModelWorker, jobs: list[tuple[str, bool]]) -> list[str]:
    """Queue ``(name, urgent)`` jobs, in this order, behind a job holding the worker; the
    order they ran in."""
    order: list[str] = []
    release = hold(worker)

    def job(name: str) -> Callable[[Cancel], Iterator[str]]:
        def produce(stop: Cancel) -> Iterator[str]:
            order.append(name)
            yield name

        return produce

    consumers = []
    for name, urgent in jobs:
        items = worker.iterate(job(name), urgent=urgent)
        consumer = threading.Thread(target=list, args=(items,))
        consumer.start()
        consumers.append(consumer)
        while worker.waiting < len(consumers):  # queued in this order
            time.sleep(0.001)
    assert worker.urgent == sum(urgent for _, urgent in jobs)
    release.set()
    for consumer in consumers:
        consumer.join(10)
    assert (worker.waiting, worker.urgent) == (0, 0)
    return order


def test_jobs_run_in_order_with_urgent_ones_first(worker: ModelWorker) -> None:
    jobs = [("a", False), ("b", False), ("first", True), ("second", True), ("c", False)]
    assert _first_items(worker, jobs) == ["first", "second", "a", "b", "c"]


def test_a_job_cancelled_while_it_waits_leaves_the_queue_at_once(worker: ModelWorker) -> None:
    # Another session's reply holds the model; a barge-in on this one must not wait for it.
    release = hold(worker)
    cancel, ran = Cancel(), []
    got: list[list[int]] = []

    def produce(stop: Cancel) -> Iterator[int]:
        ran.append(1)
        yield 1

    consumer = threading.Thread(
        target=lambda: got.append(list(worker.iterate(produce, cancel=cancel, urgent=True)))
    )
    consumer.start()
    while not worker.waiting:
        time.sleep(0.001)
    cancel.set()
    consumer.join(10)  # ...while the worker is still held
    assert got == [[]] and not ran
    assert (worker.waiting, worker.urgent) == (0, 0)
    release.set()
    assert worker.call(lambda: 3) == 3


def test_a_job_steps_aside_for_the_ones_waiting_and_goes_on(worker: ModelWorker) -> None:
    order: list[str] = []
    other_waits = threading.Event()

    def long(stop: Cancel) -> Iterator[str | StepAside[str]]:
        yield "long 1"
        assert other_waits.wait(10)
        while not worker.waiting:
            time.sleep(0.001)
        yield StepAside(rest)

    def rest(stop: Cancel) -> Iterator[str]:
        yield "long 2"

    def short(stop: Cancel) -> Iterator[str]:
        yield "short"

    def read(items: Iterator[str]) -> None:
        for item in items:
            order.append(item)

    first = threading.Thread(target=read, args=(worker.iterate(long, urgent=True),))
    first.start()
    while not order:
        time.sleep(0.001)
    second = threading.Thread(target=read, args=(worker.iterate(short),))
    second.start()
    other_waits.set()
    first.join(10)
    second.join(10)
    assert order == ["long 1", "short", "long 2"]


def test_later_runs_before_the_jobs_waiting(worker: ModelWorker) -> None:
    release, order = hold(worker), []
    waiting = threading.Thread(target=lambda: worker.call(lambda: order.append("waiting")))
    waiting.start()
    while not worker.waiting:
        time.sleep(0.001)
    worker.later(lambda: order.append("later"))
    release.set()
    waiting.join(10)
    assert order == ["later", "waiting"]


def test_idle_jobs_run_when_no_other_waits_and_are_not_counted(worker: ModelWorker) -> None:
    release, order = hold(worker), []
    idle = threading.Thread(
        target=lambda: order.append(worker.when_idle(lambda: ("idle", worker.waiting), None))
    )
    idle.start()
    until_idle_job_queued(worker)
    assert worker.waiting == 0  # nobody steps aside for it
    queued = threading.Thread(target=lambda: worker.call(lambda: order.append("queued")))
    queued.start()
    while not worker.waiting:
        time.sleep(0.001)
    release.set()
    idle.join(10)
    queued.join(10)
    assert order == ["queued", ("idle", 0)]  # queued after it, served before it


def test_an_idle_job_gets_its_default_when_the_worker_closes(worker: ModelWorker) -> None:
    release, got = hold(worker), []
    idle = threading.Thread(target=lambda: got.append(worker.when_idle(lambda: "ran", "closed")))
    idle.start()
    until_idle_job_queued(worker)
    worker.close()
    release.set()
    idle.join(10)
    assert got == ["closed"]
    assert worker.when_idle(lambda: "ran", "closed") == "closed"


async def test_aiterate_brings_the_items_to_the_loop_and_stops_when_left(
    worker: ModelWorker,
) -> None:
    produced: list[int] = []
    stopped = threading.Event()

    def produce(stop: Cancel) -> Iterator[int]:
        try:
            for i in range(100):
                produced.append(i)
                yield i
        finally:
            stopped.set()

    items = worker.aiterate(produce)
    assert [await anext(items), await anext(items)] == [0, 1]
    await items.aclose()  # returns once the work has stopped
    assert stopped.is_set() and produced == [0, 1]

    # A consumer cancelled while it waits for its turn leaves the queue (the worker is held).
    release = hold(worker)
    ran: list[int] = []

    def waits(stop: Cancel) -> Iterator[int]:
        ran.append(1)
        yield 1

    task = asyncio.ensure_future(anext(worker.aiterate(waits)))
    while not worker.waiting:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert worker.waiting == 0 and not ran
    release.set()

    def broken(stop: Cancel) -> Iterator[int]:
        yield 1
        raise ValueError("model broke")

    with pytest.raises(ValueError, match="model broke"):
        [i async for i in worker.aiterate(broken)]


def test_a_cancel_sets_its_children_and_runs_its_callbacks() -> None:
    parent, seen = Cancel(), []
    child = Cancel(parent)
    forget = parent.on_set(lambda: seen.append("forgotten"))
    forget()
    child.on_set(lambda: seen.append("child"))
    parent.set()
    assert child.is_set and seen == ["child"]
    child.on_set(lambda: seen.append("late"))  # already set: at once
    assert seen == ["child", "late"]
    detached = Cancel(Cancel())
    detached.detach()
    assert not detached.is_set


@pytest.mark.parametrize("maxsize", [0, 1])
async def test_stream_in_thread_computes_at_most_maxsize_ahead(maxsize: int) -> None:
    produced: list[int] = []
    ahead = threading.Event()  # set once the producer has made what it may make ahead

    def produce(cancel: Any) -> Iterator[int]:
        for i in range(50):
            if cancel.is_set:
                return
            produced.append(i)
            if i == maxsize:
                ahead.set()
            yield i

    stream = stream_in_thread(produce, maxsize=maxsize)
    assert await anext(stream) == 0
    assert await asyncio.to_thread(ahead.wait, 10)
    await asyncio.sleep(0.2)  # the consumer is busy elsewhere: a producer running on would
    assert len(produced) == 1 + maxsize  # have made more by now
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


def test_shutdown_ends_the_streams_nobody_reads_and_the_thread(worker: ModelWorker) -> None:
    def endless(stop: Cancel) -> Iterator[int]:
        while True:
            yield 1

    running = worker.iterate(endless)
    assert next(running) == 1  # ...and nobody asks again: the worker waits for its reader
    queued = worker.iterate(endless)
    reader = threading.Thread(target=lambda: list(queued))  # waits in the queue behind it
    reader.start()
    while not worker.waiting:
        time.sleep(0.001)
    worker.shutdown(timeout=10)
    reader.join(10)
    assert not worker._thread.is_alive() and not reader.is_alive()
    running.close()


def test_the_interpreter_waits_for_the_workers_job_before_it_exits() -> None:
    # A model freed while its thread is still inside it crashes the process (a segfault at
    # the end of a run): the worker's job ends first.
    import subprocess
    import sys

    program = (
        "import time\n"
        "from kaiwa.engine.worker import ModelWorker\n"
        "w = ModelWorker('exit-test')\n"
        "def job():\n"
        "    time.sleep(0.5)\n"
        "    print('job done', flush=True)\n"
        "w.later(job)\n"
        "time.sleep(0.1)\n"  # the job is running when the program ends
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "job done\n"
