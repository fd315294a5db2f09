"""Audio conversions: pcm16, G.711 (against the standard's reference values), resampling."""

from __future__ import annotations

import numpy as np
import pytest

from kaiwa import UserError
from kaiwa.audio.codecs import (
    AudioDecoder,
    alaw_decode,
    alaw_encode,
    decode_audio,
    encode_audio,
    float_to_pcm16,
    pcm16_to_float,
    resample,
    ulaw_decode,
    ulaw_encode,
)


def test_pcm16_round_trip_and_odd_bytes() -> None:
    x = np.array([0.0, 0.5, -0.5, -1.0], np.float32)
    assert np.array_equal(pcm16_to_float(float_to_pcm16(x)), x)
    with pytest.raises(UserError, match="2-byte"):
        pcm16_to_float(b"\x00\x01\x02")


def test_g711_reference_values() -> None:
    # ITU-T G.711: silence is 0xFF in mu-law and 0xD5 in A-law; full scale hits the ends.
    zero = np.zeros(1, np.float32)
    assert ulaw_encode(zero) == b"\xff" and alaw_encode(zero) == b"\xd5"
    assert ulaw_encode(np.array([1.0], np.float32)) == b"\x80"
    assert ulaw_encode(np.array([-1.0], np.float32)) == b"\x00"
    assert alaw_encode(np.array([1.0], np.float32)) == b"\xaa"
    assert alaw_encode(np.array([-1.0], np.float32)) == b"\x2a"


@pytest.mark.parametrize(
    ("encode", "decode"), [(ulaw_encode, ulaw_decode), (alaw_encode, alaw_decode)]
)
def test_g711_round_trip_error_is_small_and_monotonic(encode, decode) -> None:  # type: ignore[no-untyped-def]
    x = np.linspace(-0.99, 0.99, 4001, dtype=np.float32)
    y = decode(encode(x))
    assert np.all(np.diff(y) >= 0)  # a companded staircase, never going back
    assert np.max(np.abs(y - x) / np.maximum(np.abs(x), 0.01)) < 0.07


def test_resample_keeps_duration_and_tone() -> None:
    t = np.arange(22050) / 22050
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    out = resample(tone, 22050, 24000)
    assert out.size == 24000
    peak = np.argmax(np.abs(np.fft.rfft(out)))
    assert abs(peak - 440) <= 1


@pytest.mark.parametrize("fmt", ["pcm16", "g711_ulaw", "g711_alaw"])
def test_protocol_formats_round_trip(fmt: str) -> None:
    t = np.arange(16000) / 16000
    tone = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    wire = encode_audio(tone, 16000, fmt)
    assert len(wire) == (48000 if fmt == "pcm16" else 8000)
    back = decode_audio(wire, fmt, 16000)
    assert np.corrcoef(back[100:-100], tone[100:-100])[0, 1] > 0.99


def test_a_chunked_stream_decodes_like_the_whole_clip() -> None:
    t = np.arange(24000) / 24000
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    pcm = float_to_pcm16(tone)
    decoder = AudioDecoder("pcm16", 16000)
    chunks = [decoder.decode(pcm[i : i + 1920]) for i in range(0, len(pcm), 1920)]
    streamed = np.concatenate([*chunks, decoder.flush()])
    whole = resample(pcm16_to_float(pcm), 24000, 16000)
    assert abs(streamed.size - whole.size) <= 1  # nothing lost, once flushed
    steady = streamed[400:]
    # the same tone at the same level, and no clicks at the 40 ms chunk boundaries: a 440 Hz
    # sine of amplitude 0.5 at 16 kHz moves at most 0.087 from one sample to the next
    assert abs(np.sqrt(np.mean(steady**2)) - 0.5 / np.sqrt(2)) < 0.01
    assert np.max(np.abs(np.diff(steady))) < 0.095
