"""`RealtimeSession.turn_metrics`: each response's times as the client measured them, against
the scripted Realtime server (a test double: the real protocol on fake stages) over real
sockets. Checked: what happened and in which order, never how fast."""

from __future__ import annotations

from typing import Any

from kaiwa import RealtimeAgent, RealtimeRunner, function_tool
from kaiwa.core import TurnMetrics
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
    async with await RealtimeRunner(RealtimeAgent(name="A")).run(model_config=config) as session:
        stop = session.on_turn_metrics(seen.append)
        await session.send_audio(b"\x00\x30" * 4800)  # 200 ms of speech
        await session.send_audio(b"\x00\x00" * 7200)  # 300 ms of silence
        await collect(session, count_agent_end(1))
        stop()
        await session.send_message("and now?")
        await collect(session, count_agent_end(1))
    spoken, typed = session.turn_metrics
    assert seen == [spoken]  # the callback was stopped before the second turn
    consistent(spoken)
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
