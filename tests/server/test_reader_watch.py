"""The watch on a client's reading (`kaiwa.server.pump.watch_reader`), on a stand-in
connection (a test fixture: only the counters the watch reads)."""

from __future__ import annotations

import asyncio

import pytest

from kaiwa.server.pump import watch_reader


class Counters:
    """A test fixture standing in for a `RealtimeConnection`: events taken and waiting."""

    def __init__(self, waiting: int) -> None:
        self.events_taken = 0
        self.events_waiting = waiting
        self.stalled = False

    def close_stalled(self) -> None:
        self.stalled = True


async def test_a_client_that_takes_nothing_while_events_wait_is_closed() -> None:
    conn = Counters(waiting=256)
    await asyncio.wait_for(watch_reader(conn, 0.2), 30)  # type: ignore[arg-type]
    assert conn.stalled


async def test_a_slow_reader_and_an_idle_client_are_left_alone() -> None:
    slow, idle = Counters(waiting=256), Counters(waiting=0)

    async def read_slowly() -> None:
        while True:
            await asyncio.sleep(0.05)
            slow.events_taken += 1

    reader = asyncio.create_task(read_slowly())
    try:
        for conn in (slow, idle):
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(watch_reader(conn, 2.0), 3.0)  # type: ignore[arg-type]
            assert not conn.stalled
    finally:
        reader.cancel()
