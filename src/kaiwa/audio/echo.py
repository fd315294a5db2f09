"""Echo cancellation: the microphone minus what the speaker played.

On open speakers the microphone hears the agent, and without this the agent would hear itself
and interrupt itself. kaiwa plays the audio, so it has the exact reference signal: each 10 ms
of microphone audio is cleaned with the 10 ms played at the same time. The canceller is
WebRTC's audio processing module (AEC3, the one browsers use), from the ``livekit`` package;
its noise suppressor and high-pass filter come with it.

Chosen by measurement (the README has the figures; ``bench/audio.py`` makes them): AEC3
converges within half a second and removes 25-40 dB of echo at ~1-2 % of one core; Speex's
canceller keeps more of the user's voice during double talk but needs seconds to converge and
breaks when the delay moves. AEC3's weak side: while both talk, the user's voice comes out
3-6 dB quieter and the very start of it may be eaten.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..exceptions import AudioDeviceError

__all__ = ["EchoCanceller", "PassThrough", "WebRTCEchoCanceller"]

logger = logging.getLogger("kaiwa.audio")

Float = npt.NDArray[np.float32]


class EchoCanceller(Protocol):
    """Cleans 10 ms frames of microphone audio given the audio played meanwhile."""

    rate: int
    """The sample rate it works at."""
    frame: int
    """Samples in a frame (10 ms)."""

    def process(self, capture: Float, reference: Float) -> Float:
        """One frame of microphone audio, cleaned; ``reference`` is what the speaker played
        during the same 10 ms."""


class PassThrough:
    """No processing (a headset: the microphone cannot hear the speaker)."""

    def __init__(self, rate: int = 16000) -> None:
        self.rate = rate
        self.frame = rate // 100

    def process(self, capture: Float, reference: Float) -> Float:
        return capture


class WebRTCEchoCanceller:
    """WebRTC's AEC3, with optional noise suppression, on 10 ms frames.

    Args:
        rate: 16000 (enough for speech), or 8000, 24000, 32000, 48000.
        delay_ms: the hardware's capture plus playback latency, if known; AEC3 finds the
            delay itself, this only helps it start.
        noise_suppression: also suppress steady background noise (fans, hum).
        residual_gate_db: while the speaker plays, frames the canceller reduced by more than
            this much are residual echo, not the user (whose voice would pass through):
            they are muted, so the VAD does not hear the agent's words in what AEC3 leaves
            while it adapts. None turns the gate off.

    Raises:
        AudioDeviceError: the ``livekit`` package is missing.
    """

    def __init__(
        self,
        rate: int = 16000,
        *,
        delay_ms: float = 0.0,
        noise_suppression: bool = False,
        residual_gate_db: float | None = 12.0,
    ) -> None:
        if rate not in _RATES:
            raise ValueError(f"rate must be one of {sorted(_RATES)}, got {rate}")
        try:
            from livekit import rtc
        except ImportError as exc:
            raise AudioDeviceError(
                "echo cancellation needs the livekit package: pip install 'kaiwa[audio]' "
                "(or turn it off for a headset: echo_cancellation=False, --headset)"
            ) from exc
        self._rtc: Any = rtc
        self.rate = rate
        self.frame = rate // 100
        self.noise_suppression = noise_suppression
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=True,
            noise_suppression=noise_suppression,
            high_pass_filter=True,
            auto_gain_control=False,
        )
        # AEC3 refuses hints over 500 ms; the hint persists, so it is set once.
        self._delay = min(max(0, int(delay_ms)), 500)
        self._apm.set_stream_delay_ms(self._delay)
        self._gate = None if residual_gate_db is None else _ResidualGate(residual_gate_db)

    def __repr__(self) -> str:
        return (
            f"WebRTCEchoCanceller(rate={self.rate}, delay_ms={self._delay}, "
            f"noise_suppression={self.noise_suppression})"
        )

    def process(self, capture: Float, reference: Float) -> Float:
        rtc = self._rtc
        if capture.size != self.frame or reference.size != self.frame:
            raise ValueError(f"frames must be {self.frame} samples (10 ms at {self.rate} Hz)")
        far = rtc.AudioFrame(bytearray(_int16(reference)), self.rate, 1, self.frame)
        self._apm.process_reverse_stream(far)
        near = rtc.AudioFrame(bytearray(_int16(capture)), self.rate, 1, self.frame)
        self._apm.process_stream(near)
        cleaned = np.frombuffer(near.data, dtype=np.int16).astype(np.float32) / 32768.0
        if self._gate is not None:
            cleaned = self._gate.apply(capture, cleaned, reference)
        return cleaned.astype(np.float32)

    def set_delay(self, delay_ms: float) -> None:
        """The hardware's capture plus playback latency, once known (a hint for AEC3)."""
        self._delay = min(max(0, int(delay_ms)), 500)
        self._apm.set_stream_delay_ms(self._delay)

    @property
    def gated_frames(self) -> int:
        """Frames the residual gate muted so far."""
        return self._gate.gated if self._gate is not None else 0


class _ResidualGate:
    """Mutes what the canceller leaves of the echo (see ``residual_gate_db``).

    Per 10 ms frame (powers smoothed over ~30 ms), a frame is echo only

    - while the speaker plays, when the canceller took more than the threshold off the
      microphone: the user's voice passes the canceller, lowering that reduction, which is
      what keeps barge-in working;
    - in a pause of the speaker (what it plays fell 20 dB below its recent peak), when the
      microphone is no louder than the room's reverberation of what it heard while the
      speaker played, decaying at ``tail_db_per_100ms``: AEC3 leaves much of a long tail in
      (measured: the VAD heard it in a 0.4 s room), while a user starting to speak there is
      well above it.
    """

    def __init__(self, threshold_db: float, tail_db_per_100ms: float = 10.0) -> None:
        self._ratio = 10 ** (threshold_db / 10)
        self._tail_decay = 10 ** (-tail_db_per_100ms / 100)  # per 10 ms frame
        self._mic = self._out = 1e-10
        self._far = 0.0
        self._tail = 0.0
        self._gain = 1.0
        self.gated = 0

    def apply(self, mic: Float, cleaned: Float, reference: Float) -> Float:
        a = 0.3
        played = float(np.mean(reference * reference))
        self._mic += a * (float(np.mean(mic * mic)) - self._mic)
        self._out += a * (float(np.mean(cleaned * cleaned)) - self._out)
        self._far = max(played, self._far * _FAR_DECAY)
        playing = played > 0.01 * self._far and self._far > _FAR_ACTIVE
        self._tail = max(self._mic if playing else 0.0, self._tail * self._tail_decay)
        if playing:
            echo_only = self._mic > self._ratio * self._out
        else:
            echo_only = self._mic <= 2.0 * self._tail
        target = _MUTED if echo_only else 1.0
        self.gated += echo_only
        if target == self._gain:
            return cleaned * target
        ramp = np.linspace(self._gain, target, cleaned.size, dtype=np.float32)
        self._gain = target
        return cleaned * ramp


_FAR_ACTIVE = 1e-6  # -60 dBFS
_FAR_DECAY = 10 ** (-0.2)  # -2 dB per 10 ms: 60 dB in 300 ms, a room's reverberation
_MUTED = 0.03  # -30 dB


_RATES = frozenset({8000, 16000, 24000, 32000, 48000})


def _int16(samples: Float) -> bytes:
    return bytes((np.clip(samples, -1.0, 32767 / 32768) * 32768.0).astype("<i2").tobytes())
