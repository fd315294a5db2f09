"""`ToolCallPolicy` on calls that follow a tool's result (no model needed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.text import is_japanese
from kaiwa.engine.tool_policy import (
    Asked,
    ToolCallPolicy,
    VerdictKind,
    asks_the_time,
    clock_asked,
)


def tool(name: str, **properties: str) -> ToolSpec:
    schema = {"type": "object", "properties": {k: {"type": t} for k, t in properties.items()}}
    return ToolSpec(
        name, name.replace("_", " ").capitalize() + ".", {**schema, "required": list(properties)}
    )


STATUS = tool("get_order_status", order_number="string")
REFUND = tool("request_refund", order_number="string", reason="string")
LIGHTS = tool("set_lights", room="string", on="boolean")
TIMER = tool("set_timer", minutes="integer")
WEATHER = tool("get_weather", city="string")


def after_result(
    said: str, first: ToolCall, result: str, then: ToolCall, *tools: ToolSpec
) -> VerdictKind:
    """The verdict on ``then``, written right after ``first`` was made and answered."""
    first = ToolCall(first.name, first.arguments, call_id="c1")
    messages = [
        ChatMessage("system", "You help."),
        ChatMessage("user", said),
        ChatMessage("assistant", "", tool_calls=(first,)),
        ChatMessage("tool", result, tool_call_id="c1"),
    ]
    asked = Asked(messages=messages, mode="auto", shown=tools, callable=tools)
    return ToolCallPolicy().judge([then], asked).kind


def call(name: str, **arguments: object) -> ToolCall:
    return ToolCall(name, json.dumps(arguments, ensure_ascii=False))


@pytest.mark.parametrize("said", ["Where's order 55102?", "注文55102はどこですか？"])
def test_a_tool_nobody_asked_for_is_not_called_after_another_ones_result(said: str) -> None:
    # Seen with the 0.5B model: the order's status, then a refund for it.
    kind = after_result(
        said,
        call("get_order_status", order_number="55102"),
        "Order 55102 was shipped yesterday and arrives on Friday.",
        call("request_refund", order_number="55102", reason="The customer wants a refund."),
        STATUS,
        REFUND,
    )
    assert kind is VerdictKind.WORDS


def test_a_second_tool_the_request_names_is_called() -> None:
    kind = after_result(
        "Turn on the kitchen lights and set a timer for 10 minutes.",
        call("set_lights", room="kitchen", on=True),
        "The kitchen lights are on.",
        call("set_timer", minutes=10),
        LIGHTS,
        TIMER,
    )
    assert kind is VerdictKind.CALL


def test_the_same_tool_may_be_called_again_for_another_value() -> None:
    kind = after_result(
        "What's the weather in Paris and in London?",
        call("get_weather", city="Paris"),
        "It is sunny in Paris, 22 degrees.",
        call("get_weather", city="London"),
        WEATHER,
    )
    assert kind is VerdictKind.CALL


FAQ = tool("faq_lookup_tool", question="string")


@pytest.mark.parametrize(
    ("said", "result"),
    [
        (
            "機内でWi-Fiは使えますか？",
            "機内では無料のWi-Fiをご利用いただけます。Airline-Wifiに接続してください。",
        ),
        ("Is there wifi on the plane?", "We have free wifi on the plane: join Airline-Wifi."),
    ],
)
def test_a_result_is_not_looked_up_again(said: str, result: str) -> None:
    # Seen with the demo's FAQ agent: the answer, then faq_lookup_tool(question=the answer).
    kind = after_result(
        said,
        call("faq_lookup_tool", question=said),
        result,
        call("faq_lookup_tool", question=result),
        FAQ,
    )
    assert kind is VerdictKind.WORDS
    # a second question of the user's, not the result, is looked up
    two = "Is there wifi on the plane, and how many bags can I bring?"
    kind = after_result(
        two,
        call("faq_lookup_tool", question="Is there wifi on the plane?"),
        "We have free wifi on the plane: join Airline-Wifi.",
        call("faq_lookup_tool", question="How many bags can I bring?"),
        FAQ,
    )
    assert kind is VerdictKind.CALL


def test_without_a_result_before_it_a_call_is_judged_as_ever() -> None:
    messages = [ChatMessage("user", "I want a refund for order 55102, it arrived broken.")]
    asked = Asked(messages=messages, mode="auto", shown=(REFUND,), callable=(REFUND,))
    refund = call("request_refund", order_number="55102", reason="arrived broken")
    assert ToolCallPolicy().judge([refund], asked).kind is VerdictKind.CALL


CLOCK = ToolSpec(
    "get_current_time",
    "Get the current local date and time.",
    {"type": "object", "properties": {}},
)
COUNTER = ToolSpec("count_orders", "How many orders the user has.", {"type": "object"})


def clock_verdict(said: str, tool: ToolSpec = CLOCK) -> VerdictKind:
    policy = ToolCallPolicy(clocks_asked=True)
    asked = policy.ask([ChatMessage("user", said)], [tool], "auto")
    return policy.judge([ToolCall(tool.name, "{}")], asked).kind


@pytest.mark.parametrize(
    "said",
    # dev half: the fourth writer's (no call wanted) ...
    [
        "一週間って全部で何時間になりますか？",
        "うるう年の二月って何日まであるんだっけ？",
        "タクシー呼んでくれへん？",
    ],
)
def test_a_clock_is_not_called_for_a_japanese_request_about_no_time(said: str) -> None:
    assert clock_verdict(said) is VerdictKind.WORDS_TOLD


@pytest.mark.parametrize(
    "said",
    # ... and the requests that want the clock (dev half, ja-assistant)
    [
        "今何時？",
        "えっと、今日って何曜日だっけ？",
        "もう夜中の十二時過ぎてる？",
        "今って何月でしたっけ。",
        # (a review's: time and date questions with no word of now)
        "何曜日？",
        "時間を教えて",
        "明日って何曜日？",
        "クリスマスまであと何日？",
        "日付を教えて",
        "えーとじかんおしえて",  # in kana (sixth writer, dev)
    ],
)
def test_a_clock_is_called_for_a_japanese_request_about_a_time_or_a_date(said: str) -> None:
    assert clock_verdict(said) is VerdictKind.CALL


def test_the_clock_rule_is_for_clocks_in_japanese_only() -> None:
    assert clock_verdict("How many hours are in a week?") is VerdictKind.CALL  # (no hint: rare)
    assert clock_verdict("注文はいくつある？", COUNTER) is VerdictKind.CALL  # not a clock


def test_only_the_clock_is_left_out_and_only_where_the_rule_is_asked_for() -> None:
    policy = ToolCallPolicy(clocks_asked=True)
    said = "タクシー呼んでくれへん？東京の天気は？"
    asked = policy.ask([ChatMessage("user", said)], [CLOCK, WEATHER], "auto")
    clock, city = ToolCall("get_current_time", "{}"), call("get_weather", city="東京")
    verdict = policy.judge([clock, city], asked)
    assert verdict.kind is VerdictKind.CALL and [c.name for c in verdict.calls] == ["get_weather"]
    # A handoff takes no values either, and a schedule may be its business.
    handoff = ToolSpec("transfer_to_scheduling_agent", "Handles the date of a booking.", {})
    asked = policy.ask([ChatMessage("user", "予約を変更したい")], [handoff], "auto")
    verdict = policy.judge([ToolCall(handoff.name, "{}")], asked)
    assert verdict.kind is VerdictKind.CALL
    # Other backends (no call hint) keep the call.
    plain = ToolCallPolicy()
    asked = plain.ask([ChatMessage("user", "一週間って全部で何時間？")], [CLOCK], "auto")
    assert plain.judge([ToolCall("get_current_time", "{}")], asked).kind is VerdictKind.CALL
    asked = plain.ask([ChatMessage("user", "タクシー呼んでくれへん？")], [CLOCK], "auto")
    assert plain.judge([ToolCall("get_current_time", "{}")], asked).kind is VerdictKind.CALL


@pytest.mark.parametrize(
    "said",
    # dev half, en-assistant: Qwen2.5-Coder 1.5B answered these in words, with a made-up time
    [
        "What time is it?",
        "What's today's date?",
        "um what's the time right now",
        "what day is it today",
        "Tell me the current time.",
        "今何時？",
        "今日の日付を教えて",
        # (a review's)
        "Could you tell me the time?",
        "What’s the time?",
        "今、何時？",
        "今日は何月何日？",
        # (dev half, fifth writer: answered "現在は午前4時です", made up)
        "ところで、いま何時くらい？",
        "今何時ごろかな",
        # (dev half, sixth writer: in kana, as a recogniser writes it)
        "えーとじかんおしえて",
        "ちょっと、時間教えてくれる？",
    ],
)
def test_the_time_now_asked_for_names_the_clock(said: str) -> None:
    policy = ToolCallPolicy(clocks_asked=True)
    asked = policy.ask([ChatMessage("user", said)], [WEATHER, CLOCK], "auto")
    assert clock_asked(asked) == CLOCK


@pytest.mark.parametrize(
    "said",
    [
        "What time do you open?",  # a question for another tool
        "What time is it in London?",  # not the local clock's
        "What's the date of the concert?",
        "What's the time difference with Paris?",
        "Is it still morning?",  # a time asked about, not for: the model may still call
        "一週間って全部で何時間？",
        "今何時間待ち？",
        # (a review's)
        "what time is it now in Tokyo",
        "what's the local time in Tokyo",
        "I need the current time of my flight",
        "I don't have time now",
        "what's the time limit",
        "what's the date and time of my appointment",
        "what day is it best to fly",
        "today's date is wrong on my receipt",
        "今日は何日に届きますか",
        "今何時に出発すればいい",
        "今何時まで営業してますか",
        "今何日目",
        "現在時間がかかっています",
        "今の時間帯は混んでいますか",
        # (a second review's)
        "I don't have the time right now",
        "I know the time.",
        "What time is it, in Tokyo?",
        "今日の日付を変更したい",
        "今何日かかりますか",
        "今何時くらいに出ればいい？",
        "今何時ごろに着きますか",
        "営業時間を教えて",  # the opening hours
        "待ち時間を教えてください",
        "到着時間を教えて",
        # (a review's) the time of something named before, or a condition
        "ホテルのチェックイン、時間を教えて",
        "明日の会議、時間を教えて",
        "あの時間を教えてください",
        "時間を教えてくれたら予約する",
        "ちょっと時間ある？",
    ],
)
def test_other_questions_about_times_name_no_clock(said: str) -> None:
    assert not asks_the_time(said)


def test_a_clock_is_named_only_where_it_may_be_called_now() -> None:
    policy = ToolCallPolicy(clocks_asked=True)
    said = [ChatMessage("user", "What time is it?")]
    assert clock_asked(policy.ask(said, [WEATHER], "auto")) is None  # no clock
    assert clock_asked(policy.ask(said, [CLOCK], "none")) is None
    assert clock_asked(policy.ask(said, [COUNTER], "auto")) is None  # takes no values: no clock
    for name in ("book_now", "get_delivery_date", "get_time_zone"):  # no clocks (a review's)
        not_clock = ToolSpec(name, "Book it now; it takes some time.", {"type": "object"})
        assert clock_asked(policy.ask(said, [not_clock], "auto")) is None
    for description in (
        "Returns the date of the next public holiday.",
        "Gets the time remaining on your parking.",
    ):
        not_clock = ToolSpec("next_one", description, {"type": "object"})
        assert clock_asked(policy.ask(said, [not_clock], "auto")) is None
    described = ToolSpec("now_please", "Returns the current time.", {"type": "object"})
    assert clock_asked(policy.ask(said, [described], "auto")) == described
    zoned = ToolSpec(  # named a clock, but it takes a value: not called with none
        "get_current_time",
        "Get the current time in a time zone.",
        {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]},
    )
    assert clock_asked(policy.ask(said, [zoned], "auto")) is None
    called = ToolCall("get_current_time", "{}")
    answered_ = [
        *said,
        ChatMessage("assistant", "", tool_calls=(called,)),
        ChatMessage("tool", "Saturday 05 December 2026, 12:44", tool_call_id=called.call_id),
    ]
    assert clock_asked(policy.ask(answered_, [CLOCK], "auto")) is None  # read out, not again


SEAT = ToolSpec(
    "update_seat",
    "Change the seat of a booking.",
    {
        "type": "object",
        "properties": {
            "confirmation_number": {"type": "string", "description": "the confirmation number."},
            "new_seat": {"type": "string", "description": "the new seat, such as 12A."},
        },
        "required": ["confirmation_number", "new_seat"],
    },
)


@pytest.mark.parametrize(
    ("heard", "written", "expected"),
    # dev half of bench/quality, spoken (en-airline_seat-13): as the recogniser and the model
    # wrote it
    [
        ("27D please confirmation DFG 441", "DFG 441", "DFG441"),
        ("27D Please Confirmation BFG-441", "BFG-441", "BFG-441"),
    ],
)
def test_codes_heard_in_each_other_s_place_reach_the_tool_right(
    heard: str, written: str, expected: str
) -> None:
    policy = ToolCallPolicy()
    asked = policy.ask([ChatMessage("user", heard)], [SEAT], "auto")
    swapped = call("update_seat", confirmation_number="27D", new_seat=written)
    verdict = policy.judge([swapped], asked)
    assert verdict.kind is VerdictKind.CALL
    assert [json.loads(c.arguments) for c in verdict.calls] == [
        {"confirmation_number": expected, "new_seat": "27D"}
    ]


def test_a_tool_that_takes_no_values_is_called_without_the_ones_the_model_made_up() -> None:
    # The 0.5B model's handoff to "I'd like to change my seat, please." (written again under
    # the grammar before: ~0.5 s for the same call)
    handoff = ToolSpec(
        "transfer_to_seat_booking_agent",
        "Handoff to the Seat Booking Agent agent to handle the request.",
        {"type": "object", "properties": {}, "additionalProperties": False},
    )
    policy = ToolCallPolicy()
    asked = policy.ask(
        [ChatMessage("user", "I'd like to change my seat, please.")], [WEATHER, handoff], "auto"
    )
    made_up = call(handoff.name, city="New York", seat_number="A101")
    verdict = policy.judge([made_up], asked)
    assert verdict.kind is VerdictKind.CALL
    assert [(c.name, json.loads(c.arguments)) for c in verdict.calls] == [(handoff.name, {})]
    # a tool that takes values is written again as before
    assert policy.judge([call("get_weather", town="Paris")], asked).kind is VerdictKind.REWRITE
    # ...and the same, written as text (the free decode: "窓側の席に替えてもらえますか？")
    written = '{"name": "transfer_to_seat_booking_agent", "arguments": {"city": "東京"}}'
    verdict = policy.judge_written(written, asked)
    assert verdict.kind is VerdictKind.CALL
    assert [(c.name, json.loads(c.arguments)) for c in verdict.calls] == [(handoff.name, {})]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object"},  # free-form (an MCP tool's)
        {"type": "object", "properties": {}},  # other values not refused
        {"anyOf": [{"type": "object"}], "$defs": {}},  # a handoff's input_type (a review's)
    ],
)
def test_a_tool_whose_schema_may_take_values_keeps_them(schema: dict[str, Any]) -> None:
    free = ToolSpec("note", "Keep a note.", schema)
    policy = ToolCallPolicy(ground_calls=False)
    asked = policy.ask([ChatMessage("user", "Note: buy milk")], [free], "auto")
    verdict = policy.judge([call("note", text="buy milk")], asked)
    assert [json.loads(c.arguments) for c in verdict.calls] == [{"text": "buy milk"}]


def test_a_handoff_among_other_calls_is_written_again() -> None:
    # dev half, en-airline_triage-19: three calls written at once, two of them handoffs
    faq = ToolSpec("transfer_to_faq_agent", "", {"type": "object", "properties": {}})
    seat = ToolSpec("transfer_to_seat_booking_agent", "", {"type": "object", "properties": {}})
    policy = ToolCallPolicy()
    asked = policy.ask([ChatMessage("user", "I'd rather have an aisle seat")], [faq, seat], "auto")
    both = [call(faq.name), call(seat.name)]
    assert policy.judge(both, asked).kind is VerdictKind.REWRITE
    assert policy.judge([call(seat.name)], asked).kind is VerdictKind.CALL


_CLOCK = ToolSpec(
    "get_current_time", "Get the current local date and time.", {"type": "object", "properties": {}}
)


def _clock_judged(said: str, *tools: ToolSpec) -> Any:
    policy = ToolCallPolicy(clocks_asked=True)
    offered = [_CLOCK, *tools]
    asked = policy.ask([ChatMessage("user", said)], offered, "auto")
    return policy.judge([ToolCall(name=_CLOCK.name, arguments="{}")], asked)


@pytest.mark.parametrize(
    "said",
    ["What's the weather in Paris?", "Is it going to rain tomorrow?", "明日の東京の天気は？"],
)
def test_a_clock_called_for_the_weather_gets_kaiwas_own_words(said: str) -> None:
    # kaiwa chat's assistant (its one tool a clock) called it and made the weather up
    verdict = _clock_judged(said)
    assert verdict.kind is VerdictKind.WORDS_TOLD
    assert verdict.reply.startswith(("Sorry, I can't help", "申し訳"))
    assert "date and time" in verdict.reply or is_japanese(said)
    weather = ToolSpec("get_weather", "Get the weather in a city.", {"type": "object"})
    with_weather = _clock_judged(said, weather)  # a tool here knows it: the model's turn
    assert with_weather.kind is VerdictKind.WORDS_TOLD and not with_weather.reply


@pytest.mark.parametrize(
    "said",
    [
        "What time is it?",
        "what day is it",
        "how long until Christmas",
        "what time is it in Tokyo, and is it raining there?",
        "今何時？",
        "今日は何曜日？",
    ],
)
def test_a_clock_called_for_the_time_stands(said: str) -> None:
    assert _clock_judged(said).kind is VerdictKind.CALL


def test_an_english_request_with_no_word_of_time_calls_no_clock() -> None:
    assert _clock_judged("tell me a joke about penguins").kind is VerdictKind.WORDS_TOLD
