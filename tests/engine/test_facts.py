"""`unfounded`: the numbers and days a reply reading out a tool's result made up."""

from __future__ import annotations

import pytest

from kaiwa.engine.facts import carried, tells, unfounded

CLOCK = "Saturday 05 December 2026, 12:44\n今何時？"
ORDER = "Order 12345 was shipped yesterday and arrives on Friday.\n注文番号12345の荷物はどこ？"


@pytest.mark.parametrize(
    ("reply", "facts", "made_up"),
    [
        # The 0.5B model's readings in Japanese (dev half of bench/quality).
        ("現在は2026年12月5日、午後4時です。", CLOCK, ["4"]),
        ("現在は2026年12月5日に日曜日です。", CLOCK, ["sunday"]),
        ("12月29日に発送され、2023年5月1日に到着しました。", ORDER, ["1", "5", "12", "29", "2023"]),
        # The same facts said otherwise: kanji, a 12-hour clock, a month by its number.
        ("今は十二時四十四分です。", CLOCK, []),
        ("土曜日の午後0時44分です。", CLOCK, []),
        ("It is 12:44 on Saturday, December 5th.", CLOCK, []),
        ("12345番の荷物は金曜日に届きます。", ORDER, []),
        ("23 kg until 7 pm", "one bag of up to 23 kg; open until 19:00", []),
        # Kanji that are no numbers, and a number the user said.
        ("一緒にもう一度確認しましょう。", CLOCK, []),
        ("二十二度に設定しました。", "The thermostat is set to 22 degrees.", []),
        ("三人で予約しました。", "Booked a table for 3 at 7 pm.\n三人で七時に", []),
        ("四人で予約しました。", "Booked a table for 3 at 7 pm.\n三人で七時に", ["4"]),
        # Words more often than numbers, and numbers written otherwise (a review's cases).
        ("十分あります。一度、一つ、一番、一時的、一日中。", CLOCK, []),
        ("12,000円、1万2000円です。", "12000 yen", []),
        ("12時から22時まで、土曜日です。", "Open from noon to 10 pm, Sat, Dec 5.", []),
        ("三時十分です。", "3:10", []),
        ("You may call again, no one is there.", CLOCK, []),
    ],
)
def test_unfounded(reply: str, facts: str, made_up: list[str]) -> None:
    assert unfounded(reply, facts) == made_up


def test_what_a_reply_reading_out_results_may_say() -> None:
    from kaiwa.engine.chat import ChatMessage, ToolCall
    from kaiwa.engine.words import result_read_out

    call = ToolCall("get_order_status", '{"order_number": "55102"}', call_id="c1")
    messages = [
        ChatMessage("system", "You help."),
        ChatMessage("user", "注文番号は31415です。"),
        ChatMessage("assistant", "はい。"),
        ChatMessage("user", "それ、どこにある？"),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", "Shipped on Friday.", tool_call_id="c1"),
    ]
    facts = result_read_out(messages)
    assert facts is not None
    # The result, the call's values and the user's words since they last spoke; not before.
    assert "Shipped on Friday." in facts and "55102" in facts and "それ、どこにある？" in facts
    assert "31415" not in facts
    assert unfounded("55102番は金曜日に発送されました。", facts) == []
    # Not a reply to a result: nothing to check against.
    assert result_read_out(messages[:4]) is None


PARIS = ["What's the weather in Paris?"]
CLOCK_NOW = "Monday 07 December 2026, 13:25\nWhat time is it?"
CLOCK_NOW_JA = "Monday 07 December 2026, 13:25\n今何時？"
ROME = 'It is sunny in Rome, 22 degrees.\n{"city": "Rome"}\nAnd in Rome?'


@pytest.mark.parametrize(
    ("reply", "facts", "closed", "taken"),
    [
        # `kaiwa chat` (its one tool a clock): the weather refused, then the time asked; the
        # clock's result read out as the weather (25: the clock's 13:25).
        (
            "The weather in Paris is sunny with a temperature of 25 degrees Celsius.",
            CLOCK_NOW,
            PARIS,
            ["paris", "weath"],
        ),
        ("It's 13:25, and the weather in Paris is sunny.", CLOCK_NOW, PARIS, ["paris", "weath"]),
        ("It is 1:25 pm in Paris.", CLOCK_NOW, PARIS, ["paris"]),
        ("パリの天気は晴れです。", CLOCK_NOW_JA, ["パリの天気は？"], ["パリ", "天気"]),
        # "And in Rome?" after the weather in Paris (en-weather-17, dev): what the closed
        # request called the weather tool with is closed, not its topic.
        ("The weather in Paris is sunny.", ROME, ['{"city": "Paris"}'], ["paris"]),
        ("The weather in Rome is sunny, 22 degrees.", ROME, ['{"city": "Paris"}'], []),
        # The result read out, in words of its own or with the earlier words it holds too.
        ("It is 13:25 on Monday, December 7.", CLOCK_NOW, PARIS, []),
        ("Sure! Right now it's 1:25 pm.", CLOCK_NOW, PARIS, []),
        ("Today is Monday, 13:25.", CLOCK_NOW, ["How's the weather today?"], []),
        ("Paris is sunny today.", "It is sunny in Paris, 22 degrees.\nAnd now?", PARIS, []),
        ("今は13時25分です。", CLOCK_NOW_JA, ["パリの天気は？"], []),
        # Nothing done with to go back to.
        ("The weather in Paris is sunny.", CLOCK_NOW, [], []),
    ],
)
def test_carried(reply: str, facts: str, closed: list[str], taken: list[str]) -> None:
    assert carried(reply, facts, closed) == taken


def test_the_requests_done_with_are_those_a_reply_that_asks_nothing_answered() -> None:
    from kaiwa.engine.chat import ChatMessage, ToolCall
    from kaiwa.engine.words import closed_exchanges
    from tests.engine.conversations import weather_refused_then_time

    messages = weather_refused_then_time()
    assert closed_exchanges(messages) == ["What's the weather in Paris?"]
    # A question of the assistant's keeps the words it answered in the request at hand.
    messages[2] = ChatMessage("assistant", "Which city's time would you like?")
    assert closed_exchanges(messages) == []
    assert closed_exchanges(messages[:2]) == []
    # Of a request that called the tool called now, only the values it called it with.
    paris = ToolCall("get_weather", '{"city": "Paris"}', call_id="w1")
    rome = ToolCall("get_weather", '{"city": "Rome"}', call_id="w2")
    messages = [
        ChatMessage("system", "You help."),
        ChatMessage("user", "What's the weather in Paris?"),
        ChatMessage("assistant", "", tool_calls=(paris,)),
        ChatMessage("tool", "It is sunny in Paris, 22 degrees.", tool_call_id="w1"),
        ChatMessage("assistant", "It is sunny in Paris, 22 degrees."),
        ChatMessage("user", "And in Rome?"),
        ChatMessage("assistant", "", tool_calls=(rome,)),
        ChatMessage("tool", "It is sunny in Rome, 22 degrees.", tool_call_id="w2"),
    ]
    assert closed_exchanges(messages) == ['{"city": "Paris"}']
    # Of one that called another tool, nothing: "move it to Sunday" speaks of its booking.
    messages[-2] = ChatMessage("assistant", "", tool_calls=(ToolCall("get_time", "{}", "t"),))
    assert closed_exchanges(messages) == []
    # A Japanese question written with a full stop keeps the request open.
    asked = [
        ChatMessage("user", "予約したいです"),
        ChatMessage("assistant", "かしこまりました。何名様でしょうか。"),
        ChatMessage("user", "4人です。"),
    ]
    assert closed_exchanges(asked) == []


def test_days_are_named_whole_or_cut_short_not_inside_words() -> None:
    assert unfounded("Sunny and 25 degrees, a wedding on Sat.", "Sat 25") == []
    assert unfounded("It's Tues, not Thurs.", "Tuesday") == ["thursday"]


def test_what_tells_something_of_a_result() -> None:
    clock = "Monday 07 December 2026, 15:03"
    assert not tells("Sure, I can help with that.", clock)
    assert tells("It's 3:03 pm.", clock) and tells("Today is Monday.", clock)
    assert tells("パリは晴れです。", "パリは晴れ、22度") and not tells("はい、", "パリは晴れ")
