"""Reading the model's tool calls and checking them against the tools and the conversation
(no model needed): `call_text`, `identifiers`, `tool_calls`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kaiwa.engine.call_text import (
    GRAMMAR_MAX_STRING,
    MAX_CALLS,
    copied_tool,
    first_name,
    grammar_schema,
    names_no_tool,
    parse_calls,
    tagged,
    unoffered_name,
    written_calls,
)
from kaiwa.engine.chat import SILENT_TURN, ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.identifiers import said_identifiers, spoken_identifier, whole_identifier
from kaiwa.engine.tool_calls import (
    answered,
    as_identifiers,
    asks_for_tool,
    enough_calls,
    looks_up,
    made_up_values,
    relabelled,
)

SYSTEM = ChatMessage("system", "You are a helpful voice assistant.")
WEATHER = ToolSpec("get_weather", "Weather.", {"type": "object", "required": ["city"]})
TIMER = ToolSpec("set_timer", "A timer.", {"type": "object", "required": ["minutes"]})


def made_up_call(
    said: str | list[ChatMessage], optional: tuple[str, ...] = (), **args: Any
) -> bool:
    """`made_up` for a call with ``args``, all of them required but ``optional``; an argument
    given as ``("enum", value)`` has an enum schema."""
    messages = [SYSTEM, ChatMessage("user", said)] if isinstance(said, str) else said
    properties = {
        key: {"type": "string", "enum": [v[1]]} if isinstance(v, tuple) else {"type": "string"}
        for key, v in args.items()
    }
    values = {key: v[1] if isinstance(v, tuple) else v for key, v in args.items()}
    required = [key for key in args if key not in optional]
    tool = ToolSpec("tool", "A tool.", {"properties": properties, "required": required})
    return bool(made_up_values(ToolCall("tool", json.dumps(values)), tool, messages))


@pytest.mark.parametrize(
    ("said", "arguments"),
    [
        ("What's the weather in Paris?", {"city": "Paris"}),
        ("remind me to buy milk", {"text": "Buy milk."}),  # reworded, but shares words
        ("Set a timer for ten minutes.", {"minutes": "10"}),  # a number said in words
        ("Wake me up at seven am.", {"time": "7am"}),  # a time said in words
        ("Table for two at 8 tonight.", {"party": "2", "time": "8:00 AM"}),  # "AM": no name
        ("Turn on the lights in the lounge.", {"room": ("enum", "living_room")}),
        ("Weather in Springfield?", {"city": "Springfield", "state": "IL"}),  # one is enough
        ("Weather in Zurich?", {"city": "Zürich"}),  # accents do not count
        ("東京の天気は？", {"city": "Tokyo"}),  # Japanese: by the name's sound
        ("東京の天気は？", {"city": "東京"}),
        ("じゃあ神戸は？", {"city": "Kobe"}),
        ("シアトルの天気を教えて", {"city": "Seattle"}),
        ("子供部屋の電気を消して", {"room": "子供部屋"}),
        ("寝室の電気を消して", {"room": "bedroom"}),  # a translated word: by JMdict's glosses
        ("台所の電気つけて", {"room": "kitchen"}),
        ("リビングの電気を消して", {"room": "living room"}),
        ("土曜の7時に2人で", {"time": "Saturday 7pm"}),
        ("東京の天気は？", {"city": "東京都"}),
        ("難波の天気は？", {"city": "Namba"}),
        ("新潟の天気は？", {"city": "Niigata"}),
        ("バンクーバーの天気は？", {"city": "Vancouver"}),
        # a city by one of its Japanese names, read alike or spelled nearly alike
        ("ローマの天気は？", {"city": "Rome"}),
        ("さっぽろの天気", {"city": "Sapporo"}),
        ("ロサンジェルスの天気", {"city": "Los Angeles"}),
        # a review's: GeoNames lacks ワシントン (only 华盛顿, ピクア...) and インチョン; a
        # name by a part (テーサバーンナコーン・プーケット, 仁川広域市) or spelled otherwise
        # (ヴェネツィア)
        ("ワシントンの天気", {"city": "Washington"}),
        ("インチョンの天気", {"city": "Incheon"}),
        ("プーケットの天気", {"city": "Phuket"}),
        ("ケベックの天気", {"city": "Quebec"}),
        ("仁川の天気", {"city": "Incheon"}),
        ("ペテルブルクの天気", {"city": "Saint Petersburg"}),
        ("ベネチアの天気", {"city": "Venice"}),
        ("北京の天気", {"city": "Beijing"}),
        ("ウイーンの天気", {"city": "Vienna"}),  # GeoNames: ウィーン (ウイ read as ウィ)
        # a review's: katakana spelled both ways, mid-sentence too
        ("明日のウイーンの天気は？", {"city": "ウィーン"}),
        ("ノルウエーの天気", {"city": "ノルウェー"}),
        ("ミルウォーキーの天気", {"city": "ミルウオーキー"}),
        ("明日のウインブルドンの天気", {"city": "ウィンブルドン"}),
        ("明日のウイーンの天気は？", {"city": "Vienna"}),
        ("キウィの国の首都、ウェリントンの天気", {"city": "Wellington"}),
        # a place not in the gazetteer, written as a name by the user
        ("Weather in Hebden Bridge?", {"city": "Hebden Bridge"}),
        ("軽井沢の天気は？", {"city": "軽井沢"}),
        ("フランスの天気は？", {"country": "フランス"}),
        ("LAXの天気ってどうなってます", {"city": "LAX"}),  # えるえーえっくす, as written
        # a review's: names the gazetteer lacks, said by the user; parameters that are no city
        ("weather in hokkaido", {"city": "Hokkaido"}),
        ("What's the weather in Kyushu?", {"city": "Kyushu, Japan"}),
        ("JFKの天気は？", {"city": "JFK"}),
        ("富士山の天気は？", {"city": "富士山"}),
        ("Turn on the kitchen lights", {"area": "kitchen"}),
        ("Navigate home", {"destination": "home"}),
        # Spoken numbers, the letter O, and values that are not identifiers:
        ("BA one seventeen, seat fourteen C", {"flight": "BA117", "seat": "14C"}),
        ("seat twenty-three b please", {"seat": "23B"}),
        ("booking O X 4 4 1", {"booking": "OX441"}),
        ("On the third of December.", {"date": "2026-12-03"}),
        ("Booking ABC 123, seat 14 C please.", {"booking": "ABC123", "seat": "14C"}),
        ("My number is abc-123.", {"booking": "ABC123"}),
        # Identifiers spelled out, as a recogniser writes them:
        ("order number four seven one oh nine", {"order": "47109"}),
        ("confirmation d f g four four one, seat 27 D", {"booking": "DFG441", "seat": "27D"}),
        ("予約番号はエックスワイゼット456です", {"booking": "XYZ456"}),
        ("注文番号は六二〇八一です", {"order": "62081"}),
        ("It's 66 03 91.", {"order": "660391"}),
        # typed on a Japanese keyboard: full-width letters and digits
        ("はい、３９９０８です。", {"order": "39908"}),
        ("あ、はい。ＨＧＦ２０３です。", {"booking": "HGF203"}),
        # Free text is the model's wording: a question, a reason, a long phrase.
        ("How many bags can I check?", {"question": "baggage allowance"}),
        ("Order 40211. It arrived broken.", {"order": "40211", "reason": "damaged item"}),
        ("I'm six foot five, is there more room?", {"topic": "seats with extra legroom"}),
        ("手荷物は何個まで？", {"question": "手荷物の個数制限"}),
        # a word with or without its hyphen (a helper's probe, dev)
        ("えっと機内にwifiってありますか", {"question": "Wi-Fiはありますか？"}),
        ("is there wifi on board", {"question": "Is Wi-Fi available on the plane?"}),
        # Numbers and times need a number said, in any form; a date may come from a day.
        ("Turn it up two more degrees.", {"temperature": "22"}),
        ("a table for the two of us at half past seven", {"party": "2", "time": "19:30"}),
        ("六人でお願いします", {"party": "6"}),
        ("Book it for tomorrow.", {"date": "2026-12-05"}),
        # a day in English, said in Japanese
        ("今日って何時まで開いてる？", {"day": "today"}),
        ("日曜に家族で行きたいんですけど、開いてますか", {"day": "Sunday"}),
        ("明日の夜、予約できる？", {"day": "tomorrow"}),
        ("土日って開いてますか？", {"day": "Sunday"}),  # a review's: weekends, 明晩, kana
        ("明晩は営業してますか？", {"day": "tomorrow"}),
        ("どようびは開いてますか", {"day": "Saturday"}),
        ("これから行けますか？", {"day": "now"}),
    ],
)
def test_values_the_user_gave_are_not_made_up(said: str, arguments: dict[str, Any]) -> None:
    assert not made_up_call(said, **arguments)


@pytest.mark.parametrize(
    ("said", "arguments"),
    [
        ("How are you today?", {"city": "London"}),
        ("What is the capital of France?", {"city": "Paris"}),
        ("Turn on the lights.", {"room": "kitchen"}),  # which room? Ask.
        ("What's the weather?", {"cities": ["Berlin"]}),  # lists of values count too
        # Identifiers nobody said, even beside a value that was said:
        ("I want to change my seat.", {"booking": "1234567890", "seat": "12A"}),
        ("Change my seat to 14C.", {"booking": "ABC123", "seat": "14C"}),
        ("Where's my order?", {"order": "12345"}),  # a number the model made up
        ("今日の天気どう？", {"city": "Tokyo"}),  # Japanese: nobody said Tokyo
        # a city whose Japanese names are not said, whatever its sound is near
        ("イタリアの首都はどこですか？", {"city": "Torino"}),
        ("イタリアの首都はどこですか？", {"city": "Rome"}),
        ("こんにちは", {"city": "東京"}),
        ("週末ソウルに行くんですけど", {"city": "大阪"}),
        ("パンを買いたい", {"city": "Paris"}),
        ("返金してほしいんですけど。", {"order": "1234567890"}),  # in Japanese too
        ("Bag's twenty-two by fourteen inches.", {"booking": "XK22"}),
        # Numbers nobody gave, and free text about something nobody asked:
        ("Set a timer.", {"minutes": "30"}),
        ("タイマーかけて", {"minutes": "30"}),
        ("I wanted to book something for Thursday evening.", {"party": "2", "time": "14:00"}),
        ("予約したいんですけど。", {"time": "10:00 AM"}),
        ("Thanks, that's really helpful!", {"question": "What is the baggage allowance?"}),
        ("Set a timer with a beep, both of them, this month.", {"minutes": "30"}),
        ("一緒にタイマーかけて", {"minutes": "30"}),
        ("Book a table for tomorrow.", {"when": "2026-12-05 19:00"}),  # a time made up
        ("It arrived broken.", {"reason": "The item was lost in the post."}),
        ("えっと、ちょっと聞きたいことがあるんですけど", {"question": "旅行者の手荷物の規則"}),
        # a place that is none, from words the user said (dev half)
        ("which planet is called the red planet", {"city": "Red Planet"}),
        ("虹って何色あるんやったっけ？", {"city": "虹"}),
        ("水って何度で沸騰するんだっけ？", {"room": "kitchen"}),  # no kitchen said (dev half)
        (  # the kitchen of the instructions is not the user's (a review's)
            [
                ChatMessage("system", "You control the lights in the kitchen and bedroom."),
                ChatMessage("user", "水って何度で沸騰するんだっけ？"),
            ],
            {"room": "kitchen"},
        ),
        ("what's it like outside in the kitchen", {"city": "kitchen"}),
        # a day nobody said, in Japanese as in English (the fifth writer's dev half)
        ("そちらって駐車場ありますか？", {"day": "today"}),
        ("Do you have parking?", {"day": "today"}),
        ("駐車場はございますか？", {"day": "today"}),  # not the いま of ございます
        ("夜景がきれいな席ある？", {"day": "tonight"}),
        ("日曜に家族で行きたいんですけど、開いてますか", {"day": "Monday"}),
    ],
)
def test_values_nobody_said_are_made_up(said: str, arguments: dict[str, Any]) -> None:
    assert made_up_call(said, **arguments)


def test_the_values_made_up_are_named() -> None:
    order = ToolSpec(
        "get_order_status",
        "Where an order is.",
        {"properties": {"order_number": {"type": "string"}}, "required": ["order_number"]},
    )
    where = [SYSTEM, ChatMessage("user", "Where's my order?")]
    assert made_up_values(ToolCall("x", '{"order_number": "12345"}'), order, where) == (
        "order_number",
    )
    booking = ToolSpec(
        "book_table",
        "Book a table.",
        {
            "properties": {"party_size": {"type": "integer"}, "time": {"type": "string"}},
            "required": ["party_size", "time"],
        },
    )
    book = [SYSTEM, ChatMessage("user", "Book me a table.")]
    made = ToolCall("book_table", '{"party_size": 2, "time": "19:00"}')
    assert made_up_values(made, booking, book) == ("party_size", "time")
    given = [SYSTEM, ChatMessage("user", "A table for two at seven.")]
    assert made_up_values(made, booking, given) == ()


@pytest.mark.parametrize(
    ("tool", "said", "asks"),
    [
        ("set_timer", "Set a timer.", True),
        ("get_order_status", "Where's my order?", True),
        ("update_seat", "I need a different seat.", True),  # "seat", not the verb "update"
        ("get_weather", "how's the weather looking", True),
        ("bookTable", "Book me a table.", True),
        ("get_weather", "How are you today?", False),
        ("set_lights", "Set it to whatever you like.", False),  # "set": every tool's verb
        ("get_order_status", "can you check on a package for me", False),  # reworded
        ("set_timer", "タイマーかけて", True),  # Japanese: in its words' glosses (JMdict)
        ("book_table", "予約したいんですけど。", True),  # 予約: reservation, booking
        ("get_weather", "今日の天気どう？", True),
        ("set_lights", "電気つけて", True),  # 電気: electricity, (electric) light
        ("update_seat", "ありがとう、それで大丈夫です", False),
        ("get_weather", "水は何度で沸騰しますか？", False),
        ("set_timer", "予約したいんですけど。", False),  # not 予約's "setting (e.g. a timer)"
        ("turn_on_lights", "席を変えたいです。", False),  # 変える, "to turn": verbs not read
        ("print_receipt", "何ができますか？", False),  # する, also 刷る "to print": not read
        ("book_table", "すき焼きの作り方は？", False),  # "...in a table-top pan": a description
        ("get_order_status", "What's the status of the project?", False),  # not "status"
    ],
)
def test_a_request_for_a_tool_names_what_it_does(tool: str, said: str, asks: bool) -> None:
    assert asks_for_tool(tool, [SYSTEM, ChatMessage("user", said)]) is asks


def test_the_assistants_own_question_does_not_name_the_tool() -> None:
    # Else "Never mind." after "Could you tell me the order number?" is asked it again.
    asked = [
        SYSTEM,
        ChatMessage("user", "Where's my order?"),
        ChatMessage("assistant", "Could you tell me the order number?"),
        ChatMessage("user", "Never mind."),
    ]
    assert not asks_for_tool("get_order_status", asked)


def test_a_value_with_digits_grounds_a_call_but_is_never_made_up_as_a_name() -> None:
    # As before: a time whose words were said grounds a name nobody said...
    assert not made_up_call("Book at 8 am please.", name="Smith", time="8:00 AM")
    assert not made_up_call("明日の7時に予約したいです", name="Smith", time="7:00")
    # ...and a name nobody said, alone, is made up.
    assert made_up_call("Book it please.", name="Smith", time="8:00 AM")
    # New: "AM" is no name nobody said.
    assert not made_up_call("Table for two at 8 tonight.", party="2", time="8:00 AM")


def test_the_whole_conversation_counts() -> None:
    messages = [
        SYSTEM,
        ChatMessage("user", "What's the weather in Oslo?"),
        ChatMessage("assistant", "It is snowing in Oslo."),
        ChatMessage("user", "And tomorrow?"),
    ]
    assert not made_up_call(messages, city="Oslo")
    # ...the instructions too: they may name the user's home town.
    home = [ChatMessage("system", "The user lives in Lyon."), ChatMessage("user", "Weather?")]
    assert not made_up_call(home, city="Lyon")


def test_a_number_counts_only_in_the_request_at_hand() -> None:
    earlier = [
        SYSTEM,
        ChatMessage("user", "Set the heating to 21."),
        ChatMessage("assistant", "", tool_calls=(ToolCall("set_thermostat", "{}", "c1"),)),
        ChatMessage("tool", "The thermostat is set to 21 degrees.", tool_call_id="c1"),
        ChatMessage("assistant", "Done."),
    ]
    assert made_up_call([*earlier, ChatMessage("user", "Now set a timer.")], minutes="30")
    assert not made_up_call([*earlier, ChatMessage("user", "Two more degrees.")], temp="23")


def test_a_request_may_take_several_calls_and_a_yes_takes_the_number_offered() -> None:
    timer = ToolSpec(
        "set_timer",
        "A timer.",
        {"properties": {"minutes": {"type": "integer"}}, "required": ["minutes"]},
    )
    lights = ToolCall("set_lights", "{}", "c1")
    chained = [
        SYSTEM,
        ChatMessage("user", "Turn on the kitchen lights and set a timer for 10 minutes."),
        ChatMessage("assistant", "", tool_calls=(lights,)),
        ChatMessage("tool", "The kitchen lights are on.", tool_call_id="c1"),
    ]
    assert not made_up_values(ToolCall("set_timer", '{"minutes": 10}'), timer, chained)
    offered = [
        SYSTEM,
        ChatMessage("user", "Can I get a table tonight?"),
        ChatMessage("assistant", "We have room at eight. Shall I book it for four?"),
        ChatMessage("user", "Yes please."),
    ]
    assert not made_up_call(offered, party="4")
    # A number the assistant only stated does not count.
    told = [*chained, ChatMessage("assistant", "Done."), ChatMessage("user", "Set a timer.")]
    assert made_up_values(ToolCall("set_timer", '{"minutes": 10}'), timer, told)


def test_free_text_may_answer_the_assistants_question() -> None:
    offered = [
        SYSTEM,
        ChatMessage("user", "I'm flying tomorrow."),
        ChatMessage("assistant", "Shall I look up the baggage allowance for you?"),
        ChatMessage("user", "Yes please."),
    ]
    assert not made_up_call(offered, question="baggage allowance")
    assert made_up_call(offered, question="wifi on board")
    # Japanese: a kanji in common is enough; a translation is not compared.
    assert not made_up_call("犬は乗れますか？", question="犬の同伴")
    assert not made_up_call("手荷物は何個まで？", question="baggage allowance")


def test_optional_arguments_are_the_models_to_choose() -> None:
    assert not made_up_call("How are you?", optional=("city",), city="London")
    assert made_up_call("How are you?", city="London")


@pytest.mark.parametrize(
    ("written", "no_tool"),
    [
        ('{"name": "say_hello", "arguments": {"message": "Hello!"}}', "say_hello"),
        ('<tool_call>\n{"name": "add", "arguments": {"a": 2}}\n</tool_call>', "add"),
        ('{"name": "get_current_weather", "arguments": {"town": "Paris"}}', None),  # close
        ('{"name": "set_timer", "arguments": {"minutes": "five"}}', None),  # ours, malformed
        ('{"name": "get_weather", "arguments": {"city": ', None),  # cut short: unreadable
    ],
)
def test_calls_to_functions_we_do_not_have(written: str, no_tool: str | None) -> None:
    assert names_no_tool(written, [WEATHER, TIMER]) == no_tool


@pytest.mark.parametrize(
    "written",
    [
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
        '{"name": "get_weather", "arguments": {"city": "Paris"}}',  # the tag dropped
        '```json\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n```',
        # Qwen2.5-Coder 1.5B's habits: its own tag, and braces doubled as in a format string.
        '<tools>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tools>',
        '{{"name": "get_weather", "arguments": {{"city": "Paris"}}}}',
        '<tools>\n{{"name": "get_weather", "arguments": {"city": "Paris"}}}\n</tools>',
    ],
)
def test_calls_are_read_in_the_shapes_qwen_writes_them(written: str) -> None:
    calls = parse_calls(written, [WEATHER, TIMER])
    assert calls is not None and [(c.name, json.loads(c.arguments)) for c in calls] == [
        ("get_weather", {"city": "Paris"})
    ]


def test_a_call_that_does_not_fit_its_schema_is_not_read() -> None:
    strict = ToolSpec(
        "get_weather",
        "Weather.",
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )
    assert parse_calls('{"name": "get_weather", "arguments": {"town": "Paris"}}', [strict]) is None
    assert parse_calls('{"name": "get_weather", "arguments": {"city": 3}}', [strict]) is None
    assert parse_calls("It is sunny in Paris.", [strict]) is None


def test_the_tool_list_copied_out_is_read_as_the_tool_it_names() -> None:
    """The 0.5B model sometimes copies its tool list's entry instead of calling: read as
    soon as the name is written, not to the token budget."""
    copied = '{"type": "function", "function": {"name": "set_timer", "description": "Se'
    assert copied_tool(copied, [WEATHER, TIMER]) == [TIMER]
    assert copied_tool("<tool_call>\n" + copied, [WEATHER, TIMER]) == [TIMER]
    assert copied_tool("<tools>\n" + copied, [WEATHER, TIMER]) == [TIMER]
    assert copied_tool("```json\n[" + copied, [WEATHER, TIMER]) == [TIMER]
    # a name of no tool: any of them; the name not written whole yet: not read
    other = '{"type": "function", "function": {"name": "say_hello", '
    assert copied_tool(other, [WEATHER, TIMER]) == [WEATHER, TIMER]
    assert copied_tool('{"type": "function", "function": {"name": "set_ti', [TIMER]) is None
    # a call, or a call's arguments that say "type": not a copy
    assert copied_tool('{"name": "set_timer", "arguments": {"minutes": 5}}', [TIMER]) is None
    assert copied_tool('{"type": "timer", "function": {"name": "x"}}', [TIMER]) is None


def test_a_call_of_a_function_not_offered_is_read_once_its_name_is_written() -> None:
    called = '<tool_call>\n{"name": "weather_lookup_tool", "arguments": {"ques'
    assert unoffered_name(called, [WEATHER, TIMER]) == "weather_lookup_tool"
    assert unoffered_name('{"name": "say_hello", ', [WEATHER]) == "say_hello"
    # a name close to a tool's is that tool's (get_current_weather for get_weather)
    assert unoffered_name('{"name": "get_current_weather", ', [WEATHER]) is None
    assert unoffered_name('{"name": "get_weather", "arguments": {', [WEATHER]) is None
    assert unoffered_name('{"name": "weather_look', [WEATHER]) is None  # not whole yet


def test_the_grammar_bounds_every_free_string_and_leaves_choices_alone() -> None:
    params = {
        "type": "object",
        "properties": {
            "note": {"type": ["string", "null"]},
            "city": {"type": "string"},
            "code": {"type": "string", "maxLength": 6},
            "unit": {"type": "string", "enum": ["c", "f"]},
            "rooms": {"type": "array", "items": {"type": "string"}},
        },
    }
    schema = json.dumps(grammar_schema([ToolSpec("tool", "A tool.", params)]))
    bounded = json.loads(schema)

    def find(node: Any, key: str) -> Any:
        if isinstance(node, dict):
            if key in node.get("properties", {}):
                return node["properties"][key]
            for value in node.values():
                if (found := find(value, key)) is not None:
                    return found
        elif isinstance(node, list):
            for value in node:
                if (found := find(value, key)) is not None:
                    return found
        return None

    assert find(bounded, "note")["maxLength"] == GRAMMAR_MAX_STRING
    assert find(bounded, "city")["maxLength"] == GRAMMAR_MAX_STRING
    assert find(bounded, "code")["maxLength"] == 6
    assert "maxLength" not in find(bounded, "unit")
    assert find(bounded, "rooms")["items"]["maxLength"] == GRAMMAR_MAX_STRING
    assert "maxLength" not in params["properties"]["city"]  # the tool's own schema is untouched


PARIS = '{"name": "get_weather", "arguments": {"city": "Paris"}}'
ROME = '{"name": "get_weather", "arguments": {"city": "Rome"}}'
ASKED = [SYSTEM, ChatMessage("user", "Weather in Paris?")]
ANSWERED = [
    *ASKED,
    ChatMessage("assistant", tool_calls=(ToolCall("get_weather", '{"city": "Paris"}', "c1"),)),
    ChatMessage("tool", "Sunny.", tool_call_id="c1"),
]


def test_whole_calls_are_found_while_the_model_writes() -> None:
    assert written_calls('<tool_call>\n{"name": "get_weather", "arguments": {"ci') == []
    assert written_calls(f"<tool_call>\n{PARIS}\n</tool_call>\n<tool_call>\n{{") == [
        json.loads(PARIS)
    ]
    assert written_calls(f"```json\n{PARIS}\n```\n{ROME}") == [json.loads(PARIS), json.loads(ROME)]


@pytest.mark.parametrize(
    ("written", "messages", "enough"),
    [
        (PARIS, ASKED, False),  # a new call: more may follow (parallel calls)
        (f"<tool_call>{PARIS}</tool_call><tool_call>{ROME}</tool_call>", ASKED, False),
        (PARIS[:-1], ANSWERED, False),  # not written whole yet
        (PARIS, ANSWERED, True),  # the conversation already has its result
        (f"{PARIS}\n{ROME}\n{PARIS}", ASKED, True),  # the model repeats itself
        ("\n".join([ROME.replace("Rome", f"City{i}") for i in range(MAX_CALLS)]), ASKED, True),
    ],
)
def test_reading_a_call_stops_when_the_rest_would_be_thrown_away(
    written: str, messages: list[ChatMessage], enough: bool
) -> None:
    assert enough_calls(written, messages) is enough


def test_calls_cut_short_keep_each_distinct_call_once() -> None:
    text = tagged(f'<tool_call>\n{PARIS}\n</tool_call>\n{ROME}\n{PARIS}\n{{"name')
    calls = parse_calls(text, [WEATHER])
    assert calls is not None
    assert [json.loads(c.arguments)["city"] for c in calls] == ["Paris", "Rome"]


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("four seven one oh nine", "47109"),
        ("four seven one o nine", "47109"),
        ("b x nine two seven four", "BX9274"),
        ("twenty seven d", "27D"),
        ("d f g four four one", "DFG441"),
        ("66 03 91", "660391"),
        ("六二〇八一", "62081"),
        ("エックスワイゼット456", "XYZ456"),
    ],
)
def test_identifiers_spoken_one_by_one_are_written_as_one(spoken: str, written: str) -> None:
    assert spoken_identifier(spoken) == written
    tool = ToolSpec(
        "get_order_status",
        "Order status.",
        {"type": "object", "properties": {"order_number": {"type": "string"}}},
    )
    call = as_identifiers(ToolCall("get_order_status", json.dumps({"order_number": spoken})), tool)
    assert json.loads(call.arguments) == {"order_number": written}


@pytest.mark.parametrize(
    "value",
    [
        "seven thirty",
        "7 pm",
        "seven p m",
        "ten fifteen a m",
        "Paris",
        "New York",
        "one two",
        "40217",
        "17B",
        "東京",
        "二人",
        "ディーブイディー",
        "Room 12",
        "Gate B 12",
    ],
)
def test_values_that_are_not_spoken_identifiers_stay(value: str) -> None:
    assert spoken_identifier(value) is None


@pytest.mark.parametrize(
    ("key", "value", "written"),
    [
        # as the recogniser wrote codes said with a pause (spoken dev half of bench/quality)
        ("confirmation_number", "DFG 441", "DFG441"),
        ("booking_code", "RTY 552", "RTY552"),
        ("orderId", "AB 1234", "AB1234"),
        # not a code's parameter (a review's)
        ("location", "NY 10001", "NY 10001"),
        ("product", "RTX 4090", "RTX 4090"),
    ],
)
def test_a_code_heard_in_two_groups_is_joined_for_a_code_s_parameter(
    key: str, value: str, written: str
) -> None:
    tool = ToolSpec("t", "", {"type": "object", "properties": {key: {"type": "string"}}})
    call = as_identifiers(ToolCall("t", json.dumps({key: value})), tool)
    assert json.loads(call.arguments) == {key: written}


def test_free_text_and_constrained_values_are_not_rewritten() -> None:
    tool = ToolSpec(
        "note",
        "A note.",
        {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "code": {"type": "string", "enum": ["a b one two three"]},
            },
        },
    )
    arguments = {"message": "a b one two three", "code": "a b one two three"}
    call = ToolCall("note", json.dumps(arguments))
    assert as_identifiers(call, tool) == call


@pytest.mark.parametrize(
    ("key", "rewritten"),
    [
        ("time", False),
        ("date", False),
        ("phone_number", False),
        ("deliveryAddress", False),
        ("account_number", True),  # "count" is part of the word, not of the name
        ("hotel_booking_id", True),
        ("candidate_id", True),
    ],
)
def test_times_dates_and_phone_numbers_are_not_identifiers(key: str, rewritten: bool) -> None:
    tool = ToolSpec("t", "T.", {"type": "object", "properties": {key: {"type": "string"}}})
    call = ToolCall("t", json.dumps({key: "six oh five"}))
    assert (as_identifiers(call, tool) != call) is rewritten


@pytest.mark.parametrize(
    ("said", "identifiers"),
    [
        ("Seat 31B, booking reference C-V-T-0-8-8.", ("31B", "CVT088")),
        ("Track order 40217, no sorry, 40271.", ("40217", "40271")),
        ("えーと予約番号がエックスワイゼット456で座席を23のエーに", ("XYZ456",)),  # dev
        # spelled out word by word: where one ends is a guess ("ten 10C" is not 1010C)
        ("twenty seven d please confirmation d f g four four one", ()),
        ("row ten 10C", ("10C",)),
        ("a table for four at 7:30, or 8.15", ()),  # times and numbers are not identifiers
        ("set it to 21.5 degrees in room 2", ()),
    ],
)
def test_the_identifiers_the_user_said(said: str, identifiers: tuple[str, ...]) -> None:
    assert said_identifiers(said) == identifiers


def _seat_tool(*parameters: str) -> ToolSpec:
    """A seat-change tool taking ``parameters``, each a string."""
    properties = {p: {"type": "string"} for p in parameters}
    return ToolSpec("update_seat", "Change a seat.", {"type": "object", "properties": properties})


def test_a_part_of_an_identifier_said_is_made_the_whole_of_it() -> None:
    # ja-airline_seat-05 (dev): the 0.5B model copied "456" of "エックスワイゼット456"
    said = "えーと予約番号がエックスワイゼット456で座席を23のエーにお願いします"
    seat = _seat_tool("confirmation_number", "new_seat")
    call = ToolCall("update_seat", json.dumps({"confirmation_number": "456", "new_seat": "23"}))
    fixed = json.loads(as_identifiers(call, seat, said).arguments)
    assert fixed == {"confirmation_number": "XYZ456", "new_seat": "23"}  # 23 is no identifier
    assert as_identifiers(call, seat) == call  # nothing said: nothing to complete
    # only the part of one identifier: "441" of DFG441 and XY441 could be either
    assert whole_identifier("441", ("DFG441", "XY441")) == "441"
    assert whole_identifier("DFG441", ("DFG441",)) == "DFG441"
    assert whole_identifier("4", ("DFG441",)) == "4"  # not an identifier itself
    # a character away from the one said (the model copied ＨＧＦ２０３ as HGSF203), when
    # the value is nothing the user said (``heard``)
    heard = "hgf203"
    assert whole_identifier("HGSF203", ("HGF203",), heard) == "HGF203"
    assert whole_identifier("HGF208", ("HGF203",), heard) == "HGF203"
    assert whole_identifier("HF203", ("HGF203",), heard) == "HGF203"
    assert whole_identifier("HGSF203", ("HGF203",)) == "HGSF203"  # (not told what was heard)
    assert whole_identifier("HGF203", ("HGF208", "HGF209"), "") == "HGF203"  # which? neither
    assert whole_identifier("HGF209", ("HGF208", "XY1"), "") == "HGF209"  # two said: no guess
    assert whole_identifier("HXF208", ("HGF203",), heard) == "HXF208"  # two characters away
    assert whole_identifier("12A", ("12A", "112A")) == "12A"  # said itself


def test_a_code_copied_a_character_wrong_is_put_right_only_if_nobody_said_it() -> None:
    seat = _seat_tool("confirmation_number", "current_seat", "new_seat", "gate")

    def fixed(arguments: dict[str, str], said: str, users: str) -> dict[str, str]:
        call = ToolCall("update_seat", json.dumps(arguments))
        return dict(json.loads(as_identifiers(call, seat, said, users).arguments))

    said = "あ、はい。ＨＧＦ２０３です。"  # (sixth writer, dev: after 席を9Bに変えたい)
    assert fixed({"confirmation_number": "HGSF203"}, said, "席を9Bに. " + said) == {
        "confirmation_number": "HGF203"
    }
    # said in an earlier turn, or in words this turn: a value the user gave (a review's)
    moved = {"current_seat": "12A", "new_seat": "12B"}
    assert fixed(moved, "12B please", "I'm in 12A. 12B please") == moved
    gate = {"gate": "118"}
    said = "flight 117 at gate one one eight"
    assert fixed(gate, said, said) == gate


def test_a_call_counts_as_answered_until_the_user_speaks_again() -> None:
    clock = ToolCall("get_current_time", "{}", "c1")
    told = [
        ChatMessage("user", "What time is it?"),
        ChatMessage("assistant", tool_calls=(clock,)),
        ChatMessage("tool", '{"time": "15:02"}', tool_call_id="c1"),
    ]
    again = ToolCall("get_current_time", "{}")
    assert answered(again, told)  # made again after its result: a loop
    assert answered(again, [*told, ChatMessage("user", SILENT_TURN)])  # silence asks nothing
    assert not answered(again, [*told, ChatMessage("user", "And now?")])  # asked again


def test_the_policy_asks_for_values_only_for_a_request_for_the_tool() -> None:
    from kaiwa.engine.tool_policy import ToolCallPolicy, VerdictKind, asked_for

    order = ToolSpec(
        "get_order_status",
        "Where an order is.",
        {"properties": {"order_number": {"type": "string"}}, "required": ["order_number"]},
    )
    billing = ToolSpec(
        "transfer_to_billing",
        "Hand over to billing.",
        {"properties": {"reason": {"type": "string"}}, "required": ["reason"]},
    )
    policy = ToolCallPolicy()

    def verdict(said: str, call: ToolCall) -> Any:
        messages = [SYSTEM, ChatMessage("user", said)]
        return policy.judge([call], policy.ask(messages, [order, billing], "auto"))

    made = ToolCall("get_order_status", '{"order_number": "12345"}')
    asked = verdict("Where's my order?", made)
    assert asked.kind is VerdictKind.WORDS_TOLD and asked.missing == ("order_number",)
    chat = verdict("How are you today?", made)
    assert chat.kind is VerdictKind.WORDS_TOLD and chat.missing == ()
    # A handoff's values are its own business: nothing is asked for.
    handoff = ToolCall("transfer_to_billing", '{"reason": "The card was declined twice."}')
    assert verdict("I have a billing problem.", handoff).missing == ()
    assert asked_for(["a", "b_c", "dValue"]) == "a, b c and d value"
    assert asked_for(["_", ""]) == ""


SEAT_ARGS = ("confirmation_number", "new_seat")


@pytest.mark.parametrize(
    ("said", "written", "right"),
    [
        # en-airline_seat-13 (dev), as `written_form` shows it to the model
        ("27D please confirmation DFG441", ("27D", "DFG441"), ("DFG441", "27D")),
        ("seat 14C, booking ABC123", ("14C", "ABC123"), ("ABC123", "14C")),
        ("my seat should be 14C and the confirmation is ABC123", ("14C", "ABC123"), None),
        # right already, or nothing says which is which: as written
        ("27D please confirmation DFG441", ("DFG441", "27D"), ("DFG441", "27D")),
        ("ABC123 14C", ("14C", "ABC123"), ("14C", "ABC123")),
        # "confirm" is a verb here (a review's)
        ("I'd like to confirm 27D for booking DFG441", ("DFG441", "27D"), ("DFG441", "27D")),
        ("Could you confirm 14C is free? Booking ABC123", ("ABC123", "14C"), ("ABC123", "14C")),
        ("confirmation ABC123, seat 14C", ("ABC123", "14C"), ("ABC123", "14C")),
        ("予約番号はXYZ456、座席は23Aです", ("23A", "XYZ456"), ("23A", "XYZ456")),  # English only
    ],
)
def test_two_codes_in_each_others_place_are_swapped(
    said: str, written: tuple[str, str], right: tuple[str, str] | None
) -> None:
    call = ToolCall("update_seat", json.dumps(dict(zip(SEAT_ARGS, written, strict=True))))
    fixed = json.loads(relabelled(call, said).arguments)
    assert tuple(fixed[k] for k in SEAT_ARGS) == (right or written[::-1])


def test_a_lookup_is_a_call_whose_values_are_all_the_models_own_wording() -> None:
    faq = ToolSpec(
        "faq_lookup_tool",
        "Look up an answer.",
        {
            "type": "object",
            "properties": {"question": {"type": "string"}},
            "required": ["question"],
        },
    )
    assert looks_up(ToolCall("faq_lookup_tool", '{"question": "Is there wifi?"}'), faq)
    assert not looks_up(ToolCall("get_weather", '{"city": "Paris"}'), WEATHER)
    assert not looks_up(ToolCall("set_timer", "{}"), ToolSpec("set_timer", "", {}))


def test_a_calls_name_is_read_once_written_whole() -> None:
    assert first_name('<tool_call>\n{"name": "transfer_to_faq_agent", "argu') == (
        "transfer_to_faq_agent"
    )
    assert first_name('```json\n{"name": "get_weather",') == "get_weather"
    assert first_name('<tools>\n{"name": "get_weather",') == "get_weather"  # the 1.5B's
    assert first_name('{"name": "get_wea') is None
    assert first_name('{"name": "get_weather"') is None  # read once the comma after it is
