"""BargeIn: the verdict on the user speaking over the agent, with plain calls."""

from __future__ import annotations

import pytest

from kaiwa.audio.interruptions import (
    BargeIn,
    Hold,
    Interrupt,
    InterruptionSettings,
    Resume,
    is_backchannel,
)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Uh-huh.",
        "uh huh",
        "Mm-hmm",
        "Yeah, yeah.",
        "Okay.",
        "Oh, I see.",
        "[cough]",
        "(coughing)",
        " you",
        "Thank you.",
        "うん。",
        "はい、はい",
        "なるほど",
        "そうですね。",
        "Aha.",
        "Hmm, hmm.",
        "Uhh.",
        "Yeah, ho ho.",
        "Haha, okay.",
    ],
)
def test_backchannels_and_noises_are_not_turns(text: str) -> None:
    assert is_backchannel(text)


@pytest.mark.parametrize(
    "text",
    [
        "Wait.",
        "Stop, please.",
        "What about tomorrow?",
        "Okay, but what about Paris?",
        "yeah no",
        "No.",
        "Who?",
        "How?",
        "Oh no.",
        "ちょっと待って",
        "明日は？",
    ],
)
def test_words_beyond_backchannels_are_turns(text: str) -> None:
    assert not is_backchannel(text)


def test_speech_when_the_agent_is_silent_is_an_ordinary_turn() -> None:
    barge = BargeIn()
    assert barge.on_speech_started("u1", 0.0, speaking=None, audible=False) == []
    assert not barge.pending
    assert barge.on_transcript("u1", "Hello there") == []


def test_speech_over_the_answer_holds_it() -> None:
    barge = BargeIn()
    assert barge.on_speech_started("u1", 0.0, speaking="r1", audible=True) == [Hold()]
    assert barge.pending


def test_a_backchannel_resumes_and_removes_what_it_caused() -> None:
    barge = BargeIn()
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_response_created("r0")  # before the commit: not an answer to it
    barge.on_speech_stopped("u1", 0.4)
    barge.on_committed("u1")
    barge.on_response_created("r2")  # the server answering "uh-huh"
    assert barge.on_transcript("u1", "Uh-huh.") == [Resume("u1", ("r2",), "Uh-huh.")]
    assert not barge.pending


def test_words_interrupt_the_answer_being_spoken() -> None:
    barge = BargeIn()
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_speech_stopped("u1", 0.8)
    barge.on_committed("u1")
    barge.on_response_created("r2")
    assert barge.on_transcript("u1", "What about Paris?") == [
        Interrupt("r1", "words", "What about Paris?")
    ]


def test_long_speech_interrupts_before_its_words_are_known() -> None:
    barge = BargeIn(InterruptionSettings(min_speech_ms=1000))
    barge.on_speech_started("u1", 10.0, speaking="r1", audible=True)
    assert barge.deadline() == pytest.approx(11.0)
    assert barge.tick(10.9) == []
    assert barge.tick(11.0) == [Interrupt("r1", "long_speech")]
    assert barge.on_transcript("u1", "and then a lot more") == []  # already decided


def test_speech_that_stops_is_not_long() -> None:
    barge = BargeIn(InterruptionSettings(min_speech_ms=1000, resume_after_ms=2000))
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_speech_stopped("u1", 0.3)
    assert barge.tick(1.5) == []
    assert barge.deadline() == pytest.approx(2.3)


def test_a_sound_the_server_never_commits_resumes_in_time() -> None:
    barge = BargeIn(InterruptionSettings(resume_after_ms=2000))
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_speech_stopped("u1", 0.3)
    assert barge.tick(2.3) == [Resume(None)]  # never committed: nothing to delete


def test_a_committed_turn_waits_for_its_words_however_slow() -> None:
    barge = BargeIn(InterruptionSettings(resume_after_ms=2000, transcript_wait_ms=10000))
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_speech_stopped("u1", 0.3)
    barge.on_committed("u1", 0.8)
    assert barge.tick(5.0) == []  # a slow transcription is no reason to drop "Stop."
    assert barge.on_transcript("u1", "Stop.") == [Interrupt("r1", "words", "Stop.")]


def test_a_turn_whose_words_never_come_counts_as_real() -> None:
    barge = BargeIn(InterruptionSettings(transcript_wait_ms=10000))
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_committed("u1", 0.8)
    assert barge.tick(10.8) == [Interrupt("r1", "words")]
    barge.on_speech_started("u2", 20.0, speaking="r2", audible=True)
    barge.on_committed("u2", 20.8)
    assert barge.on_transcript_failed("u2") == [Interrupt("r2", "words")]


def test_without_transcription_the_voice_decides_at_the_commit() -> None:
    barge = BargeIn(InterruptionSettings(min_speech_ms=1000))
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    assert barge.on_committed("u1", 0.9, transcribing=False, voiced_ms=300) == [Resume("u1")]
    barge.on_speech_started("u2", 5.0, speaking="r1", audible=True)
    assert barge.on_committed("u2", 7.0, transcribing=False, voiced_ms=1500) == [
        Interrupt("r1", "long_speech")
    ]


def test_two_sounds_held_together_share_one_verdict() -> None:
    barge = BargeIn()
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_committed("u1", 0.5)
    assert barge.on_speech_started("u2", 0.7, speaking="r1", audible=True) == []
    barge.on_committed("u2", 1.2)
    assert barge.on_transcript("u1", "[cough]") == []  # its verdict goes with the second
    assert barge.on_transcript("u2", "Uh-huh.") == [Resume("u2", (), "Uh-huh.", ("u1",))]


def test_words_in_an_earlier_sound_held_together_interrupt() -> None:
    barge = BargeIn()
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_committed("u1", 0.5)
    barge.on_speech_started("u2", 0.7, speaking="r1", audible=True)
    assert barge.on_transcript("u1", "Wait,") == [Interrupt("r1", "words", "Wait,")]


def test_long_speech_counts_voice_not_waiting() -> None:
    barge = BargeIn(InterruptionSettings(min_speech_ms=1000))
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    # A cough and then silence: the server has not said the speech stopped yet.
    assert barge.tick(1.0, voiced_ms=300) == []
    assert barge.deadline() == pytest.approx(1.1)
    assert barge.tick(1.1, voiced_ms=300) == []
    assert barge.tick(1.6, voiced_ms=1000) == [Interrupt("r1", "long_speech")]


def test_speech_resuming_within_the_same_turn_keeps_one_verdict() -> None:
    barge = BargeIn(InterruptionSettings(min_speech_ms=1000))
    barge.on_speech_started("u1", 0.0, speaking="r1", audible=True)
    barge.on_speech_stopped("u1", 0.5)
    assert barge.on_speech_started("u1", 0.7, speaking="r1", audible=True) == []
    assert barge.tick(1.0, voiced_ms=1000) == [Interrupt("r1", "long_speech")]


def test_cancel_mode_leaves_barge_in_to_the_server() -> None:
    barge = BargeIn(InterruptionSettings(mode="cancel"))
    assert barge.on_speech_started("u1", 0.0, speaking="r1", audible=True) == []


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="mode"):
        InterruptionSettings(mode="ignore")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        InterruptionSettings(min_speech_ms=0)
