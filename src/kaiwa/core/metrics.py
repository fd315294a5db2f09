"""Per-turn metrics, computed from what a `RealtimeConnection`'s observer sees.

`TurnClock` is an observer (`RealtimeConnection(observer=clock)`). For each response it builds a
`TurnMetrics`: when the user's speech ended (the moment its last audio arrived, not when the
VAD decided), and from there the end-of-turn decision, the final transcript, the response's
start, its first audio and its end; tool time before it, tokens, whether the early reply was
kept, and for a response cut by the user's speech, how long its audio went on after they
started. It hands each one to ``on_turn`` when the response is done.

No clock is read here: every time comes from the observations (`Observation.at`), so the
same code measures a live session and a replayed one.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .commands import Listen, ListenTo, Reply
from .connection import Observation

__all__ = ["ToolTime", "TurnClock", "TurnMetrics"]

LISTEN_RATE = 16000
"""The rate of the samples the protocol hands the listener (`ListenTo`)."""
MAX_ARRIVALS = 3000
"""Audio arrivals remembered to place the end of speech (a minute of 20 ms chunks)."""
MAX_OPEN = 64
"""Responses and tool calls followed at once (older ones are forgotten, not reported)."""


@dataclass(frozen=True)
class ToolTime:
    """A tool call: from its arguments being sent to its output coming back."""

    name: str
    call_id: str
    seconds: float
    sent_at: float = 0.0
    """`time.perf_counter()` when its arguments were sent."""


@dataclass
class TurnMetrics:
    """The times of one response, in seconds from ``start`` (None: did not happen).

    ``start`` is the end of the user's speech for a spoken turn (when its last audio
    arrived); otherwise, the moment the response was asked for (the client's
    ``response.create``, or the item that started it). Times are `time.perf_counter()`
    values of the process that measured them.
    """

    response_id: str
    start: float
    spoken: bool
    """Whether the turn was spoken (``start`` is then the end of the speech)."""
    end_of_turn: float | None = None
    """-> the turn was committed (the VAD's or the client's decision)."""
    transcript: float | None = None
    """-> the final transcript of the user's words."""
    response_created: float | None = None
    """-> ``response.created``."""
    first_audio: float | None = None
    """-> the first ``response.output_audio.delta`` was sent."""
    llm_first_token: float | None = None
    """-> the LLM's first token (measured by the server only; an early reply's may come
    before the turn was committed). Not one of the `stages`: it runs alongside them."""
    first_text: float | None = None
    """-> the first transcript or text delta was sent."""
    done: float | None = None
    """-> ``response.done``."""
    status: str = ""
    """The response's status: ``completed``, ``cancelled``, ``failed``, ``incomplete``."""
    early_reply_kept: bool | None = None
    """Whether the reply started on a pause (before the turn ended) was used; None: no reply
    was started (an answer without the engine, or a text-only client)."""
    barge_in: float | None = None
    """For a response cut by the user's speech: from ``speech_started`` to its end."""
    tools: list[ToolTime] = field(default_factory=list)
    """The tool calls answered since the previous response (this one uses their results)."""
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0

    def stages(self) -> dict[str, float]:
        """The turn cut in consecutive stages (seconds each): what happened, in order, each
        from the previous one. Their sum is the last time reached."""
        marks = [
            ("end_of_turn", self.end_of_turn),
            ("transcript", self.transcript),
            ("response_created", self.response_created),
            ("first_audio", self.first_audio),
            ("done", self.done),
        ]
        out: dict[str, float] = {}
        last = 0.0
        for name, at in marks:
            if at is None:
                continue
            at = max(at, last)  # a stage reached before the previous one took no time
            out[name] = at - last
            last = at
        return out


class TurnClock:
    """An observer that measures every response of one connection (see the module docstring).

    Args:
        on_turn: called with each response's `TurnMetrics` when it is done (on the event
            loop: it must not block).
        client: measure as a client does (`kaiwa.models`' doors): the audio arrives when
            the client sends it (``input_audio_buffer.append``, in the session's input
            format), not when the server hands it to its listener.
    """

    def __init__(self, on_turn: Callable[[TurnMetrics], None], *, client: bool = False) -> None:
        self.on_turn = on_turn
        self._bytes_per_ms: float | None = 48.0 if client else None  # pcm16 at 24 kHz
        self._heard_ms = 0.0  # audio given to the listener since it started
        self._detection: object = None  # the session's turn detection (client side)
        self._arrivals: collections.deque[tuple[float, float]] = collections.deque(
            maxlen=MAX_ARRIVALS
        )  # (audio ms at the end of a chunk, when it arrived)
        self._speech_end: float | None = None
        self._committed: float | None = None
        self._transcribed: float | None = None
        self._asked: float | None = None
        self._speech_started: float | None = None
        self._open: dict[str, TurnMetrics] = {}
        self._item: str | None = None  # the user item committed last
        self._by_item: dict[str, str] = {}  # user item -> the response that answers it
        self._early: dict[str, bool] = {}
        self._calls: dict[str, tuple[str, float]] = {}
        self._answered: list[ToolTime] = []

    def __call__(self, seen: Observation) -> None:
        kind, name, data, at = seen.kind, seen.name, seen.data, seen.at
        if kind == "stage_start":
            self._command(data, at)
        elif kind == "stage_report" and name == "llm_first_token" and isinstance(data, tuple):
            rid, token_at = data
            turn = self._open.get(str(rid))
            if turn is not None and isinstance(token_at, float):
                turn.llm_first_token = token_at - turn.start
        elif kind == "client_event" and isinstance(data, Mapping):
            self._client(name, data, at)
        elif kind == "server_event" and isinstance(data, Mapping):
            self._server(name, data, at)

    def _command(self, command: object, at: float) -> None:
        if isinstance(command, ListenTo):
            self._heard_ms += 1000 * len(command.samples) / LISTEN_RATE
            self._arrivals.append((self._heard_ms, at))
        elif isinstance(command, Listen):  # a new listener counts its audio from zero
            self._restart_count()
        elif isinstance(command, Reply):
            _put(self._early, command.response_id, command.early)

    def _restart_count(self) -> None:
        self._heard_ms = 0.0
        self._arrivals.clear()

    def _client(self, name: str, event: Mapping[str, Any], at: float) -> None:
        if name == "input_audio_buffer.clear" and self._bytes_per_ms is not None:
            self._restart_count()  # the server's listener starts again
        elif name == "session.update" and self._bytes_per_ms is not None:
            detection = _turn_detection(event.get("session"), missing=self._detection)
            if detection != self._detection:  # another VAD: the server's listener restarts,
                self._restart_count()  # before the audio sent after this event
                self._detection = detection
        elif name == "input_audio_buffer.append" and self._bytes_per_ms is not None:
            # Measured by the client: the audio's arrival is when it was sent.
            audio = event.get("audio")
            if isinstance(audio, str):
                self._heard_ms += len(audio) * 3 / 4 / self._bytes_per_ms
                self._arrivals.append((self._heard_ms, at))
        elif name == "response.create":
            self._asked = at
        elif name == "conversation.item.create":
            item = event.get("item")
            item = item if isinstance(item, Mapping) else {}
            if item.get("type") == "function_call_output":
                call = self._calls.pop(str(item.get("call_id")), None)
                if call is not None:
                    tool, sent = call
                    call_id = str(item.get("call_id"))
                    self._answered.append(ToolTime(tool, call_id, at - sent, sent))
            self._asked = at

    def _server(self, name: str, event: Mapping[str, Any], at: float) -> None:
        if name in ("session.created", "session.updated") and self._bytes_per_ms is not None:
            session = event.get("session")
            self._bytes_per_ms = _bytes_per_ms(session, self._bytes_per_ms)
            if name == "session.created":  # a new connection: its listener counts from 0
                self._restart_count()
            self._detection = _turn_detection(session)
        elif name == "input_audio_buffer.speech_started":
            self._speech_started = at
            self._speech_end = self._committed = self._transcribed = None
        elif name == "input_audio_buffer.speech_stopped":
            self._speech_end = self._arrived(event.get("audio_end_ms"), at)
        elif name == "input_audio_buffer.committed":
            self._committed = at
            self._item = str(event.get("item_id"))
            if self._speech_end is None:  # committed by the client: its last audio
                self._speech_end = self._arrivals[-1][1] if self._arrivals else at
        elif name == "conversation.item.input_audio_transcription.completed":
            turn = self._open.get(self._by_item.get(str(event.get("item_id")), ""))
            if turn is not None:  # after the response began (it did not wait for the words)
                if turn.transcript is None:
                    turn.transcript = at - turn.start
            elif str(event.get("item_id")) == self._item:  # not an earlier item's, late
                self._transcribed = at
        elif name == "response.created":
            self._created(event, at)
        elif name == "response.output_audio.delta":
            turn = self._open.get(str(event.get("response_id")))
            if turn is not None and turn.first_audio is None:
                turn.first_audio = at - turn.start
        elif name in ("response.output_audio_transcript.delta", "response.output_text.delta"):
            turn = self._open.get(str(event.get("response_id")))
            if turn is not None and turn.first_text is None:
                turn.first_text = at - turn.start
        elif name == "response.function_call_arguments.done":
            _put(self._calls, str(event.get("call_id")), (str(event.get("name")), at))
        elif name == "response.done":
            self._done(event, at)

    def _arrived(self, audio_ms: object, at: float) -> float:
        """When the audio up to ``audio_ms`` (the listener's count) had arrived."""
        if isinstance(audio_ms, int | float) and not isinstance(audio_ms, bool):
            for end_ms, arrived in self._arrivals:
                if end_ms >= audio_ms:
                    return arrived
        return at

    def _created(self, event: Mapping[str, Any], at: float) -> None:
        response = event.get("response")
        rid = str(response.get("id")) if isinstance(response, Mapping) else ""
        spoken = self._speech_end is not None and self._committed is not None
        start = self._speech_end if spoken else self._asked
        turn = TurnMetrics(rid, start if start is not None else at, spoken=spoken)
        if spoken:
            assert self._committed is not None
            turn.end_of_turn = self._committed - turn.start
            if self._transcribed is not None:
                turn.transcript = self._transcribed - turn.start
        turn.response_created = at - turn.start
        turn.tools, self._answered = self._answered, []
        _put(self._open, rid, turn)
        if spoken and self._item is not None:
            _put(self._by_item, self._item, rid)
        # The next response is measured from what asks for it next.
        self._speech_end = self._committed = self._transcribed = self._asked = None
        self._speech_started, self._item = None, None

    def _done(self, event: Mapping[str, Any], at: float) -> None:
        response = event.get("response")
        if not isinstance(response, Mapping):
            return
        rid = str(response.get("id"))
        turn = self._open.pop(rid, None)
        if turn is None:
            return
        turn.done = at - turn.start
        turn.status = str(response.get("status") or "")
        turn.early_reply_kept = self._early.pop(rid, None)
        if turn.status == "cancelled" and self._speech_started is not None:
            turn.barge_in = max(0.0, at - self._speech_started)
        usage = response.get("usage")
        if isinstance(usage, Mapping):
            turn.input_tokens = _int(usage.get("input_tokens"))
            turn.output_tokens = _int(usage.get("output_tokens"))
            details = usage.get("input_token_details")
            if isinstance(details, Mapping):
                turn.cached_tokens = _int(details.get("cached_tokens"))
        self.on_turn(turn)


def _turn_detection(session: object, missing: object = None) -> object:
    """A session's ``audio.input.turn_detection`` (``missing`` if it does not say)."""
    try:
        return session["audio"]["input"].get("turn_detection", missing)  # type: ignore[index]
    except (TypeError, KeyError, AttributeError):
        return missing


def _bytes_per_ms(session: object, default: float) -> float:
    """Bytes of input audio per ms in a session's input format."""
    try:
        fmt = session["audio"]["input"]["format"]  # type: ignore[index]
        kind, rate = fmt.get("type"), fmt.get("rate", 24000)
    except (TypeError, KeyError, AttributeError):
        return default
    if kind in ("audio/pcmu", "audio/pcma"):
        return 8.0  # one byte a sample at 8 kHz
    if kind == "audio/pcm" and isinstance(rate, int) and rate > 0:
        return 2 * rate / 1000
    return default


def _put(table: dict[str, Any], key: str, value: Any) -> None:
    """``table[key] = value``, forgetting the oldest entries beyond `MAX_OPEN`."""
    table[key] = value
    while len(table) > MAX_OPEN:
        del table[next(iter(table))]


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
