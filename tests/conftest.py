"""Shared fixtures: the scripted Realtime server (a test double) and event collection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from kaiwa import RealtimeSession
from kaiwa.testing import ScriptedRealtimeServer


@pytest.fixture
async def server() -> AsyncIterator[ScriptedRealtimeServer]:
    async with ScriptedRealtimeServer(api_key="test-key") as srv:
        yield srv


@pytest.fixture
def model_config(server: ScriptedRealtimeServer) -> dict[str, Any]:
    return {"url": server.url + "?model=gpt-realtime", "api_key": "test-key"}


async def collect(
    session: RealtimeSession,
    until: Callable[[Any], bool],
    *,
    timeout: float = 10.0,
    on_event: Callable[[Any], Any] | None = None,
) -> list[Any]:
    """Events from the session up to and including the first for which ``until`` is true."""
    events: list[Any] = []

    async def run() -> None:
        async for event in session:
            events.append(event)
            if on_event is not None:
                result = on_event(event)
                if asyncio.iscoroutine(result):
                    await result
            if until(event):
                return
        raise AssertionError(f"session ended before the expected event; got {types(events)}")

    await asyncio.wait_for(run(), timeout)
    return events


def types(events: list[Any]) -> list[str]:
    """Event types, without the raw model events."""
    return [e.type for e in events if e.type != "raw_model_event"]


def count_agent_end(n: int) -> Callable[[Any], bool]:
    seen = 0

    def check(event: Any) -> bool:
        nonlocal seen
        seen += event.type == "agent_end"
        return seen >= n

    return check


@pytest.fixture(scope="session")
def pulse() -> Any:
    """Virtual sound devices (a private PulseAudio server), also for this process."""
    import os

    from tests.pulse import pulse_server

    with pulse_server() as server:
        old = os.environ.get("PULSE_SERVER")
        os.environ["PULSE_SERVER"] = server.env["PULSE_SERVER"]
        _restart_portaudio()
        try:
            yield server
        finally:
            if old is None:
                os.environ.pop("PULSE_SERVER", None)
            else:
                os.environ["PULSE_SERVER"] = old
            _restart_portaudio()


def _restart_portaudio() -> None:
    """PortAudio lists the devices when it starts: start it again to see the new server."""
    import sys

    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()
