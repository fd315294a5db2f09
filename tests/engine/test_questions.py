"""The question asked for values a request did not give, in the user's language."""

from __future__ import annotations

from kaiwa.engine.chat import ToolSpec
from kaiwa.engine.questions import ASK_FOR_DETAILS_JA, asked_for, question_for


def _tool(name: str, **properties: dict[str, str]) -> ToolSpec:
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    return ToolSpec(name, "", schema)


BOOK = _tool("book_table", party_size={"type": "integer"}, time={"type": "string"})
TIMER = _tool("set_timer", minutes={"type": "integer"})
ORDER = _tool("get_order_status", orderId={"type": "string"})
ODD = _tool("set_mode", flux_level={"type": "string"})


def test_asked_in_english_by_the_parameters_names() -> None:
    assert question_for(["party_size", "time"], [BOOK], "Book me a table.") == (
        "Could you tell me the party size and time?"
    )
    assert question_for(["orderId"], [ORDER], "Where's my order?") == (
        "Could you tell me the order id?"
    )
    assert question_for(["minutes"], [TIMER], "Set a timer.") == "How many minutes?"
    assert question_for([], [BOOK], "Book me a table.") == ""
    assert asked_for(["a", "b_c", "dE"]) == "a, b c and d e"


def test_asked_in_japanese_in_japanese_words() -> None:
    # Not "party sizeを教えて": a Japanese voice reading English names.
    assert question_for(["party_size", "time"], [BOOK], "予約したいんですけど。") == (
        "人数と時間を教えていただけますか？"
    )
    assert question_for(["orderId"], [ORDER], "注文どうなってる？") == (
        "注文番号を教えていただけますか？"
    )
    assert question_for(["minutes"], [TIMER], "タイマーかけて") == "何分ですか？"


def test_the_tools_own_japanese_description_comes_first() -> None:
    tool = _tool("book_table", guests={"type": "integer", "description": "予約の人数。2名以上"})
    assert question_for(["guests"], [tool], "予約したい") == "予約の人数を教えていただけますか？"


def test_a_parameter_with_no_japanese_words_gets_a_general_question() -> None:
    # Never English words in a Japanese question.
    assert question_for(["flux_level"], [ODD], "モード変えて") == ASK_FOR_DETAILS_JA
    assert question_for(["flux_level"], [ODD], "Change the mode.") == (
        "Could you tell me the flux level?"
    )


def test_a_description_with_english_in_it_is_not_asked_with() -> None:
    weather = _tool("get_weather", city={"type": "string", "description": "City name, e.g. 東京"})
    assert question_for(["city"], [weather], "天気は？") == "都市名を教えていただけますか？"
