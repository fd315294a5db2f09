"""AudioIO end to end: the offline engine, a simulated room, real speech, real time.

The user's questions are espeak-ng speech; the agent answers through the packaged engine; the
room plays the answer back into the microphone as loud as the user speaks, so echo
cancellation, barge-in and the false-interruption rules all run as they would on a laptop's
open speakers. `SimulatedRoom` stands in for the sound card (the devices themselves are tested
in tests/apps with PulseAudio's virtual devices).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from kaiwa import RealtimeAgent, RealtimeRunner
from kaiwa.audio import AudioIO
from kaiwa.testing import SimulatedRoom
from tests.speech import espeak, wer

RATE = 16000
USER_DBFS = -20.0
ECHO_GAIN = 0.7  # the agent's voice (~-19 dBFS) comes back about as loud as the user speaks

pytestmark = pytest.mark.timeout(180)


def user_says(text: str, voice: str = "en-us", *, over_the_agent: bool = False) -> np.ndarray:
    """``text`` as the user says it; over the agent people speak up (the Lombard effect: a
    few dB louder), which also keeps a short "okay" above AEC3's double-talk suppression."""
    audio = espeak(text, RATE, voice=voice)
    rms = float(np.sqrt(np.mean(audio**2)))
    dbfs = USER_DBFS + (4.0 if over_the_agent else 0.0)
    return (audio * (10 ** (dbfs / 20) / rms)).astype(np.float32)


@dataclass
class Talk:
    """One conversation in the room, and what happened in it."""

    session: Any
    audio: AudioIO
    room: SimulatedRoom
    events: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    """The server's events as they came (stream seconds, type), for a failure's message."""

    def count(self, kind: str) -> int:
        return sum(e.type == kind for e in self.events)

    async def until(self, check: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, f"timed out; {self.story()}"
            await asyncio.sleep(0.05)

    def story(self) -> str:
        """What happened, for a failure's message."""
        lines = [f"{getattr(i, 'role', '?')}: {_text(i)!r}" for i in self.session.history]
        return (
            f"actions: {self.actions}; history: {lines}; server events: {self.timeline}; "
            f"played from {self.audio.player.first_played if self.audio.player else None}"
        )

    def kinds(self) -> list[str]:
        return [e.type for e in self.events if e.type not in ("raw_model_event", "audio")]

    def quiet(self) -> bool:
        """The agent has finished: no response active, nothing left to play."""
        assert self.audio.player is not None
        return (
            self.count("agent_end") >= self.count("agent_start") > 0
            and not self.audio.player.has_audio()
        )

    def user_lines(self) -> list[str]:
        return [_text(i) for i in self.session.history if getattr(i, "role", None) == "user"]

    def agent_lines(self) -> list[str]:
        return [_text(i) for i in self.session.history if getattr(i, "role", None) == "assistant"]


def _text(item: Any) -> str:
    parts = [getattr(c, "transcript", None) or getattr(c, "text", None) for c in item.content]
    return " ".join(p for p in parts if p)


@pytest.fixture
async def talk() -> AsyncIterator[Callable[..., Awaitable[Talk]]]:
    """Start a conversation in a room; everything is closed at the end of the test."""
    stack: list[Any] = []

    async def start(
        instructions: str = "You are a helpful voice assistant. Answer in one short sentence.",
        max_tokens: int = 60,
        **options: Any,
    ) -> Talk:
        agent = RealtimeAgent(name="Assistant", instructions=instructions)
        runner = RealtimeRunner(
            agent,
            config={
                "model_settings": {
                    "turn_detection": {"type": "server_vad"},
                    "max_output_tokens": max_tokens,
                }
            },
        )
        session = await runner.run()
        await session.__aenter__()
        stack.append(session)
        await session.model.warmed()
        room = SimulatedRoom(RATE, echo_gain=ECHO_GAIN)
        actions: list[Any] = []
        audio = AudioIO(session, stream=room, on_action=actions.append, **options)
        result = Talk(session, audio, room, actions=actions)
        on_server_event = audio._on_server_event  # (noted for failures' messages)

        async def noted(data: dict[str, Any]) -> None:
            if "delta" not in str(data.get("type")):
                result.timeline.append(f"{room.now_s:.2f} {data.get('type')}")
            await on_server_event(data)

        audio._on_server_event = noted  # type: ignore[method-assign]
        await audio.start()
        stack.append(audio)

        async def read() -> None:
            async for event in audio.events():
                result.events.append(event)

        stack.append(asyncio.create_task(read()))
        return result

    yield start
    for thing in reversed(stack):
        if isinstance(thing, asyncio.Task):
            thing.cancel()
        elif isinstance(thing, AudioIO):
            await thing.stop()
        else:
            await thing.close()


def let_go_echo(t: Talk) -> list[Any]:
    """The holds so far, before the user has spoken over the answer: the echo of the answer's
    first second or two, heard while the canceller converges (2 of 16 room runs in
    `bench/audio.py`; Whisper then hears "Thank you."). At most one, and it must have been
    let go: more would be the agent pausing on its own voice."""
    echo = list(t.actions)
    assert [a.kind for a in echo] in ([], ["hold", "resume"]), echo
    assert t.audio.stats.interrupted == 0, echo
    return echo


LONG = (
    "You are a helpful voice assistant. Answer with a detailed explanation of four or five "
    "sentences."
)


async def test_a_spoken_question_gets_a_spoken_answer_without_hearing_itself(
    talk: Callable[..., Awaitable[Talk]],
) -> None:
    from kaiwa.engine.asr import SpeechRecognizer

    t = await talk("You are a helpful voice assistant. Answer in two or three sentences.")
    t.room.say(user_says("What is the capital of France?"), at_s=t.room.now_s + 0.3)
    await t.until(lambda: t.count("agent_end") >= 1)
    await t.until(t.quiet)
    await asyncio.sleep(1.0)  # the echo's tail has reached the microphone
    assert "capital" in t.user_lines()[0].lower()
    answer = t.agent_lines()[0]
    assert answer
    # What the loudspeaker played is the answer, spoken.
    played = t.room.played()
    heard = SpeechRecognizer().transcribe(played[np.abs(played) > 0][: RATE * 30]).text
    assert len(answer.split()) >= 6 and wer(answer, heard) < 0.4, (answer, heard)
    # Its echo came back at the user's level and did not make the agent interrupt itself.
    assert t.audio.stats.holds == 0
    assert len(t.user_lines()) == 1


async def test_a_backchannel_over_the_answer_pauses_it_and_it_goes_on(
    talk: Callable[..., Awaitable[Talk]],
) -> None:
    t = await talk(LONG, max_tokens=70)
    t.room.say(user_says("Tell me about the history of Kyoto."), at_s=t.room.now_s + 0.3)
    player = t.audio.player
    assert player is not None
    # Past the answer's first 3 s, as below: over the echo of the first 2 s, while AEC3
    # converges, "Okay." was once heard as "I can't see." (1 CI run in ~30), words that
    # interrupt. Hearing a voice over the echo is measured in bench/audio.py.
    await t.until(lambda: player.stats.played_ms > 3000 and len(t.actions) % 2 == 0)
    echo = let_go_echo(t)
    t.room.say(user_says("Okay.", voice="en-gb", over_the_agent=True))
    await t.until(lambda: len(t.actions) > len(echo), timeout=10)
    await t.until(lambda: len(t.actions) > len(echo) + 1, timeout=15)
    await t.until(t.quiet)
    after = t.actions[len(echo) :]
    assert [a.kind for a in after] == ["hold", "resume"], (t.actions, t.kinds())
    assert t.audio.stats.interrupted == 0, t.actions
    assert t.count("audio_interrupted") == 0
    assert player.stats.dropped_ms == 0  # every sample of the answer was played
    assert len(t.user_lines()) == 1  # the "uh-huh" left no trace in the conversation
    # and got no answer: if the first answer was all written by then, the server started one
    # for the "okay" at once (agent_start); it was cancelled and deleted, and never heard.
    assert len(t.agent_lines()) == 1, t.session.history
    answer = next(i for i in t.session.history if getattr(i, "role", None) == "assistant")
    assert set(player.first_played) == {answer.item_id}


async def test_a_backchannel_after_the_answer_was_made_gets_no_answer_of_its_own(
    talk: Callable[..., Awaitable[Talk]],
) -> None:
    # The engine makes answers faster than they play: by the time the user says "okay",
    # the server has finished and answers the new turn at once. That reply must go.
    t = await talk(LONG, max_tokens=50)
    t.room.say(user_says("Tell me about the history of Kyoto."), at_s=t.room.now_s + 0.3)
    player = t.audio.player
    assert player is not None
    # Past the answer's first 3 s: while AEC3 converges it takes ~14 dB off a voice over the
    # echo, and a short "okay" then sits at Silero's threshold, heard or not by how the VAD's
    # frames fall (seen: 1 run in 8 missed it at 2 s). Hearing a voice over the echo is
    # measured in bench/audio.py; this test is about the reply the server made for it.
    await t.until(
        lambda: (
            t.count("agent_end") >= 1 and player.stats.played_ms > 3000 and len(t.actions) % 2 == 0
        )  # no hold waiting for its verdict
    )
    assert player.buffered_ms() > 3000, "the answer should still be playing"
    echo = let_go_echo(t)
    # "Yeah, yeah.": a short "okay" over the echo was heard as "I'm okay." or "of creation."
    # (1 run in 20 at 3 s): Whisper tiny.en on a word with the echo's residue around it.
    t.room.say(user_says("Yeah, yeah.", voice="en-gb", over_the_agent=True))
    await t.until(lambda: len(t.actions) > len(echo) + 1, timeout=15)
    await t.until(t.quiet)
    await asyncio.sleep(1.0)
    after = t.actions[len(echo) :]
    assert [a.kind for a in after] == ["hold", "resume"], t.story()
    assert t.audio.stats.interrupted == 0, t.actions
    assert len(t.user_lines()) == 1 and len(t.agent_lines()) == 1, t.session.history
    answer = next(i for i in t.session.history if getattr(i, "role", None) == "assistant")
    assert set(player.first_played) == {answer.item_id}  # nothing else reached the speaker
    assert player.stats.played_ms > 4000  # and the answer played on


async def test_a_question_over_the_answer_cancels_it_where_it_was_heard(
    talk: Callable[..., Awaitable[Talk]],
) -> None:
    t = await talk(LONG, max_tokens=70)
    t.room.say(user_says("Tell me about the history of Kyoto."), at_s=t.room.now_s + 0.3)
    player = t.audio.player
    assert player is not None
    await t.until(lambda: player.stats.played_ms > 2000)
    t.room.say(
        user_says("Wait. What is the weather like in Paris?", voice="en-gb", over_the_agent=True)
    )
    await t.until(lambda: t.audio.stats.interrupted >= 1, timeout=15)
    await t.until(lambda: t.count("agent_start") >= 2 and t.quiet())
    # (A hold that resumed before it is allowed: the echo of the first answer's first second
    # may be heard while the canceller adapts, and is then let go.)
    assert t.audio.stats.interrupted == 1, t.actions
    assert t.count("audio_interrupted") == 1
    first, second = t.agent_lines()[:2]
    asked = " ".join(t.user_lines()[1:]).lower()
    # The first answer was cut where playback stopped: ~2-4 s of speech, not 70 tokens.
    assert 0 < len(first.split()) < 25, first
    assert "paris" in asked or "weather" in asked, t.user_lines()
    assert second


async def test_cancel_mode_stops_the_answer_for_any_speech(
    talk: Callable[..., Awaitable[Talk]],
) -> None:
    t = await talk(LONG, max_tokens=70, interruptions="cancel")
    t.room.say(user_says("Tell me about the history of Kyoto."), at_s=t.room.now_s + 0.3)
    player = t.audio.player
    assert player is not None
    await t.until(lambda: player.stats.played_ms > 2000)
    t.room.say(user_says("Okay.", voice="en-gb", over_the_agent=True))
    await t.until(lambda: t.count("audio_interrupted") >= 1, timeout=10)
    await t.until(lambda: t.count("agent_end") >= 1)
    assert t.audio.stats.holds == 0  # no waiting for a verdict
    first = t.agent_lines()[0]
    assert 0 < len(first.split()) < 25, first  # cut where it was heard
