"""Piper on the packaged voice: a TTS -> ASR round trip, voices, cancellation; Kokoro's
sentences said again."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kaiwa import EngineError
from kaiwa.audio.codecs import resample
from kaiwa.engine._threads import Cancel
from kaiwa.engine.tts import OPENAI_VOICES, KokoroSynthesizer, SaidAlready, resolve_voice
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


def test_sentences_said_lately_are_kept_bounded_and_short() -> None:
    said = SaidAlready()
    audio = np.ones(10, dtype=np.float32)
    said.put(("jf_alpha", 1.0, "はい、"), audio)
    kept = said.get(("jf_alpha", 1.0, "はい、"))
    assert kept is not None and np.array_equal(kept, audio)
    kept[0] = 5.0  # a copy: the caller's changes do not reach the next
    again = said.get(("jf_alpha", 1.0, "はい、"))
    assert again is not None and again[0] == 1.0
    assert said.get(("jf_alpha", 1.2, "はい、")) is None  # another speed is another sound
    said.put(("jf_alpha", 1.0, "あ" * (SaidAlready.MAX_CHARACTERS + 1)), audio)
    assert said.get(("jf_alpha", 1.0, "あ" * (SaidAlready.MAX_CHARACTERS + 1))) is None
    mine = np.ones(10, dtype=np.float32)
    said.put(("jf_alpha", 1.0, "ええ、"), mine)
    mine[0] = 7.0  # kept as it was given
    kept = said.get(("jf_alpha", 1.0, "ええ、"))
    assert kept is not None and kept[0] == 1.0
    for n in range(SaidAlready.MAX_SENTENCES - 1):
        said.put(("jf_alpha", 1.0, f"{n}です。"), audio)
        said.get(("jf_alpha", 1.0, "ええ、"))  # read: kept
    assert said.get(("jf_alpha", 1.0, "はい、")) is None  # the least lately used went first
    assert said.get(("jf_alpha", 1.0, "ええ、")) is not None
    assert said.get(("jf_alpha", 1.0, f"{SaidAlready.MAX_SENTENCES - 2}です。")) is not None
    # bounded by samples too: long audio of few characters (slow, or letters spelled)
    long = np.zeros(SaidAlready.MAX_SAMPLES + 1, dtype=np.float32)
    said.put(("jf_alpha", 0.25, "ABC123"), long)
    assert said.get(("jf_alpha", 0.25, "ABC123")) is None
    big = np.zeros(SaidAlready.MAX_SAMPLES, dtype=np.float32)
    for n in range(SaidAlready.MAX_SENTENCES):
        said.put(("jf_alpha", 0.5, f"長い{n}"), big)
    kept_samples = sum(
        a.size
        for n in range(SaidAlready.MAX_SENTENCES)
        if (a := said.get(("jf_alpha", 0.5, f"長い{n}"))) is not None
    )
    assert 0 < kept_samples <= SaidAlready.MAX_TOTAL_SAMPLES


def test_a_japanese_sentence_said_again_is_the_same_sound_without_the_voice() -> None:
    voice = KokoroSynthesizer()
    sentence = "予約番号と新しい座席を教えていただけますか？"
    made = [voice._say(sentence, 1.0) for _ in range(2)]
    assert np.array_equal(made[0], made[1])  # Kokoro: the same text, the same samples
    first = np.concatenate(list(voice.synthesize(sentence)))
    calls: list[str] = []
    real = voice._say
    voice._say = lambda s, speed: calls.append(s) or real(s, speed)  # type: ignore[method-assign]
    second = np.concatenate(list(voice.synthesize(sentence)))
    assert calls == [] and np.array_equal(first, second)
    list(voice.synthesize("はい、別の文です。"))
    assert calls == ["はい、別の文です。"]
    stop = Cancel()
    stop.set()
    assert list(voice.synthesize(sentence, cancel=stop)) == []  # said before, but cancelled
