"""Echo cancellation with real signals: the agent's recorded voice through a simulated room.

The far end is the packaged piper voice reading a paragraph (what the agent says); the user
is espeak-ng, another voice entirely. The room delays, reverberates and plays the answer back
into the microphone as loud as the user speaks. The VAD that decides barge-in (the same
`VoiceActivityDetector` ``kaiwa serve`` uses) listens to the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from kaiwa.audio.echo import PassThrough, WebRTCEchoCanceller
from kaiwa.engine.vad import VadConfig, VoiceActivityDetector
from kaiwa.testing import SimulatedRoom
from tests.speech import espeak, piper

RATE = 16000
ANSWER = (
    "Sure. Kyoto is lovely in the autumn, when the maple leaves turn red. The temples are "
    "busy, so go early in the morning, and take the train rather than the bus. If you have "
    "a second day, Nara is only forty minutes away, and its deer will happily eat from your "
    "hand."
)
# An answer whose echo AEC3 leaves audible about 0.9 s in while it adapts (the first answer
# of a session): without the residual gate the VAD hears it.
FIRST_ANSWER = (
    "I'm out in a history on the city on cargo. The cargo ship is a significant part of the "
    "city's history."
)
QUESTION = "What is the weather like in Paris tomorrow?"


def level(x: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(x**2))) or 1.0
    return (x * (10 ** (dbfs / 20) / rms)).astype(np.float32)


@pytest.fixture(scope="module")
def answer() -> np.ndarray:
    return level(piper(ANSWER, RATE), -24)


@pytest.fixture(scope="module")
def first_answer() -> np.ndarray:
    return np.concatenate([np.zeros(RATE, np.float32), level(piper(FIRST_ANSWER, RATE), -24)])


@pytest.fixture(scope="module")
def question() -> np.ndarray:
    return level(espeak(QUESTION, RATE, voice="en-gb"), -24)


@dataclass
class Run:
    mic: np.ndarray
    cleaned: np.ndarray
    echo: np.ndarray
    near: np.ndarray


def play_through_room(
    answer: np.ndarray,
    canceller: Any,
    *,
    user: np.ndarray | None = None,
    user_at_s: float = 0.0,
    echo_gain: float = 1.0,
) -> Run:
    """Play ``answer`` in a room and clean the microphone with ``canceller``, block by block
    as `AudioIO` does: each captured block with the block played at the same moment."""
    room = SimulatedRoom(RATE, realtime=False, echo_gain=echo_gain, seed=3)
    if user is not None:
        room.say(user, at_s=user_at_s)
    cleaned: list[np.ndarray] = []
    position = 0

    def process(mic: np.ndarray) -> np.ndarray:
        nonlocal position
        out = np.zeros(mic.size, np.float32)
        chunk = answer[position : position + mic.size]
        out[: chunk.size] = chunk
        position += mic.size
        cleaned.append(canceller.process(mic, out))
        return out

    total = answer.size + RATE // 2
    while room.now_s * RATE < total:
        room.step(process)
    mic, echo, near = room.recorded()
    return Run(mic, np.concatenate(cleaned), echo, near)


def speech_starts(audio: np.ndarray, vad_model: Any) -> list[int]:
    """Where the VAD (server_vad's default settings) hears speech start, in ms."""
    detector = VoiceActivityDetector(vad_model, VadConfig())
    events = detector.push(audio)
    return [e.audio_ms for e in events if e.kind == "speech_started"]


def erle_db(run: Run, start_s: float = 2.0) -> float:
    """Echo return loss enhancement over the echo-only part after ``start_s``."""
    s = int(start_s * RATE)
    return float(10 * np.log10(np.sum(run.echo[s:] ** 2) / np.sum(run.cleaned[s:] ** 2)))


@pytest.fixture(scope="module")
def vad_model() -> Any:
    from kaiwa.engine.vad import SileroVAD

    return SileroVAD()


def test_without_a_canceller_the_agent_hears_itself(answer: np.ndarray, vad_model: Any) -> None:
    run = play_through_room(answer, PassThrough(RATE))
    assert speech_starts(run.cleaned, vad_model), "the echo alone should trigger the VAD"


@pytest.mark.parametrize("echo_gain", [0.5, 1.0, 2.0, 3.0])
def test_the_echo_alone_triggers_no_turn(
    answer: np.ndarray, first_answer: np.ndarray, vad_model: Any, echo_gain: float
) -> None:
    for played in (answer, first_answer):
        run = play_through_room(played, WebRTCEchoCanceller(RATE), echo_gain=echo_gain)
        assert erle_db(run) > 15.0
        assert speech_starts(run.cleaned, vad_model) == []


def test_the_residual_gate_is_what_silences_an_adapting_canceller(
    first_answer: np.ndarray, vad_model: Any
) -> None:
    run = play_through_room(first_answer, WebRTCEchoCanceller(RATE, residual_gate_db=None))
    assert speech_starts(run.cleaned, vad_model), "AEC3 alone lets this echo through"


def test_the_user_is_still_heard_over_the_echo(
    answer: np.ndarray, question: np.ndarray, vad_model: Any
) -> None:
    from kaiwa.engine.asr import SpeechRecognizer

    at = 4.0
    run = play_through_room(answer, WebRTCEchoCanceller(RATE), user=question, user_at_s=at)
    starts = speech_starts(run.cleaned, vad_model)
    assert starts, "barge-in must still fire"
    assert at * 1000 - 100 <= starts[0] <= at * 1000 + 700, starts
    # While both talk, the canceller's suppressor eats the start of the user's words (the
    # answer is held once the VAD hears them, in AudioIO); what follows comes through.
    s, e = int((at + 0.5) * RATE), int(at * RATE) + question.size
    loss = 10 * np.log10(np.sum(run.near[s:e] ** 2) / np.sum(run.cleaned[s:e] ** 2))
    assert loss < 6.0
    span = run.cleaned[int(at * RATE) : int(at * RATE) + question.size + RATE // 4]
    heard = SpeechRecognizer().transcribe(span).text
    assert "paris" in heard.lower(), heard
