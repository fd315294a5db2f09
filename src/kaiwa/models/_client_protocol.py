"""Sans-I/O client side of the Realtime protocol.

`ClientProtocol` holds everything the client must remember between events: which response is
active, whether a ``response.create`` waits its turn, what audio was received and played. It does
no I/O: feed it server events with `receive` and session requests with `send`, then drain
`events_to_emit` (for listeners) and `events_to_send` (for the socket). Time comes from the
playback tracker's clock, so tests can drive it with plain calls.

Rules it enforces (from the Realtime API's behaviour):

- never two responses at once: a ``response.create`` asked for while one is active (or while a
  create is in flight) is queued and sent after ``response.done``; several queued asks merge
  into one, since one response answers everything said so far;
- a ``conversation_already_has_active_response`` error for our own create re-queues it instead
  of surfacing, since the race (server VAD started a response first) is expected;
- on barge-in, the assistant item is truncated where playback really stopped, never past the
  audio received, and the interrupted response's late audio is dropped;
- the conversation is remembered as the server tells it (items, transcripts, deletions), so that
  after a dropped connection `resume` can give a new server session the same settings and
  history.
"""

from __future__ import annotations

import copy
import logging
import math
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from ..audio.playback import RealtimePlaybackTracker, WallClockPlaybackTracker
from ..exceptions import ProtocolError
from ..items import RealtimeToolCallItem
from ..protocol import (
    AUDIO_DELTA,
    KNOWN_SERVER_EVENTS,
    audio_delta_fields,
    parse_server_event,
    validate_client_event,
)
from ..settings import session_payload
from ._conversion import b64, item_to_history, usage_event, user_input_item
from .model_events import (
    RealtimeModelAudioDoneEvent,
    RealtimeModelAudioEvent,
    RealtimeModelAudioInterruptedEvent,
    RealtimeModelErrorEvent,
    RealtimeModelEvent,
    RealtimeModelInputAudioTimeoutTriggeredEvent,
    RealtimeModelInputAudioTranscriptionCompletedEvent,
    RealtimeModelItemDeletedEvent,
    RealtimeModelItemUpdatedEvent,
    RealtimeModelOutputTextDeltaEvent,
    RealtimeModelRawServerEvent,
    RealtimeModelToolCallEvent,
    RealtimeModelTranscriptDeltaEvent,
    RealtimeModelTurnEndedEvent,
    RealtimeModelTurnStartedEvent,
)
from .model_inputs import (
    RealtimeModelSendAudio,
    RealtimeModelSendEvent,
    RealtimeModelSendInterrupt,
    RealtimeModelSendRawMessage,
    RealtimeModelSendSessionUpdate,
    RealtimeModelSendToolOutput,
    RealtimeModelSendUserInput,
)

__all__ = ["ClientProtocol"]

logger = logging.getLogger("kaiwa.models")

ACTIVE_RESPONSE_ERROR = "conversation_already_has_active_response"
_AUDIO_KEPT = 8
MAX_REMEMBERED_ITEMS = 2_000
"""Conversation items remembered for a reconnection (as many as `kaiwa serve` keeps)."""


class ClientProtocol:
    """The client's protocol state machine; see the module docstring.

    Args:
        model: the default model name for ``session.update``.
        playback_tracker: where playback is; default assumes real-time playback from first byte.
    """

    def __init__(self, model: str, playback_tracker: RealtimePlaybackTracker | None = None) -> None:
        self.model = model
        self._received = WallClockPlaybackTracker()
        self._playback = playback_tracker or self._received
        self._out: list[dict[str, Any]] = []
        self._emit: list[RealtimeModelEvent] = []
        self.session: dict[str, Any] = {}
        self.active_response_id: str | None = None
        self._create_in_flight = False
        self._create_pending = False
        self._dropped_responses: dict[str, None] = {}  # insertion order: oldest first
        # The audio item of each recent response, in arrival order; the last one is current.
        self._audio: dict[str, tuple[str, int]] = {}
        self._app_barge_in = False
        self._last_payload: dict[str, Any] | None = None
        # The server's conversation as it told us, in order (what `resume` replays).
        self._items: dict[str, dict[str, Any]] = {}
        # Answers this client truncated: their remembered text is what was heard (for a
        # replay after a reconnection); only the server's fetched copy may change it.
        self._cut: dict[str, None] = {}
        self._handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "error": self._on_error,
            "session.created": self._on_session,
            "session.updated": self._on_session,
            "response.created": self._on_response_created,
            "response.done": self._on_response_done,
            "response.output_audio.done": self._on_audio_done,
            "response.output_audio_transcript.delta": self._on_transcript_delta,
            "response.output_text.delta": self._on_text_delta,
            "response.output_item.added": self._on_output_item,
            "response.output_item.done": self._on_output_item,
            "conversation.item.added": self._on_item,
            "conversation.item.created": self._on_item,
            "conversation.item.done": self._on_item,
            "conversation.item.retrieved": self._on_item,
            "conversation.item.deleted": self._on_item_deleted,
            "conversation.item.truncated": self._on_item_truncated,
            "conversation.item.input_audio_transcription.completed": self._on_transcription,
            "input_audio_buffer.speech_started": self._on_speech_started,
            "input_audio_buffer.timeout_triggered": self._on_timeout,
        }

    # -- draining ------------------------------------------------------------------------------

    def events_to_send(self) -> list[dict[str, Any]]:
        """Client events to write to the socket, in order. Call after `receive` / `send`."""
        out, self._out = self._out, []
        return out

    @property
    def wants_to_send(self) -> bool:
        """Whether `events_to_send` has something."""
        return bool(self._out)

    def events_to_emit(self) -> list[RealtimeModelEvent]:
        """Model events for the listeners, in order. Call after `receive` / `send`."""
        out, self._emit = self._emit, []
        return out

    # -- server events in ----------------------------------------------------------------------

    def receive(self, data: dict[str, Any]) -> None:
        """Take one server event (a decoded frame); then drain both queues.

        A malformed event becomes a `RealtimeModelErrorEvent` holding a `ProtocolError`.
        """
        kind = data["type"]
        self._emit.append(RealtimeModelRawServerEvent(data=data))
        try:
            if kind == AUDIO_DELTA:
                self._on_audio_delta(data)
                return
            if kind not in KNOWN_SERVER_EVENTS:
                logger.debug("ignoring unknown server event %r", kind)
                return
            parse_server_event(data)
            handler = self._handlers.get(kind)
            if handler is not None:
                handler(data)
        except ProtocolError as exc:
            self._emit.append(RealtimeModelErrorEvent(error=exc))

    def _on_audio_delta(self, data: dict[str, Any]) -> None:
        audio, response_id, item_id, index = audio_delta_fields(data)
        if response_id in self._dropped_responses:
            return
        if self._audio.get(response_id) != (item_id, index):
            self._audio.pop(response_id, None)
            self._audio[response_id] = (item_id, index)
            while len(self._audio) > _AUDIO_KEPT:
                del self._audio[next(iter(self._audio))]
        self._received.on_audio_received(item_id, index, audio)
        self._emit.append(RealtimeModelAudioEvent(audio, response_id, item_id, index))

    def _on_error(self, data: dict[str, Any]) -> None:
        error = data["error"]
        if error.get("code") == ACTIVE_RESPONSE_ERROR and self._create_in_flight:
            # Our create lost a race with a server-started response: wait for that one to end.
            self._create_in_flight = False
            self._create_pending = True
            return
        self._emit.append(RealtimeModelErrorEvent(error=error))

    def _on_session(self, data: dict[str, Any]) -> None:
        self.session = data["session"]
        fmt = self.session.get("audio", {}).get("output", {}).get("format")
        if fmt:
            self._received.set_audio_format(fmt)
            self._playback.set_audio_format(fmt)

    def _on_response_created(self, data: dict[str, Any]) -> None:
        response_id = data["response"]["id"]
        self.active_response_id = response_id
        self._create_in_flight = False
        self._emit.append(RealtimeModelTurnStartedEvent(response_id=response_id))

    def _on_response_done(self, data: dict[str, Any]) -> None:
        response = data["response"]
        response_id = response.get("id")
        self._dropped_responses.pop(response_id, None)
        if response_id == self.active_response_id or response_id is None:
            self.active_response_id = None
        if response.get("usage"):
            self._emit.append(usage_event(response["usage"]))
        self._emit.append(RealtimeModelTurnEndedEvent(response_id=response_id))
        if self._create_pending and self.active_response_id is None:
            self._create_pending = False
            self._send_response_create()

    def _on_audio_done(self, data: dict[str, Any]) -> None:
        self._emit.append(RealtimeModelAudioDoneEvent(data["item_id"], data["content_index"]))

    def _on_transcript_delta(self, data: dict[str, Any]) -> None:
        self._spoken(data["item_id"], data["delta"])
        self._emit.append(
            RealtimeModelTranscriptDeltaEvent(data["item_id"], data["delta"], data["response_id"])
        )

    def _on_text_delta(self, data: dict[str, Any]) -> None:
        self._spoken(data["item_id"], data["delta"])
        self._emit.append(
            RealtimeModelOutputTextDeltaEvent(data["item_id"], data["delta"], data["response_id"])
        )

    def _remember(self, item: dict[str, Any], *, fetched: bool = False) -> None:
        item_id = item.get("id")
        if not item_id:
            return
        new = copy.deepcopy(item)
        old = self._items.get(item_id)
        if old is not None and item_id in self._cut:
            # Cut by this client: what was heard stays, whatever later copies of the whole
            # answer say. The server's fetched copy after the cut wins where it has a
            # transcript ("" too: kaiwa cuts to whole words); where it has none (OpenAI
            # removes it), the estimate stays.
            olds = old.get("content") or []
            if not fetched:
                new["content"] = copy.deepcopy(olds)
            for was, now in zip(olds, new.get("content") or [], strict=False):
                if isinstance(now.get("transcript"), str) or isinstance(now.get("text"), str):
                    continue
                heard = was.get("transcript") or was.get("text")
                if heard:
                    now["transcript" if _is_audio(now) else "text"] = heard
        elif old is not None:  # a transcript that came before this copy of the item is kept
            for was, now in zip(old.get("content") or [], new.get("content") or [], strict=False):
                for key in ("transcript", "text"):
                    if was.get(key) and not now.get(key) and was.get("type") == now.get("type"):
                        now[key] = was[key]
        self._items[item_id] = new
        if len(self._items) > MAX_REMEMBERED_ITEMS:
            oldest = next(iter(self._items))
            del self._items[oldest]
            logger.warning(
                "over %d conversation items: the oldest (%s) will not be replayed after a "
                "reconnection",
                MAX_REMEMBERED_ITEMS,
                oldest,
            )

    def _spoken(self, item_id: str, delta: str) -> None:
        """Add a reply's text as it arrives to the remembered item (a reply cut by a dropped
        connection is replayed with what was said)."""
        item = self._items.get(item_id)
        if item is None or item.get("type") != "message" or item_id in self._cut:
            return  # (a cut answer's late words were not heard)
        content = item.setdefault("content", [])
        if not content:
            content.append({"type": "output_text", "text": ""})
        part = content[-1]
        key = "transcript" if _is_audio(part) else "text"
        part[key] = (part.get(key) or "") + delta

    def _on_output_item(self, data: dict[str, Any]) -> None:
        item = data["item"]
        if item.get("id") not in self._items or data["type"] == "response.output_item.done":
            self._remember(item)
        if item.get("type") == "function_call":
            # Run a tool only once its arguments are complete.
            if item.get("status") != "completed" or data["type"] != "response.output_item.done":
                return
            history = item_to_history(item)
            assert history is not None
            self._emit.append(RealtimeModelItemUpdatedEvent(item=history))
            self._emit.append(
                RealtimeModelToolCallEvent(
                    name=item.get("name") or "",
                    call_id=item.get("call_id") or "",
                    arguments=item.get("arguments") or "",
                    id=item.get("id"),
                )
            )
        elif item.get("type") == "message":
            history = item_to_history(item)
            if history is not None:
                self._emit.append(RealtimeModelItemUpdatedEvent(item=history))

    def _on_item(self, data: dict[str, Any]) -> None:
        item = data["item"]
        if item.get("status") != "in_progress" or item.get("id") not in self._items:
            # (an in-progress copy would lose the text said so far)
            self._remember(item, fetched=data["type"] == "conversation.item.retrieved")
        if item.get("type") != "message":
            return  # function calls come through output_item.done, outputs through send()
        history = item_to_history(item, data.get("previous_item_id"))
        if history is not None:
            self._emit.append(RealtimeModelItemUpdatedEvent(item=history))

    def _on_item_deleted(self, data: dict[str, Any]) -> None:
        self._items.pop(data["item_id"], None)
        self._emit.append(RealtimeModelItemDeletedEvent(item_id=data["item_id"]))

    def _on_item_truncated(self, data: dict[str, Any]) -> None:
        # The server cut the transcript to what was heard (kaiwa) or removed it (OpenAI):
        # fetch the item to update history (see `_remember` for what a replay keeps).
        self._queue({"type": "conversation.item.retrieve", "item_id": data["item_id"]})

    def _cut_to_heard(self, item_id: str, share: float) -> None:
        """Cut the remembered answer ``item_id`` to the ``share`` of it that was heard (an
        estimate: the text may run ahead of the audio, and speech is not evenly paced), so a
        replay after a reconnection does not put the rest in the model's context."""
        self._cut[item_id] = None
        while len(self._cut) > MAX_REMEMBERED_ITEMS:
            del self._cut[next(iter(self._cut))]
        for part in (self._items.get(item_id) or {}).get("content") or []:
            for key in ("transcript", "text"):
                if isinstance(part.get(key), str) and part[key]:
                    part[key] = heard_part(part[key], share)

    def _on_transcription(self, data: dict[str, Any]) -> None:
        item = self._items.get(data["item_id"])
        content = (item or {}).get("content") or []
        index = data.get("content_index", 0)
        if 0 <= index < len(content):
            content[index]["transcript"] = data["transcript"]
        self._emit.append(
            RealtimeModelInputAudioTranscriptionCompletedEvent(data["item_id"], data["transcript"])
        )

    def _on_timeout(self, data: dict[str, Any]) -> None:
        self._emit.append(
            RealtimeModelInputAudioTimeoutTriggeredEvent(
                data["item_id"], data["audio_start_ms"], data["audio_end_ms"]
            )
        )

    def _on_speech_started(self, data: dict[str, Any]) -> None:
        # Barge-in. With interrupt_response the server cancels the response itself; either way
        # the audio already received must stop and the item be cut where playback stopped.
        # Unless the application decides (see `attach_playback`).
        if self._app_barge_in:
            return
        cancel = not self._server_cancels_on_speech()
        if self.active_response_id is not None:
            self._drop(self.active_response_id)
        self._interrupt_playback(response_id=None)
        if cancel and self.active_response_id is not None:
            self._queue({"type": "response.cancel", "response_id": self.active_response_id})

    def _server_cancels_on_speech(self) -> bool:
        td = self.session.get("audio", {}).get("input", {}).get("turn_detection") or {}
        return bool(td.get("interrupt_response", False))

    # -- session requests in -------------------------------------------------------------------

    def send(self, event: RealtimeModelSendEvent) -> None:
        """Take one request from the session; then drain both queues.

        Raises:
            ProtocolError: a raw message is not a valid client event.
            UserError: a session update has a wrong setting.
        """
        match event:
            case RealtimeModelSendAudio(audio=audio, commit=commit):
                # Hot path while a microphone streams: built by hand, checked by the tests.
                self._out.append({"type": "input_audio_buffer.append", "audio": b64(audio)})
                if commit:
                    self._queue({"type": "input_audio_buffer.commit"})
            case RealtimeModelSendUserInput(user_input=user_input):
                self._queue(
                    {"type": "conversation.item.create", "item": user_input_item(user_input)}
                )
                self.request_response()
            case RealtimeModelSendToolOutput():
                self._send_tool_output(event)
            case RealtimeModelSendInterrupt():
                self._send_interrupt(event)
            case RealtimeModelSendSessionUpdate(session_settings=settings):
                self.update_session(settings)
            case RealtimeModelSendRawMessage(message=message):
                raw = {"type": message["type"], **message.get("other_data", {})}
                if raw["type"] == "response.create":
                    self.request_response(raw.get("response"))
                else:
                    self._queue(raw)

    def update_session(self, settings: Mapping[str, Any]) -> None:
        """Queue a ``session.update`` for ``settings`` (validated; `UserError` if wrong)."""
        payload = session_payload(settings, default_model=self.model)
        self._last_payload = copy.deepcopy(payload)
        self._override(payload)
        self.model = payload["model"]
        out_format = payload["audio"]["output"]["format"]
        self._received.set_audio_format(out_format)
        self._playback.set_audio_format(out_format)
        self._queue({"type": "session.update", "session": payload})

    def resume(self, *, replay_items: bool = True) -> tuple[int, int]:
        """Start over on a new connection: forget the old one's responses and audio, and
        queue, before anything sent meanwhile, the session's settings and the conversation as
        items to create (text in place of audio: the server does not send audio back).

        Args:
            replay_items: False when the new connection finds the old conversation still
                there (a SIP ``call_id``): only the settings are sent.

        Returns:
            How many items are replayed, and how many could not be (a user's audio whose
            transcript never came: turn on input transcription to keep those).
        """
        held, self._out = self._out, []
        # A response asked for and not begun is asked for again; one under way is lost: its
        # audio stops and its turn ends for the listeners.
        asked = self._create_pending or self._create_in_flight
        if self._audio:
            item_id, index = self._audio[next(reversed(self._audio))]
            self._emit.append(RealtimeModelAudioInterruptedEvent(item_id, index))
        if self.active_response_id is not None:
            self._emit.append(RealtimeModelTurnEndedEvent(response_id=self.active_response_id))
        self.active_response_id = None
        self._create_in_flight = self._create_pending = False
        self._dropped_responses.clear()
        self._audio.clear()
        self._playback.on_interrupted()
        if self._playback is not self._received:
            self._received.on_interrupted()
        if self._last_payload is not None:
            payload = copy.deepcopy(self._last_payload)
            self._override(payload)
            self._queue({"type": "session.update", "session": payload})
        replayed = skipped = 0
        for item in self._items.values() if replay_items else ():
            again = replayable(item)
            if again is None:
                skipped += 1
                logger.warning("conversation item %s cannot be replayed: %s", item.get("id"), item)
                continue
            self._queue({"type": "conversation.item.create", "item": again})
            replayed += 1
        sent = {e["item"]["id"] for e in self._out if e["type"] == "conversation.item.create"}
        for event in held:
            if event["type"] == "conversation.item.create" and event["item"]["id"] in sent:
                continue  # replayed already
            if (
                event["type"] in ("conversation.item.truncate", "conversation.item.retrieve")
                and event["item_id"] in sent
            ):
                continue  # replayed as text, already cut to what was heard
            if event["type"] == "response.create":
                asked = False
                self.request_response(event.get("response"))
            else:
                self._out.append(event)
        if asked:
            self.request_response()
        return replayed, skipped

    def attach_playback(
        self, tracker: RealtimePlaybackTracker, *, handles_interruptions: bool = False
    ) -> None:
        """Use ``tracker`` for where playback is, from now on.

        With ``handles_interruptions`` the application decides barge-in itself (kaiwa's
        `AudioIO` waits to hear whether the user's speech is a real turn): the user starting
        to speak no longer stops the audio, and every ``session.update`` asks the server not
        to cancel on speech (``interrupt_response: false``); the application interrupts with
        `RealtimeModelSendInterrupt`. If the session's settings were sent already, they are
        sent again with that change.
        """
        fmt = self.session.get("audio", {}).get("output", {}).get("format")
        if fmt is None and self._last_payload is not None:
            fmt = self._last_payload["audio"]["output"]["format"]
        if fmt is not None:
            tracker.set_audio_format(fmt)
        self._playback = tracker
        changed = handles_interruptions != self._app_barge_in
        self._app_barge_in = handles_interruptions
        if changed and self._last_payload is not None:
            payload = copy.deepcopy(self._last_payload)
            self._override(payload)
            self._queue({"type": "session.update", "session": payload})

    def _override(self, payload: dict[str, Any]) -> None:
        """What the application's own barge-in handling needs of the server."""
        turn = payload.get("audio", {}).get("input", {}).get("turn_detection")
        if self._app_barge_in and turn:
            turn["interrupt_response"] = False

    def request_response(self, options: dict[str, Any] | None = None) -> None:
        """Ask for a response now, or as soon as the active one is done."""
        if self.active_response_id is not None or self._create_in_flight:
            self._create_pending = True
            return
        self._send_response_create(options)

    def _send_response_create(self, options: dict[str, Any] | None = None) -> None:
        self._create_in_flight = True
        event: dict[str, Any] = {"type": "response.create"}
        if options:
            event["response"] = options
        self._queue(event)

    def _send_tool_output(self, event: RealtimeModelSendToolOutput) -> None:
        call = event.tool_call
        self._queue(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "function_call_output",
                    "call_id": call.call_id,
                    "output": event.output,
                },
            }
        )
        self._emit.append(
            RealtimeModelItemUpdatedEvent(
                item=RealtimeToolCallItem(
                    item_id=call.id or "",
                    previous_item_id=call.previous_item_id,
                    call_id=call.call_id,
                    status="completed",
                    arguments=call.arguments,
                    name=call.name,
                    output=event.output,
                )
            )
        )
        if event.start_response:
            self.request_response()

    def _send_interrupt(self, event: RealtimeModelSendInterrupt) -> None:
        target = event.response_id or self.active_response_id
        if not event.cancel_response_only:
            if target is not None:
                self._drop(target)
            self._interrupt_playback(response_id=event.response_id)
        if event.playback_only or target is None:
            return
        if target == self.active_response_id:
            self._queue({"type": "response.cancel", "response_id": target})

    def _interrupt_playback(self, response_id: str | None) -> None:
        """Stop a response's audio item (default: the latest one): tell listeners, truncate
        it where playback stopped."""
        if not self._audio:
            return
        if response_id is None:
            response_id = next(reversed(self._audio))
        if response_id not in self._audio:
            return
        item_id, index = self._audio.pop(response_id)
        state = self._playback.get_state()
        self._emit.append(RealtimeModelAudioInterruptedEvent(item_id=item_id, content_index=index))
        received = self._received.received_ms(item_id)
        played = state["elapsed_ms"]
        if state["current_item_id"] != item_id or played is None:
            played = 0.0  # nothing of this item was reported played
        if played < received:
            self._cut_to_heard(item_id, max(played, 0.0) / received)
            self._queue(
                {
                    "type": "conversation.item.truncate",
                    "item_id": item_id,
                    "content_index": index,
                    "audio_end_ms": int(max(played, 0.0)),
                }
            )
        self._playback.on_interrupted()
        if self._playback is not self._received:
            self._received.on_interrupted()

    def _drop(self, response_id: str) -> None:
        """Ignore ``response_id``'s late audio (remembered for the last few responses: one
        that already ended never sends a ``response.done`` to forget it by)."""
        self._dropped_responses[response_id] = None
        while len(self._dropped_responses) > _AUDIO_KEPT * 4:
            del self._dropped_responses[next(iter(self._dropped_responses))]

    def _queue(self, event: dict[str, Any]) -> None:
        if event["type"] == "conversation.item.create":
            # An id of our own, so the item can be replayed even if the connection drops
            # before the server confirms it (its echo then replaces our copy).
            if not event["item"].get("id"):
                event["item"] = {"id": f"item_{secrets.token_hex(12)}", **event["item"]}
            mine = {k: v for k, v in event["item"].items()}
            mine["content"] = [
                {k: v for k, v in part.items() if k != "audio"}
                for part in mine.get("content") or []
            ]
            if mine["id"] not in self._items:
                self._remember(mine)
        self._out.append(validate_client_event(event))

    @property
    def pending(self) -> int:
        """Events queued and not yet taken by `events_to_send`."""
        return len(self._out)

    def put_back(self, events: list[dict[str, Any]]) -> None:
        """Return events `events_to_send` gave out that could not be sent (the connection
        dropped): they go first, for the next connection."""
        self._out[:0] = events


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


def heard_part(transcript: str, share: float) -> str:
    """The first ``share`` (0-1) of ``transcript``, whole words only (characters for
    Japanese or Chinese, written without spaces). An estimate: speech is not evenly paced."""
    share = min(max(share, 0.0), 1.0)
    if _CJK.search(transcript):
        text = transcript.strip()
        return text[: math.floor(len(text) * share)]
    words = transcript.split()
    return " ".join(words[: math.floor(len(words) * share)])


def _is_audio(part: Mapping[str, Any]) -> bool:
    return part.get("type") in ("output_audio", "audio", "input_audio")


def replayable(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """A conversation item as the client may create it on a new connection: audio becomes its
    transcript, an assistant's words ``output_text``; None if nothing of it can be said again
    (audio with no transcript, a call whose arguments never came)."""
    kind, item_id = item.get("type"), item.get("id")
    if kind == "message":
        role = item.get("role")
        parts: list[dict[str, Any]] = []
        for part in item.get("content") or []:
            what = part.get("type")
            if what == "input_image" and part.get("image_url"):
                parts.append({k: part[k] for k in ("type", "image_url", "detail") if k in part})
                continue
            text = part.get("transcript") if _is_audio(part) else part.get("text")
            if text:
                parts.append(
                    {"type": "output_text" if role == "assistant" else "input_text", "text": text}
                )
        if not parts or role not in ("user", "assistant", "system"):
            return None
        return {"type": "message", "id": item_id, "role": role, "content": parts}
    if kind == "function_call":
        if item.get("status") == "in_progress" or not item.get("name"):
            return None
        return {
            "type": "function_call",
            "id": item_id,
            "call_id": item.get("call_id"),
            "name": item["name"],
            "arguments": item.get("arguments") or "{}",
        }
    if kind == "function_call_output":
        return {
            "type": "function_call_output",
            "id": item_id,
            "call_id": item.get("call_id"),
            "output": item.get("output") or "",
        }
    return None
