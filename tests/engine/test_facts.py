"""`unfounded`: the numbers and days a reply reading out a tool's result made up."""

from __future__ import annotations

import pytest

from kaiwa.engine.facts import unfounded

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
