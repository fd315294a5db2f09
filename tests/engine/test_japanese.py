"""Japanese end to end: Japanese speech in -> Japanese text -> Japanese speech out."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from kaiwa.audio.codecs import resample
from kaiwa.engine.llm import ChatMessage
from kaiwa.engine.text import is_japanese
from tests.speech import error_rate


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate, ignoring punctuation and spaces."""

    def clean(text: str) -> str:
        return re.sub(r"[\s、。！？!?,.]", "", text)

    return error_rate(clean(reference), clean(hypothesis))


@pytest.fixture(scope="module")
def engine() -> Any:
    from kaiwa.engine.engine import Engine

    return Engine.load()


def speak_ja(engine: Any, text: str) -> np.ndarray:
    audio = np.concatenate(list(engine.tts.synthesize(text)))
    return resample(audio, engine.tts.sample_rate, 16000)


@pytest.mark.parametrize("sentence", ["今日はとても良い天気です。", "駅までの道を教えてください。"])
def test_japanese_round_trip(engine: Any, sentence: str) -> None:
    heard = engine.recognizer("ja").transcribe(speak_ja(engine, sentence), language="ja").text
    assert is_japanese(heard)
    assert cer(sentence, heard) <= 0.3, heard


def test_japanese_speech_in_japanese_speech_out(engine: Any) -> None:
    question = "日本の首都はどこですか？"
    asr = engine.recognizer("ja")
    heard = asr.transcribe(speak_ja(engine, question), language="ja").text
    assert cer(question, heard) <= 0.3, heard
    messages = [
        ChatMessage("system", "あなたは音声アシスタントです。日本語で一文で答えてください。"),
        ChatMessage("user", heard),
    ]
    reply = "".join(d.text for d in engine.llm.stream(messages, max_tokens=60))
    assert is_japanese(reply), reply
    spoken = speak_ja(engine, reply)
    assert spoken.size > 16000 * 0.5  # it was spoken, by the Japanese voice
    back = asr.transcribe(spoken, language="ja").text
    assert cer(reply, back) <= 0.4, (reply, back)


def test_a_kanji_the_dictionary_does_not_know_is_skipped_not_fatal(engine: Any) -> None:
    # "彁" is in no dictionary: pyopenjtalk-plus then wants sudachidict, which is not installed.
    # The LLM may write anything; the rest of the sentence must still be spoken.
    audio = speak_ja(engine, "今日は彁の天気です。")
    assert audio.size > 0.5 * 16000
    heard = engine.recognizer("ja").transcribe(audio, language="ja").text
    assert "天気" in heard, heard
