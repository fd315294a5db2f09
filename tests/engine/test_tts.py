"""Piper on the packaged voice: a TTS -> ASR round trip, voices, cancellation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kaiwa import EngineError
from kaiwa.audio.codecs import resample
from kaiwa.engine._threads import Cancel
from kaiwa.engine.tts import OPENAI_VOICES, resolve_voice
from tests.speech import wer


def test_round_trip_english(tts: Any, asr: Any) -> None:
    sentence = "The library opens at nine in the morning on weekdays."
    audio = np.concatenate(list(tts.synthesize(sentence)))
    heard = asr.transcribe(resample(audio, tts.sample_rate, 16000)).text
    assert wer(sentence, heard) <= 0.2, heard  # piper varies run to run: allow one slip


def test_one_chunk_per_sentence_and_speed(tts: Any) -> None:
    chunks = list(tts.synthesize("First sentence here. And a second one."))
    assert len(chunks) == 2
    normal = sum(c.size for c in tts.synthesize("A fairly long sentence to time."))
    fast = sum(c.size for c in tts.synthesize("A fairly long sentence to time.", speed=1.5))
    assert fast < normal * 0.8


def test_cancel_stops_after_the_current_chunk(tts: Any) -> None:
    cancel = Cancel()
    out = []
    for chunk in tts.synthesize("One. Two. Three. Four.", cancel=cancel):
        out.append(chunk)
        cancel.set()
    assert len(out) == 1


def test_every_openai_voice_name_maps_to_a_voice() -> None:
    for name in OPENAI_VOICES:
        voice, speed = resolve_voice(name)
        assert voice == "joe" and 0.5 < speed < 2
    with pytest.raises(EngineError, match="unknown voice"):
        resolve_voice("darth")
