"""`RealtimeSession.turn_metrics`: each response's times as the client measured them, against
the scripted Realtime server (a test double: the real protocol on fake stages) over real
sockets. Checked: what happened and in which order, never how fast."""

from __future__ import annotations

from typing import Any

from kaiwa import RealtimeAgent, RealtimeRunner, function_tool
from kaiwa.core import Observation, TurnMetrics
from kaiwa.testing import ScriptedRealtimeServer

from .conftest import collect, count_agent_end


def consistent(turn: TurnMetrics) -> None:
    stages = turn.stages()
    assert turn.done is not None and all(s >= 0 for s in stages.values()), stages
    assert abs(sum(stages.values()) - turn.done) < 1e-9


async def test_a_spoken_turn_is_measured_from_the_last_audio_sent(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    server.transcripts.append("what time is it")
    config = {
        **model_config,
        "initial_model_settings": {
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 200},
            "input_audio_transcription": {"model": "whisper-1"},
        },
    }
    seen: list[TurnMetrics] = []
    observed: list[Observation] = []
    async with await RealtimeRunner(RealtimeAgent(name="A")).run(model_config=config) as session:
        stop = session.on_turn_metrics(seen.append)
        clock = session.model.observer  # type: ignore[attr-defined]
        assert clock is not None

        def watch(o: Observation) -> None:
            observed.append(o)
            clock(o)

        session.model.observer = watch  # type: ignore[attr-defined]
        await session.send_audio(b"\x00\x30" * 4800)  # 200 ms of speech
        await session.send_audio(b"\x00\x00" * 7200)  # 300 ms of silence
        await collect(session, count_agent_end(1))
        stop()
        await session.send_message("and now?")
        await collect(session, count_agent_end(1))
    spoken, typed = session.turn_metrics
    assert seen == [spoken]  # the callback was stopped before the second turn
    consistent(spoken)
    # The start is when the client sent the audio that holds the end of the speech (the
    # server's audio_end_ms, counted in what was sent: pcm16 at 24 kHz, 48 bytes a ms).
    stopped = next(o for o in observed if o.name == "input_audio_buffer.speech_stopped")
    end_ms = stopped.data["audio_end_ms"]  # type: ignore[index]
    sent_ms, holding = 0.0, None
    for o in observed:
        if o.kind == "client_event" and o.name == "input_audio_buffer.append":
            sent_ms += len(o.data["audio"]) * 3 / 4 / 48  # type: ignore[index]
            if sent_ms >= end_ms:
                holding = o.at
                break
    assert holding is not None and spoken.start == holding
    for at in (spoken.end_of_turn, spoken.transcript, spoken.first_audio):
        assert at is not None and 0 <= at <= spoken.done  # type: ignore[operator]
    assert spoken.spoken and spoken.status == "completed"
    assert spoken.end_of_turn is not None and spoken.transcript is not None
    assert spoken.first_audio is not None and spoken.end_of_turn <= spoken.first_audio
    consistent(typed)
    assert not typed.spoken and typed.end_of_turn is None and typed.first_audio is not None


async def test_tool_time_is_counted_in_the_answer_that_uses_it(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    @function_tool
    async def get_weather(city: str) -> str:
        """Weather for a city."""
        return f"sunny in {city}"

    agent = RealtimeAgent(name="A", tools=[get_weather])
    async with await RealtimeRunner(agent).run(model_config=model_config) as session:
        await session.send_message('call get_weather {"city": "Kyoto"}')
        await collect(session, count_agent_end(2))
    calling, answering = session.turn_metrics
    assert calling.tools == [] and calling.first_audio is None
    [tool] = answering.tools
    assert tool.name == "get_weather" and tool.seconds >= 0
    assert answering.output_tokens > 0


async def test_a_model_reused_by_a_new_session_measures_for_that_session(
    server: ScriptedRealtimeServer, model_config: dict[str, Any]
) -> None:
    from kaiwa.models.openai_ws import OpenAIRealtimeWebSocketModel

    model = OpenAIRealtimeWebSocketModel()
    runner = RealtimeRunner(RealtimeAgent(name="A"), model=model)
    for text in ("one", "two"):
        async with await runner.run(model_config=model_config) as session:
            await session.send_message(text)
            await collect(session, count_agent_end(1))
        assert len(session.turn_metrics) == 1
        assert model.observer is None  # let go when the session closed
