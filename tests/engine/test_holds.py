"""A turn that only asks the assistant to wait (`kaiwa.engine.holds`)."""

from __future__ import annotations

import pytest

from kaiwa.engine.chat import ChatMessage
from kaiwa.engine.holds import hold_reply


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("hold on", "Sure, take your time."),
        ("One moment, please.", "Sure, take your time."),
        ("Could you wait a moment?", "Sure, take your time."),
        ("hang on, let me find it", "Sure, take your time."),
        ("it's somewhere in my bag, bear with me", "Sure, take your time."),
        ("sorry, the doorbell just rang, give me a sec", "Sure, take your time."),
        ("少々お待ちください", "はい、ごゆっくりどうぞ。"),
        ("すみません、少し待ってもらえますか", "はい、ごゆっくりどうぞ。"),
        ("ちょっと待っててね、いま財布探すから", "はい、ごゆっくりどうぞ。"),
        # a review's: waits asked as questions, in kana as recognisers write them, with
        # a reason after them
        ("ちょっと待ってもらえますか？", "はい、ごゆっくりどうぞ。"),
        ("ちょっとまってください", "はい、ごゆっくりどうぞ。"),
        ("えーっと、ちょっと待って", "はい、ごゆっくりどうぞ。"),
        ("give me a few minutes", "Sure, take your time."),
        ("one second, I'm looking for it", "Sure, take your time."),
        ("hang on a second, the doorbell's ringing", "Sure, take your time."),
        ("let me dig out my passport", "Sure, take your time."),
        # a request, before or after the wait, or a value: for the model and its tools
        ("hold on, what's the weather in Oslo?", ""),
        ("turn the lights off, hold on", ""),
        ("seat 27D, hold on", ""),
        ("wait, that's the wrong seat", ""),
        ("I'll wait for the next flight", ""),
        ("ちょっと待って、キッチンの電気消して", ""),
        ("ちょっと待ってください、やっぱり6人で", ""),
        ("待ち時間はどれくらいですか？", ""),
        # a review's: a request or a correction with the wait
        ("待って、予約をキャンセルしたいので", ""),
        ("ちょっと待って、それ違うから", ""),
        ("ちょっと待ってな、やっぱり明日にするから", ""),
        ("let me check my balance", ""),
        ("let me get my refund", ""),
        ("I want to cancel my booking, hang on", ""),
        ("I'd like to cancel my order, give me a sec", ""),
        # without the comma, the model's (two reviews found a rule for it taking requests
        # and facts for waits: "hang on my wife wants to know if pets are allowed")
        ("hold on a second someone's at the door", ""),
        ("hang on my wife wants to know if pets are allowed", ""),
        ("wait a minute the flight is on tuesday", ""),  # a correction
        ("hold on I want to cancel", ""),
        ("can you hold the table my husband is running late", ""),
        ("please hold my reservation my wife is stuck in traffic", ""),
        ("hold on my phone number is wrong on the booking", ""),
        ("hang on my son's name is spelled wrong", ""),
        ("one second my daughter has a peanut allergy", ""),
        ("hold on it's my wife's booking not mine", ""),
        # with the comma: a correction or what the request is, not what is going on
        ("wait a minute, the flight is on tuesday", ""),
        ("hang on, my son's name is spelled wrong", ""),
        ("hold on, it's actually my husband's booking", ""),
        # a second review's: corrections the first version's days and "actually" missed...
        ("hang on, my surname is Smith not Smyth", ""),
        ("hang on, the flight's in January", ""),
        ("hold on, the name on the ticket is misspelled", ""),
        ("wait a sec, my booking's under a different name", ""),
        # ...and waits it took for corrections (a time of day, "actually")
        ("sorry, the kids are going crazy this morning, give me a sec", "Sure, take your time."),
        ("hold on, it's a bit hectic here tonight", "Sure, take your time."),
        ("give me a sec, I'm actually in the car", "Sure, take your time."),
        ("hang on, my booking number is somewhere in my email", "Sure, take your time."),
    ],
)
def test_a_turn_that_asks_to_wait_is_told_to_take_its_time(said: str, reply: str) -> None:
    assert hold_reply([ChatMessage("user", said)]) == reply


def test_a_wait_after_the_assistant_asked_is_still_a_wait() -> None:
    asked = ChatMessage("assistant", "What's your confirmation number?")
    messages = [asked, ChatMessage("user", "Hang on, let me find it.")]
    assert hold_reply(messages) == "Sure, take your time."
    assert hold_reply([*messages, ChatMessage("assistant", "Sure, take your time.")]) == ""
