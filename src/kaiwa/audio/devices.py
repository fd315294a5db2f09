"""Sound devices, on PortAudio (``sounddevice``).

`list_devices` and `find_device` name what the machine has (``kaiwa devices`` prints it);
`DeviceStream` opens a microphone and a speaker as two streams, each with its own callback
(a duplex stream over ALSA's pulse plugin stalls: measured, see tests/pulse.py). Anything
that can go wrong here is an `AudioDeviceError` that names the device and what to try.

The stream interface (`AudioStream`) takes two functions: ``render(frames)`` gives the
samples to play, ``capture(samples)`` takes what the microphone heard. kaiwa's own tests
drive the same code with `kaiwa.testing.SimulatedRoom`, a stream whose "room" feeds the
played audio back into the microphone.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..exceptions import AudioDeviceError

__all__ = [
    "AudioDevice",
    "AudioStream",
    "Capture",
    "DeviceStream",
    "Render",
    "find_device",
    "list_devices",
]

logger = logging.getLogger("kaiwa.audio")

Float = npt.NDArray[np.float32]
Render = Callable[[int], Float]
"""Returns the next ``frames`` samples to play."""
Capture = Callable[[Float], None]
"""Takes a block of microphone samples (valid during the call only: copy what you keep)."""

_PORTAUDIO_HINT = (
    "PortAudio is not installed: on Debian or Ubuntu `sudo apt-get install libportaudio2` "
    "(scripts/install does it when it can); on macOS and Windows the sounddevice wheel has it"
)


def _quiet_alsa() -> None:
    """Keep ALSA's C library from printing its probing noise ("ALSA lib pcm.c: ...") on
    stderr while PortAudio looks at every device; real errors still reach us as exceptions."""
    global _alsa_handler
    if _alsa_handler is not None or not sys.platform.startswith("linux"):
        return
    try:
        asound = ctypes.cdll.LoadLibrary("libasound.so.2")
    except OSError:
        return
    handler_type = ctypes.CFUNCTYPE(
        None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
    )
    _alsa_handler = handler_type(lambda *args: None)
    asound.snd_lib_error_set_handler(_alsa_handler)


_alsa_handler: Any = None


def _sd() -> Any:
    _quiet_alsa()
    try:
        import sounddevice
    except OSError as exc:  # the wheel has no PortAudio on Linux
        raise AudioDeviceError(_PORTAUDIO_HINT) from exc
    except ImportError as exc:
        raise AudioDeviceError("sounddevice is not installed: pip install 'kaiwa[audio]'") from exc
    return sounddevice


@dataclass(frozen=True)
class AudioDevice:
    """A sound device as PortAudio sees it."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    default_input: bool = False
    """The system's default microphone."""
    default_output: bool = False
    """The system's default speaker."""

    def describe(self) -> str:
        """One line: index, name, what it does, its rate."""
        channels = (("in", self.max_input_channels), ("out", self.max_output_channels))
        kinds = [k for k, n in channels if n]
        defaults = (("default in", self.default_input), ("default out", self.default_output))
        marks = [m for m, d in defaults if d]
        extra = f"  [{', '.join(marks)}]" if marks else ""
        return (
            f"{self.index:>3}  {self.name}  ({self.hostapi}; {'/'.join(kinds) or 'none'}; "
            f"{self.default_samplerate:g} Hz){extra}"
        )


def list_devices() -> list[AudioDevice]:
    """Every sound device PortAudio finds.

    Raises:
        AudioDeviceError: PortAudio is missing.
    """
    sd = _sd()
    try:
        raw = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception as exc:
        raise AudioDeviceError(f"cannot list sound devices: {exc}") from exc
    return [
        AudioDevice(
            index=int(d["index"]),
            name=str(d["name"]),
            hostapi=str(hostapis[d["hostapi"]]["name"]),
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            default_input=int(d["index"]) == default_in,
            default_output=int(d["index"]) == default_out,
        )
        for d in raw
    ]


def find_device(spec: int | str | None, kind: str) -> AudioDevice:
    """The ``kind`` (``"input"`` or ``"output"``) device ``spec`` names: an index, a part of a
    name (case ignored; an exact name wins), or None for the system's default.

    Raises:
        AudioDeviceError: no such device, a name that fits several, a device without the
            channels ``kind`` needs, or no default device; the message lists the choices.
    """
    if kind not in ("input", "output"):
        raise ValueError(f"kind must be 'input' or 'output', got {kind!r}")
    devices = list_devices()
    usable = [d for d in devices if _channels(d, kind) > 0]
    choices = "; ".join(f"{d.index}: {d.name}" for d in usable) or "none"
    if isinstance(spec, str) and spec.strip().isdigit():
        spec = int(spec)
    if spec is None:
        found = [d for d in usable if (d.default_input if kind == "input" else d.default_output)]
        if not found:
            if not usable:
                raise AudioDeviceError(
                    f"no {kind} sound device on this machine (PortAudio found "
                    f"{len(devices)} device(s), none with {kind} channels)"
                )
            return usable[0]
        return found[0]
    if isinstance(spec, int):
        match = [d for d in devices if d.index == spec]
        if not match:
            raise AudioDeviceError(f"no sound device with index {spec}; {kind} devices: {choices}")
        if _channels(match[0], kind) == 0:
            raise AudioDeviceError(
                f"sound device {spec} ({match[0].name!r}) has no {kind} channels; "
                f"{kind} devices: {choices}"
            )
        return match[0]
    exact = [d for d in usable if d.name.lower() == spec.lower()]
    partial = exact or [d for d in usable if spec.lower() in d.name.lower()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise AudioDeviceError(f"no {kind} sound device named {spec!r}; {kind} devices: {choices}")
    names = ", ".join(f"{d.index}: {d.name}" for d in partial)
    raise AudioDeviceError(f"{spec!r} fits several {kind} devices ({names}): give an index")


def _channels(device: AudioDevice, kind: str) -> int:
    return device.max_input_channels if kind == "input" else device.max_output_channels


class AudioStream(Protocol):
    """A microphone and a speaker running together, block by block."""

    samplerate: int
    """Samples per second of the speaker (and of the microphone, unless it has
    ``input_rate``)."""
    latency_ms: float
    """Capture plus playback latency of the hardware path, as reported (the echo delay)."""

    def start(self, render: Render, capture: Capture) -> None:
        """Start playing what ``render`` returns and handing captured blocks to ``capture``.

        Both run on the stream's own threads: they must be quick.
        """

    def stop(self) -> None:
        """Stop the stream (idempotent); nothing is called after this returns."""


@dataclass
class StreamStats:
    """What the device reported going wrong."""

    input_overflows: int = 0
    output_underflows: int = 0
    callback_errors: int = 0


class DeviceStream:
    """A microphone and a speaker on PortAudio, mono, each with its own callback.

    Args:
        input_device: index, part of a name, or None (the default microphone).
        output_device: index, part of a name, or None (the default speaker).
        samplerate: for both; default: each device's own rate (kaiwa resamples at the edge:
            a USB microphone at 48 kHz with laptop speakers at 44.1 kHz is fine).
        block_ms: the block length; 10 ms blocks keep added latency low.

    Raises:
        AudioDeviceError: a device is missing or cannot be opened (on `start`).
    """

    def __init__(
        self,
        input_device: int | str | None = None,
        output_device: int | str | None = None,
        *,
        samplerate: int | None = None,
        block_ms: float = 10.0,
    ) -> None:
        self.input = find_device(input_device, "input")
        self.output = find_device(output_device, "output")
        self.samplerate = int(samplerate or self.output.default_samplerate or 48000)
        self.input_rate = int(samplerate or self.input.default_samplerate or 48000)
        """The microphone's rate."""
        self._block_ms = block_ms
        self.latency_ms = 0.0
        self.stats = StreamStats()
        self._streams: list[Any] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"DeviceStream(input={self.input.name!r}, output={self.output.name!r}, "
            f"samplerate={self.samplerate}, input_rate={self.input_rate})"
        )

    def start(self, render: Render, capture: Capture) -> None:
        sd = _sd()
        stats = self.stats

        def report(where: str) -> None:
            stats.callback_errors += 1
            if stats.callback_errors == 1:
                logger.exception("audio %s failed", where)

        def on_input(indata: Any, frames: int, time: Any, status: Any) -> None:
            if status.input_overflow:
                stats.input_overflows += 1
            try:
                capture(indata[:, 0])
            except Exception:  # never let the device thread die silently
                report("capture")

        def on_output(outdata: Any, frames: int, time: Any, status: Any) -> None:
            if status.output_underflow:
                stats.output_underflows += 1
            try:
                outdata[:, :] = render(frames)[:, None]
            except Exception:
                report("playback")
                outdata.fill(0)

        common = {"dtype": "float32", "latency": "low"}
        streams: list[Any] = []
        try:
            streams.append(
                self._open(
                    sd.InputStream,
                    "microphone",
                    self.input,
                    self.input_rate,
                    channels=1,
                    callback=on_input,
                    **common,
                )
            )
            streams.append(
                self._open(
                    sd.OutputStream,
                    "speaker",
                    self.output,
                    self.samplerate,
                    channels=None,
                    callback=on_output,
                    **common,
                )
            )
            self.latency_ms = sum(float(s.latency) for s in streams) * 1000.0
            for stream in streams:
                stream.start()
        except AudioDeviceError:
            _close(streams)
            raise
        except Exception as exc:
            _close(streams)
            raise AudioDeviceError(
                f"cannot start microphone {self.input.name!r} / speaker {self.output.name!r}: {exc}"
            ) from exc
        with self._lock:
            self._streams = streams

    def _open(
        self,
        kind: Any,
        role: str,
        device: AudioDevice,
        rate: int,
        channels: int | None,
        **options: Any,
    ) -> Any:
        errors: list[str] = []
        block = max(1, int(rate * self._block_ms / 1000))
        for count in [channels] if channels else [1, 2]:
            try:
                return kind(
                    device=device.index,
                    samplerate=rate,
                    blocksize=block,
                    channels=count,
                    **options,
                )
            except Exception as exc:
                errors.append(str(exc))
        raise AudioDeviceError(
            f"cannot open {role} {device.name!r} at {rate} Hz: {errors[-1]} "
            "(try another device: `kaiwa devices`)"
        )

    def stop(self) -> None:
        with self._lock:
            streams, self._streams = self._streams, []
        _close(streams)


def _close(streams: list[Any]) -> None:
    for stream in streams:
        try:
            stream.stop()
        except Exception:
            logger.debug("stopping a stream failed", exc_info=True)
        finally:
            stream.close()
