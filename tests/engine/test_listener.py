"""The listener on speech: VAD events, partials, end of turn.

The semantic end of turn is measured against the plain 500 ms silence rule on the same
recordings: it must answer finished sentences sooner and cut off no more mid-sentence pauses.
Both are replayed with the recogniser instant in audio time (``replay(realtime=False)``), so
the decisions are the policy's and the same on any machine; how soon they come when the
recogniser runs alongside at real speed is `bench/engine.py`'s and `bench/turn_recorded.py`'s
question (a test that compared real-time waits failed when the machine was slow).
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from kaiwa.engine.listener import ListenerEvent, TurnListener, replay
from kaiwa.engine.vad import VadConfig
from tests.speech import piper, silence, wer

FINISHED = [
    "What's the weather like in Kyoto?",
    "Please start a timer for five minutes.",
    "Turn off the lights in the kitchen.",
]
PAUSED = [
    ("I'd like to book a table for", "two people tonight."),
    ("Can you remind me to call", "my mother tomorrow morning."),
    ("My favourite colour is", "a very dark shade of green."),
]


def listen(vad: Any, asr: Any, mode: str) -> Any:
    def make(emit: Any) -> TurnListener:
        return TurnListener(
            vad,
            asr,
            emit,
            mode=mode,  # type: ignore[arg-type]
            vad_config=VadConfig(silence_duration_ms=500),
        )

    return make


def ends(events: list[tuple[int, ListenerEvent]]) -> list[tuple[int, ListenerEvent]]:
    return [(ms, e) for ms, e in events if e.kind == "turn_ended"]


@pytest.fixture(scope="module")
def recordings() -> dict[str, Any]:
    finished = [
        (
            s,
            np.concatenate([silence(300), piper(s)]),
        )
        for s in FINISHED
    ]
    paused = [
        (a + " " + b, np.concatenate([silence(300), piper(a), silence(750), piper(b)]))
        for a, b in PAUSED
    ]
    return {"finished": finished, "paused": paused}


def speech_end_ms(audio: np.ndarray) -> int:
    return int(np.nonzero(np.abs(audio) > 0.02)[0][-1] / 16)


async def measure(vad: Any, asr: Any, mode: str, recordings: dict[str, Any]) -> dict[str, Any]:
    waits, cutoffs, transcripts = [], 0, []
    for sentence, clip in recordings["finished"]:
        events = await replay(
            listen(vad, asr, mode), np.concatenate([clip, silence(2000)]), realtime=False
        )
        (noticed, end), *_ = ends(events)
        waits.append(noticed - speech_end_ms(clip))
        transcripts.append((sentence, end.transcript))
    for _, clip in recordings["paused"]:
        events = await replay(
            listen(vad, asr, mode), np.concatenate([clip, silence(2000)]), realtime=False
        )
        first_end_ms = ends(events)[0][0]
        cutoffs += first_end_ms < speech_end_ms(clip)  # ended during the mid-sentence pause
    return {"waits": waits, "cutoffs": cutoffs, "transcripts": transcripts}


async def test_semantic_end_of_turn_beats_the_silence_rule(
    vad_model: Any, asr: Any, recordings: dict[str, Any]
) -> None:
    silence_rule = await measure(vad_model, asr, "server_vad", recordings)
    semantic = await measure(vad_model, asr, "semantic_vad", recordings)
    assert silence_rule["cutoffs"] == len(PAUSED)  # 500 ms of silence cuts every such pause
    assert semantic["cutoffs"] < silence_rule["cutoffs"]
    assert np.mean(semantic["waits"]) < np.mean(silence_rule["waits"]) - 150
    for sentence, transcript in semantic["transcripts"]:
        # The partial taken in the pause is the final transcript: nothing left to recognise.
        assert transcript is not None and wer(sentence, transcript) <= 0.2


async def test_speech_events_carry_audio_positions(vad_model: Any, asr: Any) -> None:
    clip = np.concatenate([silence(500), piper("Hello there, how are you?"), silence(1200)])
    events = await replay(listen(vad_model, asr, "server_vad"), clip)
    kinds = [e.kind for _, e in events]
    assert kinds[0] == "speech_started" and "speech_stopped" in kinds and "turn_ended" in kinds
    started = events[0][1]
    assert abs(started.audio_start_ms - 500) <= 150
    turn = next(e for _, e in events if e.kind == "turn_ended")
    assert turn.audio is not None and turn.audio.size > 16000  # the whole utterance, padded


async def test_a_burst_keeps_the_start_of_speech_the_vad_has_not_reached(
    vad_model: Any, asr: Any
) -> None:
    # A client sends 20 s at once; the VAD (run by the batcher in a thread) is still on the
    # first 10 s when the rest arrives. Trimming the idle audio must keep what the VAD has
    # not heard yet: it once kept only the newest 400 ms, so "Hello there." lost its start
    # and was heard as "you".
    import time

    from kaiwa.engine.vad import VadBatcher

    speech = piper("Hello there.")
    clip = np.concatenate([silence(18_000), speech, silence(1500)])
    events: list[ListenerEvent] = []
    listener = TurnListener(vad_model, asr, events.append, mode="server_vad", batcher=VadBatcher())
    half, step = 10 * 16000, 1600
    for i in range(0, half, step):
        listener.push(clip[i : i + step])
    await asyncio.sleep(0)  # the batcher's pass starts in its thread...
    while listener.backlog_ms:  # ...and takes the first 10 s; its result waits for the loop
        time.sleep(0.001)
    for i in range(half, clip.size, step):
        listener.push(clip[i : i + step])
    while not any(e.kind == "turn_ended" for e in events):
        await listener.caught_up()
        await asyncio.sleep(0.01)
    turn = next(e for e in events if e.kind == "turn_ended")
    loud = np.nonzero(np.abs(speech) > 0.02)[0]
    assert turn.audio is not None
    assert turn.audio_start_ms <= 18_000 + loud[0] // 16
    # The turn's audio is the clip from its start: all of the speech, nothing moved.
    start = turn.audio_start_ms * 16
    assert np.array_equal(turn.audio, clip[start : start + turn.audio.size])
    assert start + turn.audio.size >= 18_000 * 16 + loud[-1]
    heard = asr.transcribe(turn.audio, language="en").text.lower()
    assert "hello" in heard


async def test_a_commit_takes_the_audio_once_and_speech_after_it_is_a_new_turn(
    vad_model: Any, asr: Any
) -> None:
    # A push-to-talk client commits while the VAD still hears speech: the audio so far is
    # the turn. A second commit must not hand the same audio over again, and the user's
    # next sentence must be a turn of its own, not lost in a turn the VAD thinks goes on.
    events: list[ListenerEvent] = []
    listener = TurnListener(vad_model, asr, events.append, mode="server_vad")
    first = np.concatenate([silence(300), piper("Hello there, how are you?")])
    for i in range(0, first.size, 320):
        listener.push(first[i : i + 320])
    assert listener.in_turn
    taken = listener.commit()
    assert taken.size >= first.size - 16 * 300 - 320
    assert listener.commit().size == 0
    committed_ms = first.size // 16

    second = np.concatenate([silence(400), piper("Book a table for two."), silence(1500)])
    for i in range(0, second.size, 320):
        listener.push(second[i : i + 320])
        await asyncio.sleep(0)
    started = [e for e in events if e.kind == "speech_started"]
    turns = [e for e in events if e.kind == "turn_ended"]
    assert len(started) == 2 and started[1].audio_start_ms >= committed_ms
    assert len(turns) == 1 and turns[0].audio is not None
    assert turns[0].audio.size < second.size  # the second sentence only
    text = asr.transcribe(turns[0].audio, language="en").text
    assert wer("Book a table for two.", text) <= 0.2, text
    listener.close()


async def test_speech_a_commit_took_before_the_vad_heard_it_makes_no_second_turn(
    vad_model: Any, asr: Any
) -> None:
    # A client sends a whole utterance in one burst and commits at once: the VAD (in the
    # batcher's thread) has heard none of it yet. When it does, that speech was taken: no
    # speech_started (it would cancel the answer to the commit) and no empty turn.
    from kaiwa.engine.vad import VadBatcher

    events: list[ListenerEvent] = []
    listener = TurnListener(vad_model, asr, events.append, mode="server_vad", batcher=VadBatcher())
    clip = np.concatenate([silence(300), piper("Hello there, how are you?"), silence(1500)])
    for i in range(0, clip.size, 1600):
        listener.push(clip[i : i + 1600])
    taken = listener.commit()
    assert taken.size == clip.size
    while listener.heard_ms < clip.size // 16 - 100:  # until the VAD has heard it all
        await listener.caught_up()
        await asyncio.sleep(0.01)
    for _ in range(10):  # and its passes' events have reached the loop (they follow at once)
        await asyncio.sleep(0.01)
    assert [e.kind for e in events if e.kind in ("speech_started", "turn_ended")] == []
    assert listener.commit().size == 0
    listener.close()
