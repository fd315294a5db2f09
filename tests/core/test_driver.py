"""`RealtimeConnection` (the protocol's driver) on `FakeStages`: no model, real event loop."""

from __future__ import annotations

import asyncio
import base64
import itertools
from typing import Any

import numpy as np

from kaiwa.audio.codecs import resample
from kaiwa.core import Observation, RealtimeConnection
from kaiwa.testing import FakeStages, ScriptedRecognizer
from tests import checks

MANUAL: dict[str, Any] = {"type": "realtime", "audio": {"input": {"turn_detection": None}}}


async def next_of(conn: RealtimeConnection, kind: str) -> dict[str, Any]:
    return await checks.next_of(conn, kind, timeout=10)  # fake stages answer at once


async def say(conn: RealtimeConnection, text: str) -> None:
    content = [{"type": "input_text", "text": text}]
    await conn.receive(
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": content},
        }
    )


def pcm24(samples: np.ndarray) -> str:
    audio = resample(samples.astype(np.float32), 16000, 24000)
    return base64.b64encode((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()).decode()


def tone(ms: int) -> np.ndarray:
    t = np.arange(16 * ms) / 16000
    return (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)


async def test_a_typed_turn_is_answered_and_observed_stage_by_stage() -> None:
    seen: list[Observation] = []
    stages = FakeStages()
    conn = RealtimeConnection(stages, session=MANUAL, observer=seen.append)
    await say(conn, "say: Good morning.")
    await conn.receive({"type": "response.create"})
    done = await next_of(conn, "response.done")
    assert done["response"]["output"][0]["content"][0]["transcript"] == "Good morning."
    assert stages.tts.said == ["Good morning."]
    kinds = [(o.kind, o.name) for o in seen]
    reply = kinds.index(("stage_start", "Reply"))
    assert kinds.index(("client_event", "response.create")) < reply
    assert kinds.index(("server_event", "response.created")) < kinds.index(
        ("stage_report", "replied")
    )
    assert kinds.index(("stage_report", "reply_ended")) < kinds.index(
        ("server_event", "response.done")
    )
    assert all(a.at <= b.at for a, b in itertools.pairwise(seen))
    await conn.close()


async def test_a_spoken_turn_goes_through_listener_recognizer_and_reply() -> None:
    stages = FakeStages(asr=ScriptedRecognizer(["say: Hello there."]))
    conn = RealtimeConnection(stages)  # server_vad, as a session starts
    speech = np.concatenate([np.zeros(3200, np.float32), tone(600), np.zeros(16 * 800, np.float32)])
    for i in range(0, speech.size, 320):
        await conn.receive(
            {"type": "input_audio_buffer.append", "audio": pcm24(speech[i : i + 320])}
        )
    started = await next_of(conn, "input_audio_buffer.speech_started")
    assert 150 <= started["audio_start_ms"] <= 250
    done = await next_of(conn, "conversation.item.done")
    assert done["item"]["content"][0]["transcript"] == "say: Hello there."
    answer = await next_of(conn, "response.done")
    assert answer["response"]["output"][0]["content"][0]["transcript"] == "Hello there."
    await conn.close()


async def test_a_client_behind_pauses_only_its_reply() -> None:
    # Nobody reads this connection: its reply stops being read at the queue's bound.
    stages = FakeStages()
    stages.llm.delay = 0
    slow = RealtimeConnection(stages, session=MANUAL, max_events=16)
    await say(slow, "long answer")
    await slow.receive({"type": "response.create"})
    for _ in range(500):  # until the bound is reached (no fixed wait: a loaded machine is slow)
        if slow.events_waiting >= 16:
            break
        await asyncio.sleep(0.01)
    other = RealtimeConnection(stages, session=MANUAL)
    await say(other, "say: Still here.")
    await other.receive({"type": "response.create"})
    assert (await next_of(other, "response.done"))["response"]["status"] == "completed"
    # The other session's whole turn went by: the unread one is still paused at its bound
    # (one reply piece past it at most), not grown.
    assert 16 <= slow.events_waiting <= 40 and slow.responding
    await next_of(slow, "response.done")  # reading again: the reply goes on to its end
    await slow.close()
    await other.close()


async def test_barge_in_stops_the_reply_and_answers_the_new_turn() -> None:
    stages = FakeStages(asr=ScriptedRecognizer(["long answer", "say: Sorry, go on."]))
    stages.llm.delay = 0.02
    conn = RealtimeConnection(stages)
    speech = np.concatenate([tone(500), np.zeros(16 * 700, np.float32)])

    async def speak() -> None:
        for i in range(0, speech.size, 320):
            await conn.receive(
                {"type": "input_audio_buffer.append", "audio": pcm24(speech[i : i + 320])}
            )

    await speak()
    await next_of(conn, "response.output_audio.delta")
    await speak()
    first = await next_of(conn, "response.done")
    assert first["response"]["status"] == "cancelled"
    assert first["response"]["status_details"]["reason"] == "turn_detected"
    second = await next_of(conn, "response.done")
    assert second["response"]["output"][0]["content"][0]["transcript"] == "Sorry, go on."
    await conn.close()


async def test_an_observer_that_fails_is_dropped_and_the_session_goes_on() -> None:
    def broken(_: Observation) -> None:
        raise RuntimeError("observer bug")

    conn = RealtimeConnection(FakeStages(), session=MANUAL, observer=broken)
    await say(conn, "say: Fine.")
    await conn.receive({"type": "response.create"})
    assert (await next_of(conn, "response.done"))["response"]["status"] == "completed"
    assert conn.observer is None
    await conn.close()


async def test_closing_mid_reply_stops_the_llm() -> None:
    stages = FakeStages()
    stages.llm.delay = 0.05  # a word each 50 ms: about 9 s for the whole answer
    conn = RealtimeConnection(stages, session=MANUAL)
    await say(conn, "long answer")
    await conn.receive({"type": "response.create"})
    await next_of(conn, "response.output_audio.delta")
    await conn.close()
    while await conn.next_event() is not None:
        pass
    for _ in range(300):
        if stages.llm.endings:
            break
        await asyncio.sleep(0.01)
    assert stages.llm.endings == ["stopped"]  # stopped, long before its end


async def test_an_early_reply_is_used_when_the_turn_ends_with_the_same_words() -> None:
    seen: list[Observation] = []
    stages = FakeStages(asr=ScriptedRecognizer(["say: Early bird."]))
    conn = RealtimeConnection(stages, observer=seen.append)
    speech = np.concatenate([tone(500), np.zeros(16 * 800, np.float32)])
    for i in range(0, speech.size, 320):
        await conn.receive(
            {"type": "input_audio_buffer.append", "audio": pcm24(speech[i : i + 320])}
        )
    done = await next_of(conn, "response.done")
    assert done["response"]["output"][0]["content"][0]["transcript"] == "Early bird."
    started = [o.data for o in seen if o.kind == "stage_start"]
    kinds = [type(c).__name__ for c in started]
    assert "StartEarlyReply" in kinds and "Transcribe" not in kinds
    reply = next(c for c in started if type(c).__name__ == "Reply")
    assert reply.early  # the reply begun at the pause was the one used
    assert len(stages.llm.calls) == 1  # and no second reply was made
    await conn.close()


async def test_a_response_cancelled_before_its_reply_ran_still_ends() -> None:
    # In-process, events come back to back: the cancel arrives before the reply's task ran.
    conn = RealtimeConnection(FakeStages(), session=MANUAL)
    await say(conn, "say: Never heard.")
    await conn.receive({"type": "response.create"})
    await conn.receive({"type": "response.cancel"})
    first = await next_of(conn, "response.done")
    assert first["response"]["status"] == "cancelled"
    await conn.receive({"type": "response.create"})
    second = await next_of(conn, "response.done")
    assert second["response"]["status"] == "completed"
    await conn.close()


async def test_a_stage_that_fails_to_start_is_reported_and_the_session_goes_on() -> None:
    class Broken(FakeStages):
        def listen(self, settings: Any, on_event: Any, on_heard: Any) -> Any:
            if settings.language == "ja":
                raise RuntimeError("no Japanese model here")
            return super().listen(settings, on_event, on_heard)

    conn = RealtimeConnection(Broken())
    update = {"type": "realtime", "audio": {"input": {"transcription": {"language": "ja"}}}}
    await conn.receive({"type": "session.update", "session": update})
    error = (await next_of(conn, "error"))["error"]
    assert "no Japanese model here" in error["message"]
    await say(conn, "say: Still fine.")
    await conn.receive({"type": "response.create"})
    assert (await next_of(conn, "response.done"))["response"]["status"] == "completed"
    await conn.close()


async def test_a_clause_longer_than_the_queue_reaches_a_reading_client_whole() -> None:
    # One clause of 3,000 deltas (the test double's `bench 3000`): more than a client's queue
    # holds (256 + 2,048 of headroom). It goes over in pieces, each waiting for room.
    stages = FakeStages()
    conn = RealtimeConnection(stages, session=MANUAL, delta_ms=20)
    await say(conn, "bench 3000")
    await conn.receive({"type": "response.create"})
    deltas = 0
    while (event := await asyncio.wait_for(conn.next_event(), 30)) is not None:
        deltas += event["type"] == "response.output_audio.delta"
        if event["type"] == "response.done":
            break
    assert event is not None and event["response"]["status"] == "completed"
    assert deltas == 3000 * 100 // 20  # ToneVoice: 100 ms a "bench" chunk, 20 ms a delta
    assert not conn.overrun
    await conn.close()


async def test_a_reply_cut_between_pieces_of_a_clause_keeps_only_the_words_sent() -> None:
    # A 20 s clause goes over in pieces; the client is behind, so only the first piece (6.4 s,
    # 32 deltas of 200 ms) is queued when the user cancels. The words said are those of the
    # pieces sent.
    from kaiwa.testing import ToneVoice

    words = " ".join(f"w{i}" for i in range(50))
    stages = FakeStages(tts=ToneVoice(clause_ms=20_000))
    conn = RealtimeConnection(stages, session=MANUAL, max_events=16)
    await say(conn, f"say: {words}")
    await conn.receive({"type": "response.create"})
    for _ in range(500):
        if conn.events_waiting >= 32:
            break
        await asyncio.sleep(0.01)
    await conn.receive({"type": "response.cancel"})
    done = await next_of(conn, "response.done")
    said = done["response"]["output"][0]["content"][0]["transcript"].split()
    # The first clause is "w0 w1 w2" (the splitter starts short): 20 s of audio in 4 pieces,
    # its 3 words shared among them. Only the first piece was sent: its one word was said.
    assert said == ["w0"]
    item_id = done["response"]["output"][0]["id"]
    truncate = {"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0}
    await conn.receive({**truncate, "audio_end_ms": 6400})  # all that was sent was heard
    await next_of(conn, "conversation.item.truncated")
    assert conn.conversation.get(item_id)["content"][0]["transcript"].split() == said
    await conn.close()
