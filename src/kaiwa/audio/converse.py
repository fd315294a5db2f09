"""A microphone and a speaker wired to a session: `converse` and `AudioIO`.

::

    async with await runner.run() as session:
        await kaiwa.audio.converse(session)

What runs where:

- the device's threads (`DeviceStream`, or any `AudioStream`) call `AudioIO._render` and
  `AudioIO._capture` every 10 ms: the first pulls the next block from the `AudioPlayer`,
  the second hands the captured block, with the block played meanwhile, to the microphone
  thread. Nothing else.
- the microphone thread resamples both to the echo canceller's rate, cancels the echo in
  10 ms frames, encodes to the session's input format and passes the bytes to the loop.
- on the event loop: one task sends the microphone audio to the session, one reads the
  session's events (audio to the player, barge-in to `BargeIn`), one acts on `BargeIn`'s
  clock.

Every queue is bounded. Microphone audio that cannot be sent for two seconds (the session is
stuck) is dropped oldest first, counted in `AudioIOStats.mic_dropped_ms` and logged: a live
microphone cannot wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from ..exceptions import InvalidState, ModelConnectionError, UserError
from ..models.interface import RealtimeModelListener
from ..models.model_events import RealtimeModelEvent
from ..models.model_inputs import RealtimeModelSendInterrupt, RealtimeModelSendRawMessage
from .codecs import AudioEncoder
from .devices import AudioStream, DeviceStream
from .echo import EchoCanceller, PassThrough, WebRTCEchoCanceller
from .formats import audio_duration_ms, to_ga_format
from .interruptions import Action, BargeIn, Hold, Interrupt, InterruptionSettings, Resume
from .playback import WallClockPlaybackTracker
from .player import AudioPlayer

if TYPE_CHECKING:
    from ..events import RealtimeSessionEvent
    from ..session import RealtimeSession

__all__ = ["AudioIO", "AudioIOStats", "converse"]

logger = logging.getLogger("kaiwa.audio")

Float = npt.NDArray[np.float32]

_MIC_QUEUE_MS = 2000
_VAD_LEAD_S = 0.3  # the VAD says speech started this long after it did, at most
_KEPT = 1000


@dataclass
class AudioIOStats:
    """Timings and counts, for ``bench/audio.py`` and diagnostics (milliseconds)."""

    mic_to_sent_ms: deque[float] = field(default_factory=lambda: deque(maxlen=_KEPT))
    """From the end of a captured block to its audio being handed to the session."""
    echo_cpu_ms: float = 0.0
    """CPU time spent in the echo canceller."""
    processed_ms: float = 0.0
    """Microphone audio processed."""
    mic_dropped_ms: float = 0.0
    """Microphone audio dropped because the session did not take it (see module docstring)."""
    holds: int = 0
    """Answers held because the user started speaking over them."""
    resumed: int = 0
    """Held answers resumed (the speech was not a turn)."""
    interrupted: int = 0
    """Answers cancelled by the user's speech."""


class _MicPath:
    """The microphone thread: resample, cancel the echo, encode (module docstring)."""

    def __init__(
        self,
        device_rate: int,
        reference_rate: int,
        canceller: EchoCanceller,
        session_format: object,
        deliver: Callable[[bytes, float], None],
        stats: AudioIOStats,
    ) -> None:
        import soxr

        self._rate = device_rate
        self._canceller = canceller
        self._to_aec = [
            soxr.ResampleStream(rate, canceller.rate, 1, dtype="float32", quality="HQ")
            if rate != canceller.rate
            else None
            for rate in (device_rate, reference_rate)
        ]
        self._encoder = AudioEncoder(canceller.rate, session_format)
        self._deliver = deliver
        self._stats = stats
        self._mic = np.zeros(0, np.float32)
        self._ref = np.zeros(0, np.float32)
        self._at = 0.0
        self._blocks: deque[tuple[Float, Float, float]] = deque()
        self._voice = _VoiceMeter()
        self._max_blocks = 0
        self._wake = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="kaiwa-mic", daemon=True)

    def start(self, block: int) -> None:
        self._max_blocks = max(4, int(_MIC_QUEUE_MS / 1000 * self._rate / max(block, 1)))
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stop = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        if not self._thread.is_alive():
            self._to_aec = [None, None]  # native resamplers: freed now, not at exit

    def last_voiced(self, before: float) -> float | None:
        """When the user's voice was last heard before ``before`` (`time.perf_counter`)."""
        return self._voice.last_voiced(before)

    def voiced_ms_since(self, start: float) -> float:
        """Voice heard on the cleaned microphone since ``start`` (`time.perf_counter`)."""
        return self._voice.since(start)

    def feed(self, mic: Float, played: Float) -> None:
        """Called on the device's thread: queue the block pair (copies are the caller's)."""
        with self._wake:
            if len(self._blocks) >= self._max_blocks:
                dropped, _, _ = self._blocks.popleft()
                self._stats.mic_dropped_ms += dropped.size * 1000 / self._rate
                if self._stats.mic_dropped_ms == dropped.size * 1000 / self._rate:
                    logger.warning("the microphone thread fell behind: dropping audio")
            self._blocks.append((mic, played, time.perf_counter()))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._blocks and not self._stop:
                    self._wake.wait()
                if self._stop:
                    return
                mic, played, at = self._blocks.popleft()
            self._at = at
            try:
                data = self._process(mic, played)
            except Exception:
                logger.exception("microphone processing failed")
                continue
            if data:
                self._deliver(data, at)

    def _process(self, mic: Float, played: Float) -> bytes:
        mic_r, ref_r = (
            r.resample_chunk(x) if r is not None else x
            for r, x in zip(self._to_aec, (mic, played), strict=True)
        )
        self._mic = np.concatenate([self._mic, np.asarray(mic_r, np.float32)])
        self._ref = np.concatenate([self._ref, np.asarray(ref_r, np.float32)])
        frame = self._canceller.frame
        n = min(self._mic.size, self._ref.size) // frame * frame
        if n == 0:
            return b""
        out = np.empty(n, np.float32)
        start = time.thread_time()
        for i in range(0, n, frame):
            out[i : i + frame] = self._canceller.process(
                self._mic[i : i + frame], self._ref[i : i + frame]
            )
        self._stats.echo_cpu_ms += (time.thread_time() - start) * 1000
        self._stats.processed_ms += n * 1000 / self._canceller.rate
        self._voice.measure(out, frame, self._at)
        self._mic, self._ref = self._mic[n:], self._ref[n:]
        return self._encoder.encode(out)


class _Reference:
    """What the speaker played, waiting to be paired with the microphone block captured while
    it played: the echo canceller's reference. The two streams run on their own threads; the
    pairing keeps at most one block of slack, so the reference always comes before its echo
    (by the hardware's latency, which the canceller measures)."""

    def __init__(self) -> None:
        self._blocks: deque[Float] = deque()
        self._size = 0
        self._lock = threading.Lock()

    def played(self, block: Float) -> None:
        with self._lock:
            self._blocks.append(block.copy())
            self._size += block.size

    def take(self, frames: int) -> Float:
        out = np.zeros(frames, np.float32)
        with self._lock:
            while self._size - (self._blocks[0].size if self._blocks else 0) >= 2 * frames:
                self._size -= self._blocks.popleft().size  # too far behind: keep the latest
            filled = 0
            while filled < frames and self._blocks:
                head = self._blocks[0]
                n = min(frames - filled, head.size)
                out[filled : filled + n] = head[:n]
                filled += n
                if n == head.size:
                    self._blocks.popleft()
                else:
                    self._blocks[0] = head[n:]
                self._size -= n
        return out


class _VoiceMeter:
    """Which 10 ms frames of the cleaned microphone carry a voice: 15 dB over the noise floor
    and above -50 dBFS. Rough, but enough to tell a cough from a sentence once the answer is
    held (there is no echo left then)."""

    def __init__(self) -> None:
        self._floor = 1e-8
        self._frames: deque[tuple[float, bool]] = deque(maxlen=1000)
        self._lock = threading.Lock()

    def measure(self, samples: Float, frame: int, at: float) -> None:
        for i in range(0, samples.size - frame + 1, frame):
            energy = float(np.mean(samples[i : i + frame] ** 2))
            self._floor = energy if energy < self._floor else self._floor * 1.002
            voiced = energy > max(self._floor * 31.6, 1e-5)
            with self._lock:
                self._frames.append((at, voiced))

    def since(self, start: float) -> float:
        with self._lock:
            return 10.0 * sum(1 for at, voiced in self._frames if voiced and at >= start)

    def last_voiced(self, before: float) -> float | None:
        """When the latest voiced frame captured before ``before`` ended."""
        with self._lock:
            for at, voiced in reversed(self._frames):
                if voiced and at <= before:
                    return at
        return None


class AudioIO(RealtimeModelListener):
    """Microphone and speaker for one session (see the module docstring; `converse` is the
    one-call form).

    Args:
        session: a connected `RealtimeSession`.
        input_device, output_device: index or part of a name (``kaiwa devices`` lists
            them); default: the system's.
        stream: use this `AudioStream` instead of opening the devices (tests, or your own
            audio path).
        echo_cancellation: cancel the speaker's echo (default; turn off with a headset).
        noise_suppression: also suppress steady background noise.
        interruptions: ``"resume"`` (default: a cough or an "uh-huh" over the answer does not
            cancel it), ``"cancel"`` (any speech stops it, as OpenAI does), or settings.
        prebuffer_ms: audio buffered before an answer starts playing.
        on_action: called with each barge-in decision (`Hold`, `Interrupt`, `Resume`), e.g.
            to show it.

    Raises:
        AudioDeviceError: a device is missing or cannot be opened (on entering).
    """

    def __init__(
        self,
        session: RealtimeSession,
        *,
        input_device: int | str | None = None,
        output_device: int | str | None = None,
        stream: AudioStream | None = None,
        echo_cancellation: bool = True,
        noise_suppression: bool = False,
        interruptions: Literal["resume", "cancel"] | InterruptionSettings = "resume",
        prebuffer_ms: float = 60.0,
        on_action: Callable[[Action], None] | None = None,
    ) -> None:
        self.session = session
        self._on_action = on_action
        self._stream = stream
        self._devices = (input_device, output_device)
        self._echo_cancellation = echo_cancellation
        self._noise_suppression = noise_suppression
        if isinstance(interruptions, str):
            interruptions = InterruptionSettings(mode=interruptions)
        self.barge_in = BargeIn(interruptions)
        self._prebuffer_ms = prebuffer_ms
        self.stats = AudioIOStats()
        self.player: AudioPlayer | None = None
        self._mic: _MicPath | None = None
        self._outbox: deque[tuple[bytes, float]] = deque()
        self._outbox_ready = asyncio.Event()
        self._outbox_ms = 0.0
        self._input_format: object = "pcm16"
        self._tasks: list[asyncio.Task[Any]] = []
        self._clock = asyncio.Event()
        self._act_lock = asyncio.Lock()
        self._active: dict[str, None] = {}  # responses created and not done
        self._purge: set[str] = set()  # false-alarm answers whose items to delete when done
        self._silenced: deque[str] = deque(maxlen=32)  # responses whose audio is not played
        self._item_responses: dict[str, str] = {}
        self._speech_end: float | None = None
        self._turn_started: dict[str, float] = {}  # response -> the end of the user's speech
        self._before_hold: set[str] = set()  # answers under way when the user started
        self._incoming: set[str] = set()  # items with audio on its way to the player
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reference = _Reference()
        self._rates = (16000, 16000)  # microphone, speaker
        self._carry = 0.0
        self._started = False

    def __repr__(self) -> str:
        return f"AudioIO(stream={self._stream!r}, interruptions={self.barge_in.settings.mode!r})"

    def latency_ms(self, response_id: str | None = None) -> float | None:
        """How long the user waited: from the end of their voice (heard on the microphone)
        to the answer's first sound (sent to the speaker), for ``response_id`` (default: the
        latest answer that has started playing). None if unknown."""
        player = self.player
        if player is None:
            return None
        ids = [response_id] if response_id else list(reversed(self._turn_started))
        for rid in ids:
            start = self._turn_started.get(rid)
            played = [
                player.first_played[item]
                for item, owner in self._item_responses.items()
                if owner == rid and item in player.first_played
            ]
            if start is not None and played:
                return (min(played) - start) * 1000
        return None

    @property
    def stream(self) -> AudioStream | None:
        """The stream in use (the opened `DeviceStream`, once started)."""
        return self._stream

    async def __aenter__(self) -> AudioIO:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Open the devices and attach the player to the session (with the offline engine,
        once it has primed itself for the session: the first answer does not wait for it)."""
        if self._started:
            raise UserError("AudioIO can be started once")
        self._started = True
        self._loop = asyncio.get_running_loop()
        warmed = getattr(self.session.model, "warmed", None)
        if warmed is not None:  # the offline engine primes itself: listen once it is ready
            await warmed()
        stream = self._stream
        if stream is None:
            input_device, output_device = self._devices
            stream = await asyncio.to_thread(DeviceStream, input_device, output_device)
            self._stream = stream
        player = AudioPlayer(stream.samplerate, prebuffer_ms=self._prebuffer_ms)
        self.player = player
        await self._attach(player)
        self.session.model.add_listener(self)
        canceller: EchoCanceller = (
            WebRTCEchoCanceller(
                16000, delay_ms=stream.latency_ms, noise_suppression=self._noise_suppression
            )
            if self._echo_cancellation
            else PassThrough(16000)
        )
        self._input_format = _input_format(self.session)
        self._rates = (_input_rate(stream), stream.samplerate)
        self._mic = _MicPath(*self._rates, canceller, self._input_format, self._post, self.stats)
        self._mic.start(int(self._rates[0] / 100))
        self._tasks = [
            asyncio.create_task(self._send_loop(), name="kaiwa-mic-sender"),
            asyncio.create_task(self._tick_loop(), name="kaiwa-barge-in-clock"),
        ]
        try:
            await asyncio.to_thread(stream.start, self._render, self._capture)
        except BaseException:
            await self.stop()
            raise
        set_delay = getattr(canceller, "set_delay", None)
        if set_delay is not None:  # a device knows its latency once it runs
            set_delay(stream.latency_ms)

    async def stop(self) -> None:
        """Close the devices (idempotent); the session stays open."""
        self.session.model.remove_listener(self)
        stream, self._stream = self._stream, None
        if stream is not None and self.player is not None:
            await asyncio.to_thread(stream.stop)
        if self._mic is not None:
            await asyncio.to_thread(self._mic.stop)
            self._mic = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                logger.exception("an AudioIO task failed")
        self._tasks = []
        await self._detach()

    async def _detach(self) -> None:
        """Give the session back its own playback tracking and barge-in (it stays open)."""
        from ..models._protocol_model import ProtocolModel

        model = self.session.model
        if isinstance(model, ProtocolModel) and self.player is not None:
            with contextlib.suppress(InvalidState, ModelConnectionError):
                await model.attach_playback(WallClockPlaybackTracker())

    async def _attach(self, player: AudioPlayer) -> None:
        from ..models._protocol_model import ProtocolModel

        model = self.session.model
        resume = self.barge_in.settings.mode == "resume"
        if isinstance(model, ProtocolModel):
            await model.attach_playback(player, handles_interruptions=resume)
        else:
            logger.warning(
                "%s is not one of kaiwa's models: playback is not tracked for truncation, and "
                "interruptions cancel at once",
                type(model).__name__,
            )
            self.barge_in = BargeIn(InterruptionSettings(mode="cancel"))

    # -- the device's threads ------------------------------------------------------------------

    def _render(self, frames: int) -> Float:
        player = self.player
        assert player is not None
        out = player.pull(frames)
        self._reference.played(out)
        return out

    def _capture(self, mic: Float) -> None:
        path = self._mic
        if path is not None:
            # The speaker may run at another rate: take as long a stretch of what it played.
            self._carry += mic.size * self._rates[1] / self._rates[0]
            frames = int(self._carry)
            self._carry -= frames
            path.feed(np.array(mic, dtype=np.float32), self._reference.take(frames))

    def _post(self, data: bytes, captured_at: float) -> None:
        """From the microphone thread: hand encoded audio to the sender."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._enqueue, data, captured_at)
        except RuntimeError:  # the loop closed meanwhile
            pass

    def _enqueue(self, data: bytes, captured_at: float) -> None:
        self._outbox.append((data, captured_at))
        self._outbox_ms += audio_duration_ms(self._input_format, data)
        while self._outbox_ms > _MIC_QUEUE_MS:
            dropped, _ = self._outbox.popleft()
            ms = audio_duration_ms(self._input_format, dropped)
            self._outbox_ms -= ms
            if not self.stats.mic_dropped_ms:
                logger.warning("the session is not taking microphone audio: dropping the oldest")
            self.stats.mic_dropped_ms += ms
        self._outbox_ready.set()

    async def _send_loop(self) -> None:
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox:
                batch = list(self._outbox)
                self._outbox.clear()
                self._outbox_ms = 0.0
                try:
                    await self.session.send_audio(b"".join(d for d, _ in batch))
                except (InvalidState, ModelConnectionError):
                    return  # the session ended: its events say how
                except Exception:
                    logger.exception("sending microphone audio failed")
                    continue
                done = time.perf_counter()
                for _, at in batch:
                    self.stats.mic_to_sent_ms.append((done - at) * 1000)

    # -- the session's events ------------------------------------------------------------------

    async def events(self) -> AsyncIterator[RealtimeSessionEvent]:
        """The session's events, after playing or acting on each (iterate this instead of the
        session; it ends when the session does)."""
        if not self._started:
            raise UserError("start AudioIO first: `async with AudioIO(session) as audio:`")
        async for event in self.session:
            await self.handle(event)
            yield event

    async def handle(self, event: RealtimeSessionEvent) -> None:
        """Play or act on one session event (`events` calls this; call it yourself if you
        read the session's events in your own loop)."""
        player = self.player
        assert player is not None
        if event.type == "audio":
            audio = event.audio
            self._item_responses[audio.item_id] = audio.response_id
            _trim(self._item_responses)
            if audio.response_id in self._silenced:
                return
            await player.put(
                audio.data,
                item_id=audio.item_id,
                content_index=audio.content_index,
                response_id=audio.response_id,
            )
        elif event.type == "audio_end":
            self._incoming.discard(event.item_id)
            ender = self._item_responses.get(event.item_id, "")
            if ender in self._silenced:
                player.discard(event.item_id, event.content_index)  # no tail of a cut answer
            else:
                player.end(event.item_id, event.content_index, ender)
        elif event.type == "audio_interrupted":
            self._incoming.discard(event.item_id)
            owner = self._item_responses.get(event.item_id)
            if owner is not None and owner in self._silenced:
                player.drop_response(owner)  # ours, already handled (a false alarm's answer)
            else:
                if owner is not None:
                    self._silenced.append(owner)
                player.interrupt(event.item_id)
                self.barge_in.reset()

    async def on_event(self, event: RealtimeModelEvent) -> None:
        """Model events, as they arrive (AudioIO listens to the model as well as the session:
        the user starting to speak must hold the answer at once)."""
        if event.type == "audio":
            self._incoming.add(event.item_id)
            if len(self._incoming) > 64:
                self._incoming.clear()
        elif event.type == "raw_server_event":
            await self._on_server_event(event.data)

    async def _on_server_event(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        now = time.perf_counter()
        barge = self.barge_in
        actions: list[Action] = []
        if kind == "response.created":
            rid = data["response"]["id"]
            self._active[rid] = None
            if self._speech_end is not None:
                self._turn_started[rid] = self._speech_end
                self._speech_end = None
                _trim(self._turn_started)
            actions = barge.on_response_created(rid)
        elif kind == "response.done":
            response = data["response"]
            rid = response.get("id")
            self._active.pop(rid, None)
            if rid in self._purge:
                self._purge.discard(rid)
                for item in response.get("output") or []:
                    await self._delete(item.get("id"))
            elif (
                response.get("status") == "cancelled"
                and rid not in self._silenced
                and self.player is not None
                and self.player.response_at_playhead() != rid
            ):
                # Cancelled before a sample of it was heard (the server dropped an answer
                # to a turn we deleted): its queued audio goes too.
                self._silenced.append(rid)
                self.player.drop_response(rid)
        elif kind == "response.output_item.added":
            item = data.get("item") or {}
            if item.get("id"):
                self._item_responses[item["id"]] = data["response_id"]
                _trim(self._item_responses)
        elif kind == "input_audio_buffer.speech_started":
            assert self.player is not None
            audible = self.player.has_audio() or bool(self._active) or bool(self._incoming)
            was_pending = barge.pending
            actions = barge.on_speech_started(
                data.get("item_id"), now, speaking=self._speaking(), audible=audible
            )
            if barge.pending and not was_pending:
                # What the user may be interrupting: every answer started before now.
                self._before_hold = set(self._active) | self.player.queued_responses()
        elif kind == "input_audio_buffer.speech_stopped":
            if self._mic is not None:
                self._speech_end = self._mic.last_voiced(now)
            actions = barge.on_speech_stopped(data.get("item_id"), now)
        elif kind == "input_audio_buffer.committed":
            actions = barge.on_committed(
                data["item_id"],
                now,
                transcribing=self._transcribing(),
                voiced_ms=self._voiced_ms() or 0.0,
            )
        elif kind == "conversation.item.input_audio_transcription.completed":
            actions = barge.on_transcript(data["item_id"], data.get("transcript") or "")
        elif kind == "conversation.item.input_audio_transcription.failed":
            actions = barge.on_transcript_failed(data["item_id"])
        if actions:
            await self._act(actions)
        self._clock.set()

    def _transcribing(self) -> bool:
        """Whether the session transcribes the user (then words decide barge-in)."""
        protocol = getattr(self.session.model, "_protocol", None)
        session = getattr(protocol, "session", None) or {}
        audio_input = session.get("audio", {}).get("input", {})
        return "transcription" not in audio_input or bool(audio_input.get("transcription"))

    def _voiced_ms(self) -> float | None:
        """Voice heard since the held speech started (and the VAD's lead-in before it)."""
        started = self.barge_in.started_at()
        if started is None or self._mic is None:
            return None
        return self._mic.voiced_ms_since(started - _VAD_LEAD_S)

    def _speaking(self) -> str | None:
        """The response the user would interrupt: the one at the playhead, else the newest
        active one."""
        assert self.player is not None
        playing = self.player.response_at_playhead()
        if playing is not None:
            return playing
        return next(reversed(self._active), None) if self._active else None

    async def _act(self, actions: list[Action]) -> None:
        player = self.player
        assert player is not None
        async with self._act_lock:
            for action in actions:
                if self._on_action is not None:
                    try:
                        self._on_action(action)
                    except Exception:
                        logger.exception("on_action failed")
                if isinstance(action, Hold):
                    self.stats.holds += 1
                    player.hold()
                elif isinstance(action, Interrupt):
                    self.stats.interrupted += 1
                    await self._cut(action.response_id, player)
                    for rid in self._before_hold - {action.response_id}:
                        if rid in self._active or rid in player.queued_responses():
                            await self._cut(rid, player)  # e.g. the reply after a tool call
                    self._before_hold = set()
                    player.resume()
                elif isinstance(action, Resume):
                    self.stats.resumed += 1
                    for rid in action.cancel_responses:
                        await self._cut(rid, player, forget=True)
                    for item_id in (*action.also_delete, action.item_id):
                        await self._delete(item_id)
                    self._before_hold = set()
                    player.resume()

    async def _cut(self, rid: str | None, player: AudioPlayer, *, forget: bool = False) -> None:
        """Stop response ``rid``: silence its audio here, cancel it, truncate its item where
        playback is (``forget``: it answered a false alarm, remove it altogether)."""
        if rid is None:
            player.interrupt()
            return
        self._silenced.append(rid)
        items = [item for item, owner in self._item_responses.items() if owner == rid]
        # The model reads where playback is (to truncate) before the player lets go of it.
        await self._send(RealtimeModelSendInterrupt(response_id=rid, force_response_cancel=True))
        if forget:
            player.drop_response(rid)
        elif items:
            player.interrupt(items[-1])
        if forget:
            if rid in self._active:
                self._purge.add(rid)  # its items are deleted when it is done
            else:
                for item in items:
                    await self._delete(item)

    async def _delete(self, item_id: str | None) -> None:
        if item_id:
            await self._send(
                RealtimeModelSendRawMessage(
                    {"type": "conversation.item.delete", "other_data": {"item_id": item_id}}
                )
            )

    async def _send(self, event: Any) -> None:
        await self.session._send(event)

    async def _tick_loop(self) -> None:
        while True:
            due = self.barge_in.deadline()
            self._clock.clear()
            if due is None:
                await self._clock.wait()
                continue
            wait = due - time.perf_counter()
            if wait > 0:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._clock.wait(), wait)
                continue
            actions = self.barge_in.tick(time.perf_counter(), self._voiced_ms())
            if actions:
                try:
                    await self._act(actions)
                except (InvalidState, ModelConnectionError):
                    return  # the session ended
                except Exception:
                    logger.exception("acting on an interruption failed")
                    if self.player is not None:
                        self.player.resume()


def _input_rate(stream: AudioStream) -> int:
    """The microphone's rate (a stream without its own runs both at ``samplerate``)."""
    return int(getattr(stream, "input_rate", stream.samplerate))


def _trim(mapping: dict[str, Any]) -> None:
    while len(mapping) > 64:
        del mapping[next(iter(mapping))]


def _input_format(session: RealtimeSession) -> object:
    model = session.model
    protocol = getattr(model, "_protocol", None)
    fmt = None
    if protocol is not None:
        fmt = protocol.session.get("audio", {}).get("input", {}).get("format")
        payload = getattr(protocol, "_last_payload", None)
        if fmt is None and payload is not None:
            fmt = payload["audio"]["input"]["format"]
    return to_ga_format(fmt or "pcm16")


async def converse(
    session: RealtimeSession,
    *,
    on_event: Callable[[RealtimeSessionEvent], Awaitable[None] | None] | None = None,
    **options: Any,
) -> None:
    """Talk with the session through the microphone and speaker until it ends.

    Args:
        session: a connected session (``async with await runner.run() as session``).
        on_event: called with every session event (after its audio is handled), e.g. to
            print the transcript; may be a coroutine function.
        **options: `AudioIO`'s options (devices, echo cancellation, interruptions...).

    Raises:
        AudioDeviceError: a sound device is missing or cannot be opened.
    """
    async with AudioIO(session, **options) as audio:
        async for event in audio.events():
            if on_event is not None:
                result = on_event(event)
                if inspect.isawaitable(result):
                    await result
