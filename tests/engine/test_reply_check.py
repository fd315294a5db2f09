"""`ReplyCheck`: which replies in words may be spoken, and when their text goes out.

The unfit replies are the 0.5B model's own, from the quality bench's dev half (2026-12-05).
"""

from __future__ import annotations

import pytest

from kaiwa.engine.prompt import HINTS
from kaiwa.engine.reply_check import Fault, ReplyCheck, echoes

SEAT_TOOLS = ["update_seat", "transfer_to_triage_agent"]


def run(request: str, reply: str, tools: list[str] = SEAT_TOOLS, step: int = 2) -> ReplyCheck:
    """``reply`` fed to a check in pieces of ``step`` characters; what went out is ``said``."""
    check = ReplyCheck(request, tools, HINTS)
    out = "".join(check.push(reply[i : i + step]) for i in range(0, len(reply), step))
    out += check.finish()
    assert out == check.said
    return check


@pytest.mark.parametrize(
    ("request_", "reply", "fault"),
    [
        ("I have a question.", "I have a question.", Fault.ECHO),
        ("天気を教えてもらえますか？", "日本語で天気を教えてもらえますか？", Fault.ECHO),
        ("何ができるの？", "何ができるの？", Fault.ECHO),
        ("今何時？", "今何時？", Fault.ECHO),  # a short question, back
        ("天気を教えてもらえますか？", "true", Fault.CALL),  # a JSON value alone
        (
            "返金してほしいんですけど。",
            "返金してほしいんですけど。（ツールを使わずに日本語で答えてください。"
            "足りない情報があれば聞いてください。）",
            Fault.LEAK,  # (said back, then more: the hint)
        ),
        ("Hang on, what exactly is this line for?", "Call a tool if one fits.", Fault.LEAK),
        (
            "あさって那覇に着くんだけど、半袖で平気かな？",
            '以下に日本語で回答します：\n\n"あさって那覇に着くんだけど、半袖で平気かな？"',
            Fault.LEAK,
        ),
        (
            "twenty seven d please confirmation d f g four four one",
            'name: update_seat\narguments: confirmation_number="twenty-seven-d"',
            Fault.CALL,
        ),
        (
            "Great, then book a table for three at 7 that day.",
            '>{"name": "book_table", "arguments": ["party_size": 3]}',
            Fault.CALL,
        ),
        ("Set a timer.", "set_timer(minutes=30)", Fault.CALL),
        ("ありがとう、助かったよ", "ありがとう、助かったよ。", Fault.ECHO),
        (  # ja-airline_faq-w4-03 (dev): the start of thanks said back
            "ご丁寧に教えていただき、誠にありがとうございました。",
            "ご丁寧に教えていただき、誠に。",
            Fault.ECHO,
        ),
        (
            "返金してほしいんですけど。",
            "ツールを使わずに日本語で返金してほしいんですけど。",
            Fault.LEAK,
        ),
        (
            "Table for two at 8 tonight.",
            'Get_opening_hours\nname: "Monday"\narguments: "tomorrow"',
            Fault.CALL,
        ),
        ("Why?", "Answer in words, without a tool.", Fault.LEAK),
        # no Japanese to a Japanese request: seen in `kaiwa web`'s test, 1 run in 5
        ("手荷物はいくつまで持ち込めますか？", "Hand over to", Fault.LANGUAGE),
        ("手荷物はいくつまで持ち込めますか？", "12", Fault.LANGUAGE),
        ("手荷物はいくつまで持ち込めますか？", "Sure, I can help you with that.", Fault.LANGUAGE),
        # the whole reply a start of a hint: seen in `kaiwa chat` after the clock's result
        ("今何時？", "Now answer the user's question in words.", Fault.LEAK),
        ("Book me a table.", "Sure! name: book_table, arguments: party_size=1", Fault.CALL),
        ("Can you book for me?", "   ", Fault.EMPTY),
        ("もしもし、こんにちは", '["get_order_status", "order_number: \'12345\'"]', Fault.CALL),
        (
            "What can you do?",
            'You can call the "update_seat" tool by sending a request.',
            Fault.NAMED,
        ),
        # "To call a tool," went out alone (a test, 2026-12-06): the call hint's words; and
        # talk of a tool is held to its sentence's end, where the tool may be named
        ("Hang on, what exactly is this line for?", "To call a tool, say so.", Fault.LEAK),
        ("What can you do?", "To call the tool, send update_seat your seat.", Fault.NAMED),
        # the call hint reworded (dev half: "ご助かり、よろしくお願いします。(Tool Call if one
        # fits.)")
        ("ありがとう、助かったよ", "(Tool Call if one fits.)", Fault.LEAK),
        # a call announced (dev half, sampled words)
        (
            "ok its 40613",
            "Here's a json object with the function name and arguments:",
            Fault.LEAK,
        ),
    ],
)
def test_unfit_replies_are_stopped_before_a_word_goes_out(
    request_: str, reply: str, fault: Fault
) -> None:
    check = run(request_, reply)
    assert check.fault is fault
    assert check.said == "" and not check.started


def test_a_call_announced_after_a_sentence_is_cut_there() -> None:
    # dev half, sampled words: the JSON announced after a first sentence
    reply = "Certainly! You can set an alarm using the following JSON object:"
    check = run("wake me at seven", reply)
    assert check.fault is Fault.LEAK
    assert "JSON" not in check.said


@pytest.mark.parametrize(
    ("request_", "reply"),
    [
        ("hello", "Hello! How can I help you today?"),
        ("こんにちは", "こんにちは！何かお手伝いできることはありますか？"),
        ("Is there wifi on the plane?", "Yes, most of our planes have wifi on board."),
        ("Can I change my seat?", "Sure, what's your confirmation number and the seat you want?"),
        ("明日の天気は？", "どちらの都市の天気をお調べしましょうか？"),
        ("What's five times six?", "Five times six is thirty."),
        ("Largest ocean?", "The largest ocean is the Pacific Ocean."),
        ("Largest ocean?", "Largest ocean is the Pacific Ocean."),
        (
            "What is the capital of France?",
            "What is the capital of France? That would be Paris, on the Seine.",
        ),
        ("Yes, please book it for seven pm", "Yes."),
        ("Tell me a joke.", "Here's one: why did the chicken cross the road?"),
        ("明日は何を持っていけばいい？", "以下の3つがおすすめです：傘、帽子、水。"),
        ("Book it under my name", "Your booking is confirmed. Name: Alice, party of two."),
        ("Where's my parcel?", "Sorry to hear that. If something is missing, tell me the number."),
        ("Nice to meet you", "It's nice to meet you too!"),
        ("ありがとうございました", "こちらこそありがとうございました。"),
        ("What does hello mean?", 'The word "hello": a greeting, said when people meet.'),
        ("Why is it late?", "There are two main arguments: cost and time."),
        ("Can you call me back?", "Sure, I will call you back later, after lunch."),
    ],
)
def test_fit_replies_go_out_whole(request_: str, reply: str) -> None:
    check = run(request_, reply)
    assert check.fault is None and check.said == reply


def test_the_start_goes_out_after_a_few_words_then_clause_by_clause() -> None:
    check = ReplyCheck("Is there wifi on the plane?", SEAT_TOOLS, HINTS)
    assert check.push("Yes") == "" and check.push(" there") == ""
    assert check.push(" is wifi") == "Yes there is wifi"  # four words: the start is fine
    assert check.push(" on most") == ""  # held to its clause's end
    assert check.push(" planes, and") == " on most planes, "
    assert check.finish() == "and"


def test_a_call_that_is_no_tool_goes_out_at_its_first_clause() -> None:
    # a review's: "call" is a phone agent's word; only talk of a tool waits for the sentence
    check = ReplyCheck("Can you get me a taxi?", SEAT_TOOLS, HINTS)
    assert check.push("I'll call a taxi for you, it").startswith("I'll call a taxi for you,")
    check = ReplyCheck("What can you do?", SEAT_TOOLS, HINTS)
    assert check.push("To call the tool, send it") == ""  # held: the tool may be named next
    assert check.push(" update_seat.") == "" and check.fault is Fault.NAMED


def test_a_tool_named_later_cuts_the_reply_short_there() -> None:
    check = run("Can you help me?", "Sure, I can help. Just use the update_seat function.")
    assert check.fault is Fault.NAMED
    assert check.said == "Sure, I can help. " and check.started


def test_a_short_request_said_back_is_an_answer_and_a_long_one_is_not() -> None:
    assert not echoes("Hello!", "hello")
    assert not echoes("Largest ocean is the Pacific Ocean.", "Largest ocean?")
    assert echoes(
        "週末ソウルに行くんですけど、傘っていりますかね。",
        "週末ソウルに行くんですけど、傘っていりますかね",
    )
    assert run("Hello.", "Hello.").fault is None
    assert run("Is that true?", "True.").fault is None
    assert run("Ready?", "Ready!").fault is None
    assert run("今何時？", "今は三時です。").fault is None


def test_a_tool_named_across_the_start_and_the_next_clause_is_found() -> None:
    check = ReplyCheck("何を手伝ってくれるの？", ["get_weather"], HINTS)
    assert check.push("あなたは「g") == "あなたは「g"  # six characters: the start goes out
    assert check.push("et_weather」関数を使えます。") == ""
    assert check.fault is Fault.NAMED


def test_the_users_earlier_words_said_back_are_an_echo_too() -> None:
    check = ReplyCheck(
        "重さは何キロまでですか？", [], HINTS, earlier=["手荷物について聞きたいんですけど。"]
    )
    for piece in (
        "(手荷物",
        "について",
        "聞きたいん",
        "ですけど。",
        "(Call a tool",
        " if one fits.)",
    ):
        assert check.push(piece) == ""
    assert check.fault in (Fault.ECHO, Fault.LEAK) and not check.started


def test_json_in_a_reply_is_a_call_spelled_out() -> None:
    check = run("Weight limit?", '(Tools)\n["type": "function", "function": {"name": "x"}]')
    assert check.fault is Fault.CALL and not check.started


def test_a_hint_to_ask_for_a_value_read_out_is_a_leak() -> None:
    from kaiwa.engine.tool_policy import ASK_FOR, NO_TOOL_HINT_JA, no_tool_hint

    hint = no_tool_hint("Where's my order?", ["order_number"])
    assert hint == ASK_FOR.format("order number")
    check = ReplyCheck("Where's my order?", ["get_order_status"], (*HINTS, hint))
    check.push("Ask for the order number.")
    assert check.finish() == "" and check.fault is Fault.LEAK
    fine = ReplyCheck("Where's my order?", ["get_order_status"], (*HINTS, hint))
    said = fine.push("Sure, what's your order number?") + fine.finish()
    assert said == "Sure, what's your order number?" and fine.fault is None
    # In Japanese, no values are named (they would be English words in a Japanese hint).
    assert no_tool_hint("予約したいんですけど。", ["party_size", "time"]) == NO_TOOL_HINT_JA


def test_a_japanese_answer_may_hold_english_and_a_tools_result_may_be_read_out() -> None:
    assert run("Wi-Fiはありますか？", "はい、Wi-Fiは無料です。").fault is None
    assert run("今何時？", "OK、12時44分です。").fault is None
    # Read out as it came (in English), a tool's result still tells the user something;
    # asked to say it again, they would repeat what was just done.
    check = ReplyCheck("暖房二十二度で", ["set_thermostat"], HINTS, language=False)
    said = check.push("The thermostat is set to 22 degrees.") + check.finish()
    assert said == "The thermostat is set to 22 degrees." and check.fault is None


CLOCK = "Saturday 05 December 2026, 12:44"


def read_out(reply: str, facts: str, step: int = 2) -> tuple[ReplyCheck, list[str]]:
    """``reply`` fed to a check that knows ``facts``; the pieces that went out, in order."""
    check = ReplyCheck("今何時？", ["get_current_time"], HINTS, language=False, facts=facts)
    out = [check.push(reply[i : i + step]) for i in range(0, len(reply), step)]
    out.append(check.finish())
    return check, [o for o in out if o]


def test_a_result_read_out_with_a_number_it_does_not_hold_is_unfounded() -> None:
    # The 0.5B model's own replies (dev half, the clock's result, in Japanese).
    check, out = read_out("現在は2026年12月5日、午後4時です。", CLOCK)
    assert check.fault is Fault.UNFOUNDED and out == []  # nothing of the sentence went out
    check, out = read_out("現在は2026年12月5日に日曜日です。", CLOCK)
    assert check.fault is Fault.UNFOUNDED and out == []
    check, out = read_out("今は十二時四十四分です。", CLOCK)
    assert check.fault is None and "".join(out) == "今は十二時四十四分です。"


def test_a_result_read_out_goes_out_a_sentence_at_a_time() -> None:
    check, out = read_out("土曜日の12時44分です。もう一度お調べしましょうか？", CLOCK)
    assert check.fault is None
    assert out == ["土曜日の12時44分です。", "もう一度お調べしましょうか？"]
    # A made-up number in the second sentence cuts the reply there.
    check, out = read_out("土曜日の12時44分です。明日は3時に閉まります。", CLOCK)
    assert check.fault is Fault.UNFOUNDED and out == ["土曜日の12時44分です。"]
    assert check.started


def test_a_decimal_point_is_no_sentence_end() -> None:
    check, out = read_out("気温は12.7度です。", "It is 12.5 degrees.")
    assert check.fault is Fault.UNFOUNDED and out == []


def test_a_result_read_out_with_no_sentence_end_goes_out_by_clauses_after_a_while() -> None:
    # Held whole, the first audio would wait for the model's last token.
    reply = "土曜日の12時44分で、" + "、".join(["晴れています"] * 12)
    check, out = read_out(reply, CLOCK)
    assert check.fault is None and "".join(out) == reply and len(out) > 1
    assert out[0].startswith("土曜日の12時44分で、") and len(out[0]) < len(reply)


def test_a_long_reading_is_not_cut_inside_a_number() -> None:
    # (a review's case: a clause of 68 characters, then the number)
    reply = "お客様のご注文の合計金額につきましては" * 3 + "12,000円、気温は12.5度となっております"
    check, out = read_out(reply, "Total: 12,000 yen. It is 12.5 degrees.")
    assert check.fault is None and "".join(out) == reply
    assert not any(o.endswith(("12,", "12.")) for o in out)


def test_a_result_read_out_as_an_earlier_requests_answer_is_unfounded() -> None:
    # `kaiwa chat`: the weather refused, then "What time is it?"; the clock's result read
    # out as the weather in Paris (its 25 the clock's 13:25: no number made up).
    facts = "Monday 07 December 2026, 13:25\nWhat time is it?"
    closed = ["What's the weather in Paris?"]
    reply = "The weather in Paris is sunny with a temperature of 25 degrees Celsius."
    check = ReplyCheck("What time is it?", ["get_current_time"], HINTS, facts=facts, closed=closed)
    out = [check.push(reply[i : i + 3]) for i in range(0, len(reply), 3)] + [check.finish()]
    assert check.fault is Fault.UNFOUNDED and not any(out)
    # The time read out goes out; so does the weather when no request of it was done with.
    for fit, done in (("It is 1:25 pm on Monday.", closed), (reply, [])):
        check = ReplyCheck("What time is it?", [], HINTS, facts=facts, closed=done)
        said = check.push(fit) + check.finish()
        assert check.fault is None and said == fit


def test_a_reading_in_english_goes_out_a_clause_at_a_time() -> None:
    # Its numbers are not checked (the model copies them, mostly; checked, right ones were
    # refused: "7:00 PM" for "7 pm", "It is currently 2" a digit at a time).
    facts = "Booked a table for 2 at 7 pm.\nTwo at seven please"
    reply = "Your table for 2 is booked for 7:00 PM, see you then."
    check = ReplyCheck("Two at seven please", [], HINTS, facts=facts, by_sentence=False)
    out = [check.push(reply[i : i + 3]) for i in range(0, len(reply), 3)] + [check.finish()]
    assert check.fault is None and "".join(out) == reply
    # Going back to a request done with: a clause at a time, not inside 12,000.
    check = ReplyCheck(
        "How much?", [], HINTS, facts="Total: 12,000 yen.", closed=["Hi"], by_sentence=False
    )
    reply = "The total is 12,000 yen, thank you."
    out = [check.push(reply[i : i + 2]) for i in range(0, len(reply), 2)] + [check.finish()]
    assert check.fault is None
    assert [o for o in out if o] == ["The total is 12,000 yen,", " thank you."]
    # When it may go back to a request done with, its start waits for its first clause's
    # end: going back in its first clause, nothing goes out.
    check = ReplyCheck(
        "What time is it?",
        [],
        HINTS,
        facts="Monday 07 December 2026, 13:25\nWhat time is it?",
        closed=["What's the weather in Paris?"],
        by_sentence=False,
    )
    reply = "The weather in Paris is sunny, 25 degrees."
    out = [check.push(reply[i : i + 3]) for i in range(0, len(reply), 3)] + [check.finish()]
    assert not any(out) and check.fault is Fault.UNFOUNDED  # (not "The weather in")
