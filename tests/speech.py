"""Real speech for tests: espeak-ng (Debian) and piper (the packaged voice), at 16 kHz float."""

from __future__ import annotations

import functools
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kaiwa.audio.codecs import pcm16_to_float, resample

Audio = npt.NDArray[np.float32]


def read_wav(path: Path) -> tuple[Audio, int]:
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2
        data = pcm16_to_float(w.readframes(w.getnframes()))
        if w.getnchannels() > 1:
            data = data.reshape(-1, w.getnchannels()).mean(axis=1).astype(np.float32)
        return data, w.getframerate()


def espeak(text: str, rate: int = 16000, voice: str = "en-us") -> Audio:
    """``text`` spoken by espeak-ng, at ``rate`` Hz."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), text], check=True)
        audio, sr = read_wav(out)
    return resample(audio, sr, rate)


@functools.cache
def _piper():  # type: ignore[no-untyped-def]
    from kaiwa.engine.tts import PiperSynthesizer

    return PiperSynthesizer()


def piper(text: str, rate: int = 16000) -> Audio:
    """``text`` spoken by the packaged piper voice, at ``rate`` Hz.

    Without piper's sampling noise, so a test hears the same audio on every run (with it, a
    sentence is now and then garbled, and a test would fail one run in twenty).
    """
    from piper import SynthesisConfig

    synth = _piper()
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    chunks = [c.audio_float_array for c in synth._voice.synthesize(text, syn_config=config)]
    return resample(np.concatenate(chunks).astype(np.float32), synth.sample_rate, rate)


def silence(ms: int, rate: int = 16000) -> Audio:
    return np.zeros(rate * ms // 1000, np.float32)


_NUMBERS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twenty": "20",
}


def words(text: str) -> list[str]:
    """Lower-case words, numbers as digits (Whisper writes "10" for "ten")."""
    import re

    return [_NUMBERS.get(w, w) for w in re.findall(r"[a-z0-9']+", text.lower())]


def error_rate(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    """Edit distance between two token sequences, over the reference's length."""
    d = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hypothesis, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hypothesis)] / max(len(reference), 1)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate."""
    return error_rate(words(reference), words(hypothesis))
