"""The same agent flows through three doors: openai-agents and kaiwa's SDK against
``kaiwa serve`` over WebSocket, and kaiwa's SDK with the embedded engine (no key, no socket).

The two SDKs share their API, so each flow is written once and run with each.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pytest

from kaiwa.audio.codecs import float_to_pcm16, resample
from tests.checks import strict
from tests.speech import espeak, piper, silence

from .conftest import API_KEY, Served


@dataclass
class Door:
    name: str
    api: types.SimpleNamespace
    model_config: dict[str, Any]


def _kaiwa() -> types.SimpleNamespace:
    import kaiwa

    return types.SimpleNamespace(
        RealtimeAgent=kaiwa.RealtimeAgent,
        RealtimeRunner=kaiwa.RealtimeRunner,
        function_tool=kaiwa.function_tool,
    )


def _agents() -> types.SimpleNamespace:
    import agents
    import agents.realtime

    return types.SimpleNamespace(
        RealtimeAgent=agents.realtime.RealtimeAgent,
        RealtimeRunner=agents.realtime.RealtimeRunner,
        function_tool=agents.function_tool,
    )


@pytest.fixture(params=["openai-agents/served", "kaiwa/served", "kaiwa/embedded"])
def door(request: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Door]:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("KAIWA_REALTIME_URL", raising=False)
    if request.param != "kaiwa/embedded":
        served: Served = request.getfixturevalue("served")
        config = {"url": served.url, "api_key": API_KEY}
        api = _agents() if request.param.startswith("openai-agents") else _kaiwa()
        yield Door(request.param, api, config)
        return
    # No socket to read raw frames from: check every event as the connection makes it (and
    # fail at the end, since a check failing inside a callback could go unseen).
    from kaiwa.core.protocol import ServerProtocol

    stamp = ServerProtocol._stamp
    problems: list[str] = []

    def checked(self: ServerProtocol, event: dict[str, Any]) -> dict[str, Any]:
        out = stamp(self, event)
        try:
            strict(orjson.dumps(out))
        except Exception as exc:
            problems.append(f"{out.get('type')}: {exc}")
        return out

    monkeypatch.setattr(ServerProtocol, "_stamp", checked)
    yield Door(request.param, _kaiwa(), {})
    assert not problems, problems


@pytest.fixture
async def start(door: Door) -> AsyncIterator[Callable[..., Any]]:
    sessions: list[Any] = []

    async def open_session(agent: Any) -> Any:
        runner = door.api.RealtimeRunner(agent)
        session = await runner.run(model_config=door.model_config)
        await session.__aenter__()
        sessions.append(session)
        if door.name == "kaiwa/embedded":  # no key: the default model is the local engine
            assert type(session.model).__name__ == "LocalRealtimeModel"
        return session

    yield open_session
    for session in sessions:
        await session.__aexit__(None, None, None)


async def events_until(
    session: Any, stop: Callable[[Any, list[Any]], bool], timeout: float = 60
) -> list[Any]:
    seen: list[Any] = []

    async def read() -> None:
        async for event in session:
            seen.append(event)
            if event.type == "error":
                raise AssertionError(f"error event: {event.error}")
            if stop(event, seen):
                return

    try:
        await asyncio.wait_for(read(), timeout)
    except asyncio.TimeoutError:
        kinds = [
            getattr(e.data, "type", e.type) if e.type == "raw_model_event" else e.type for e in seen
        ]
        raw = [
            str(getattr(e.data, "data", ""))[:200] for e in seen[-8:] if e.type == "raw_model_event"
        ]
        said = [
            str(getattr(part, "transcript", None) or getattr(part, "text", None))
            for item in getattr(session, "history", [])
            for part in getattr(item, "content", None) or []
        ]
        raise AssertionError(
            f"timed out; saw {kinds[-25:]}; last raw {raw}; the conversation: {said}"
        ) from None
    return seen


async def eventually(session: Any, check: Callable[[], bool], timeout: float = 20) -> None:
    """Wait (reading events) until ``check()`` holds; the history fills in as events arrive."""
    if not check():
        try:
            await events_until(session, lambda e, _: check(), timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; assistant said {assistant_texts(session)}") from None


def assistant_texts(session: Any) -> list[str]:
    out = []
    for item in session._history:
        if getattr(item, "role", None) == "assistant":
            out.append(
                " ".join(
                    (getattr(c, "transcript", None) or getattr(c, "text", None) or "")
                    for c in item.content
                )
            )
    return out


async def test_a_text_message_is_answered(start: Any, door: Door) -> None:
    agent = door.api.RealtimeAgent(name="Assistant", instructions="Answer in one short sentence.")
    session = await start(agent)
    await session.send_message("What is the capital of France?")
    seen = await events_until(session, lambda e, _: e.type == "agent_end")
    assert any(e.type == "audio" for e in seen)
    await eventually(session, lambda: "paris" in " ".join(assistant_texts(session)).lower())


async def test_a_tool_is_called_and_its_result_used(start: Any, door: Door) -> None:
    calls: list[str] = []

    @door.api.function_tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city.

        Args:
            city: The city name.
        """
        calls.append(city)
        return f"The weather in {city} is sunny and 22 degrees Celsius."

    agent = door.api.RealtimeAgent(
        name="Assistant", instructions="You are a weather assistant.", tools=[get_weather]
    )
    session = await start(agent)
    await session.send_message("What's the weather in Paris?")
    seen = await events_until(
        session,
        lambda e, s: e.type == "agent_end" and any(x.type == "tool_end" for x in s),
    )
    assert [c.lower() for c in calls] == ["paris"]
    assert [e.type for e in seen].index("tool_start") < [e.type for e in seen].index("tool_end")
    await eventually(
        session, lambda: any("sunny" in t.lower() or "22" in t for t in assistant_texts(session))
    )


async def test_a_handoff_switches_agents(start: Any, door: Door) -> None:
    billing = door.api.RealtimeAgent(
        name="Billing", instructions="You are the billing agent. Help with invoices."
    )
    triage = door.api.RealtimeAgent(
        name="Triage",
        instructions="You route callers. When the caller asks about bills, invoices or "
        "payments, call transfer_to_billing.",
        handoffs=[billing],
    )
    session = await start(triage)
    await session.send_message("I have a question about my invoice. Please transfer me to billing.")
    seen = await events_until(session, lambda e, _: e.type == "handoff")
    handoff = seen[-1]
    assert handoff.from_agent.name == "Triage" and handoff.to_agent.name == "Billing"
    await events_until(
        session, lambda e, _: e.type == "agent_start" and e.agent.name == "Billing", 30
    )


async def send_speech(session: Any, audio16k: np.ndarray, chunk_ms: int = 40) -> None:
    pcm = float_to_pcm16(resample(audio16k, 16000, 24000))
    step = 48 * chunk_ms
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for n, i in enumerate(range(0, len(pcm), step)):
        await session.send_audio(pcm[i : i + step])
        await asyncio.sleep(max(0.0, t0 + (n + 1) * chunk_ms / 1000 - loop.time()))


async def test_a_spoken_question_is_heard_and_answered(start: Any, door: Door) -> None:
    agent = door.api.RealtimeAgent(name="Assistant", instructions="Answer in one short sentence.")
    session = await start(agent)
    speech = np.concatenate([silence(300), piper("What is the capital of France?"), silence(1500)])
    sender = asyncio.create_task(send_speech(session, speech))
    seen = await events_until(session, lambda e, _: e.type == "agent_end")
    await sender
    assert any(e.type == "audio" for e in seen)
    users = [i for i in session._history if getattr(i, "role", None) == "user"]
    heard = " ".join(getattr(c, "transcript", None) or "" for c in users[-1].content)
    assert "capital" in heard.lower() and "france" in heard.lower(), heard


async def test_speaking_over_a_long_answer_interrupts_it(start: Any, door: Door) -> None:
    agent = door.api.RealtimeAgent(name="Storyteller", instructions="You tell long stories.")
    session = await start(agent)
    await session.send_message("Tell me a long story about a dragon who learns to bake bread.")
    await events_until(session, lambda e, _: e.type == "audio")
    sender = asyncio.create_task(
        send_speech(session, np.concatenate([espeak("Stop, stop. Wait a moment."), silence(1000)]))
    )
    seen = await events_until(session, lambda e, _: e.type == "audio_interrupted")
    await sender
    assert seen[-1].type == "audio_interrupted"
