"""Voice activity detection with Silero VAD v6 (ONNX, shipped in the ``faster-whisper`` wheel).

One `SileroVAD` (the ONNX session, ~2 MB) is shared by every session of a process; each
session has its own `VoiceActivityDetector`, a few hundred bytes of state, fed with 16 kHz
float audio of any chunk size. A frame (32 ms) costs well under a millisecond of CPU.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..exceptions import EngineError
from . import store

__all__ = [
    "SAMPLE_RATE",
    "SileroVAD",
    "VadBatcher",
    "VadConfig",
    "VadEvent",
    "VoiceActivityDetector",
]

logger = logging.getLogger("kaiwa.engine")

SAMPLE_RATE = 16000
FRAME = 512  # samples per model step: 32 ms at 16 kHz
CONTEXT = 64  # samples of the previous frame the model also sees
FRAME_MS = FRAME * 1000 // SAMPLE_RATE
RESET_AFTER_FRAMES = 2000 // FRAME_MS  # the model state is renewed after 2 s without speech


class SileroVAD:
    """The shared Silero model: speech probability of one 32 ms frame, given its state."""

    def __init__(self, path: Path | None = None) -> None:
        import onnxruntime

        opts = onnxruntime.SessionOptions()
        # One thread: many sessions call it; parallelism comes from sessions, not inside a frame.
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 4
        try:
            self._session = onnxruntime.InferenceSession(
                str(path or store.silero_vad()),
                providers=["CPUExecutionProvider"],
                sess_options=opts,
            )
        except Exception as exc:
            raise EngineError(
                f"cannot load the Silero VAD model: {exc}", is_permanent=True
            ) from exc

    def probabilities(self, frames: npt.NDArray[np.float32], state: _State) -> npt.NDArray[Any]:
        """Speech probability of each of ``frames`` (k x 512, in order); updates ``state``.

        The model steps through the frames as a sequence in one call, which costs about half as
        much per frame as one call per frame once two or more are waiting.
        """
        contexts = np.concatenate([state.context[None, :], frames[:-1, -CONTEXT:]])
        feeds = {"input": np.concatenate([contexts, frames], axis=1), "h": state.h, "c": state.c}
        probs, state.h, state.c = self._session.run(None, feeds)
        state.context = frames[-1, -CONTEXT:].copy()
        return np.asarray(probs)


@dataclass
class _State:
    h: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((1, 1, 128), np.float32))
    c: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((1, 1, 128), np.float32))
    context: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(CONTEXT, np.float32))


@dataclass(frozen=True)
class VadConfig:
    """The Realtime API's server_vad knobs."""

    threshold: float = 0.5
    """Speech when the probability reaches this; silence below ``threshold - 0.15``."""
    prefix_padding_ms: int = 300
    """Audio kept before the detected start (it is part of the user's turn)."""
    silence_duration_ms: int = 500
    """Silence that ends the turn."""


@dataclass(frozen=True)
class VadEvent:
    """Speech started or stopped, at ``audio_ms`` since the detector's first sample."""

    kind: Literal["speech_started", "speech_stopped"]
    audio_ms: int


class VoiceActivityDetector:
    """Per-session speech start/stop detection over a stream of 16 kHz float audio."""

    def __init__(self, model: SileroVAD, config: VadConfig | None = None) -> None:
        self.model = model
        self.config = config or VadConfig()
        self._state = _State()
        self._pending = np.zeros(0, np.float32)
        self._incoming: list[npt.NDArray[np.float32]] = []
        self._backlog = 0
        self._end_requested = False
        self._quiet_frames = 0
        self._lock = threading.Lock()
        self._frames = 0
        self.speaking = False
        self.silence_ms = 0
        """Trailing silence while speaking (0 when not speaking or speech continues)."""
        self.speech_start_ms = 0

    @property
    def audio_ms(self) -> int:
        """Milliseconds of audio processed."""
        return self._frames * FRAME_MS

    def reset(self) -> None:
        """Forget everything (a new input buffer)."""
        self.__init__(self.model, self.config)  # type: ignore[misc]

    def push(self, samples: npt.NDArray[np.float32]) -> list[VadEvent]:
        """Feed audio; returns the start/stop events it completes, in order."""
        self.feed(samples)
        return self.process()

    def feed(self, samples: npt.NDArray[np.float32]) -> None:
        """Queue audio for the next `process` (which may run in another thread)."""
        with self._lock:
            self._incoming.append(samples)
            self._backlog += samples.size

    @property
    def backlog_ms(self) -> int:
        """Audio fed but not processed yet."""
        return self._backlog * 1000 // SAMPLE_RATE

    def end_speech(self) -> None:
        """Take the speaker as finished (semantic end of turn): applied before the next frames,
        in whichever thread processes them."""
        with self._lock:
            self._end_requested = True

    def process(self) -> list[VadEvent]:
        """Run the model over the audio fed so far; returns the events, in order."""
        with self._lock:
            incoming, self._incoming = self._incoming, []
            self._backlog = 0
            if self._end_requested:
                self._end_requested = False
                self.speaking, self.silence_ms = False, 0
        if not incoming:
            return []
        data = np.concatenate([self._pending, *incoming])
        n = data.size // FRAME * FRAME
        self._pending = data[n:].copy()
        events: list[VadEvent] = []
        if n == 0:
            return events
        frames = np.ascontiguousarray(data[:n], dtype=np.float32).reshape(-1, FRAME)
        if not self.speaking and self._quiet_frames >= RESET_AFTER_FRAMES:
            # Silero's state drifts over long silence and then hears speech late (~300 ms
            # after 18 s of digital silence); from a fresh state it reacts within a frame.
            self._state = _State()
            self._quiet_frames = 0
        for prob in self.model.probabilities(frames, self._state):
            event = self._step(float(prob))
            if event is not None:
                events.append(event)
        return events

    def _step(self, prob: float) -> VadEvent | None:
        self._frames += 1
        now = self._frames * FRAME_MS
        if not self.speaking:
            self._quiet_frames += 1
            if prob >= self.config.threshold:
                self._quiet_frames = 0
                self.speaking = True
                self.silence_ms = 0
                self.speech_start_ms = now - FRAME_MS
                return VadEvent("speech_started", self.speech_start_ms)
            return None
        if prob < self.config.threshold - 0.15:
            self.silence_ms += FRAME_MS
            if self.silence_ms >= self.config.silence_duration_ms:
                self.speaking = False
                end = now - self.silence_ms
                self.silence_ms = 0
                return VadEvent("speech_stopped", end)
        elif prob >= self.config.threshold:
            self.silence_ms = 0
        return None


class VadBatcher:
    """Runs the VAD of every session in a process off the event loop, one pass at a time.

    A session `submit`s its detector after feeding it; a worker thread then runs every
    detector with audio waiting, and the callbacks get the events back on the event loop.
    When many sessions stream at once, audio accumulates while a pass runs, so the next pass
    runs the model over several frames per call, which costs about half as much per frame:
    the load batches itself. With one session, a frame is processed as soon as it arrives.
    """

    def __init__(self) -> None:
        self._ready: dict[int, tuple[VoiceActivityDetector, Callable[[list[VadEvent]], None]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def waiting(self) -> int:
        """Sessions whose audio waits for the next pass (the VAD's queue depth)."""
        return len(self._ready)

    def submit(
        self, detector: VoiceActivityDetector, on_events: Callable[[list[VadEvent]], None]
    ) -> None:
        """Process ``detector``'s fed audio soon; ``on_events`` is called on the event loop."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests run one per test)
            self._loop, self._task, self._ready = loop, None, {}
        self._ready[id(detector)] = (detector, on_events)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run())

    async def _run(self) -> None:
        while self._ready:
            batch = list(self._ready.values())
            self._ready.clear()
            results = await asyncio.to_thread(_process_all, batch)
            for (_, on_events), events in zip(batch, results, strict=True):
                try:
                    on_events(events)
                except Exception:  # one session's failure must not stop everyone's VAD
                    logger.exception("a VAD callback failed")


def _process_all(
    batch: list[tuple[VoiceActivityDetector, Callable[[list[VadEvent]], None]]],
) -> list[list[VadEvent]]:
    results = []
    for detector, _ in batch:
        try:
            results.append(detector.process())
        except Exception:  # one session's failure must not stall the others (or itself)
            logger.exception("VAD failed for a session")
            results.append([])
    return results
