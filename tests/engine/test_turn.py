"""End-of-turn policy from the partial transcript (pure functions)."""

from __future__ import annotations

import pytest

from kaiwa.engine.turn import TurnPolicy, completeness


@pytest.mark.parametrize(
    "text",
    ["What's the weather in Kyoto?", "Set a timer for ten minutes.", "Thanks!", "今日は晴れです。"],
)
def test_finished_sentences_score_high(text: str) -> None:
    assert completeness(text) >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to book a table for",
        "Can you tell me about the",
        "So, um",
        "and then...",
        "My name is, uh",
        "I want to go to the store and",
    ],
)
def test_unfinished_utterances_score_low(text: str) -> None:
    assert completeness(text) <= 0.3


def test_no_punctuation_is_unsure() -> None:
    assert 0.3 < completeness("turn off the lights") < 0.8
    assert completeness("") == 0.0


def test_waits_follow_eagerness_and_completeness() -> None:
    auto, high, low = TurnPolicy(), TurnPolicy("high"), TurnPolicy("low")
    finished, unfinished = "What time is it?", "I want to go to the"
    assert auto.silence_needed_ms(finished) < 500 < auto.silence_needed_ms(unfinished)
    assert high.silence_needed_ms(finished) < auto.silence_needed_ms(finished)
    assert low.silence_needed_ms(unfinished) > auto.silence_needed_ms(unfinished)
    assert auto.silence_needed_ms(None) == auto.silence_needed_ms("turn off the lights")
