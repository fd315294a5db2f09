"""`SimulatedRoom`: a test double of a room with a loudspeaker and a microphone.

It is an `AudioStream` (what `AudioIO` drives instead of the sound devices): every block it
plays goes through the room (a delay, then a decaying reverberant tail, at a chosen gain)
and comes back in the microphone, mixed with what the "user" says (`say`) and a little noise.
So the echo canceller, the VAD and barge-in meet the agent's own voice exactly as they would
on open speakers, with the user's real recorded speech on top. It is a fixture for tests and
benchmarks, not a model of any particular room.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["SimulatedRoom", "room_impulse_response"]

Float = npt.NDArray[np.float32]


def room_impulse_response(
    rate: int,
    *,
    delay_ms: float = 40.0,
    rt60_s: float = 0.3,
    direct_to_reverb_db: float = 3.0,
    seed: int = 0,
) -> Float:
    """A speaker-to-microphone impulse response: ``delay_ms`` of travel and buffering, a
    direct path, then reverberation decaying by 60 dB in ``rt60_s``, ``direct_to_reverb_db``
    below the direct path. Unit energy: the echo is as loud as what was played."""
    rng = np.random.default_rng(seed)
    delay = int(rate * delay_ms / 1000)
    tail = int(rate * rt60_s)
    t = np.arange(1, tail) / rate
    reverb = rng.standard_normal(tail - 1) * np.exp(-6.9 * t / rt60_s)
    reverb *= np.sqrt(10 ** (-direct_to_reverb_db / 10) / np.sum(reverb**2))
    h = np.zeros(delay + tail, np.float64)
    h[delay] = 1.0
    h[delay + 1 :] = reverb
    return np.asarray(h / np.sqrt(np.sum(h**2)), dtype=np.float32)


class SimulatedRoom:
    """A loudspeaker and a microphone in a simulated room (module docstring).

    Args:
        rate: the stream's sample rate.
        echo_gain: level of the echo at the microphone relative to what was played
            (1.0: as loud as played, "speaker level").
        delay_ms, rt60_s: the room's impulse response (see `room_impulse_response`).
        noise_dbfs: white noise level at the microphone.
        realtime: pace blocks at real time (else as fast as the consumer takes them).
        latency_ms: what the stream reports as its latency.
    """

    def __init__(
        self,
        rate: int = 16000,
        *,
        echo_gain: float = 1.0,
        delay_ms: float = 40.0,
        rt60_s: float = 0.3,
        noise_dbfs: float = -60.0,
        realtime: bool = True,
        latency_ms: float = 40.0,
        block_ms: float = 10.0,
        seed: int = 0,
    ) -> None:
        self.samplerate = rate
        self.latency_ms = latency_ms
        self.block = int(rate * block_ms / 1000)
        self.realtime = realtime
        ir = room_impulse_response(rate, delay_ms=delay_ms, rt60_s=rt60_s, seed=seed) * echo_gain
        self._taps = ir.size
        self._fft = 1 << int(np.ceil(np.log2(self.block + ir.size - 1)))
        self._ir = np.fft.rfft(ir, self._fft)
        self._tail = np.zeros(ir.size - 1, np.float64)
        self._noise = 10 ** (noise_dbfs / 20)
        self._rng = np.random.default_rng(seed + 1)
        self._lock = threading.Lock()
        self._speech: list[tuple[int, Float]] = []  # (start sample, audio)
        self._position = 0
        self._played: list[Float] = []
        self._echo: list[Float] = []
        self._near: list[Float] = []
        self._mic: list[Float] = []
        self._pending: Float | None = None  # the last block played
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def __repr__(self) -> str:
        return f"SimulatedRoom(rate={self.samplerate}, realtime={self.realtime})"

    # -- the user ------------------------------------------------------------------------------

    def say(self, audio: Float, *, at_s: float | None = None) -> float:
        """Have the user say ``audio`` (at the room's rate), from ``at_s`` (stream seconds;
        default: now). Returns when it starts, in stream seconds."""
        with self._lock:
            start = self._position if at_s is None else int(at_s * self.samplerate)
            self._speech.append((start, np.asarray(audio, np.float32)))
        return start / self.samplerate

    @property
    def now_s(self) -> float:
        """Stream time: seconds of audio processed so far."""
        with self._lock:
            return self._position / self.samplerate

    def speaking(self) -> bool:
        """Whether some of the user's speech is still to be heard."""
        with self._lock:
            return any(start + a.size > self._position for start, a in self._speech)

    # -- what happened -------------------------------------------------------------------------

    def played(self) -> Float:
        """Everything the loudspeaker played."""
        with self._lock:
            return _join(self._played)

    def recorded(self) -> tuple[Float, Float, Float]:
        """What reached the microphone: (all of it, the echo part, the user's part)."""
        with self._lock:
            return _join(self._mic), _join(self._echo), _join(self._near)

    # -- the stream ----------------------------------------------------------------------------

    def start(self, render: Callable[[int], Float], capture: Callable[[Float], None]) -> None:
        if self._thread is not None:
            raise RuntimeError("the room is already running")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(render, capture), name="kaiwa-room", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def step(
        self, render: Callable[[int], Float], capture: Callable[[Float], None] | None = None
    ) -> Float:
        """One block: ``render`` gives what plays, ``capture`` gets what the microphone
        heard meanwhile (with ``capture`` None, ``render`` is a duplex function: it takes the
        microphone block and returns the block to play)."""
        n = self.block
        with self._lock:
            pos = self._position
            near = np.zeros(n, np.float32)
            for start, audio in self._speech:
                lo, hi = max(pos, start), min(pos + n, start + audio.size)
                if lo < hi:
                    near[lo - pos : hi - pos] += audio[lo - start : hi - start]
            self._speech = [(s, a) for s, a in self._speech if s + a.size > pos + n]
        echo = self._echo_of_last()
        noise = (self._rng.standard_normal(n) * self._noise).astype(np.float32)
        mic = (near + echo + noise).astype(np.float32)
        if capture is None:
            out = np.asarray(render(mic), np.float32)  # type: ignore[arg-type]
        else:
            out = np.asarray(render(n), np.float32)
            capture(mic)
        with self._lock:
            self._position += n
            self._played.append(out.copy())
            self._mic.append(mic)
            self._echo.append(echo)
            self._near.append(near)
            self._pending = out
        return out

    def _echo_of_last(self) -> Float:
        """The room's answer, during this block, to everything played up to the last one."""
        last = self._pending
        played = np.zeros(self.block) if last is None else last.astype(np.float64)
        conv = np.fft.irfft(np.fft.rfft(played, self._fft) * self._ir, self._fft)
        conv = conv[: self.block + self._taps - 1]
        conv[: self._tail.size] += self._tail
        out, self._tail = conv[: self.block], conv[self.block :].copy()
        return out.astype(np.float32)

    def _run(self, render: Callable[[int], Float], capture: Callable[[Float], None]) -> None:
        period = self.block / self.samplerate
        next_at = time.perf_counter()
        while not self._stop.is_set():
            self.step(render, capture)
            if self.realtime:
                next_at += period
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                elif delay < -0.5:  # fell far behind (a stalled machine): do not race
                    next_at = time.perf_counter()


def _join(blocks: list[Float]) -> Float:
    return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
