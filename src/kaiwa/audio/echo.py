"""Echo cancellation: the microphone minus what the speaker played.

On open speakers the microphone hears the agent, and without this the agent would hear itself
and interrupt itself. kaiwa plays the audio, so it has the exact reference signal: each 10 ms
of microphone audio is cleaned with the 10 ms played at the same time. The canceller is
WebRTC's audio processing module (AEC3, the one browsers use), from the ``livekit`` package;
its noise suppressor and high-pass filter come with it.

Measured on real speech through a simulated room (``bench/audio.py``): see the README.
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
        rate: 16000 (speech; the cheapest), 32000 or 48000.
        delay_ms: the hardware's capture plus playback latency, if known; AEC3 finds the
            delay itself, this only helps it start.
        noise_suppression: also suppress steady background noise (fans, hum).

    Raises:
        AudioDeviceError: the ``livekit`` package is missing.
    """

    def __init__(
        self, rate: int = 16000, *, delay_ms: float = 0.0, noise_suppression: bool = False
    ) -> None:
        if rate not in (16000, 32000, 48000):
            raise ValueError(f"rate must be 16000, 32000 or 48000, got {rate}")
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
        self._delay = max(0, int(delay_ms))

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
        self._apm.set_stream_delay_ms(self._delay)  # per frame, as WebRTC asks
        self._apm.process_stream(near)
        cleaned = np.frombuffer(near.data, dtype=np.int16)
        return (cleaned.astype(np.float32) / 32768.0).astype(np.float32)


def _int16(samples: Float) -> bytes:
    return bytes((np.clip(samples, -1.0, 32767 / 32768) * 32768.0).astype("<i2").tobytes())
