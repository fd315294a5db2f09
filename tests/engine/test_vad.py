"""Silero VAD on real speech: boundaries within 100 ms of the truth."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kaiwa.engine.vad import VadConfig, VoiceActivityDetector
from tests.speech import espeak, piper, silence


def truth(audio: np.ndarray, threshold: float = 0.02) -> tuple[int, int]:
    """First and last loud sample, in ms: where speech really is."""
    loud = np.nonzero(np.abs(audio) > threshold)[0]
    return int(loud[0] / 16), int(loud[-1] / 16)


@pytest.mark.parametrize("speak", [piper, espeak])
def test_speech_boundaries_land_within_100_ms(vad_model: Any, speak: Any) -> None:
    speech = speak("The quick brown fox jumps over the lazy dog.")
    audio = np.concatenate([silence(800), speech, silence(1200)])
    start, end = truth(audio)
    vad = VoiceActivityDetector(vad_model, VadConfig(silence_duration_ms=500))
    events = []
    for i in range(0, audio.size, 640):  # 40 ms chunks, as a client streams them
        events += vad.push(audio[i : i + 640])
    assert [e.kind for e in events] == ["speech_started", "speech_stopped"]
    assert abs(events[0].audio_ms - start) <= 100
    assert abs(events[1].audio_ms - end) <= 100


@pytest.mark.parametrize("lead_ms", [800, 20_000])
def test_speech_after_a_long_silence_is_heard_as_soon(vad_model: Any, lead_ms: int) -> None:
    # Silero's state drifts over long digital silence (it then heard "Hello there." ~320 ms
    # late); the detector renews it, so a user who speaks after a while is heard as promptly.
    speech = piper("Hello there.")
    audio = np.concatenate([silence(lead_ms), speech, silence(800)])
    start, _ = truth(audio)
    vad = VoiceActivityDetector(vad_model)
    events = []
    for i in range(0, audio.size, 640):
        events += vad.push(audio[i : i + 640])
    assert events[0].kind == "speech_started"
    assert abs(events[0].audio_ms - start) <= 100


def test_a_pause_shorter_than_the_silence_duration_does_not_split_the_turn(
    vad_model: Any,
) -> None:
    audio = np.concatenate(
        [silence(300), piper("I would like"), silence(300), piper("a cup of tea."), silence(900)]
    )
    vad = VoiceActivityDetector(vad_model, VadConfig(silence_duration_ms=600))
    events = vad.push(audio)
    assert [e.kind for e in events] == ["speech_started", "speech_stopped"]


def test_silence_and_noise_are_not_speech(vad_model: Any) -> None:
    rng = np.random.default_rng(0)
    noise = (rng.standard_normal(16000 * 2) * 0.005).astype(np.float32)
    vad = VoiceActivityDetector(vad_model)
    assert vad.push(np.concatenate([silence(1000), noise])) == []
    assert not vad.speaking


def test_detectors_share_the_model_but_not_state(vad_model: Any) -> None:
    a, b = VoiceActivityDetector(vad_model), VoiceActivityDetector(vad_model)
    a.push(np.concatenate([silence(200), piper("Hello there.")]))
    assert a.speaking and not b.speaking
    assert b.push(silence(500)) == []


async def test_the_batcher_counts_the_sessions_waiting_for_its_next_pass() -> None:
    import asyncio
    from types import SimpleNamespace

    from kaiwa.engine.engine import Engine
    from kaiwa.engine.vad import VadBatcher

    class Detector:  # a stand-in: the batcher only calls process()
        def process(self) -> list[Any]:
            return []

    batcher = VadBatcher()
    heard: list[int] = []
    detectors = [Detector(), Detector()]
    for d in detectors:
        batcher.submit(d, lambda events: heard.append(len(events)))  # type: ignore[arg-type]
    batcher.submit(detectors[0], lambda events: heard.append(len(events)))  # type: ignore[arg-type]
    assert batcher.waiting == 2  # a session submitted twice waits once
    engine = Engine(
        vad=None,  # type: ignore[arg-type]
        asr=SimpleNamespace(waiting=1),  # type: ignore[arg-type]
        llm=SimpleNamespace(waiting=4),  # type: ignore[arg-type]
        tts=SimpleNamespace(waiting=0),  # type: ignore[arg-type]
        vad_batcher=batcher,
    )
    assert engine.queue_depths() == {"vad": 2, "asr": 1, "llm": 4, "tts": 0}
    engine.llm = SimpleNamespace()  # type: ignore[assignment]  # an LLM behind HTTP
    assert "llm" not in engine.queue_depths()
    for _ in range(100):
        if len(heard) == 2:
            break
        await asyncio.sleep(0.01)
    assert batcher.waiting == 0 and heard == [0, 0]
