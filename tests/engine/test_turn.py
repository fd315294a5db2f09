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


@pytest.mark.parametrize(
    "text",
    # Recorded pieces of bench/turn_recorded.py's dev half, as Whisper punctuated them.
    ["to leave the conference.", "To reset your speaking volume to the default level."],
)
def test_a_lone_leading_clause_is_waited_for_longer_than_a_sentence(text: str) -> None:
    policy = TurnPolicy()
    assert completeness(text) == 0.3
    sentence = policy.silence_needed_ms("The conference has been extended.")
    dangling = policy.silence_needed_ms("I'd like to book a table for")
    assert sentence < policy.silence_needed_ms(text) < dangling


@pytest.mark.parametrize(
    "text",
    [
        "To leave a message, please enter a mailbox number.",  # the main clause follows
        "When does the store open?",  # a question is asked
        "Today is fine.",
    ],
)
def test_a_leading_clause_with_its_main_clause_is_finished(text: str) -> None:
    assert completeness(text) >= 0.8


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


@pytest.mark.parametrize(
    "text",
    # As Whisper base writes Japanese: often no final mark.
    [
        "京都の天気はどうですか",
        "いいですね",
        "了解！",
        "何本あるの",
        "台所の電気を消してください",
        "もう大丈夫です。",
        "こんにちは",
    ],
)
def test_finished_japanese_sentences_score_high(text: str) -> None:
    assert completeness(text) >= 0.8


@pytest.mark.parametrize(
    # A particle, a conjunction or a filler at the end: the speaker goes on, even when Whisper
    # wrote a 。 ("私たちが。").
    "text",
    [
        "私たちが。",
        "あのー",
        "田中さんの",
        "この",
        "日本では",
        "それでね",
        "好きな色は。",
        "東京駅まで",
        "明日の夜二人で",
        "母に電話するのを",
        "えっと",
        "東京の",
    ],
)
def test_japanese_that_ends_on_a_particle_is_waited_for(text: str) -> None:
    assert completeness(text) <= 0.3
    assert TurnPolicy().silence_needed_ms(text) > TurnPolicy().silence_needed_ms("何ですか")


def test_japanese_that_may_go_on_is_unsure() -> None:
    # A て-form is a request ("教えて") or a clause that goes on; "...んですけど" is often the
    # whole request, said softly.
    for text in ("セットして", "タクシーを呼んで", "予約したいんですけど。", "何か", "コーヒー"):
        assert 0.3 < completeness(text) < 0.8, text
