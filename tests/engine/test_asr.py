"""Whisper tiny.en on real synthetic speech: the words come back."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.speech import espeak, piper, silence, wer

SENTENCES = [
    "What is the weather like in Kyoto today?",
    "Please set a timer for ten minutes.",
    "I would like to book a table for two people tonight.",
    "Can you tell me a short story about a cat?",
    "Turn off the lights in the kitchen.",
]


@pytest.mark.parametrize(("speak", "limit"), [(piper, 0.08), (espeak, 0.1)])
def test_word_error_rate_is_low(asr: Any, speak: Any, limit: float) -> None:
    heard = []
    for sentence in SENTENCES:
        audio = np.concatenate([silence(200), speak(sentence), silence(300)])
        heard.append(asr.transcribe(audio).text)
    errors = [wer(s, h) for s, h in zip(SENTENCES, heard, strict=True)]
    assert sum(errors) / len(errors) <= limit, list(zip(heard, errors, strict=True))


def test_initial_prompt_teaches_a_name(asr: Any) -> None:
    # piper's voice varies from run to run, so this counts over several sentences.
    sentences = [
        "Please ask Kaiwa to read my messages.",
        "I told Kaiwa to turn off the lights.",
        "Call Kaiwa now.",
        "Kaiwa, what time is it in London?",
    ]
    plain = prompted = 0
    for sentence in sentences:
        audio = np.concatenate([silence(200), piper(sentence), silence(300)])
        plain += "kaiwa" in asr.transcribe(audio).text.lower()
        prompted += (
            "kaiwa" in asr.transcribe(audio, prompt="Kaiwa is a voice assistant.").text.lower()
        )
    assert prompted >= 3 and prompted >= plain


def test_too_short_audio_is_empty(asr: Any) -> None:
    assert asr.transcribe(silence(50)).text == ""
