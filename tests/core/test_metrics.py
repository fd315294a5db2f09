"""Per-turn metrics (`TurnClock`) from the driver's observations, on `FakeStages`."""

from __future__ import annotations

import json

import numpy as np

from kaiwa.core import Observation, RealtimeConnection, TurnClock, TurnMetrics
from kaiwa.core.commands import ListenTo
from kaiwa.testing import FakeStages, ScriptedRecognizer
from tests.core.test_driver import MANUAL, next_of, pcm24, say, tone


def measured() -> tuple[list[TurnMetrics], TurnClock]:
    turns: list[TurnMetrics] = []
    return turns, TurnClock(turns.append)


def consistent(turn: TurnMetrics) -> None:
    """What every turn's figures must satisfy, whatever the machine's speed."""
    stages = turn.stages()
    assert all(s >= 0 for s in stages.values()), stages
    assert turn.done is not None
    assert abs(sum(stages.values()) - turn.done) < 1e-9  # the stages add up to the turn
    for at in (turn.end_of_turn, turn.transcript, turn.response_created, turn.first_audio):
        assert at is None or 0 <= at <= turn.done


async def test_a_spoken_turn_is_measured_from_the_end_of_the_speech() -> None:
    turns, clock = measured()
    seen: list[Observation] = []

    def observe(o: Observation) -> None:
        seen.append(o)
        clock(o)

    stages = FakeStages(asr=ScriptedRecognizer(["say: Hello there."]))
    transcribed = {"audio": {"input": {"transcription": {"model": "whisper-1"}}}}
    conn = RealtimeConnection(
        stages, session={"type": "realtime", **transcribed}, observer=observe
    )  # server_vad
    speech = np.concatenate([np.zeros(3200, np.float32), tone(600), np.zeros(16 * 800, np.float32)])
    for i in range(0, speech.size, 320):
        await conn.receive(
            {"type": "input_audio_buffer.append", "audio": pcm24(speech[i : i + 320])}
        )
    await next_of(conn, "response.done")
    await conn.close()
    [turn] = turns
    consistent(turn)
    assert turn.spoken and turn.status == "completed"
    assert turn.end_of_turn is not None and turn.transcript is not None
    assert turn.first_audio is not None and turn.end_of_turn <= turn.first_audio
    # The start is when the last audio of the speech arrived, not when the VAD said so: the
    # audio up to speech_stopped's audio_end_ms, counted from what the listener was given.
    stopped = next(o for o in seen if o.name == "input_audio_buffer.speech_stopped")
    end_ms = stopped.data["audio_end_ms"]  # type: ignore[index]
    heard, arrival = 0.0, None
    for o in seen:
        if isinstance(o.data, ListenTo):
            heard += len(o.data.samples) / 16
            if heard >= end_ms:
                arrival = o.at
                break
    assert turn.start == arrival and arrival < stopped.at
    # The fake LLM counts a word a token; the early reply (the turn was confirmed at once,
    # the audio coming faster than real time) reports its usage too.
    assert turn.output_tokens > 0 and turn.input_tokens > 0
    assert turn.early_reply_kept is True
    assert turn.llm_first_token is not None and turn.llm_first_token <= turn.first_audio


async def test_a_typed_turn_is_measured_from_the_request_with_its_tools_time() -> None:
    turns, clock = measured()
    conn = RealtimeConnection(FakeStages(), session=MANUAL, observer=clock)
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
    await conn.receive({"type": "session.update", "session": {"type": "realtime", "tools": [tool]}})
    await say(conn, "call get_weather")
    await conn.receive({"type": "response.create"})
    args = await next_of(conn, "response.function_call_arguments.done")
    await next_of(conn, "response.done")
    output = {
        "type": "function_call_output",
        "call_id": args["call_id"],
        "output": json.dumps({"t": 7}),
    }
    await conn.receive({"type": "conversation.item.create", "item": output})
    await conn.receive({"type": "response.create"})
    await next_of(conn, "response.done")
    await conn.close()
    calling, answering = turns
    for turn in turns:
        consistent(turn)
        assert not turn.spoken and turn.end_of_turn is None and turn.transcript is None
    assert calling.tools == [] and calling.first_audio is None  # a call says nothing
    [used] = answering.tools  # the result this answer uses, and how long the tool took
    assert used.name == "get_weather" and used.call_id == args["call_id"] and used.seconds >= 0
    assert answering.first_audio is not None
    for turn in turns:  # the LLM's first token comes before anything of the response is sent
        assert turn.llm_first_token is not None
        assert 0 <= turn.llm_first_token <= (turn.first_audio or turn.done or 0)


async def test_a_response_cut_by_speech_is_measured_to_its_end() -> None:
    turns, clock = measured()
    stages = FakeStages()
    conn = RealtimeConnection(stages, observer=clock)  # server_vad
    await say(conn, "long answer")
    await conn.receive({"type": "response.create"})
    await next_of(conn, "response.output_audio.delta")
    speech = np.concatenate([np.zeros(1600, np.float32), tone(600)])
    for i in range(0, speech.size, 320):
        await conn.receive(
            {"type": "input_audio_buffer.append", "audio": pcm24(speech[i : i + 320])}
        )
    done = await next_of(conn, "response.done")
    await conn.close()
    assert done["response"]["status"] == "cancelled"
    [turn] = turns
    consistent(turn)
    assert turn.status == "cancelled" and turn.barge_in is not None and turn.barge_in >= 0


def test_stages_follow_each_other_and_add_up() -> None:
    turn = TurnMetrics("r", start=10.0, spoken=True, end_of_turn=0.5, transcript=0.4, done=2.0)
    turn.response_created, turn.first_audio = 0.6, 1.1
    # A transcript ready before the decision (the listener had it) took no time of its own.
    assert turn.stages() == {
        "end_of_turn": 0.5,
        "transcript": 0.0,
        "response_created": 0.09999999999999998,
        "first_audio": 0.5000000000000001,
        "done": 0.8999999999999999,
    }


def test_a_transcript_after_the_response_began_is_still_counted() -> None:
    # OpenAI (and a response that does not wait for the words) may send the transcript
    # after response.created: it belongs to the response answering that item.
    turns, clock = measured()
    events = [
        (1.0, "input_audio_buffer.speech_started", {}),
        (2.0, "input_audio_buffer.speech_stopped", {"audio_end_ms": 900}),
        (2.1, "input_audio_buffer.committed", {"item_id": "item_1"}),
        (2.2, "response.created", {"response": {"id": "resp_1"}}),
        (2.3, "response.output_audio.delta", {"response_id": "resp_1"}),
        (2.5, "conversation.item.input_audio_transcription.completed", {"item_id": "item_1"}),
        (3.0, "response.done", {"response": {"id": "resp_1", "status": "completed"}}),
    ]
    for at, name, data in events:
        clock(Observation(at, "server_event", name, {"type": name, **data}))
    [turn] = turns
    # No audio was seen arriving: the end of speech is placed at speech_stopped.
    assert turn.start == 2.0 and turn.spoken
    assert turn.transcript is not None and abs(turn.transcript - 0.5) < 1e-9
    assert turn.first_audio is not None and abs(turn.first_audio - 0.3) < 1e-9
    consistent(turn)
