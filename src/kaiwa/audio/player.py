"""`AudioPlayer`: the agent's audio on its way to the speaker.

Audio deltas arrive much faster than they play (a whole answer can arrive in a second). The
player keeps them in a bounded jitter buffer at the device's rate; the device callback pulls a
block at a time. It starts an item after a small prebuffer (or at once when the item's audio
has all arrived), plays silence on an underrun and buffers again, and fades instead of cutting
(no clicks): on an interruption it fades out over a few ms and drops what was queued; when
held (the user may be interrupting) it fades out and keeps its place, to fade back in there.

It is also the session's `RealtimePlaybackTracker`: it knows which item is at the playhead and
how much of it was really played, so barge-in truncates at what the person heard.

Thread model: `pull` runs on the audio device's thread, everything else on the event loop;
one lock guards the state, and `pull` does no allocation beyond the block it returns.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .codecs import AudioDecoder
from .formats import to_ga_format
from .playback import RealtimePlaybackState, RealtimePlaybackTracker

__all__ = ["AudioPlayer", "PlayerStats"]

Float = npt.NDArray[np.float32]


@dataclass
class _Chunk:
    samples: Float
    item_id: str
    content_index: int
    response_id: str
    seq: int
    pos: int = 0


@dataclass
class PlayerStats:
    """What the player did, for benchmarks and diagnostics."""

    played_ms: float = 0.0
    """Audio played (silence between answers not counted)."""
    underruns: int = 0
    """Times an item ran dry before its end (the device played silence and waited)."""
    dropped_ms: float = 0.0
    """Audio dropped by interruptions (never played)."""
    to_silence_ms: deque[float] = field(default_factory=lambda: deque(maxlen=256))
    """From each `interrupt` or `hold` to the last sample of its fade leaving the player."""
    delta_to_device_ms: deque[float] = field(default_factory=lambda: deque(maxlen=256))
    """From each item's first audio arriving (`put`) to its first sample leaving."""


class AudioPlayer(RealtimePlaybackTracker):
    """A bounded playback buffer for one output stream (see the module docstring).

    Args:
        rate: the output device's sample rate.
        prebuffer_ms: audio buffered before an item starts (unless its end has arrived).
        max_buffer_s: most audio held; `put` waits for room beyond it (an answer never
            comes close: the default is ten minutes).
        fade_ms: length of the fades on interruption, hold and resume.
    """

    def __init__(
        self,
        rate: int,
        *,
        prebuffer_ms: float = 60.0,
        max_buffer_s: float = 600.0,
        fade_ms: float = 10.0,
    ) -> None:
        super().__init__()
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.rate = rate
        self._lock = threading.Lock()
        self._chunks: deque[_Chunk] = deque()
        self._buffered = 0  # samples in _chunks not yet played
        self._max = int(max_buffer_s * rate)
        self._prebuffer = int(prebuffer_ms * rate / 1000)
        self._step = 1.0 / max(1.0, fade_ms * rate / 1000)
        self._format: object = {"type": "audio/pcm", "rate": 24000}
        self._decoders: dict[tuple[str, int], AudioDecoder] = {}
        self._ended: dict[tuple[str, int], None] = {}
        self._seq = 0
        self._started = False  # prebuffer satisfied for the chunk at the head
        self._gain = 1.0
        self._target = 1.0
        self._held = False
        self._flush_upto: int | None = None  # drop chunks up to this seq once faded out
        self._playing: tuple[str, int] | None = None
        self._played: dict[tuple[str, int], int] = {}
        self._first_put: dict[str, float] = {}
        self._fading_since: float | None = None
        self.first_played: dict[str, float] = {}
        """When each item's first sample went to the device (`time.perf_counter`)."""
        self._room = asyncio.Event()
        self._room.set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stats = PlayerStats()

    # -- the session's side (event loop) -------------------------------------------------------

    def set_audio_format(self, format: object) -> None:
        """The session's output format (what `put` receives); called by the model."""
        with self._lock:
            self._format = to_ga_format(format)
            self._decoders.clear()

    async def put(
        self, audio: bytes, *, item_id: str, content_index: int, response_id: str
    ) -> None:
        """Queue an audio delta (bytes in the session's output format) for playback; waits
        while the buffer is full."""
        key = (item_id, content_index)
        if item_id not in self._first_put:
            self._first_put[item_id] = time.perf_counter()
            _trim(self._first_put)
        decoder = self._decoders.get(key)
        if decoder is None:
            decoder = self._decoders[key] = AudioDecoder(self._format, self.rate, quality="HQ")
        samples = decoder.decode(audio)
        while True:
            with self._lock:
                if self._buffered + samples.size <= self._max or not self._chunks:
                    self._append(samples, key, response_id)
                    return
                self._loop = asyncio.get_running_loop()
                self._room.clear()
            await self._room.wait()

    def end(self, item_id: str, content_index: int, response_id: str) -> None:
        """All of the item's audio has arrived: it may start without a full prebuffer."""
        key = (item_id, content_index)
        decoder = self._decoders.pop(key, None)
        tail = decoder.flush() if decoder is not None else np.zeros(0, np.float32)
        with self._lock:
            if tail.size:
                self._append(tail, key, response_id)
            self._ended[key] = None
            _trim(self._ended)

    def _append(self, samples: Float, key: tuple[str, int], response_id: str) -> None:
        if not samples.size:
            return
        self._seq += 1
        self._chunks.append(_Chunk(samples, key[0], key[1], response_id, self._seq))
        self._buffered += samples.size

    def interrupt(self, item_id: str | None = None) -> None:
        """Stop now: fade out what is playing and drop everything queued so far (or only up
        to the end of ``item_id``'s audio; later answers stay queued)."""
        with self._lock:
            upto = self._seq
            if item_id is not None:
                seqs = [c.seq for c in self._chunks if c.item_id == item_id]
                if not seqs:  # nothing of it left to stop; a hold ends all the same
                    self._held = False
                    if self._flush_upto is None:
                        self._target = 1.0
                    return
                upto = max(seqs)
            self._flush_upto = upto if self._flush_upto is None else max(upto, self._flush_upto)
            self._target = 0.0
            self._fading_since = self._fading_since or time.perf_counter()
            self._held = False
            if self._gain <= 0.0 or not self._started:
                self._drop_flushed()  # nothing sounding: nothing to fade
                self._fading_since = None

    def drop_response(self, response_id: str) -> None:
        """Remove a response's queued audio that has not started playing."""
        with self._lock:
            kept: deque[_Chunk] = deque()
            for i, chunk in enumerate(self._chunks):
                if chunk.response_id == response_id and not (i == 0 and chunk.pos > 0):
                    self._forget(chunk)
                else:
                    kept.append(chunk)
            self._chunks = kept
            self._wake()

    def discard(self, item_id: str, content_index: int = 0) -> None:
        """Forget an item whose audio will not be played (its stream state included)."""
        self._decoders.pop((item_id, content_index), None)

    def queued_responses(self) -> set[str]:
        """The responses with audio queued or playing."""
        with self._lock:
            return {c.response_id for c in self._chunks}

    def hold(self) -> None:
        """Fade out and pause, keeping the place (the user may be interrupting)."""
        with self._lock:
            self._held = True
            self._target = 0.0
            if not self._started:  # nothing sounding yet: start silent, nothing to fade
                self._gain = 0.0
            else:
                self._fading_since = self._fading_since or time.perf_counter()

    def resume(self) -> None:
        """Fade back in where `hold` paused."""
        with self._lock:
            self._held = False
            if self._flush_upto is None:
                self._target = 1.0

    @property
    def held(self) -> bool:
        """Whether playback is held."""
        return self._held

    def has_audio(self) -> bool:
        """Whether anything is queued or playing (the agent is audible, or about to be)."""
        with self._lock:
            return self._buffered > 0

    def buffered_ms(self) -> float:
        """Audio queued and not yet played."""
        with self._lock:
            return self._buffered * 1000.0 / self.rate

    def response_at_playhead(self) -> str | None:
        """The response whose audio plays next (or is held)."""
        with self._lock:
            return self._chunks[0].response_id if self._chunks else None

    # -- the tracker ---------------------------------------------------------------------------

    def get_state(self) -> RealtimePlaybackState:
        """Which item is at the playhead and how much of it was played."""
        with self._lock:
            if self._playing is None:
                return {
                    "current_item_id": None,
                    "current_item_content_index": None,
                    "elapsed_ms": None,
                }
            played = self._played.get(self._playing, 0)
            return {
                "current_item_id": self._playing[0],
                "current_item_content_index": self._playing[1],
                "elapsed_ms": played * 1000.0 / self.rate,
            }

    def on_play_bytes(self, item_id: str, item_content_index: int, bytes: bytes) -> None:
        """Not used: the player counts what it plays itself."""

    def on_play_ms(self, item_id: str, item_content_index: int, ms: float) -> None:
        """Not used: the player counts what it plays itself."""

    def on_interrupted(self) -> None:
        """The model cut the item: the session's `audio_interrupted` does the flushing."""

    # -- the device's side (audio thread) ------------------------------------------------------

    def pull(self, frames: int) -> Float:
        """The next ``frames`` samples for the device (silence where there is nothing)."""
        out = np.zeros(frames, np.float32)
        with self._lock:
            filled = 0
            while filled < frames:
                if self._gain <= 0.0 and self._target <= 0.0:
                    self._gain = 0.0
                    self._silent(filled)
                    if self._flush_upto is not None:
                        self._drop_flushed()
                        continue
                    break  # held: the playhead stays
                chunk = self._head()
                if chunk is None:
                    break
                n = min(frames - filled, chunk.samples.size - chunk.pos, self._fade_left())
                block = chunk.samples[chunk.pos : chunk.pos + n]
                out[filled : filled + n] = block * self._ramp(n)
                key = (chunk.item_id, chunk.content_index)
                self._playing = key
                if key not in self._played:
                    _trim(self._played)
                    if chunk.item_id not in self.first_played:
                        now = time.perf_counter()
                        self.first_played[chunk.item_id] = now
                        _trim(self.first_played)
                        put = self._first_put.get(chunk.item_id)
                        if put is not None:
                            self.stats.delta_to_device_ms.append((now - put) * 1000)
                self._played[key] = self._played.get(key, 0) + n
                chunk.pos += n
                filled += n
                self._buffered -= n
                self.stats.played_ms += n * 1000.0 / self.rate
                if chunk.pos >= chunk.samples.size:
                    self._chunks.popleft()
            self._ramp_idle(frames - filled)
            if self._target <= 0.0 and (self._gain <= 0.0 or not self._chunks):
                self._silent(filled)
            if filled:
                self._wake()  # room for a waiting `put`
        return out

    def _silent(self, at_sample: int) -> None:
        """The output is silent from ``at_sample`` of the block being pulled."""
        since, self._fading_since = self._fading_since, None
        if since is not None:
            ms = (time.perf_counter() - since) * 1000 + at_sample * 1000 / self.rate
            self.stats.to_silence_ms.append(ms)

    def _head(self) -> _Chunk | None:
        """The chunk to play from, once its item may start."""
        if not self._chunks:
            if self._started and self._playing is not None and self._playing not in self._ended:
                self.stats.underruns += 1
            self._started = False
            return None
        head = self._chunks[0]
        if not self._started:
            key = (head.item_id, head.content_index)
            queued = sum(
                c.samples.size - c.pos for c in self._chunks if (c.item_id, c.content_index) == key
            )
            if queued < self._prebuffer and key not in self._ended:
                return None
            self._started = True
        return head

    def _fade_left(self) -> int:
        """Samples until a fade-out ends (a held playhead must stop where the fade does)."""
        if self._target >= self._gain:
            return 1 << 30
        return max(1, int(np.ceil((self._gain - self._target) / self._step)))

    def _ramp(self, n: int) -> Float | float:
        """Gains for the next ``n`` samples, moving toward the target."""
        if self._gain == self._target:
            return float(self._gain)
        direction = 1.0 if self._target > self._gain else -1.0
        gains = self._gain + direction * self._step * np.arange(1, n + 1, dtype=np.float32)
        gains = np.clip(gains, min(self._gain, self._target), max(self._gain, self._target))
        self._gain = float(gains[-1])
        return np.asarray(gains, dtype=np.float32)

    def _ramp_idle(self, n: int) -> None:
        """With nothing to play, a fade completes at once (there is nothing to click)."""
        if n > 0 and self._gain != self._target and not self._chunks:
            self._gain = self._target

    def _drop_flushed(self) -> None:
        upto = self._flush_upto
        if upto is None:
            return
        while self._chunks and self._chunks[0].seq <= upto:
            self._forget(self._chunks.popleft())
        for chunk in list(self._chunks):
            if chunk.seq <= upto:
                self._chunks.remove(chunk)
                self._forget(chunk)
        self._flush_upto = None
        self._started = False
        self._playing = None
        self._gain = 0.0
        self._target = 0.0 if self._held else 1.0
        self._wake()

    def _forget(self, chunk: _Chunk) -> None:
        left = chunk.samples.size - chunk.pos
        self._buffered -= left
        self.stats.dropped_ms += left * 1000.0 / self.rate

    def _wake(self) -> None:
        if self._loop is not None and not self._room.is_set():
            loop, self._loop = self._loop, None
            try:
                loop.call_soon_threadsafe(self._room.set)
            except RuntimeError:  # the loop is closed
                pass


_KEEP = 64


def _trim(keys: dict[Any, Any]) -> None:
    """Forget the oldest items' bookkeeping (a long conversation has many)."""
    while len(keys) > _KEEP:
        del keys[next(iter(keys))]
