"""ClientProtocol, driven with plain calls: no sockets, no event loop."""

from __future__ import annotations

import base64
from typing import Any

from kaiwa import (
    ProtocolError,
    RealtimeModelSendAudio,
    RealtimeModelSendInterrupt,
    RealtimeModelSendUserInput,
    RealtimePlaybackTracker,
)
from kaiwa.models._client_protocol import ClientProtocol


def delta(response: str = "r1", item: str = "i1", ms: int = 100) -> dict[str, Any]:
    audio = base64.b64encode(b"\x01\x00" * 24 * ms).decode()
    return {
        "type": "response.output_audio.delta",
        "event_id": "e",
        "response_id": response,
        "item_id": item,
        "output_index": 0,
        "content_index": 0,
        "delta": audio,
    }


def created(response: str) -> dict[str, Any]:
    return {
        "type": "response.created",
        "event_id": "e",
        "response": {"id": response, "object": "realtime.response", "status": "in_progress"},
    }


def done(response: str, status: str = "completed") -> dict[str, Any]:
    return {
        "type": "response.done",
        "event_id": "e",
        "response": {"id": response, "object": "realtime.response", "status": status},
    }


def sent_types(protocol: ClientProtocol) -> list[str]:
    return [e["type"] for e in protocol.events_to_send()]


class TestResponseSequencing:
    def test_a_message_sends_item_then_response_create(self) -> None:
        p = ClientProtocol("m")
        p.send(RealtimeModelSendUserInput("hi"))
        assert sent_types(p) == ["conversation.item.create", "response.create"]

    def test_response_create_waits_while_one_is_active(self) -> None:
        p = ClientProtocol("m")
        p.send(RealtimeModelSendUserInput("one"))
        p.events_to_send()
        p.receive(created("r1"))
        p.send(RealtimeModelSendUserInput("two"))
        p.send(RealtimeModelSendUserInput("three"))
        assert sent_types(p) == ["conversation.item.create", "conversation.item.create"]
        p.receive(done("r1"))
        assert sent_types(p) == ["response.create"]

    def test_create_in_flight_also_blocks_a_second_create(self) -> None:
        p = ClientProtocol("m")
        p.request_response()
        p.request_response()
        assert sent_types(p) == ["response.create"]

    def test_active_response_error_requeues_instead_of_surfacing(self) -> None:
        p = ClientProtocol("m")
        p.request_response()
        p.events_to_send()
        p.receive(
            {
                "type": "error",
                "event_id": "e",
                "error": {
                    "type": "invalid_request_error",
                    "code": "conversation_already_has_active_response",
                    "message": "busy",
                },
            }
        )
        assert not [e for e in p.events_to_emit() if e.type == "error"]
        p.receive(created("server-vad"))
        p.receive(done("server-vad"))
        assert sent_types(p) == ["response.create"]

    def test_other_errors_are_emitted(self) -> None:
        p = ClientProtocol("m")
        p.receive(
            {
                "type": "error",
                "event_id": "e",
                "error": {"type": "invalid_request_error", "message": "bad"},
            }
        )
        errors = [e for e in p.events_to_emit() if e.type == "error"]
        assert errors[0].error["message"] == "bad"


class TestInterruption:
    def test_interrupt_truncates_at_played_position_and_cancels(self) -> None:
        tracker = RealtimePlaybackTracker()
        p = ClientProtocol("m", tracker)
        p.receive(created("r1"))
        for _ in range(5):
            p.receive(delta())
        tracker.on_play_ms("i1", 0, 250.0)
        p.events_to_emit()
        p.send(RealtimeModelSendInterrupt())
        out = p.events_to_send()
        assert out[0] == {
            "type": "conversation.item.truncate",
            "item_id": "i1",
            "content_index": 0,
            "audio_end_ms": 250,
        }
        assert out[1] == {"type": "response.cancel", "response_id": "r1"}
        assert [e.type for e in p.events_to_emit()] == ["audio_interrupted"]

    def test_audio_of_an_interrupted_response_is_dropped(self) -> None:
        p = ClientProtocol("m", RealtimePlaybackTracker())
        p.receive(created("r1"))
        p.receive(delta())
        p.send(RealtimeModelSendInterrupt())
        p.events_to_emit()
        p.receive(delta())
        assert [e.type for e in p.events_to_emit()] == ["raw_server_event"]

    def test_fully_played_audio_is_not_truncated(self) -> None:
        tracker = RealtimePlaybackTracker()
        p = ClientProtocol("m", tracker)
        p.receive(created("r1"))
        p.receive(delta(ms=100))
        p.receive(done("r1"))
        tracker.on_play_ms("i1", 0, 100.0)
        p.send(RealtimeModelSendInterrupt())
        assert sent_types(p) == []

    def test_truncation_never_claims_more_than_was_received(self) -> None:
        p = ClientProtocol("m")  # wall-clock tracker: elapsed capped at received audio
        p.receive(created("r1"))
        p.receive(delta(ms=100))
        p.send(RealtimeModelSendInterrupt())
        truncate = p.events_to_send()[0]
        assert truncate["type"] == "conversation.item.truncate"
        assert 0 <= truncate["audio_end_ms"] <= 100

    def test_speech_started_with_interrupt_response_leaves_cancel_to_server(self) -> None:
        p = ClientProtocol("m", RealtimePlaybackTracker())
        p.update_session({"turn_detection": {"type": "server_vad", "interrupt_response": True}})
        session = p.events_to_send()[0]["session"]
        p.receive({"type": "session.updated", "event_id": "e", "session": session})
        p.receive(created("r1"))
        p.receive(delta())
        p.receive(
            {
                "type": "input_audio_buffer.speech_started",
                "event_id": "e",
                "item_id": "u1",
                "audio_start_ms": 0,
            }
        )
        assert sent_types(p) == ["conversation.item.truncate"]

    def test_speech_started_without_interrupt_response_cancels(self) -> None:
        p = ClientProtocol("m", RealtimePlaybackTracker())
        p.receive(created("r1"))
        p.receive(delta())
        p.receive(
            {
                "type": "input_audio_buffer.speech_started",
                "event_id": "e",
                "item_id": "u1",
                "audio_start_ms": 0,
            }
        )
        assert sent_types(p) == ["conversation.item.truncate", "response.cancel"]


class TestMalformedInput:
    def test_bad_audio_delta_is_an_error_event(self) -> None:
        p = ClientProtocol("m")
        bad = delta()
        del bad["item_id"]
        p.receive(bad)
        errors = [e for e in p.events_to_emit() if e.type == "error"]
        assert isinstance(errors[0].error, ProtocolError)

    def test_bad_known_event_is_an_error_event(self) -> None:
        p = ClientProtocol("m")
        p.receive({"type": "response.done", "event_id": "e"})
        errors = [e for e in p.events_to_emit() if e.type == "error"]
        assert "response.done" in str(errors[0].error)

    def test_unknown_event_type_is_passed_on_raw_only(self) -> None:
        p = ClientProtocol("m")
        p.receive({"type": "response.future_feature", "x": 1})
        assert [e.type for e in p.events_to_emit()] == ["raw_server_event"]

    def test_audio_is_sent_base64_and_commit_follows(self) -> None:
        p = ClientProtocol("m")
        p.send(RealtimeModelSendAudio(b"\x01\x02", commit=True))
        out = p.events_to_send()
        assert out == [
            {"type": "input_audio_buffer.append", "audio": "AQI="},
            {"type": "input_audio_buffer.commit"},
        ]


def item_event(kind: str, item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": kind, "event_id": "e", "item": {"object": "realtime.item", **item}, **extra}


class TestResume:
    """After a dropped connection: the same settings and conversation on the new one."""

    def conversation(self) -> ClientProtocol:
        p = ClientProtocol("m")
        p.update_session({"instructions": "Be brief."})
        said = {"id": "u1", "type": "message", "role": "user", "status": "completed"}
        p.receive(
            item_event(
                "conversation.item.done",
                {**said, "content": [{"type": "input_audio", "transcript": None}]},
            )
        )
        p.receive(
            {
                "type": "conversation.item.input_audio_transcription.completed",
                "event_id": "e",
                "item_id": "u1",
                "content_index": 0,
                "transcript": "Weather in Oslo?",
                "usage": {"type": "duration", "seconds": 1},
            }
        )
        call = {
            "id": "c1",
            "type": "function_call",
            "call_id": "call_1",
            "name": "weather",
            "arguments": '{"city": "Oslo"}',
            "status": "completed",
        }
        p.receive(
            {
                "type": "response.output_item.done",
                "event_id": "e",
                "response_id": "r1",
                "output_index": 0,
                "item": {"object": "realtime.item", **call},
            }
        )
        p.receive(
            item_event(
                "conversation.item.done",
                {
                    "id": "o1",
                    "type": "function_call_output",
                    "call_id": "call_1",
                    "output": "Snow.",
                },
            )
        )
        # An answer cut by the drop: what was said of it is kept.
        p.receive(created("r2"))
        p.receive(
            item_event(
                "conversation.item.added",
                {
                    "id": "a1",
                    "type": "message",
                    "role": "assistant",
                    "status": "in_progress",
                    "content": [],
                },
            )
        )
        for piece in ("It is ", "snowing."):
            p.receive(
                {
                    "type": "response.output_audio_transcript.delta",
                    "event_id": "e",
                    "response_id": "r2",
                    "item_id": "a1",
                    "output_index": 0,
                    "content_index": 0,
                    "delta": piece,
                }
            )
        p.receive(
            item_event(
                "conversation.item.done",
                {
                    "id": "gone",
                    "type": "message",
                    "role": "user",
                    "status": "completed",
                    "content": [{"type": "input_text", "text": "never mind"}],
                },
            )
        )
        p.receive({"type": "conversation.item.deleted", "event_id": "e", "item_id": "gone"})
        p.events_to_send()
        p.events_to_emit()
        return p

    def test_settings_then_history_then_what_was_sent_meanwhile(self) -> None:
        p = self.conversation()
        p.send(RealtimeModelSendUserInput("And tomorrow?"))  # sent while disconnected
        assert p.resume() == (5, 0)  # (remembered when sent, replayed once)
        out = p.events_to_send()
        assert [e["type"] for e in out] == [
            "session.update",
            *["conversation.item.create"] * 5,
            "response.create",
        ]
        assert out[0]["session"]["instructions"] == "Be brief."
        items = [e["item"] for e in out[1:5]]
        assert [i["id"] for i in items] == ["u1", "c1", "o1", "a1"]
        assert items[0]["content"] == [{"type": "input_text", "text": "Weather in Oslo?"}]
        assert items[1]["arguments"] == '{"city": "Oslo"}' and items[2]["output"] == "Snow."
        assert items[3] == {
            "type": "message",
            "id": "a1",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "It is snowing."}],
        }
        assert out[5]["item"]["content"][0]["text"] == "And tomorrow?"
        assert p.active_response_id is None  # r2 died with the old connection
        ended = [e for e in p.events_to_emit() if e.type == "turn_ended"]
        assert [e.response_id for e in ended] == ["r2"]  # the listeners are told

    def test_an_item_the_server_never_confirmed_is_replayed_once(self) -> None:
        p = ClientProtocol("m")
        p.send(RealtimeModelSendUserInput("Hello?"))
        lost = p.events_to_send()  # written to a socket that was already gone
        p.put_back(lost)
        assert p.resume() == (1, 0)
        out = p.events_to_send()
        assert [e["type"] for e in out] == ["conversation.item.create", "response.create"]
        assert out[0]["item"]["id"] == lost[0]["item"]["id"]

    def test_a_sip_call_gets_its_settings_again_and_keeps_its_items(self) -> None:
        p = self.conversation()
        assert p.resume(replay_items=False) == (0, 0)
        assert [e["type"] for e in p.events_to_send()] == ["session.update"]

    def test_audio_nobody_transcribed_is_counted_not_hidden(self) -> None:
        p = ClientProtocol("m")
        p.receive(
            item_event(
                "conversation.item.done",
                {
                    "id": "u1",
                    "type": "message",
                    "role": "user",
                    "status": "completed",
                    "content": [{"type": "input_audio", "transcript": None}],
                },
            )
        )
        assert p.resume() == (0, 1)


class TestReplayAfterBargeIn:
    """An answer the user cut off is replayed after a reconnection as far as it was heard."""

    SAID = "One two three four five six seven eight."

    @staticmethod
    def transcript(text: str) -> dict[str, Any]:
        return {
            "type": "response.output_audio_transcript.delta",
            "event_id": "e",
            "response_id": "r1",
            "item_id": "i1",
            "output_index": 0,
            "content_index": 0,
            "delta": text,
        }

    def cut_answer(
        self, fetched: dict[str, Any], *, finished_first: bool = False
    ) -> tuple[ClientProtocol, list[dict[str, Any]]]:
        """The answer streams as both servers send it (the item added with no content, then
        its transcript and audio), is cut at half its audio, then fetched as ``fetched``."""
        tracker = RealtimePlaybackTracker()
        p = ClientProtocol("m", tracker)
        p.receive(created("r1"))
        answer = {"id": "i1", "type": "message", "role": "assistant", "status": "in_progress"}
        added = {"event_id": "e", "response_id": "r1", "output_index": 0}
        p.receive(item_event("response.output_item.added", {**answer, "content": []}, **added))
        p.receive(item_event("conversation.item.added", {**answer, "content": []}))
        p.receive(self.transcript(self.SAID))
        for _ in range(4):
            p.receive(delta())  # 400 ms of audio
        whole = [{"type": "output_audio", "transcript": self.SAID + " Nine ten."}]
        if finished_first:
            p.receive(self.transcript(" Nine ten."))
            done_item = {**answer, "status": "completed", "content": whole}
            p.receive(item_event("response.output_item.done", done_item, **added))
        tracker.on_play_ms("i1", 0, 200.0)  # half of the audio was heard
        p.send(RealtimeModelSendInterrupt())
        assert p.events_to_send()[0]["type"] == "conversation.item.truncate"
        if not finished_first:  # still being written: late words and the whole copy come
            p.receive(self.transcript(" Nine ten."))
            done_item = {**answer, "status": "incomplete", "content": whole}
            p.receive(item_event("response.output_item.done", done_item, **added))
        p.receive(
            {
                "type": "conversation.item.truncated",
                "event_id": "e",
                "item_id": "i1",
                "content_index": 0,
                "audio_end_ms": 200,
            }
        )
        assert p.events_to_send() == [{"type": "conversation.item.retrieve", "item_id": "i1"}]
        p.receive(done("r1", "cancelled"))
        kept = {**answer, "status": "incomplete", "content": [fetched]}
        p.receive(item_event("conversation.item.retrieved", kept))
        p.resume()
        items = [e["item"] for e in p.events_to_send() if e["type"] == "conversation.item.create"]
        return p, items

    def test_without_the_servers_transcript_the_heard_share_is_replayed(self) -> None:
        # Cut while being written (8 words so far: the late "Nine ten." is not taken), or
        # after (all 10): half of the audio was heard, so half of the words.
        for finished_first, heard in (
            (False, "One two three four"),
            (True, "One two three four five"),
        ):
            _, items = self.cut_answer({"type": "output_audio"}, finished_first=finished_first)
            assert [i["content"] for i in items] == [[{"type": "output_text", "text": heard}]]

    def test_the_servers_cut_transcript_wins_over_the_estimate(self) -> None:
        _, items = self.cut_answer({"type": "output_audio", "transcript": "One two three"})
        assert [i["content"] for i in items] == [[{"type": "output_text", "text": "One two three"}]]

    def test_a_cut_the_server_made_empty_is_not_replayed(self) -> None:
        _, items = self.cut_answer({"type": "output_audio", "transcript": ""})
        assert items == []

    def test_a_truncate_not_sent_before_the_drop_is_not_sent_after_it(self) -> None:
        tracker = RealtimePlaybackTracker()
        p = ClientProtocol("m", tracker)
        p.receive(created("r1"))
        answer = {"id": "i1", "type": "message", "role": "assistant", "status": "in_progress"}
        p.receive(item_event("conversation.item.added", {**answer, "content": []}))
        p.receive(self.transcript(self.SAID))
        for _ in range(4):
            p.receive(delta())
        tracker.on_play_ms("i1", 0, 100.0)
        p.send(RealtimeModelSendInterrupt())  # queued, and the connection drops before it goes
        p.resume()
        out = p.events_to_send()
        assert "conversation.item.truncate" not in [e["type"] for e in out]
        (item,) = [e["item"] for e in out if e["type"] == "conversation.item.create"]
        assert item["content"] == [{"type": "output_text", "text": "One two"}]

    def test_heard_part_cuts_whole_words_or_characters(self) -> None:
        from kaiwa.models._client_protocol import heard_part

        assert heard_part("a b c d", 0.5) == "a b"
        assert heard_part("a b c d", 0.7) == "a b"  # a word half heard is not kept
        assert heard_part("Absolutely!", 0.6) == ""
        assert heard_part("今日は晴れです", 0.5) == "今日は"
        assert heard_part("a b", 0.0) == "" and heard_part("a b", 1.5) == "a b"
