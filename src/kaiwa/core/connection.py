"""`RealtimeConnection`: one client's realtime session over the offline engine, with no I/O.

Client events go in (`receive`), server events come out (`next_event`): both as the protocol's
dicts, shaped by ``openai.types.realtime``. What carries the events — a WebSocket in
``kaiwa serve``, a direct call in `LocalRealtimeModel` — is the caller's business; this class
holds everything else: the session settings, the conversation, the input audio (VAD, turn
taking, transcription) and the one active response.

Errors in what the client sends become ``error`` events naming the field and echoing the
client's ``event_id``; the connection stays usable. The outgoing queue is bounded: when the
client stops reading, responses pause (backpressure), and events the client causes itself
may use a small headroom past which the connection reports that it is overrun.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import numpy as np
import orjson
import pydantic

from .._event_queue import EventQueue
from ..engine.asr import Transcript
from ..engine.engine import Engine
from ..engine.listener import ListenerEvent
from ..engine.responder import ResponseChunk
from ..engine.vad import SAMPLE_RATE
from ..exceptions import InvalidState
from ..protocol import KNOWN_CLIENT_EVENTS, client_event_adapter
from ..settings import DEFAULT_MODEL_NAME
from .config import (
    ClientError,
    ConfigError,
    TurnSettings,
    apply_update,
    default_session,
    public_session,
)
from .conversation import Conversation, new_id
from .input_buffer import InputAudioBuffer
from .limits import EVENT_HEADROOM, EventBudget
from .replies import EarlyReply, engine_reply, response_items, warm_up
from .response import Response, ResponseOptions, resolve_options
from .turns import IdleTimer, UserTurn, words_of

__all__ = ["RealtimeConnection"]


class RealtimeConnection:
    """The server side of one realtime session (see the module docstring).

    Args:
        engine: the loaded stages, shared by every connection of the process.
        model: the model name the client asked for (echoed in the session).
        session: initial settings (e.g. from a client secret), as a partial GA session.
        max_events: outgoing events held before responses wait for the client to read.
        warm_up: after each ``session.update``, prime the LLM with the instructions and
            tools and load the session language's models in the background (for a session
            that talks with a person, as `warmed` turns on; a server's many sessions would
            crowd the LLM with it).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        model: str = DEFAULT_MODEL_NAME,
        session: Mapping[str, Any] | None = None,
        max_events: int = 256,
        warm_up: bool = False,
    ) -> None:
        self.engine = engine
        self._warm_up = warm_up
        self._warmed: asyncio.Task[None] | None = None
        self.session = default_session(model)
        if session:
            self.session = self._fitted(apply_update(self.session, session))
        self.conversation = Conversation(
            on_evict=lambda item_id: self._put(
                {"type": "conversation.item.deleted", "item_id": item_id}
            )
        )
        self.conversation_id = new_id("conv")
        self._out: EventQueue[dict[str, Any]] = EventQueue(
            max_events,
            # Room for the answers to what the client sends (they cannot wait): a client
            # replaying a long conversation after a reconnection gets two echoes per item
            # while it reads them.
            headroom=max(max_events, EVENT_HEADROOM),
            overrun="{n} server events are waiting: the client has stopped reading",
        )
        self._ids = itertools.count()
        self._id_prefix = uuid.uuid4().hex[:8]
        self._tasks: set[asyncio.Task[Any]] = set()
        self._response: Response | None = None
        self._pending_turns: list[asyncio.Task[Any]] = []
        self._auto_turns: dict[str, None] = {}
        """Committed turns whose automatic response has not started (deleting one drops it)."""
        self._answers: dict[str, set[str]] = {}  # automatic response -> the turns it answers
        self._unwanted: set[str] = set()  # responses whose turns were all deleted
        self._speech_item: str | None = None
        self._early = EarlyReply(engine)
        self._idle = IdleTimer()
        self._closed = False
        self._closed_event = asyncio.Event()
        self.overrun = False
        """The client stopped reading its events; the connection closed itself."""
        self.events_taken = 0
        """Server events handed to the client so far (its I/O layer watches it move)."""
        self._budget = EventBudget()
        self._input = InputAudioBuffer(
            engine, self.session, self._on_listener_event, self._on_heard
        )
        self._put({"type": "session.created", "session": public_session(self.session)})

    # -- the outgoing side ---------------------------------------------------------------------

    async def next_event(self) -> dict[str, Any] | None:
        """The next server event, waiting for one; None once the connection is closed."""
        event = await self._out.get()
        if event is not None:
            self.events_taken += 1
        return event

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """Every server event, until `close`."""
        while (event := await self.next_event()) is not None:
            yield event

    @property
    def responding(self) -> bool:
        """A response is under way."""
        return self._response is not None

    @property
    def events_waiting(self) -> int:
        """Server events queued and not taken yet."""
        return len(self._out)

    def close_stalled(self) -> None:
        """The client has stopped reading (its events overran the queue, or its I/O layer
        judged so): close, `overrun` saying why."""
        self.overrun = True
        self._spawn(self.close())

    def _stamp(self, event: dict[str, Any]) -> dict[str, Any]:
        return {"event_id": f"event_{self._id_prefix}{next(self._ids)}", **event}

    def _put(self, event: dict[str, Any]) -> None:
        """Queue an event now (caused by the client's own input: headroom, never waits).

        Past the headroom the client has stopped reading while it keeps sending: the
        connection is closed (`overrun` says why) rather than left to grow.
        """
        if self._closed:
            return
        try:
            self._out.put_nowait(self._stamp(event))
        except InvalidState:
            self.close_stalled()

    async def _emit(self, event: dict[str, Any]) -> None:
        """Queue an event, waiting while the client is behind (responses)."""
        if not self._closed:
            await self._out.put(self._stamp(event))

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

    # -- the incoming side ---------------------------------------------------------------------

    async def receive(self, data: Mapping[str, Any]) -> None:
        """Handle one client event (a decoded JSON object). Problems become ``error`` events."""
        if self._closed:
            return
        event_id = data.get("event_id") if isinstance(data.get("event_id"), str) else None
        kind = data.get("type")
        try:
            if kind == "input_audio_buffer.append":
                await self._input.append(data.get("audio"))  # the hot path: no pydantic
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
            await handler(data)
        except ClientError as exc:
            self._error(
                str(exc),
                code=exc.code,
                param=exc.param,
                client_event_id=event_id,
            )
        except Exception as exc:  # a bug or an engine failure: say so, keep the session
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
        ``event_id`` when it gave one, and the connection goes on."""
        self._error(message, code=code, param=param, client_event_id=event_id)

    async def close(self) -> None:
        """Stop every response and background task; `next_event` returns None after the
        events already queued."""
        if self._closed:
            return
        self._closed = True
        self._closed_event.set()
        self._early.cancel()
        self._input.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._out.close()

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        if self._closed:
            task.cancel()  # nothing starts after close
            return task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def wait_closed(self) -> None:
        """Return once the connection is closed (by `close`, or by itself on overrun)."""
        await self._closed_event.wait()

    # -- session -------------------------------------------------------------------------------

    async def _on_session_update(self, data: Mapping[str, Any]) -> None:
        self.session = self._fitted(apply_update(self.session, data["session"]))
        if self._input.configure(self.session):
            self._idle.clear()  # the new listener's clock starts at 0
        self._early.cancel()
        self._put({"type": "session.updated", "session": public_session(self.session)})
        if self._warm_up:
            self._start_warm_up()

    def _fitted(self, session: dict[str, Any]) -> dict[str, Any]:
        """``session``, if its instructions and tools leave the model room for a conversation
        (at most 3/4 of its context window, estimated at 4 bytes a token: only what surely
        cannot fit is refused). Else every response would fail; refused here, naming it.

        Raises:
            ConfigError: they do not fit.
        """
        window = getattr(self.engine.llm, "context_window", None)
        if not isinstance(window, int):
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

    def _start_warm_up(self) -> None:
        try:
            options = self._options(None)
        except ClientError:
            return
        items, language = self.conversation.items(), self._input.turn.language
        self._warmed = self._spawn(
            asyncio.to_thread(warm_up, self.engine, options, items, language)
        )

    async def warmed(self) -> None:
        """Warm up now (if it was not on, it is from now on: see ``warm_up``) and return
        once the warm-up is done."""
        if not self._warm_up:
            self._warm_up = True
            self._start_warm_up()
        while self._warmed is not None and not self._warmed.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._warmed)

    # -- input audio ---------------------------------------------------------------------------

    async def _on_input_audio_buffer_commit(self, data: Mapping[str, Any]) -> None:
        audio = self._input.commit()
        item_id, self._speech_item = self._speech_item or new_id("item"), None
        self._start_turn(item_id, audio, None, auto_response=False)

    async def _on_input_audio_buffer_clear(self, data: Mapping[str, Any]) -> None:
        self._speech_item = None
        self._idle.clear()
        self._early.cancel()
        self._input.clear(self.session)
        self._put({"type": "input_audio_buffer.cleared"})

    def _on_listener_event(self, event: ListenerEvent) -> None:
        turn = self._input.turn
        if event.kind == "speech_started":
            self._early.cancel()
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
            if turn.interrupt_response and self._response is not None:
                self._response.cancel("turn_detected")
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
            item_id, self._speech_item = self._speech_item or new_id("item"), None
            self._start_turn(
                item_id, event.audio, event.transcript, turn.create_response, event.pending
            )

    def _start_turn(
        self,
        item_id: str,
        audio: np.ndarray,
        transcript: str | None,
        auto_response: bool,
        pending: asyncio.Task[Transcript] | None = None,
    ) -> None:
        """Commit a user turn: the item appears now; transcription and the reply follow in order."""
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
        turn = UserTurn(item, audio, transcript, auto_response, self.conversation.version, pending)
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
        earlier = list(self._pending_turns)
        self._pending_turns.append(self._spawn(self._finish_turn(turn, earlier)))

    async def _finish_turn(self, turn: UserTurn, earlier: list[asyncio.Task[Any]]) -> None:
        try:
            for task in earlier:  # turns finish in the order they were committed
                with contextlib.suppress(Exception):
                    await asyncio.shield(task)
            settings = self._input.turn
            recognizer = self.engine.recognizer(settings.language)
            text, error = await words_of(turn, recognizer, settings)
            await self._transcribed(turn, text, error, settings)
        finally:
            # Here, not in a done-callback: a response ending in the same loop pass must
            # already see this turn gone, or neither would start the automatic reply.
            with contextlib.suppress(ValueError):
                self._pending_turns.remove(asyncio.current_task())  # type: ignore[arg-type]
            self._answer_waiting_turns()  # e.g. this turn was deleted: earlier ones still wait

    async def _transcribed(
        self, turn: UserTurn, text: str, error: Exception | None, settings: TurnSettings
    ) -> None:
        item = turn.item
        if item["id"] not in self.conversation:
            return  # deleted while it was being transcribed: nothing to report or answer
        where = {"item_id": item["id"], "content_index": 0}
        if error is not None and settings.transcribe:
            await self._emit(
                {
                    "type": "conversation.item.input_audio_transcription.failed",
                    **where,
                    "error": {"type": "transcription_error", "message": str(error)},
                }
            )
        item["content"] = [{"type": "input_audio", "transcript": text}]
        self.conversation.replace(item)
        if settings.transcribe and error is None:
            seconds = round(turn.audio.size / SAMPLE_RATE, 3)
            await self._emit(
                {
                    "type": "conversation.item.input_audio_transcription.delta",
                    **where,
                    "delta": text,
                }
            )
            await self._emit(
                {
                    "type": "conversation.item.input_audio_transcription.completed",
                    **where,
                    "transcript": text,
                    "usage": {"type": "duration", "seconds": seconds},
                }
            )
        await self._emit({"type": "conversation.item.done", "item": item})
        if turn.auto_response and item["id"] in self._auto_turns and self._response is None:
            answered: list[str] = []
            for key in list(self._auto_turns):  # one response answers it and those before
                del self._auto_turns[key]
                answered.append(key)
                if key == item["id"]:
                    break
            self._auto_respond((text, turn.base_version), answered)
        # Otherwise it follows the active response: see _run_response.

    # -- speculation ---------------------------------------------------------------------------

    def _maybe_speculate(self, transcript: str) -> None:
        """Start replying to a pause that sounds final, before the turn is confirmed."""
        turn = self._input.turn
        listener = self._input.listener
        if (
            not turn.create_response
            or self._response is not None
            or self._pending_turns
            or listener is None
            or (
                turn.mode == "semantic_vad" and listener.policy.silence_needed_ms(transcript) >= 500
            )
        ):
            return
        try:
            options = self._options(None)
        except ClientError:
            return  # the automatic response will report it
        self._early.start(transcript, options, self.conversation.items(), self.conversation.version)

    # -- conversation items --------------------------------------------------------------------

    async def _on_conversation_item_create(self, data: Mapping[str, Any]) -> None:
        item = dict(data["item"])
        item.setdefault("id", new_id("item"))
        item["object"] = "realtime.item"
        item.setdefault("status", "completed")
        if item["type"] == "message":
            item["content"] = [await self._content_part(dict(p)) for p in item.get("content", [])]
        previous = self.conversation.add(item, data.get("previous_item_id"))
        self._early.cancel()
        event: dict[str, Any] = {"type": "conversation.item.added", "item": item}
        if previous is not None:
            event["previous_item_id"] = previous
        self._put(event)
        self._put({**event, "type": "conversation.item.done"})

    async def _content_part(self, part: dict[str, Any]) -> dict[str, Any]:
        """A message's content part as stored; audio is transcribed (the LLM reads text)."""
        if part.get("type") == "input_audio" and part.get("audio") and not part.get("transcript"):
            samples = self._input.decode(part["audio"])
            turn = self._input.turn
            result = await asyncio.to_thread(
                self.engine.recognizer(turn.language).transcribe, samples, language=turn.language
            )
            part["transcript"] = result.text
            del part["audio"]  # not echoed back, as OpenAI
        return part

    async def _on_conversation_item_retrieve(self, data: Mapping[str, Any]) -> None:
        self._put(
            {"type": "conversation.item.retrieved", "item": self.conversation.get(data["item_id"])}
        )

    async def _on_conversation_item_delete(self, data: Mapping[str, Any]) -> None:
        """Deleting a user turn takes back what it asked for: its automatic response, if
        it has not started, does not; if it is under way and answers only deleted turns, it
        is cancelled and its items are deleted when it ends (a client that decided the
        turn was a cough, kaiwa's `AudioIO`, needs no race with the server)."""
        item_id = data["item_id"]
        self.conversation.delete(item_id)
        self._auto_turns.pop(item_id, None)
        self._early.cancel()
        self._put({"type": "conversation.item.deleted", "item_id": item_id})
        response = self._response
        answers = self._answers.get(response.id) if response is not None else None
        if response is not None and answers is not None and item_id in answers:
            answers.discard(item_id)
            if not answers:
                self._unwanted.add(response.id)
                response.cancel("client_cancelled")
        self._answer_waiting_turns()

    async def _on_conversation_item_truncate(self, data: Mapping[str, Any]) -> None:
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

    async def _on_response_create(self, data: Mapping[str, Any]) -> None:
        options = self._options(data.get("response"))
        if self._response is not None:
            raise ClientError(
                f"Conversation already has an active response in progress: {self._response.id}. "
                "Wait until the response is finished before creating a new one.",
                code="conversation_already_has_active_response",
            )
        if options.input_items is not None:
            response_items(self.conversation, options)  # a bad reference: this event's error
        self._begin_response(options)

    def _begin_response(
        self, options: ResponseOptions, *, transcript: tuple[str, int] | None = None
    ) -> None:
        """Start a response; ``transcript`` (words, conversation version before them) lets
        it use the early reply to those words."""
        response = Response(options, self.conversation, self._emit)
        self._response = response
        self._idle.clear()
        self._put({"type": "response.created", "response": response.shape()})
        early = self._early.take(*transcript) if transcript is not None else None
        if early is not None:
            chunks, response.usage = early
        else:
            self._early.cancel()
            items = response_items(self.conversation, options)
            chunks = engine_reply(self.engine, options, items, response.usage)
        response.task = self._spawn(self._run_response(response, chunks))

    async def _run_response(self, response: Response, chunks: AsyncIterator[ResponseChunk]) -> None:
        try:
            await response.run(chunks)
        finally:
            if self._response is response:
                self._response = None
            if not self._closed:
                self._put({"type": "rate_limits.updated", "rate_limits": []})
                self._arm_idle_timeout(response)
                if response.id in self._unwanted:
                    self._unwanted.discard(response.id)
                    for item in response.output:  # it answered only deleted turns
                        if item["id"] in self.conversation:
                            self.conversation.delete(item["id"])
                            self._put({"type": "conversation.item.deleted", "item_id": item["id"]})
                self._answers.pop(response.id, None)
                self._answer_waiting_turns()

    def _arm_idle_timeout(self, response: Response) -> None:
        """With server_vad's ``idle_timeout_ms``, answer a silent user (see `IdleTimer`)."""
        idle = self._input.turn.idle_timeout_ms
        listener = self._input.listener
        if idle and listener is not None and response.status == "completed":
            self._idle.arm(listener.heard_ms, response.audio_ms, idle)

    def _on_heard(self) -> None:
        """After each VAD pass: is the idle timeout due?"""
        listener = self._input.listener
        if (
            listener is None
            or self._idle.deadline_ms is None
            or listener.in_turn
            or self._response is not None
            or self._pending_turns
        ):
            return
        span = self._idle.due(listener.heard_ms, self._input.turn.idle_timeout_ms)
        if span is None:
            return
        item_id = new_id("item")
        self._put(
            {
                "type": "input_audio_buffer.timeout_triggered",
                "audio_start_ms": span[0],
                "audio_end_ms": span[1],
                "item_id": item_id,
            }
        )
        self._start_turn(item_id, listener.commit(), "", auto_response=True)

    def _answer_waiting_turns(self) -> None:
        """Start the automatic response for the turns waiting for one, once nothing else is
        in the way (no response, no turn still being transcribed)."""
        if self._auto_turns and not self._pending_turns and self._response is None:
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
        assert self._response is not None
        self._answers[self._response.id] = set(turns)

    async def _on_response_cancel(self, data: Mapping[str, Any]) -> None:
        wanted = data.get("response_id")
        if self._response is None or (wanted and wanted != self._response.id):
            raise ClientError(
                "Cancellation failed: no active response found", code="response_cancel_not_active"
            )
        self._response.cancel("client_cancelled")

    async def _on_output_audio_buffer_clear(self, data: Mapping[str, Any]) -> None:
        # Over WebSocket the client holds the audio; clearing means "stop talking".
        response = self._response
        if response is not None:
            response.cancel("client_cancelled")
        event: dict[str, Any] = {"type": "output_audio_buffer.cleared"}
        if response is not None:
            event["response_id"] = response.id
        self._put(event)
