"""`ServerProtocol` with plain calls: no model, no event loop. The test plays the stages."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import orjson
import pytest

from kaiwa.core.commands import (
    Command,
    CommitAudio,
    DropEarlyReply,
    Listen,
    ListenTo,
    Reply,
    StartEarlyReply,
    StopReply,
    Transcribe,
    TranscribeContent,
)
from kaiwa.core.protocol import MAX_HELD_EVENTS, MAX_UNFINISHED_TURNS, ServerProtocol
from kaiwa.engine.chat import ToolCall
from kaiwa.engine.listener import ListenerEvent
from kaiwa.engine.responder import ResponseChunk
from tests.checks import strict

MANUAL: dict[str, Any] = {"type": "realtime", "audio": {"input": {"turn_detection": None}}}
SERVER_VAD: dict[str, Any] = {
    "type": "realtime",
    "audio": {"input": {"turn_detection": {"type": "server_vad"}}},
}
# What kaiwa's AudioIO sends: the server does not cancel an answer when speech starts.
SERVER_VAD_NO_BARGE_IN: dict[str, Any] = {
    "type": "realtime",
    "audio": {"input": {"turn_detection": {"type": "server_vad", "interrupt_response": False}}},
}


def pcm(ms: int) -> str:
    """``ms`` of 24 kHz pcm16 silence, base64 (the session's default input format)."""
    return base64.b64encode(bytes(ms * 48)).decode()


def spoken(text: str, seconds: float = 0.5) -> ResponseChunk:
    return ResponseChunk(text=text, audio=np.zeros(int(24000 * seconds), np.float32))


class Driven:
    """A `ServerProtocol` whose events and commands the test collects (it plays the stages:
    a test fixture, not a driver). Every event is checked as strict clients check it."""

    def __init__(self, session: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.protocol = ServerProtocol(session=session, **kwargs)
        self.events: list[dict[str, Any]] = []
        self.commands: list[Command] = []
        self.listener_audio = np.zeros(16000, np.float32)
        """What the listener gives on `CommitAudio` (1 s)."""
        self.answer_commits = True
        self.drain()

    def drain(self) -> None:
        while (command := self.protocol.next_command()) is not None:
            self.commands.append(command)
            if (
                isinstance(command, CommitAudio) and self.answer_commits
            ):  # at once, as a driver must
                self.protocol.committed(command, self.listener_audio)
        for event in self.protocol.events_to_send():
            strict(orjson.dumps(event))
            self.events.append(event)

    def send(self, kind: str, **fields: Any) -> None:
        self.protocol.receive({"type": kind, **fields})
        self.drain()

    def report(self, method: str, *args: Any) -> None:
        getattr(self.protocol, method)(*args)
        self.drain()

    def types(self, since: int = 0) -> list[str]:
        return [e["type"] for e in self.events[since:]]

    def last(self, kind: str) -> dict[str, Any]:
        return next(e for e in reversed(self.events) if e["type"] == kind)

    def taken(self, cls: type[Command]) -> list[Any]:
        """The commands of ``cls`` so far, removed from `commands`."""
        out = [c for c in self.commands if isinstance(c, cls)]
        self.commands = [c for c in self.commands if not isinstance(c, cls)]
        return out

    def say(self, text: str) -> None:
        content = [{"type": "input_text", "text": text}]
        self.send(
            "conversation.item.create", item={"type": "message", "role": "user", "content": content}
        )


def test_the_session_starts_and_changes() -> None:
    side = Driven()
    assert side.types() == ["session.created"]
    assert isinstance(side.commands[0], Listen)  # turn detection is on by default
    side.send("session.update", session={"type": "realtime", "instructions": "Be brief."})
    assert side.last("session.updated")["session"]["instructions"] == "Be brief."
    side.send(
        "session.update",
        event_id="evt_1",
        session={"type": "realtime", "output_modalities": ["video"]},
    )
    error = side.last("error")["error"]
    assert error["event_id"] == "evt_1" and "output_modalities" in error["param"]
    assert side.protocol.session["instructions"] == "Be brief."  # the bad update changed nothing


def test_a_response_streams_its_reply_in_openai_order() -> None:
    side = Driven(MANUAL)
    side.say("Hello?")
    mark = len(side.events)
    side.send("response.create")
    (reply,) = side.taken(Reply)
    assert reply.items[-1]["content"][0]["text"] == "Hello?"
    side.report("replied", reply.response_id, spoken("Hi there.", 0.5))
    side.report("reply_ended", reply.response_id, None, {"input_tokens": 12, "output_tokens": 4})
    assert side.types(mark) == [
        "response.created",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
        "response.output_audio_transcript.delta",
        *["response.output_audio.delta"] * 3,  # 500 ms in 200 ms deltas
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "conversation.item.done",
        "response.done",
        "rate_limits.updated",
    ]
    done = side.last("response.done")["response"]
    assert done["status"] == "completed" and done["usage"]["total_tokens"] == 16
    assert done["output"][0]["content"][0]["transcript"] == "Hi there."
    assert not side.protocol.responding


def test_one_response_at_a_time() -> None:
    side = Driven(MANUAL)
    side.send("response.create")
    side.send("response.create", event_id="evt_2")
    error = side.last("error")["error"]
    assert error["code"] == "conversation_already_has_active_response"
    assert error["event_id"] == "evt_2"
    assert len(side.taken(Reply)) == 1


def test_a_response_cancelled_before_its_reply_began_ends_once_the_stage_stopped() -> None:
    side = Driven(MANUAL)
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.send("response.cancel")
    assert [c.response_id for c in side.taken(StopReply)] == [reply.response_id]
    assert "response.done" not in side.types()  # not before the reply stopped
    side.report("replied", reply.response_id, spoken("Too late."))  # in flight: dropped
    side.report("reply_ended", reply.response_id)
    done = side.last("response.done")["response"]
    assert done["status"] == "cancelled" and done["output"] == []
    assert done["status_details"]["reason"] == "client_cancelled"
    side.send("response.create")  # the session goes on
    assert len(side.taken(Reply)) == 1


def test_cancelling_mid_reply_closes_the_open_item() -> None:
    side = Driven(MANUAL)
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.report("replied", reply.response_id, spoken("One."))
    side.send("response.cancel")
    side.report("reply_ended", reply.response_id)
    item = side.last("response.output_item.done")["item"]
    assert item["status"] == "incomplete"
    assert item["content"][0]["transcript"] == "One."


def test_a_tool_call_becomes_a_completed_function_call_item() -> None:
    side = Driven(MANUAL)
    side.send("response.create")
    (reply,) = side.taken(Reply)
    call = ToolCall(call_id="call_1", name="get_weather", arguments='{"city": "Oslo"}')
    side.report("replied", reply.response_id, ResponseChunk(tool_call=call))
    side.report("reply_ended", reply.response_id)
    done = side.last("response.done")["response"]
    assert done["output"][0]["type"] == "function_call"
    assert done["output"][0]["status"] == "completed"
    assert side.last("response.function_call_arguments.done")["arguments"] == '{"city": "Oslo"}'


def test_a_failed_reply_fails_the_response_and_not_the_session() -> None:
    side = Driven(MANUAL)
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.report("reply_ended", reply.response_id, RuntimeError("out of memory"))
    assert "out of memory" in side.last("error")["error"]["message"]
    assert side.last("response.done")["response"]["status"] == "failed"
    side.send("response.create")
    assert len(side.taken(Reply)) == 1


def test_manual_commits_become_turns_finished_in_commit_order() -> None:
    side = Driven(MANUAL)
    side.send("input_audio_buffer.append", audio=pcm(300))
    side.send("input_audio_buffer.commit")
    side.send("input_audio_buffer.append", audio=pcm(300))
    side.send("input_audio_buffer.commit")
    first, second = side.taken(Transcribe)
    mark = len(side.events)
    side.report("transcribed", second.item_id, "second")
    assert side.types(mark) == []  # it waits for the turn before it
    side.report("transcribed", first.item_id, "first")
    done = [e["item"] for e in side.events[mark:] if e["type"] == "conversation.item.done"]
    assert [d["content"][0]["transcript"] for d in done] == ["first", "second"]
    assert side.taken(Reply) == []  # manual turns ask for no response


def test_a_commit_of_under_100_ms_is_refused_and_keeps_nothing() -> None:
    side = Driven(MANUAL)
    side.send("input_audio_buffer.append", audio=pcm(40))
    side.send("input_audio_buffer.commit", event_id="evt_c")
    error = side.last("error")["error"]
    assert error["code"] == "input_audio_buffer_commit_empty" and error["event_id"] == "evt_c"
    assert len(side.protocol.conversation) == 0


def test_with_turn_detection_audio_goes_to_the_listener() -> None:
    side = Driven(SERVER_VAD)
    side.send("input_audio_buffer.append", audio=pcm(100))
    (chunk,) = side.taken(ListenTo)
    assert 1400 <= chunk.samples.size <= 1600  # 100 ms at 16 kHz inside (the resampler lags)
    side.send("input_audio_buffer.commit")
    assert side.last("input_audio_buffer.committed")  # the listener's audio (1 s) was taken


def vad_turn(side: Driven, transcript: str | None, *, audio_s: float = 1.0) -> None:
    side.report("heard", ListenerEvent("speech_started", audio_start_ms=100))
    side.report("heard", ListenerEvent("speech_stopped", audio_end_ms=900))
    audio = np.zeros(int(16000 * audio_s), np.float32)
    side.report("heard", ListenerEvent("turn_ended", transcript=transcript, audio=audio))


def test_a_detected_turn_is_answered_and_speech_interrupts_the_answer() -> None:
    side = Driven(SERVER_VAD)
    vad_turn(side, "What time is it?")
    (reply,) = side.taken(Reply)
    kinds = side.types()
    assert kinds.index("conversation.item.done") < kinds.index("response.created")
    started = side.last("input_audio_buffer.speech_started")["item_id"]
    assert side.last("input_audio_buffer.committed")["item_id"] == started
    side.report("replied", reply.response_id, spoken("It is noon."))
    side.report("heard", ListenerEvent("speech_started", audio_start_ms=2000))
    assert [c.response_id for c in side.taken(StopReply)] == [reply.response_id]
    side.report("reply_ended", reply.response_id)
    assert side.last("response.done")["response"]["status_details"]["reason"] == "turn_detected"


def test_a_turn_that_ends_during_a_response_gets_the_next_one() -> None:
    side = Driven(SERVER_VAD_NO_BARGE_IN)
    vad_turn(side, "Tell me a story.")
    (first,) = side.taken(Reply)
    vad_turn(side, "And make it short.")
    assert side.taken(Reply) == [] and side.taken(StopReply) == []
    side.report("reply_ended", first.response_id)
    (second,) = side.taken(Reply)
    assert second.items[-1]["content"][0]["transcript"] == "And make it short."


def test_an_early_reply_is_used_when_the_words_are_the_same() -> None:
    side = Driven(SERVER_VAD)
    side.report("heard", ListenerEvent("speech_started"))
    side.report("heard", ListenerEvent("partial", transcript="What is two plus two?"))
    (early,) = side.taken(StartEarlyReply)
    assert early.items[-1]["content"][0]["text"] == "What is two plus two?"
    side.report(
        "heard",
        ListenerEvent(
            "turn_ended", transcript="What is two plus two?", audio=np.zeros(8000, np.float32)
        ),
    )
    (reply,) = side.taken(Reply)
    assert reply.early and side.taken(DropEarlyReply) == []


def test_an_early_reply_is_dropped_when_the_user_goes_on() -> None:
    side = Driven(SERVER_VAD)
    side.report("heard", ListenerEvent("speech_started"))
    side.report("heard", ListenerEvent("partial", transcript="What is two"))
    assert len(side.taken(StartEarlyReply)) == 1
    side.report("heard", ListenerEvent("speech_started"))
    assert len(side.taken(DropEarlyReply)) == 1
    side.report(
        "heard",
        ListenerEvent(
            "turn_ended", transcript="What is two plus two?", audio=np.zeros(8000, np.float32)
        ),
    )
    (reply,) = side.taken(Reply)
    assert not reply.early


def test_the_idle_timeout_commits_silence_and_answers_it() -> None:
    side = Driven(
        {
            "type": "realtime",
            "audio": {"input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 5000}}},
        }
    )
    side.say("Hi")
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.report("replied", reply.response_id, spoken("Hello!", 1.0))
    side.report("listened", 3000, False)
    side.report("reply_ended", reply.response_id)
    side.report("listened", 8000, False)  # 1 s of answer + 5 s idle not yet heard
    assert "input_audio_buffer.timeout_triggered" not in side.types()
    side.report("listened", 9000, False)
    timeout = side.last("input_audio_buffer.timeout_triggered")
    assert (timeout["audio_start_ms"], timeout["audio_end_ms"]) == (4000, 9000)
    assert side.last("input_audio_buffer.committed")["item_id"] == timeout["item_id"]
    assert len(side.taken(Reply)) == 1  # the automatic answer to the silence


def test_truncating_the_answer_still_streaming_cuts_it_when_it_ends() -> None:
    side = Driven(MANUAL)
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.report("replied", reply.response_id, spoken("First part.", 1.0))
    item_id = side.last("response.output_item.added")["item"]["id"]
    side.send("conversation.item.truncate", item_id=item_id, content_index=0, audio_end_ms=600)
    assert side.last("conversation.item.truncated")["audio_end_ms"] == 600
    side.report("replied", reply.response_id, spoken("Second part.", 1.0))
    side.send("response.cancel")
    side.report("reply_ended", reply.response_id)
    stored = side.protocol.conversation.get(item_id)
    assert stored["content"][0]["transcript"] == "First"  # 600 of 1,000 ms of two words


def test_a_settings_change_mid_response_leaves_the_response_alone() -> None:
    side = Driven(MANUAL)
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.send("session.update", session={"type": "realtime", "instructions": "Speak French."})
    assert side.protocol.responding and side.taken(StopReply) == []
    side.report("replied", reply.response_id, spoken("Hello."))
    side.report("reply_ended", reply.response_id)
    assert side.last("response.done")["response"]["status"] == "completed"


def test_deleting_the_turn_takes_back_its_answer() -> None:
    side = Driven(SERVER_VAD)
    vad_turn(side, "Cough.")
    (reply,) = side.taken(Reply)
    user = side.last("input_audio_buffer.committed")["item_id"]
    side.report("replied", reply.response_id, spoken("Bless you."))
    answer = side.last("response.output_item.added")["item"]["id"]
    side.send("conversation.item.delete", item_id=user)
    assert len(side.taken(StopReply)) == 1
    side.report("reply_ended", reply.response_id)
    deleted = [e["item_id"] for e in side.events if e["type"] == "conversation.item.deleted"]
    assert deleted == [user, answer]
    assert len(side.protocol.conversation) == 0


def test_a_turn_deleted_while_it_waits_for_the_answer_before_it_gets_none() -> None:
    # kaiwa's AudioIO deletes a backchannel said over a long answer; its automatic response,
    # which waits for that answer to end, must never start.
    side = Driven(SERVER_VAD_NO_BARGE_IN)
    vad_turn(side, "Tell me a long story.")
    (story,) = side.taken(Reply)
    vad_turn(side, "Okay.")
    okay = side.last("input_audio_buffer.committed")["item_id"]
    side.send("conversation.item.delete", item_id=okay)
    assert side.taken(StopReply) == []  # the story goes on
    side.report("replied", story.response_id, spoken("Once upon a time."))
    side.report("reply_ended", story.response_id)
    assert side.last("response.done")["response"]["status"] == "completed"
    assert side.taken(Reply) == []  # and nothing answers the deleted turn
    assert sum(e["type"] == "response.created" for e in side.events) == 1


def test_an_item_with_audio_waits_for_its_words_and_holds_later_events() -> None:
    side = Driven(MANUAL)
    part = {"type": "input_audio", "audio": pcm(500)}
    item = {"id": "item_a", "type": "message", "role": "user", "content": [part]}
    side.send("conversation.item.create", item=item)
    (job,) = side.taken(TranscribeContent)
    assert side.protocol.busy
    side.send("response.create")  # held: it must see the item
    assert side.taken(Reply) == []
    side.report("content_transcribed", job.ticket, "Where is my parcel?")
    added = side.last("conversation.item.added")["item"]
    assert added["content"] == [{"type": "input_audio", "transcript": "Where is my parcel?"}]
    (reply,) = side.taken(Reply)
    assert reply.items[-1]["id"] == "item_a"


def test_a_client_that_floods_events_while_it_is_held_is_told() -> None:
    side = Driven(MANUAL)
    part = {"type": "input_audio", "audio": pcm(500)}
    side.send(
        "conversation.item.create", item={"type": "message", "role": "user", "content": [part]}
    )
    for _ in range(MAX_HELD_EVENTS):
        side.send("conversation.item.retrieve", item_id="nope")
    assert "error" not in side.types()
    side.send("conversation.item.retrieve", item_id="nope", event_id="evt_x")
    assert side.last("error")["error"]["event_id"] == "evt_x"


def test_bad_events_get_errors_naming_them() -> None:
    side = Driven(MANUAL)
    side.send("no.such.event", event_id="e1")
    side.send("conversation.item.create", event_id="e2", item={"type": "message"})
    side.send("input_audio_buffer.append", event_id="e3", audio="not base64!")
    side.send(
        "conversation.item.truncate",
        event_id="e4",
        item_id="missing",
        content_index=0,
        audio_end_ms=0,
    )
    errors = [e["error"] for e in side.events if e["type"] == "error"]
    assert [e["event_id"] for e in errors] == ["e1", "e2", "e3", "e4"]
    assert all(e["type"] == "invalid_request_error" for e in errors)


def test_after_close_nothing_comes_out() -> None:
    side = Driven(MANUAL)
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.commands.clear()
    side.protocol.close()
    mark = len(side.events)
    side.report("replied", reply.response_id, spoken("Hello."))
    side.report("reply_ended", reply.response_id)
    side.send("response.create")
    assert side.types(mark) == [] and side.commands == []


@pytest.mark.parametrize("window,ok", [(None, True), (32768, True), (1000, False)])
def test_settings_that_cannot_fit_the_context_are_refused(window: int | None, ok: bool) -> None:
    side = Driven(MANUAL, context_window=window)
    side.send("session.update", session={"type": "realtime", "instructions": "x" * 20000})
    assert ("session.updated" in side.types()) is ok


def test_a_cut_asked_for_while_a_text_answer_is_made_lapses() -> None:
    side = Driven({**MANUAL, "output_modalities": ["text"]})
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.report("replied", reply.response_id, ResponseChunk(text="Some text."))
    item_id = side.last("response.output_item.added")["item"]["id"]
    side.send("conversation.item.truncate", item_id=item_id, content_index=0, audio_end_ms=0)
    side.report("reply_ended", reply.response_id)
    assert side.last("response.done")["response"]["status"] == "completed"
    assert not side.protocol.responding  # the session can respond again
    assert side.protocol.conversation.get(item_id)["content"][0]["text"] == "Some text."


def test_commits_wait_for_the_turns_still_being_transcribed() -> None:
    side = Driven(MANUAL)
    for _ in range(MAX_UNFINISHED_TURNS):
        side.send("input_audio_buffer.append", audio=pcm(200))
        side.send("input_audio_buffer.commit")
    side.send("input_audio_buffer.append", audio=pcm(200))
    side.send("input_audio_buffer.commit", event_id="evt_many")
    error = side.last("error")["error"]
    assert error["code"] == "rate_limit_exceeded" and error["event_id"] == "evt_many"
    jobs = side.taken(Transcribe)
    assert len(jobs) == MAX_UNFINISHED_TURNS
    side.report("transcribed", jobs[0].item_id, "one")
    side.send("input_audio_buffer.commit")  # the audio stayed in the buffer
    assert len(side.taken(Transcribe)) == 1


def test_a_stage_that_fails_is_reported_and_what_waited_is_released() -> None:
    side = Driven(SERVER_VAD)
    side.answer_commits = False
    side.send("input_audio_buffer.commit", event_id="evt_c")
    (commit,) = side.taken(CommitAudio)
    side.report("stage_failed", commit, RuntimeError("the listener broke"))
    error = side.last("error")["error"]
    assert error["event_id"] == "evt_c" and "the listener broke" in error["message"]
    side.send("response.create")
    (reply,) = side.taken(Reply)
    side.report("stage_failed", reply, RuntimeError("no LLM"))
    assert side.last("response.done")["response"]["status"] == "failed"
    assert not side.protocol.responding
