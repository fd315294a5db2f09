"""`ServerProtocol`: the server side of the Realtime protocol, as a state machine with no I/O.

It is the mirror of the SDK's `ClientProtocol`. What goes in, by method call:

- the client's events (`receive`, or `reject` for a frame that never became one);
- what the stages report: the listener (`heard`, `listened`), committed audio
  (`committed`), transcripts (`transcribed`, `content_transcribed`), and the pieces of a
  reply (`replied`, `reply_ended`).

What comes out, drained by the caller: the server events for the client
(`events_to_send`, shaped by ``openai.types.realtime``) and the commands for the stages
(`next_command`, see `kaiwa.core.commands`). There is no asyncio, no thread, no clock: a
driver (`RealtimeConnection`) carries commands out and reports back, and tests drive it with
plain calls.

Everything about the order of a conversation lives here: a user turn is committed, then
transcribed, then (with turn detection's ``create_response``) answered; turns are finished in
the order they were committed; at most one response is active; a response answers every
turn committed before it started, and the turns committed while it ran get the next one.

Errors in what the client sends become ``error`` events naming the field and echoing the
client's ``event_id``; the session stays usable.
"""

from __future__ import annotations

import collections
import copy
import enum
import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pybase64
import pydantic

from ..audio.codecs import AudioDecoder, decode_audio
from ..audio.formats import to_ga_format
from ..engine.listener import ListenerEvent
from ..engine.responder import ResponseChunk
from ..engine.turn import TurnPolicy
from ..engine.vad import SAMPLE_RATE
from ..protocol import KNOWN_CLIENT_EVENTS, client_event_adapter
from ..settings import DEFAULT_MODEL_NAME
from .commands import (
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
    WarmUp,
)
from .config import (
    ClientError,
    ConfigError,
    TurnSettings,
    apply_update,
    default_session,
    public_session,
    turn_settings,
)
from .conversation import Conversation, new_id
from .limits import EventBudget
from .response import DELTA_MS, Response, ResponseOptions, resolve_options
from .turns import IdleTimer

__all__ = [
    "MAX_BUFFER_MS",
    "MAX_HELD_EVENTS",
    "MAX_UNFINISHED_TURNS",
    "ServerProtocol",
    "SessionState",
    "TurnState",
]

Float = npt.NDArray[np.float32]

MAX_BUFFER_MS = 15 * 60 * 1000
"""Uncommitted audio held with manual turns (15 minutes)."""
MAX_UNFINISHED_TURNS = 16
"""Committed turns waiting for their words before a client's commit is refused."""
MAX_HELD_EVENTS = 1024
"""Client events held while an item's audio is transcribed (a driver stops reading sooner)."""


class SessionState(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class TurnState(enum.Enum):
    """A committed user turn on its way to its words."""

    TRANSCRIBING = "transcribing"
    TRANSCRIBED = "transcribed"
    """Its words are in; it waits for the turns committed before it."""


@dataclass
class _Turn:
    item: dict[str, Any]
    audio_ms: float
    auto_response: bool
    base_version: int
    """The conversation's version before this turn (an early reply must match it)."""
    transcribe: bool
    state: TurnState = TurnState.TRANSCRIBING
    text: str = ""
    error: Exception | None = None


@dataclass
class _EarlyReply:
    transcript: str
    version: int


class ServerProtocol:
    """One realtime session's protocol state (see the module docstring).

    Args:
        model: the model name the client asked for (echoed in the session).
        session: initial settings (e.g. from a client secret), as a partial GA session.
        context_window: the LLM's context in tokens, if known: settings whose
            instructions and tools cannot fit are refused at ``session.update``.
        warm_up: ask for a `WarmUp` after each ``session.update``.
        delta_ms: audio per ``response.output_audio.delta``.

    Raises:
        ClientError: ``session`` is invalid.
    """

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODEL_NAME,
        session: Mapping[str, Any] | None = None,
        context_window: int | None = None,
        warm_up: bool = False,
        delta_ms: int = DELTA_MS,
    ) -> None:
        if not 10 <= delta_ms <= 10_000:
            raise ValueError(f"delta_ms must be 10-10,000 ms, not {delta_ms}")
        self.context_window = context_window
        self.warm_up = warm_up
        self.delta_ms = delta_ms
        self.state = SessionState.OPEN
        self.session = default_session(model)
        if session:
            self.session = self._fitted(apply_update(self.session, session))
        self.conversation = Conversation(
            on_evict=lambda item_id: self._put(
                {"type": "conversation.item.deleted", "item_id": item_id}
            )
        )
        self.conversation_id = new_id("conv")
        self._out: list[dict[str, Any]] = []
        self._commands: collections.deque[Command] = collections.deque()
        self._ids = itertools.count()
        self._id_prefix = uuid.uuid4().hex[:8]
        self._budget = EventBudget()
        self.response: Response | None = None
        """The active response."""
        self._last_response: str | None = None
        self._turns: collections.deque[_Turn] = collections.deque()
        """Committed turns not finished yet, in commit order."""
        self._auto_turns: dict[str, None] = {}
        """Finished turns whose automatic response has not started (deleting one drops it)."""
        self._answers: dict[str, set[str]] = {}  # automatic response -> the turns it answers
        self._unwanted: set[str] = set()  # responses whose turns were all deleted
        self._speech_item: str | None = None
        self._early: _EarlyReply | None = None
        self._idle = IdleTimer()
        self._heard_ms = 0
        self._in_turn = False
        self._held: collections.deque[Mapping[str, Any]] = collections.deque()
        self._content: tuple[int, Mapping[str, Any], dict[str, Any], int] | None = None
        """An item waiting for its audio's transcript: (ticket, event, item, part index)."""
        self._tickets = itertools.count()
        self._format: dict[str, Any] = {}
        self._decoder: AudioDecoder | None = None
        """The input stream's resampler, made when audio first comes (text-only sessions,
        the test double's included, never load the resampling library)."""
        self._kept: list[Float] = []
        self._kept_ms = 0.0
        self.turn = turn_settings(self.session)
        """The session's turn-taking settings, as the listener follows them."""
        self._follow_format()
        self._command(Listen(self.turn))
        self._put({"type": "session.created", "session": public_session(self.session)})

    # -- what comes out ------------------------------------------------------------------------

    def events_to_send(self) -> list[dict[str, Any]]:
        """The server events produced since the last call, in order."""
        out, self._out = self._out, []
        return out

    def next_command(self) -> Command | None:
        """The next command for the stages, in order; None when there is none."""
        return self._commands.popleft() if self._commands else None

    @property
    def responding(self) -> bool:
        """A response is active."""
        return self.response is not None

    @property
    def busy(self) -> bool:
        """Client events are held until a `TranscribeContent` is reported (a driver stops
        reading meanwhile)."""
        return self._content is not None

    @property
    def unanswered(self) -> list[str]:
        """User turns waiting for their automatic response (it starts once the active
        response ends and every earlier turn has its words)."""
        return [turn.item["id"] for turn in self._turns if turn.auto_response] + list(
            self._auto_turns
        )

    @property
    def listening(self) -> bool:
        return self.turn.mode is not None

    def _stamp(self, event: dict[str, Any]) -> dict[str, Any]:
        return {"event_id": f"event_{self._id_prefix}{next(self._ids)}", **event}

    def _put(self, event: dict[str, Any]) -> None:
        if self.state is SessionState.OPEN:
            self._out.append(self._stamp(event))

    def _command(self, command: Command) -> None:
        if self.state is SessionState.OPEN:
            self._commands.append(command)

    def _error(
        self,
        message: str,
        *,
        code: str | None = "invalid_value",
        param: str | None = None,
        client_event_id: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        error: dict[str, Any] = {"type": kind, "message": message}
        if code:
            error["code"] = code
        if param:
            error["param"] = param
        if client_event_id:
            error["event_id"] = client_event_id
        self._put({"type": "error", "error": error})

    # -- client events -------------------------------------------------------------------------

    def receive(self, data: Mapping[str, Any]) -> None:
        """Handle one client event (a decoded JSON object). Problems become ``error`` events."""
        if self.state is SessionState.CLOSED:
            return
        if self._content is not None:  # an earlier item's audio is being transcribed
            if len(self._held) >= MAX_HELD_EVENTS:
                self._error(
                    "Too many events sent while an item's audio is transcribed; this one was "
                    "not processed. Wait for conversation.item.added.",
                    code="rate_limit_exceeded",
                    client_event_id=_event_id(data),
                )
                return
            self._held.append(data)
            return
        event_id = _event_id(data)
        kind = data.get("type")
        try:
            if kind == "input_audio_buffer.append":
                self._append(data.get("audio"))  # the hot path: no pydantic
                return
            if not self._budget.take():
                raise ClientError(
                    f"Too many events: this session takes {self._budget.rate:.0f} a second "
                    f"(bursts of {self._budget.burst}), audio appends aside; this {kind} was "
                    "not processed. Send it again later.",
                    code="rate_limit_exceeded",
                )
            if kind not in KNOWN_CLIENT_EVENTS:
                raise ClientError(
                    f"Invalid value: {kind!r}. Supported values are: "
                    + ", ".join(f"'{k}'" for k in sorted(KNOWN_CLIENT_EVENTS)),
                    param="type",
                )
            try:
                client_event_adapter.validate_python(data)
            except pydantic.ValidationError as exc:
                err = exc.errors()[0]
                # Drop the event's union tag and the class names pydantic puts in union paths.
                loc = [str(p) for p in err["loc"][1:] if not str(p)[:1].isupper()]
                raise ClientError(
                    f"Invalid {kind} event: {'.'.join(loc)}: {err['msg']}",
                    param=".".join(loc) or None,
                ) from None
            handler = getattr(self, "_on_" + str(kind).replace(".", "_"), None)
            if handler is None:
                raise ClientError(f"{kind} is not supported by this server", param="type")
            handler(data)
        except ClientError as exc:
            self._error(str(exc), code=exc.code, param=exc.param, client_event_id=event_id)
        except Exception as exc:  # a bug: say so, keep the session
            self._error(
                f"The server had an error while processing {kind}: {exc}",
                code="server_error",
                client_event_id=event_id,
                kind="server_error",
            )

    def reject(
        self,
        message: str,
        *,
        code: str = "invalid_json",
        param: str | None = None,
        event_id: str | None = None,
    ) -> None:
        """Report input that never became an event (a frame that is not JSON, a binary
        frame, an object with no ``type``): an ``error`` event, carrying the client's
        ``event_id`` when it gave one; the session goes on."""
        self._error(message, code=code, param=param, client_event_id=event_id)

    def close(self) -> None:
        """No more events or commands; every later input is ignored."""
        self.state = SessionState.CLOSED
        self._commands.clear()

    # -- session -------------------------------------------------------------------------------

    def _on_session_update(self, data: Mapping[str, Any]) -> None:
        self.session = self._fitted(apply_update(self.session, data["session"]))
        self._follow_format()
        turn = turn_settings(self.session)
        if turn != self.turn:
            self._restart_listening(turn)
        self._drop_early()
        self._put({"type": "session.updated", "session": public_session(self.session)})
        if self.warm_up:
            self.warm()

    def _restart_listening(self, turn: TurnSettings) -> None:
        """A new listener (or none): its clock starts at 0; uncommitted audio is dropped."""
        self.turn = turn
        self._idle.clear()
        self._heard_ms, self._in_turn = 0, False
        self._command(Listen(turn))

    def _follow_format(self) -> None:
        fmt = to_ga_format(self.session["audio"]["input"]["format"])
        if fmt != self._format:
            self._format, self._decoder = fmt, None

    def _fitted(self, session: dict[str, Any]) -> dict[str, Any]:
        """``session``, if its instructions and tools leave the model room for a conversation
        (at most 3/4 of its context window, estimated at 4 bytes a token: only what surely
        cannot fit is refused). Else every response would fail; refused here, naming it.

        Raises:
            ConfigError: they do not fit.
        """
        window = self.context_window
        if window is None:
            return session  # a remote LLM: its server says
        instructions = len(str(session.get("instructions") or "").encode())
        tools = len(orjson.dumps(session.get("tools") or []))
        estimate = (instructions + tools) // 4
        if estimate > window * 3 // 4:
            param = "session.instructions" if instructions >= tools else "session.tools"
            raise ConfigError(
                f"The instructions and tools take about {estimate} tokens; this model's context "
                f"window is {window} tokens and they may use at most {window * 3 // 4} of them "
                "(the rest holds the conversation and the answer). Shorten the "
                f"{param.removeprefix('session.')}.",
                param,
            )
        return session

    def warm(self) -> None:
        """Ask for a `WarmUp` for the next reply (settings that cannot reply: nothing)."""
        try:
            options = self._options(None)
        except ClientError:
            return
        self._command(WarmUp(options, self.conversation.items(), self.turn.language))

    # -- input audio ---------------------------------------------------------------------------

    def decode(self, audio: object, *, stream: bool = False) -> Float:
        """Base64 audio in the session's format, as 16 kHz float (``stream``: a chunk of the
        input stream, resampled with the stream's state).

        Raises:
            ClientError: not base64, or not whole samples of the format.
        """
        if not isinstance(audio, str):
            raise ClientError("'audio' must be a base64 string", param="audio")
        try:
            raw = pybase64.b64decode(audio, validate=True)
        except ValueError:
            raise ClientError("'audio' is not valid base64", param="audio") from None
        try:
            if stream:
                if self._decoder is None:
                    self._decoder = AudioDecoder(self._format, SAMPLE_RATE)
                return self._decoder.decode(raw)
            return decode_audio(raw, self._format, SAMPLE_RATE)
        except ValueError as exc:
            raise ClientError(
                f"'audio' does not fit the input format: {exc}", param="audio"
            ) from None

    def _append(self, audio: object) -> None:
        samples = self.decode(audio, stream=True)
        if self.listening:
            self._command(ListenTo(samples))
            return
        ms = samples.size * 1000 / SAMPLE_RATE
        if self._kept_ms + ms > MAX_BUFFER_MS:
            raise ClientError(
                "the input audio buffer is full (15 minutes): commit or clear it",
                code="input_audio_buffer_full",
                param="audio",
            )
        self._kept.append(samples)
        self._kept_ms += ms

    def _on_input_audio_buffer_commit(self, data: Mapping[str, Any]) -> None:
        if len(self._turns) >= MAX_UNFINISHED_TURNS:
            raise ClientError(
                f"{len(self._turns)} committed turns are still being transcribed; this commit "
                "was not processed (its audio stays in the buffer). Commit again once "
                "conversation.item.done came for the earlier turns.",
                code="rate_limit_exceeded",
            )
        if self.listening:
            self._command(CommitAudio(event_id=_event_id(data)))
            return
        rest = self._decoder.flush() if self._decoder is not None else np.zeros(0, np.float32)
        audio = np.concatenate([*self._kept, rest])
        self._kept, self._kept_ms = [], 0.0
        self._commit(audio, _event_id(data))

    def committed(self, command: CommitAudio, audio: Float) -> None:
        """The listener's audio taken for ``command``."""
        if self.state is SessionState.CLOSED:
            return
        if command.idle_span is None:
            self._commit(audio, command.event_id)
            return
        item_id = new_id("item")
        start, end = command.idle_span
        self._put(
            {
                "type": "input_audio_buffer.timeout_triggered",
                "audio_start_ms": start,
                "audio_end_ms": end,
                "item_id": item_id,
            }
        )
        self._start_turn(item_id, audio, "", auto_response=True)

    def _commit(self, audio: Float, event_id: str | None) -> None:
        ms = audio.size * 1000 / SAMPLE_RATE
        if ms < 100:
            self._error(
                "Error committing input audio buffer: buffer too small. Expected at least 100ms "
                f"of audio, but buffer only has {ms:.2f}ms of audio.",
                code="input_audio_buffer_commit_empty",
                client_event_id=event_id,
            )
            return
        item_id, self._speech_item = self._speech_item or new_id("item"), None
        self._start_turn(item_id, audio, None, auto_response=False)

    def _on_input_audio_buffer_clear(self, data: Mapping[str, Any]) -> None:
        self._speech_item = None
        self._drop_early()
        self._restart_listening(self.turn)
        self._kept, self._kept_ms = [], 0.0
        self._decoder = None
        self._put({"type": "input_audio_buffer.cleared"})

    def heard(self, event: ListenerEvent) -> None:
        """What the current listener noticed."""
        if self.state is SessionState.CLOSED:
            return
        turn = self.turn
        if event.kind == "speech_started":
            self._in_turn = True
            self._drop_early()
            self._idle.clear()
            if self._speech_item is None:
                self._speech_item = new_id("item")
            self._put(
                {
                    "type": "input_audio_buffer.speech_started",
                    "audio_start_ms": event.audio_start_ms,
                    "item_id": self._speech_item,
                }
            )
            if turn.interrupt_response and self.response is not None:
                self._cancel("turn_detected")
        elif event.kind == "speech_stopped":
            self._put(
                {
                    "type": "input_audio_buffer.speech_stopped",
                    "audio_end_ms": event.audio_end_ms,
                    "item_id": self._speech_item or new_id("item"),
                }
            )
        elif event.kind == "partial" and event.transcript:
            self._maybe_speculate(event.transcript)
        elif event.kind == "turn_ended" and event.audio is not None:
            self._in_turn = False
            item_id, self._speech_item = self._speech_item or new_id("item"), None
            self._start_turn(
                item_id, event.audio, event.transcript, turn.create_response, event.pending
            )

    def listened(self, heard_ms: int, in_turn: bool) -> None:
        """The current listener's VAD has heard ``heard_ms`` of audio: is the idle timeout
        due?"""
        if self.state is SessionState.CLOSED:
            return
        self._heard_ms, self._in_turn = heard_ms, in_turn
        if (
            self._idle.deadline_ms is None
            or in_turn
            or self.response is not None
            or self._turns
            or not self.listening
        ):
            return
        span = self._idle.due(heard_ms, self.turn.idle_timeout_ms)
        if span is not None:
            self._command(CommitAudio(idle_span=span))

    # -- user turns ----------------------------------------------------------------------------

    def _start_turn(
        self,
        item_id: str,
        audio: Float,
        transcript: str | None,
        auto_response: bool,
        running: object | None = None,
    ) -> None:
        """Commit a user turn: the item appears now; its words and the reply follow, in order."""
        self._idle.clear()
        previous = self.conversation.last_id
        item = {
            "id": item_id,
            "object": "realtime.item",
            "type": "message",
            "role": "user",
            "status": "completed",
            "content": [{"type": "input_audio"}],
        }
        turn = _Turn(
            item,
            audio.size * 1000 / SAMPLE_RATE,
            auto_response,
            self.conversation.version,
            self.turn.transcribe,
        )
        self.conversation.add(item)
        committed: dict[str, Any] = {"type": "input_audio_buffer.committed", "item_id": item_id}
        # A copy: the stored item gets its transcript later, the event must not.
        added: dict[str, Any] = {"type": "conversation.item.added", "item": copy.deepcopy(item)}
        if previous is not None:
            committed["previous_item_id"] = previous
            added["previous_item_id"] = previous
        self._put(committed)
        self._put(added)
        if auto_response:
            self._auto_turns[item_id] = None
        self._turns.append(turn)
        if transcript is not None:
            turn.state, turn.text = TurnState.TRANSCRIBED, transcript
            self._finish_turns()
        else:
            settings = self.turn
            self._command(Transcribe(item_id, audio, settings.language, settings.prompt, running))

    def transcribed(self, item_id: str, text: str, error: Exception | None = None) -> None:
        """The words of a committed turn (``error``: recognition failed, ``text`` is then
        empty)."""
        if self.state is SessionState.CLOSED:
            return
        for turn in self._turns:
            if turn.item["id"] == item_id and turn.state is TurnState.TRANSCRIBING:
                turn.state, turn.text, turn.error = TurnState.TRANSCRIBED, text, error
                break
        self._finish_turns()

    def _finish_turns(self) -> None:
        while self._turns and self._turns[0].state is TurnState.TRANSCRIBED:
            self._transcribed(self._turns.popleft())
        self._answer_waiting_turns()  # e.g. a turn was deleted: earlier ones still wait

    def _transcribed(self, turn: _Turn) -> None:
        item = turn.item
        if item["id"] not in self.conversation:
            return  # deleted while it was being transcribed: nothing to report or answer
        where = {"item_id": item["id"], "content_index": 0}
        if turn.error is not None and turn.transcribe:
            self._put(
                {
                    "type": "conversation.item.input_audio_transcription.failed",
                    **where,
                    "error": {"type": "transcription_error", "message": str(turn.error)},
                }
            )
        item["content"] = [{"type": "input_audio", "transcript": turn.text}]
        self.conversation.replace(item)
        if turn.transcribe and turn.error is None:
            self._put(
                {
                    "type": "conversation.item.input_audio_transcription.delta",
                    **where,
                    "delta": turn.text,
                }
            )
            self._put(
                {
                    "type": "conversation.item.input_audio_transcription.completed",
                    **where,
                    "transcript": turn.text,
                    "usage": {"type": "duration", "seconds": round(turn.audio_ms / 1000, 3)},
                }
            )
        self._put({"type": "conversation.item.done", "item": item})
        if turn.auto_response and item["id"] in self._auto_turns and self.response is None:
            answered: list[str] = []
            for key in list(self._auto_turns):  # one response answers it and those before
                del self._auto_turns[key]
                answered.append(key)
                if key == item["id"]:
                    break
            self._auto_respond((turn.text, turn.base_version), answered)
        # Otherwise it follows the active response: see _response_over.

    # -- the early reply -----------------------------------------------------------------------

    def _maybe_speculate(self, transcript: str) -> None:
        """Start replying to a pause that sounds final, before the turn is confirmed."""
        turn = self.turn
        if (
            not turn.create_response
            or self.response is not None
            or self._turns
            or not self.listening
            or (
                turn.mode == "semantic_vad"
                and TurnPolicy(turn.eagerness).silence_needed_ms(transcript) >= 500
            )
        ):
            return
        try:
            options = self._options(None)
        except ClientError:
            return  # the automatic response will report it
        user = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": transcript}],
        }
        self._early = _EarlyReply(transcript, self.conversation.version)
        self._command(StartEarlyReply(options, [*self.conversation.items(), user]))

    def _drop_early(self) -> None:
        if self._early is not None:
            self._early = None
            self._command(DropEarlyReply())

    # -- conversation items --------------------------------------------------------------------

    def _on_conversation_item_create(self, data: Mapping[str, Any]) -> None:
        item = dict(data["item"])
        item.setdefault("id", new_id("item"))
        item["object"] = "realtime.item"
        item.setdefault("status", "completed")
        if item["type"] == "message":
            item["content"] = [dict(p) for p in item.get("content", [])]
            for index, part in enumerate(item["content"]):
                if (
                    part.get("type") == "input_audio"
                    and part.get("audio")
                    and not part.get("transcript")
                ):
                    ticket = next(self._tickets)
                    samples = self.decode(part["audio"])
                    self._content = (ticket, data, item, index)
                    self._command(TranscribeContent(ticket, samples, self.turn.language))
                    return  # added once its words are in
        self._add_item(data, item)

    def content_transcribed(self, ticket: int, text: str, error: Exception | None = None) -> None:
        """The words of the audio in an item the client created."""
        if self.state is SessionState.CLOSED or self._content is None:
            return
        mine, data, item, index = self._content
        if ticket != mine:
            return
        self._content = None
        event_id = _event_id(data)
        if error is not None:
            self._error(
                f"The item's audio could not be transcribed: {error}",
                code="transcription_failed",
                param="item.content",
                client_event_id=event_id,
                kind="server_error",
            )
        else:
            part = item["content"][index]
            part["transcript"] = text
            del part["audio"]  # not echoed back, as OpenAI
            try:
                # The rest of its audio parts, in turn.
                self._on_conversation_item_create({**data, "item": item})
            except ClientError as exc:
                self._error(str(exc), code=exc.code, param=exc.param, client_event_id=event_id)
        while self._held and self._content is None:
            self.receive(self._held.popleft())

    def _add_item(self, data: Mapping[str, Any], item: dict[str, Any]) -> None:
        previous = self.conversation.add(item, data.get("previous_item_id"))
        self._drop_early()
        event: dict[str, Any] = {"type": "conversation.item.added", "item": item}
        if previous is not None:
            event["previous_item_id"] = previous
        self._put(event)
        self._put({**event, "type": "conversation.item.done"})

    def _on_conversation_item_retrieve(self, data: Mapping[str, Any]) -> None:
        self._put(
            {"type": "conversation.item.retrieved", "item": self.conversation.get(data["item_id"])}
        )

    def _on_conversation_item_delete(self, data: Mapping[str, Any]) -> None:
        """Deleting a user turn takes back what it asked for: its automatic response, if
        it has not started, does not; if it is under way and answers only deleted turns, it
        is cancelled and its items are deleted when it ends (a client that decided the
        turn was a cough, kaiwa's `AudioIO`, needs no race with the server)."""
        item_id = data["item_id"]
        self.conversation.delete(item_id)
        self._auto_turns.pop(item_id, None)
        self._drop_early()
        self._put({"type": "conversation.item.deleted", "item_id": item_id})
        response = self.response
        answers = self._answers.get(response.id) if response is not None else None
        if response is not None and answers is not None and item_id in answers:
            answers.discard(item_id)
            if not answers:
                self._unwanted.add(response.id)
                self._cancel("client_cancelled")
        self._answer_waiting_turns()

    def _on_conversation_item_truncate(self, data: Mapping[str, Any]) -> None:
        self.conversation.truncate(data["item_id"], data["content_index"], data["audio_end_ms"])
        self._put(
            {
                "type": "conversation.item.truncated",
                "item_id": data["item_id"],
                "content_index": data["content_index"],
                "audio_end_ms": data["audio_end_ms"],
            }
        )

    # -- responses -----------------------------------------------------------------------------

    def _options(self, request: Mapping[str, Any] | None) -> ResponseOptions:
        return resolve_options(self.session, request, self.conversation_id)

    def _on_response_create(self, data: Mapping[str, Any]) -> None:
        options = self._options(data.get("response"))
        if self.response is not None:
            raise ClientError(
                f"Conversation already has an active response in progress: {self.response.id}. "
                "Wait until the response is finished before creating a new one.",
                code="conversation_already_has_active_response",
            )
        if options.input_items is not None:
            self._items_for(options)  # a bad reference: this event's error
        self._begin_response(options)

    def _items_for(self, options: ResponseOptions) -> list[dict[str, Any]]:
        """What a response answers: the conversation, or the ``input`` it was given (items,
        and references to conversation items).

        Raises:
            ItemError: a reference to an item that is not in the conversation.
        """
        if options.input_items is None:
            return self.conversation.items()
        items: list[dict[str, Any]] = []
        for ref in options.input_items:
            if ref.get("type") == "item_reference":
                items.append(self.conversation.get(ref["id"]))
            else:
                items.append(ref)
        return items

    def _begin_response(
        self, options: ResponseOptions, *, transcript: tuple[str, int] | None = None
    ) -> None:
        """Start a response; ``transcript`` (words, conversation version before them) lets
        it use the early reply to those words."""
        response = Response(options, self.conversation, self._put, delta_ms=self.delta_ms)
        self.response = response
        self._last_response = response.id
        self._idle.clear()
        self._put({"type": "response.created", "response": response.shape()})
        early = self._early
        if (
            early is not None
            and transcript is not None
            and (
                early.transcript,
                early.version,
            )
            == transcript
        ):
            self._early = None
            self._command(Reply(response.id, options, self._items_for(options), early=True))
        else:
            self._drop_early()
            self._command(Reply(response.id, options, self._items_for(options)))

    def replied(self, response_id: str, chunk: ResponseChunk) -> None:
        """A piece of the reply for ``response_id`` (ignored once it is stopping or over)."""
        response = self.response
        if self.state is SessionState.OPEN and response is not None and response.id == response_id:
            response.take(chunk)

    def reply_ended(
        self,
        response_id: str,
        error: Exception | None = None,
        usage: Mapping[str, int] | None = None,
    ) -> None:
        """The reply for ``response_id`` is over: it finished, it failed (``error``), or it
        stopped after `StopReply`. ``usage``: its token counts."""
        response = self.response
        if self.state is SessionState.CLOSED or response is None or response.id != response_id:
            return
        if usage:
            response.usage = dict(usage)
        try:
            response.finish(error)
        finally:  # whatever happened, the session must be able to respond again
            self._response_over(response)

    def stage_failed(self, command: Command, error: Exception) -> None:
        """A stage could not carry out ``command`` (it raised): the client is told, and
        what waited on the command is released (a commit is answered, a turn gets no words,
        a reply ends failed)."""
        if self.state is SessionState.CLOSED:
            return
        if isinstance(command, Reply):
            self.reply_ended(command.response_id, error)
            return
        if isinstance(command, Transcribe):
            self.transcribed(command.item_id, "", error)
            return
        if isinstance(command, TranscribeContent):
            self.content_transcribed(command.ticket, "", error)
            return
        event_id = command.event_id if isinstance(command, CommitAudio) else None
        what = {
            Listen: "starting to listen (turn detection)",
            ListenTo: "listening to the input audio",
            CommitAudio: "committing the input audio",
        }.get(type(command), type(command).__name__)
        self._error(
            f"The server had an error while {what}: {error}",
            code="server_error",
            client_event_id=event_id,
            kind="server_error",
        )

    def _cancel(self, reason: Any) -> None:
        response = self.response
        if response is not None and response.cancel(reason):
            self._command(StopReply(response.id))

    def _response_over(self, response: Response) -> None:
        self.response = None
        self._put({"type": "rate_limits.updated", "rate_limits": []})
        idle = self.turn.idle_timeout_ms
        if idle and self.listening and response.status == "completed":
            self._idle.arm(self._heard_ms, response.audio_ms, idle)
        if response.id in self._unwanted:
            self._unwanted.discard(response.id)
            for item in response.output:  # it answered only deleted turns
                if item["id"] in self.conversation:
                    self.conversation.delete(item["id"])
                    self._put({"type": "conversation.item.deleted", "item_id": item["id"]})
        self._answers.pop(response.id, None)
        self._answer_waiting_turns()

    def _answer_waiting_turns(self) -> None:
        """Start the automatic response for the turns waiting for one, once nothing else is
        in the way (no response, no turn still being transcribed)."""
        if self._auto_turns and not self._turns and self.response is None:
            answered = list(self._auto_turns)
            self._auto_turns.clear()
            self._auto_respond(None, answered)

    def _auto_respond(self, transcript: tuple[str, int] | None, turns: list[str]) -> None:
        """The response turn detection creates for ``turns``; a session setting that makes
        it impossible (``tool_choice`` naming a missing tool...) is an ``error`` event, not a
        lost turn."""
        try:
            options = self._options(None)
        except ClientError as exc:
            self._error(str(exc), code=exc.code, param=exc.param)
            return
        self._begin_response(options, transcript=transcript)
        assert self.response is not None
        self._answers[self.response.id] = set(turns)

    def _on_response_cancel(self, data: Mapping[str, Any]) -> None:
        wanted = data.get("response_id")
        response = self.response
        if response is None or (wanted and wanted != response.id):
            raise ClientError(
                "Cancellation failed: no active response found", code="response_cancel_not_active"
            )
        self._cancel("client_cancelled")

    def _on_output_audio_buffer_clear(self, data: Mapping[str, Any]) -> None:
        # Over WebSocket the client holds the audio; clearing means "stop talking". The
        # event names the latest response (its audio is what was playing).
        if self._last_response is None:
            raise ClientError(
                "There is no response audio to clear: no response has been created yet",
                code="response_cancel_not_active",
            )
        self._cancel("client_cancelled")
        self._put({"type": "output_audio_buffer.cleared", "response_id": self._last_response})


def _event_id(data: Mapping[str, Any]) -> str | None:
    event_id = data.get("event_id")
    return event_id if isinstance(event_id, str) else None
