"""`RealtimeConnection`: one client's realtime session, `ServerProtocol` driven over the engine.

Client events go in (`receive`), server events come out (`next_event`): both as the protocol's
dicts, shaped by ``openai.types.realtime``. What carries the events — a WebSocket in
``kaiwa serve``, a direct call in `LocalRealtimeModel` — is the caller's business.

Every decision is the protocol's (`kaiwa.core.protocol`); this driver only carries out its
commands on the engine's stages (the listener, the recognizer, the reply stream, the early
reply) and reports what they produce back to it, on the event loop.

The outgoing queue is bounded: when the client stops reading, the reply stream is not read on
(backpressure: the shared LLM goes on with other sessions), while events the client causes
itself may use a headroom past which the connection closes itself (`overrun`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._event_queue import EventQueue
from ..engine.engine import Stages
from ..engine.listener import Listener, ListenerEvent
from ..engine.responder import ResponseChunk
from ..exceptions import InvalidState
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
from .conversation import Conversation
from .limits import EVENT_HEADROOM
from .protocol import ServerProtocol
from .replies import EarlyReply, engine_reply, prepare, transcribe, warm_up
from .response import DELTA_MS

logger = logging.getLogger("kaiwa.core")

__all__ = ["MAX_BACKLOG_MS", "Observation", "Observer", "RealtimeConnection"]

MAX_BACKLOG_MS = 2000
"""Audio waiting for the VAD before `receive` waits (a client sending faster than real time)."""
PIECE_DELTAS = 32
"""Audio deltas queued at most per step of a reply (a long clause goes over in pieces)."""


@dataclass(frozen=True)
class Observation:
    """One thing that happened in a session, as an `Observer` sees it.

    ``kind`` is one of: ``client_event`` (``name``: its type), ``server_event`` (queued for
    the client; ``name``: its type), ``stage_start`` (a command for a stage; ``name``: the
    command's class, e.g. ``Reply``, ``Transcribe``), ``stage_report`` (a stage reported back;
    ``name``: the protocol method, e.g. ``replied``, ``reply_ended``, ``transcribed``,
    ``heard``). ``data`` is the event, command or report's first argument.
    """

    at: float
    """`time.perf_counter()` when it happened."""
    kind: Literal["client_event", "server_event", "stage_start", "stage_report"]
    name: str
    data: object = None


Observer = Callable[[Observation], None]
"""Called on the event loop for each `Observation`; it must not block (queue the work)."""


class RealtimeConnection:
    """The server side of one realtime session (see the module docstring).

    Args:
        engine: the stages (`kaiwa.engine.Engine`, loaded), shared by every connection of
            the process; `kaiwa.testing.FakeStages` in tests.
        model: the model name the client asked for (echoed in the session).
        session: initial settings (e.g. from a client secret), as a partial GA session.
        max_events: outgoing events held before the reply stream waits for the client.
        warm_up: after each ``session.update``, prime the LLM with the instructions and
            tools and load the session language's models in the background (for a session
            that talks with a person, as `warmed` turns on; a server's many sessions would
            crowd the LLM with it).
        delta_ms: audio per ``response.output_audio.delta`` (200 ms).
        observer: told of every event in and out and every stage's start and report, with
            its time (metrics, traces, logs); an observer that raises is logged and dropped.

    Raises:
        ConfigError: ``session`` is invalid.
    """

    def __init__(
        self,
        engine: Stages,
        *,
        model: str = DEFAULT_MODEL_NAME,
        session: Mapping[str, Any] | None = None,
        max_events: int = 256,
        warm_up: bool = False,
        observer: Observer | None = None,
        delta_ms: int = DELTA_MS,
    ) -> None:
        self.engine = engine
        self.observer = observer
        window = getattr(engine.llm, "context_window", None)
        self.protocol = ServerProtocol(
            model=model,
            session=session,
            context_window=window if isinstance(window, int) else None,
            warm_up=warm_up,
            delta_ms=delta_ms,
        )
        self._out: EventQueue[dict[str, Any]] = EventQueue(
            max_events,
            # Room for the answers to what the client sends (they cannot wait): a client
            # replaying a long conversation after a reconnection gets two echoes per item
            # while it reads them.
            headroom=max(max_events, EVENT_HEADROOM),
            overrun="{n} server events are waiting: the client has stopped reading",
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._replies: dict[str, asyncio.Task[None]] = {}
        self._listener: Listener | None = None
        self._early = EarlyReply(engine)
        self._warmed: asyncio.Task[None] | None = None
        self._unblocked = asyncio.Event()
        self._pumping = False
        self._transcribing = asyncio.Lock()
        self._closed = False
        self._closed_event = asyncio.Event()
        self.overrun = False
        """The client stopped reading its events; the connection closed itself."""
        self.events_taken = 0
        """Server events handed to the client so far (its I/O layer watches it move)."""
        self._pump()

    @property
    def session(self) -> dict[str, Any]:
        """The session's settings."""
        return self.protocol.session

    @property
    def conversation(self) -> Conversation:
        """The session's conversation."""
        return self.protocol.conversation

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
        return self.protocol.responding

    @property
    def events_waiting(self) -> int:
        """Server events queued and not taken yet."""
        return len(self._out)

    def close_stalled(self) -> None:
        """The client has stopped reading (its events overran the queue, or its I/O layer
        judged so): close, `overrun` saying why."""
        self.overrun = True
        self._spawn(self.close())

    # -- the incoming side ---------------------------------------------------------------------

    async def receive(self, data: Mapping[str, Any]) -> None:
        """Handle one client event (a decoded JSON object). Problems become ``error`` events.

        Waits (holding back the client's socket) while an earlier item's audio is being
        transcribed, and while the VAD is more than `MAX_BACKLOG_MS` behind the audio.
        """
        while self.protocol.busy and not self._closed:
            self._unblocked.clear()
            await self._unblocked.wait()
        if self._closed:
            return
        if self.observer is not None:
            self._observe("client_event", str(data.get("type")), data)
        self.protocol.receive(data)
        self._pump()
        listener = self._listener
        if listener is not None and listener.backlog_ms > MAX_BACKLOG_MS:
            await listener.caught_up(MAX_BACKLOG_MS // 2)

    def reject(
        self,
        message: str,
        *,
        code: str = "invalid_json",
        param: str | None = None,
        event_id: str | None = None,
    ) -> None:
        """Report input that never became an event (see `ServerProtocol.reject`)."""
        self.protocol.reject(message, code=code, param=param, event_id=event_id)
        self._pump()

    async def close(self) -> None:
        """Stop every stage's work for this session; `next_event` returns None after the
        events already queued."""
        if self._closed:
            return
        self._closed = True
        self._closed_event.set()
        self._unblocked.set()
        self.protocol.close()
        self._early.cancel()
        if self._listener is not None:
            self._listener.close()
        for _ in range(3):  # stopping a reply starts a task that closes its stream
            tasks = list(self._tasks)
            if not tasks:
                break
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._out.close()

    async def wait_closed(self) -> None:
        """Return once the connection is closed (by `close`, or by itself on overrun)."""
        await self._closed_event.wait()

    async def warmed(self) -> None:
        """Warm up now (if it was not on, it is from now on: see ``warm_up``) and return
        once the warm-up is done."""
        if not self.protocol.warm_up:
            self.protocol.warm_up = True
            self.protocol.warm()
            self._pump()
        while self._warmed is not None and not self._warmed.done():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._warmed)

    async def prepare(self, instructions: str, tools: Sequence[Mapping[str, Any]]) -> int:
        """Have the LLM evaluate ``instructions`` and ``tools`` (``session.update``'s shape)
        for settings this session may switch to (a handoff's agent), after the warm-up under
        way and only while the LLM has nothing else to do; the session's own settings stay
        as they are. Returns the tokens evaluated (see `LocalLLM.prepare`)."""
        warming = self._warmed
        if warming is not None and not warming.done():
            await asyncio.wait({warming})  # (its failure is the warm-up's to report)
        if self._closed_event.is_set():
            return 0
        return await asyncio.to_thread(prepare, self.engine, instructions, tools)

    # -- carrying out the protocol's commands --------------------------------------------------

    def _pump(self) -> None:
        """Carry out the protocol's commands, then queue its events for the client."""
        if self._pumping:  # a stage reported while a command ran: the outer pass goes on
            return
        self._pumping = True
        try:
            self._pump_once()
        finally:
            self._pumping = False
        if not self.protocol.busy:
            self._unblocked.set()

    def _pump_once(self) -> None:
        protocol, observing = self.protocol, self.observer is not None
        while (command := protocol.next_command()) is not None:
            if observing:  # (audio for the listener too: metrics place the end of speech)
                self._observe("stage_start", type(command).__name__, command)
            try:
                self._run(command)
            except Exception as exc:  # a stage failed to start: the protocol tells the client
                logger.exception("a stage failed: %s", type(command).__name__)
                protocol.stage_failed(command, exc)
        for event in protocol.events_to_send():
            if self._closed:
                break
            if observing:
                self._observe("server_event", event["type"], event)
            try:
                self._out.put_nowait(event)
            except InvalidState:
                self.close_stalled()
                break

    def _observe(self, kind: Any, name: str, data: object) -> None:
        observer = self.observer
        if observer is None:
            return
        try:
            observer(Observation(time.perf_counter(), kind, name, data))
        except Exception:
            logger.exception("the session's observer failed; it is dropped")
            self.observer = None

    def _report(self, name: str, data: object) -> None:
        if self.observer is not None:
            self._observe("stage_report", name, data)

    def _run(self, command: Command) -> None:
        engine, protocol = self.engine, self.protocol
        if isinstance(command, ListenTo):
            if self._listener is not None:
                self._listener.push(command.samples)
        elif isinstance(command, Reply):
            self._start_reply(command)
        elif isinstance(command, StopReply):
            task = self._replies.get(command.response_id)
            if task is not None:
                task.cancel()  # its done-callback reports the end
        elif isinstance(command, Transcribe):
            self._spawn(self._transcribe(command))
        elif isinstance(command, CommitAudio):
            if self._listener is not None:
                protocol.committed(command, self._listener.commit())
        elif isinstance(command, Listen):
            self._listen(command)
        elif isinstance(command, StartEarlyReply):
            self._early.start(command.options, command.items)
        elif isinstance(command, DropEarlyReply):
            self._early.cancel()
        elif isinstance(command, TranscribeContent):
            self._spawn(self._transcribe_content(command))
        elif isinstance(command, WarmUp):
            self._warmed = self._spawn(
                asyncio.to_thread(warm_up, engine, command.options, command.items, command.language)
            )

    def _listen(self, command: Listen) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        turn = command.settings
        if turn.mode is None:
            return
        listener: Listener

        def heard(event: ListenerEvent) -> None:
            if self._listener is listener:
                self._report("heard", event)
                self.protocol.heard(event)
                self._pump()

        def listened() -> None:
            if self._listener is listener:
                self.protocol.listened(listener.heard_ms, listener.in_turn)
                self._pump()

        listener = self.engine.listen(turn, heard, listened)
        self._listener = listener

    def _start_reply(self, command: Reply) -> None:
        usage: dict[str, int] = {}
        if command.early:
            stream, usage = self._early.take()
        else:
            stream = engine_reply(self.engine, command.options, command.items, usage)
        rid = command.response_id
        reported = False
        # A long clause's audio goes over in pieces of `PIECE_DELTAS` deltas, each waiting
        # for room: one clause must not overrun a client's queue by itself.
        piece_samples = command.options.rate * self.protocol.delta_ms // 1000 * PIECE_DELTAS

        def report_end(error: Exception | None) -> None:
            nonlocal reported
            reported = True
            self._replies.pop(rid, None)
            if self._closed:
                return
            self._report("reply_ended", rid)
            self.protocol.reply_ended(rid, error, usage)
            self._pump()

        async def run() -> None:
            error: Exception | None = None
            try:
                async with contextlib.aclosing(stream):  # type: ignore[type-var]
                    async for chunk in stream:
                        if chunk.llm_first_token_at is not None and self.observer is not None:
                            self._report("llm_first_token", (rid, chunk.llm_first_token_at))
                        for piece in _pieces(chunk, piece_samples):
                            await self._out.room()  # the client is behind: read on later
                            self._report("replied", piece)
                            self.protocol.replied(rid, piece)
                            self._pump()
            except Exception as exc:  # the engine failed: the response fails
                error = exc
            # Reported here, in the same step as the stream's end: a cancel cannot come
            # between (it would mark a finished answer cancelled).
            report_end(error)

        def ended(task: asyncio.Task[None]) -> None:
            if not task.cancelled() or reported:
                return
            # Stopped (perhaps before it ran): close what it would have, then report.
            closing = asyncio.get_running_loop().create_task(_close(stream))
            self._tasks.add(closing)
            closing.add_done_callback(self._tasks.discard)
            report_end(None)

        task = self._spawn(run())
        self._replies[rid] = task
        task.add_done_callback(ended)

    async def _transcribe(self, command: Transcribe) -> None:
        text, error = "", None
        try:
            async with self._transcribing:  # one at a time per session, in commit order
                text, error = await transcribe(self.engine, command)
        finally:  # always reported: a turn left without words would hold every later one
            if not self._closed:
                self._report("transcribed", command.item_id)
                self.protocol.transcribed(command.item_id, text, error)
                self._pump()

    async def _transcribe_content(self, command: TranscribeContent) -> None:
        text, error = "", None
        try:
            recognizer = await asyncio.to_thread(self.engine.recognizer, command.language)
            result = await asyncio.to_thread(
                recognizer.transcribe, command.audio, language=command.language
            )
            text = result.text
        except Exception as exc:
            error = exc
        self._report("content_transcribed", command.ticket)
        self.protocol.content_transcribed(command.ticket, text, error)
        self._pump()

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        if self._closed:
            task.cancel()  # nothing starts after close
            return task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def _pieces(chunk: ResponseChunk, samples: int) -> list[ResponseChunk]:
    """``chunk``, its audio cut in pieces of at most ``samples``, each with its share of the
    words (so that a reply cut after a piece has said, and is truncated to, what was sent)."""
    audio = chunk.audio
    if audio is None or audio.size <= samples:
        return [chunk]
    words = chunk.text.split()
    starts = range(0, audio.size, samples)
    n = len(starts)
    return [
        ResponseChunk(
            text=" ".join(words[round(k * len(words) / n) : round((k + 1) * len(words) / n)]),
            audio=audio[i : i + samples],
        )
        for k, i in enumerate(starts)
    ]


async def _close(stream: AsyncIterator[Any]) -> None:
    with contextlib.suppress(Exception):
        await stream.aclose()  # type: ignore[attr-defined]
