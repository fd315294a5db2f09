"""Sound devices for real: PortAudio on PulseAudio's virtual devices (tests/pulse.py)."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from kaiwa.audio.codecs import resample
from kaiwa.audio.devices import DeviceStream, find_device, list_devices
from kaiwa.exceptions import AudioDeviceError
from tests.speech import espeak


def test_devices_are_listed_with_the_defaults_marked(pulse: Any) -> None:
    devices = list_devices()
    assert any(d.default_input for d in devices) and any(d.default_output for d in devices)
    assert "default" in [d.name for d in devices]
    assert "in/out" in next(d for d in devices if d.name == "default").describe()


def test_a_device_is_found_by_index_name_or_default(pulse: Any) -> None:
    default = find_device(None, "output")
    assert find_device(default.index, "output") == default
    assert find_device(str(default.index), "output") == default
    assert find_device("DEFAULT", "input").name == "default"


@pytest.mark.parametrize(
    ("spec", "message"),
    [("no such speaker", "no output sound device named 'no such speaker'"), (97, "index 97")],
)
def test_a_missing_device_is_named_with_the_choices(
    pulse: Any, spec: str | int, message: str
) -> None:
    with pytest.raises(AudioDeviceError, match=message) as caught:
        find_device(spec, "output")
    assert "default" in str(caught.value)  # the devices there are


def test_a_device_that_cannot_open_says_which(pulse: Any) -> None:
    stream = DeviceStream(samplerate=1)
    with pytest.raises(AudioDeviceError, match="cannot open microphone 'default' at 1 Hz"):
        stream.start(lambda frames: np.zeros(frames, np.float32), lambda mic: None)


def test_the_stream_plays_what_it_is_given_and_hears_the_microphone(pulse: Any) -> None:
    stream = DeviceStream()
    rate = stream.samplerate
    played = 0
    heard: list[np.ndarray] = []
    lock = threading.Lock()

    def capture(mic: np.ndarray) -> None:
        with lock:
            heard.append(mic.copy())

    def render(frames: int) -> np.ndarray:
        nonlocal played
        t = (np.arange(frames) + played) / rate
        played += frames
        return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)

    voice = espeak("Please book a table for two at seven tonight.", 24000)
    source = resample(voice, 24000, 16000)

    def score() -> float:
        with lock:
            captured = np.concatenate(heard)
        return similarity(source, resample(captured, rate, 16000))

    with pulse.recording() as recorded:
        stream.start(render, capture)
        time.sleep(0.5)
        pulse.play_into_mic(voice)
        # The sound server hands the last of the voice over when it will (its buffers, a
        # loaded machine): listen until it is all heard, or give up after 10 s.
        deadline = time.monotonic() + 10
        time.sleep(0.5)
        while (heard_so_far := score()) <= 0.9 and time.monotonic() < deadline:
            time.sleep(0.2)
        stream.stop()
    # The speaker played the tone...
    speaker = recorded[0][24000 // 2 : 24000 * 5 // 2]
    spectrum = np.abs(np.fft.rfft(speaker))
    assert abs(np.argmax(spectrum) * 24000 / speaker.size - 440) < 2
    # ...and the microphone heard the voice: the same sound, somewhere in what it captured.
    assert heard_so_far > 0.9, (heard_so_far, stream.stats)
    assert stream.stats.callback_errors == 0


def similarity(source: np.ndarray, captured: np.ndarray) -> float:
    """How well ``source``'s loudness contour (20 ms frames) matches the best-aligned stretch
    of ``captured`` (correlation; the sound server resamples, so waveforms differ in phase)."""

    def contour(x: np.ndarray) -> np.ndarray:
        frames = x[: x.size // 320 * 320].reshape(-1, 320)
        return np.sqrt(np.mean(frames**2, axis=1))

    src, cap = contour(source), contour(captured)
    if cap.size < src.size:
        return 0.0
    src = src - src.mean()
    best = 0.0
    for lag in range(cap.size - src.size + 1):
        window = cap[lag : lag + src.size] - cap[lag : lag + src.size].mean()
        norm = np.linalg.norm(window) * np.linalg.norm(src)
        if norm > 0:
            best = max(best, float(np.dot(window, src) / norm))
    return best
