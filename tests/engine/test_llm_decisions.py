"""What the small model is shown, and what it then decides: pinned on cases from the dev half
of ``bench/quality`` (never the test half), with the real model.

The agents are those of ``bench/quality/agents.py``: the prompt is the same, so the model's
greedy decision is too.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest

from bench.quality.agents import setup
from kaiwa.engine.chat import SILENT_TURN, ChatMessage, LlmDelta, ToolCall, ToolSpec
from kaiwa.engine.decisions import _reads
from kaiwa.engine.facts import unfounded
from kaiwa.engine.prompt import CALL_HINT, without_hint
from kaiwa.engine.text import is_japanese
from kaiwa.engine.tool_policy import NO_TOOL_HINT, NO_TOOL_HINT_JA, VerdictKind, no_tool_hint
from kaiwa.engine.words import UNCLEAR_JA


def agent_prompt(name: str, lang: str = "en") -> tuple[str, list[ToolSpec]]:
    """Agent ``name`` of ``bench/quality`` as a session gives it to the LLM."""
    agent = setup(name, lang)
    return agent.instructions, agent.tools


def weather_turn(city: str, answer: str) -> list[ChatMessage]:
    """An earlier turn: the weather asked, looked up, and told."""
    call = ToolCall("get_weather", json.dumps({"city": city}), call_id="c1")
    return [
        ChatMessage("user", f"What's the weather in {city}?"),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", f"It is sunny in {city}, 22 degrees.", tool_call_id="c1"),
        ChatMessage("assistant", answer),
    ]


def reply(
    llm: Any, agent: str, history: list[ChatMessage], said: str, lang: str = "en"
) -> list[LlmDelta]:
    instructions, tools = agent_prompt(agent, lang)
    messages = [ChatMessage("system", instructions), *history, ChatMessage("user", said)]
    return list(llm.stream(messages, tools, max_tokens=60))


def calls(deltas: list[LlmDelta]) -> list[tuple[str, dict[str, Any]]]:
    return [(d.tool_call.name, json.loads(d.tool_call.arguments)) for d in deltas if d.tool_call]


# -- what the model is shown (no generation) -------------------------------------------------


def test_every_user_turn_ends_with_the_call_hint_when_there_are_tools(llm: Any) -> None:
    instructions, tools = agent_prompt("weather")
    messages = [
        ChatMessage("system", instructions),
        ChatMessage("user", "Hi."),
        ChatMessage("assistant", "Hello!"),
        ChatMessage("user", "Weather in Oslo?"),
    ]
    assert llm.render(messages, tools).count(CALL_HINT) == 2
    assert CALL_HINT not in llm.render(messages, [])
    # Told to answer in words, the last turn gets that hint instead (the earlier keep theirs).
    told = llm.render(messages, tools, hint="(In words.)")
    assert told.count(CALL_HINT) == 1
    assert told.index(CALL_HINT) < told.index("Weather in Oslo?") < told.index("(In words.)")


def test_the_prompt_of_one_turn_is_the_prefix_of_the_next(llm: Any) -> None:
    """The hint is on every user turn, so the cached prefix holds from turn to turn."""
    instructions, tools = agent_prompt("weather")
    first = [ChatMessage("system", instructions), ChatMessage("user", "Hi there.")]
    prompt = llm.render(first, tools)
    more = [ChatMessage("assistant", "Hello!"), ChatMessage("user", "How are you?")]
    later = llm.render([*first, *more], tools)
    assert later.startswith(prompt)


def test_an_answer_read_from_a_result_is_left_out_once_the_user_speaks(llm: Any) -> None:
    instructions, tools = agent_prompt("weather")
    told = "It is sunny in Paris, twenty-two degrees."
    history = [ChatMessage("system", instructions), *weather_turn("Paris", told)]
    assert told in llm.render(history, tools)  # nothing said since: it is the latest reply
    after = llm.render([*history, ChatMessage("user", "And in Rome?")], tools)
    assert told not in after
    assert "It is sunny in Paris, 22 degrees." in after  # the result itself stays


def test_a_question_is_left_out_once_answered_and_other_words_stay(llm: Any) -> None:
    instructions, tools = agent_prompt("support")
    chat = "Hello! Lovely day for shopping."
    before = [
        ChatMessage("system", instructions),
        ChatMessage("user", "Hi!"),
        ChatMessage("assistant", chat),
        ChatMessage("user", "I want to check on my order."),
    ]
    asked = ChatMessage("assistant", "Sure, what's your order number?")
    prompt = llm.render(before, tools)  # the prompt the question was written from
    after = llm.render([*before, asked, ChatMessage("user", "It's 66 03 91.")], tools)
    assert asked.content not in after
    assert chat in after  # its other words stay
    # The question's prompt is the start of the next one, but for the assistant's opening
    # (the next one goes on with a user turn there): the cached prefix holds.
    opening = "<|im_start|>assistant\n"
    assert prompt.endswith(opening) and after.startswith(prompt.removesuffix(opening))
    # Said nothing, the user has not answered; a bare yes keeps what it says yes to.
    silent = llm.render([*before, asked, ChatMessage("user", SILENT_TURN)], tools)
    assert asked.content in silent
    offer = ChatMessage("assistant", "Order 4411 shipped. Shall I track order 4412 too?")
    yes = llm.render([*before, offer, ChatMessage("user", "Yes please.")], tools)
    assert offer.content in yes


def test_a_conversations_own_reply_left_out_is_not_saved_as_another_state(
    llm: Any,
) -> None:
    instructions, tools = agent_prompt("support")
    messages = [ChatMessage("system", instructions), ChatMessage("user", "I have an order.")]
    question = "".join(d.text for d in llm.stream(messages, tools, max_tokens=60))
    llm._saved.cache_state.clear()
    long_question = ChatMessage("assistant", question + " Which one? " * 20)  # 60+ tokens
    # As if the model had just written it: the reply's tokens are in the current state.
    llm._worker.call(lambda: llm._use_prefix(llm.render(messages, tools)))
    llm._worker.call(
        lambda: llm._llm.eval(llm._llm.tokenize(long_question.content.encode(), add_bos=False))
    )
    later = [*messages, long_question, ChatMessage("user", "It's 4411.")]
    llm._worker.call(lambda: llm._use_prefix(llm.render(later, tools)))
    assert len(llm._saved.cache_state) == 0


def test_a_silent_turn_gets_no_call_hint(llm: Any) -> None:
    instructions, tools = agent_prompt("weather")
    silent = [ChatMessage("system", instructions), ChatMessage("user", SILENT_TURN)]
    assert CALL_HINT not in llm.render(silent, tools)


def test_the_hint_the_model_copies_into_a_call_is_taken_out_before_it_is_judged(
    llm: Any,
) -> None:
    _, tools = agent_prompt("support")
    asked = llm.policy.ask(
        [ChatMessage("user", "check order b x nine two seven four")], tools, "auto"
    )
    copied = f"b x nine two seven four\n{CALL_HINT}"  # the hint, copied with the number
    written = json.dumps(
        {"name": "get_order_status", "arguments": {"order_number": copied}}, ensure_ascii=False
    )
    verdict = llm._judge_written(f"<tool_call>\n{written}\n</tool_call>", asked)
    assert verdict.kind is VerdictKind.CALL
    assert json.loads(verdict.calls[0].arguments) == {"order_number": "BX9274"}
    question = ToolCall("faq_lookup_tool", json.dumps({"question": f"Wifi?\n{CALL_HINT}"}))
    assert json.loads(without_hint(question).arguments) == {"question": "Wifi?"}


# -- what it decides: dev-half cases -----------------------------------------------------------


def test_a_follow_up_calls_the_tool_again(llm: Any) -> None:  # en-weather-17
    history = weather_turn("Paris", "It is sunny in Paris, 22 degrees.")
    assert calls(reply(llm, "weather", history, "And in Rome?")) == [
        ("get_weather", {"city": "Rome"})
    ]


def test_the_value_asked_for_is_used_in_a_call(llm: Any) -> None:  # en-support-17
    history = [
        ChatMessage("user", "Hi, I want to check on my order."),
        ChatMessage("assistant", "Sure, what's your order number?"),
    ]
    assert calls(reply(llm, "support", history, "It's 66 03 91.")) == [
        ("get_order_status", {"order_number": "660391"})
    ]


def test_an_indirect_request_calls_the_tool(llm: Any) -> None:  # en-weather-09
    assert calls(reply(llm, "weather", [], "Will I need a heavy coat in Oslo?")) == [
        ("get_weather", {"city": "Oslo"})
    ]


def test_an_order_number_spelled_out_reaches_the_tool_in_digits(llm: Any) -> None:
    deltas = reply(llm, "support", [], "check order b x nine two seven four")  # en-support-15
    assert calls(deltas) == [("get_order_status", {"order_number": "BX9274"})]


def test_a_value_taken_back_is_not_the_one_in_the_call(llm: Any) -> None:  # en-support-05
    deltas = reply(llm, "support", [], "Track order 40217, no sorry, 40271.")
    assert calls(deltas) == [("get_order_status", {"order_number": "40271"})]


@pytest.mark.parametrize(
    ("agent", "said", "city"),
    [
        # ja-airline_triage-05: the model wrote city="Tokyo"
        ("airline_triage", "あさって那覇に着くんだけど、半袖で平気かな？", "那覇"),
        # ja-weather-07: the model wrote city="大阪"
        ("weather", "週末ソウルに行くんですけど、傘っていりますかね。", "ソウル"),
    ],
)
def test_a_place_a_japanese_speaker_names_is_the_one_in_the_call(
    llm: Any, agent: str, said: str, city: str
) -> None:
    deltas = reply(llm, agent, [], said, lang="ja")
    assert calls(deltas) == [("get_weather", {"city": city})], deltas


@pytest.mark.parametrize(
    ("agent", "said", "lang", "call"),
    [
        # en-airline_seat-13: a paragraph before, then the codes in each other's place
        (
            "airline_seat",
            "twenty seven d please confirmation d f g four four one",
            "en",
            ("update_seat", {"confirmation_number": "DFG441", "new_seat": "27D"}),
        ),
        # ja-smart_home-w4-08: the request said back before
        (
            "smart_home",
            "エアコンを にじゅうろく てん ご どに して",
            "ja",
            ("set_thermostat", {"temperature": 26.5}),
        ),
        # ja-airline_seat-05: new_seat="23" before
        (
            "airline_seat",
            "えーと予約番号がエックスワイゼット456で座席を23のエーにお願いします",
            "ja",
            ("update_seat", {"confirmation_number": "XYZ456", "new_seat": "23A"}),
        ),
    ],
)
def test_codes_and_numbers_said_a_character_at_a_time_reach_the_tool_written(
    llm: Any, agent: str, said: str, lang: str, call: tuple[str, dict[str, Any]]
) -> None:
    assert calls(reply(llm, agent, [], said, lang=lang)) == [call]


@pytest.mark.parametrize(
    ("agent", "said"),
    [
        ("smart_home", "Set a timer."),  # en-smart_home-21: the model fills in 30 minutes
        ("airline_faq", "Thanks, that's really helpful!"),  # en-airline_faq-25
        ("airline_faq", "Who am I speaking to?"),  # en-airline_faq-27: a FAQ lookup of it
        ("weather", "which planet is called the red planet"),  # en-weather-31: city="Red Planet"
        # questions about the world: looked up in the FAQ, the weather of a country
        ("airline_faq", "quick one whats the capital of canada"),  # en-airline_faq-w4-01
        ("airline_triage", "um quick trivia question, what currency do they use in switzerland"),
        (
            "airline_triage",
            "イギリスの首都ってどこだっけ？",
        ),  # ja-airline_triage-w7-03: city=イギリス
        # what was said taken in: the clock, the lights
        ("assistant", "mm, okay. noted"),  # en-assistant-w7-01
        ("smart_home", "おっけー、助かった"),  # ja-smart_home-w7-01: set_lights(kitchen)
        # remarks that ask nothing, looked up in the FAQ
        (
            "airline_faq",
            "Honestly, I hate flying. My hands are already sweating just thinking about it.",
        ),  # en-airline_faq-w8-07
        (
            "airline_faq",
            "孫に会いにハワイまで行くんですよ。もう楽しみでねえ。",
        ),  # ja-airline_faq-w8-11
        (
            "airline_triage",
            "Quick one, what currency will I need over in Switzerland?",
        ),  # en-airline_triage-w8-15
    ],
)
def test_no_call_for_what_was_not_asked(llm: Any, agent: str, said: str) -> None:
    lang = "ja" if is_japanese(said) else "en"
    deltas = reply(llm, agent, [], said, lang=lang)
    assert not calls(deltas), deltas
    assert "".join(d.text for d in deltas).strip()


@pytest.mark.parametrize(
    ("agent", "said", "value"),
    [
        ("support", "Where's my order?", "order number"),  # en-support-21: "12345" before
        ("weather", "how's the weather looking", "city"),  # en-weather-21: "It is clear."
        ("smart_home", "Set a timer.", "minutes"),  # en-smart_home-21: "Set a timer." back
        # In Japanese, since the glosses: "say that another way", or a made-up answer
        ("restaurant", "予約したいんですけど。", "人数"),  # ja-restaurant-11
        ("weather", "今日の天気どう？", "都市名"),  # ja-weather-11: "今日の天気は、大阪です。"
        ("smart_home", "タイマーかけて", "何分"),  # ja-smart_home-11
    ],
)
def test_a_value_missing_from_a_request_is_asked_for(
    llm: Any, agent: str, said: str, value: str
) -> None:
    # The model wrote the call with a value of its own, or answered with one in words.
    deltas = reply(llm, agent, [], said)
    text = "".join(d.text for d in deltas)
    assert not calls(deltas) and value in text.lower() and text.endswith(("?", "？")), deltas


def test_told_to_answer_in_words_in_the_users_language() -> None:
    # Told in English, the model answered Japanese requests in English (dev half: 5 of 25
    # replies in words, against none told in Japanese).
    assert no_tool_hint("手荷物はいくつまで？") == NO_TOOL_HINT_JA
    assert no_tool_hint("How many bags?") == NO_TOOL_HINT


def test_no_call_hint_in_english_when_no_tool_takes_a_value(llm: Any) -> None:
    # Nothing for the checks to refuse: with the hint, kaiwa chat's get_current_time was
    # called for every "hello", and then for "Tell me a joke." (dev half, 4 of 6).
    clock = ToolSpec("get_current_time", "The time.", {"type": "object", "properties": {}})
    messages = [ChatMessage("system", "You are helpful."), ChatMessage("user", "Hello!")]
    assert CALL_HINT not in llm.render(messages, [clock])
    _, weather = agent_prompt("weather")
    assert CALL_HINT in llm.render(messages, [clock, *weather])
    # In Japanese it is shown: without it, the time was made up (below).
    asked = [*messages, ChatMessage("assistant", "Hi!"), ChatMessage("user", "今何時？")]
    assert llm.render(asked, [clock]).count(CALL_HINT) == 1


@pytest.mark.parametrize("said", ["今何時？", "今って何月でしたっけ。"])  # ja-assistant, dev
def test_a_japanese_time_question_calls_the_clock(llm: Any, said: str) -> None:
    # Answered "現在の時間は2023年10月1日午前12:00です。" and "現在は2023年1月1日です。" before.
    assert calls(reply(llm, "assistant", [], said, "ja")) == [("get_current_time", {})]


@pytest.mark.parametrize(
    "said",
    [
        # Answered "抱歉，..." before the ban; now they are calls (the place named, above):
        # the ban is checked on Japanese requests answered in words.
        "日本で一番高い山はなんですか？",  # ja-airline_triage general, dev
        "こんにちは",  # ja-airline_triage no_tool, dev
    ],
)
def test_no_chinese_to_a_japanese_speaker(llm: Any, said: str) -> None:
    from kaiwa.engine.words import CHINESE_ONLY

    agent = setup("airline_triage", "ja")
    messages = [ChatMessage("system", agent.instructions), ChatMessage("user", said)]
    text = "".join(d.text for d in llm.stream(messages, agent.tools, max_tokens=60))
    assert CHINESE_ONLY.isdisjoint(text), text
    # Words were written (the model does not call here). Whether they are Japanese depends on
    # the draw: with another test's state before it, it once listed its tools in prose.
    assert text.strip()


# -- replies in words fit to be spoken (`ReplyCheck`) -----------------------------------------

UNFIT_BEFORE = [  # dev-half requests the model answered unfit to be spoken (2026-12-05)
    ("airline_faq", "en", "I have a question."),  # said back
    ("airline_seat", "en", "Hang on, what exactly is this line for?"),  # the hint read out
    ("restaurant", "en", "Book me a table."),  # "name: book_table, arguments: ..."
    ("support", "ja", "返金してほしいんですけど。"),  # said back, with the hint
    ("airline_triage", "ja", "天気を教えてもらえますか？"),  # said back, with the hint
]


@pytest.mark.parametrize(("agent", "lang", "said"), UNFIT_BEFORE)
def test_replies_in_words_are_fit_to_be_spoken(llm: Any, agent: str, lang: str, said: str) -> None:
    # Judged by the quality bench's own rules (`bench.quality.run.junk`), not the engine's.
    from bench.quality.run import Case, junk

    setup_ = setup(agent, lang)
    case = Case(id="t", agent=agent, lang=lang, half="dev", category="", text=said, tool=None)
    for _ in range(3):  # replies in words are sampled
        deltas = list(
            llm.stream(
                [ChatMessage("system", setup_.instructions), ChatMessage("user", said)],
                setup_.tools,
                max_tokens=60,
            )
        )
        text = "".join(d.text for d in deltas)
        assert calls(deltas) or text.strip()
        assert not junk(case, [t.name for t in setup_.tools], text), text


def clock_read_out(llm: Any, said: str, result: str) -> str:
    """The assistant's reply to ``said`` (Japanese) once the clock's ``result`` is in."""
    instructions, tools = agent_prompt("assistant", "ja")
    call = ToolCall("get_current_time", "{}", call_id="c1")
    messages = [
        ChatMessage("system", instructions),
        ChatMessage("user", said),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", result, tool_call_id="c1"),
    ]
    deltas = list(llm.stream(messages, tools, max_tokens=60))
    assert not calls(deltas)
    return "".join(d.text for d in deltas)


@pytest.mark.parametrize(
    ("said", "told"),
    [("今何時？", ("44", "四十四")), ("今って何月でしたっけ。", ("12", "十二"))],  # dev
)
def test_a_result_is_read_out_in_japanese_to_a_japanese_speaker(
    llm: Any, said: str, told: tuple[str, str]
) -> None:
    # Read out in English before ("Saturday 05 December 2026, 12:44"), to a Japanese
    # speaker of an agent told to answer in Japanese. (kaiwa chat --language ja's own
    # clock answers in Japanese: `now_in_japanese`.)
    result = "2026年12月5日（土曜日）12時44分"
    text = clock_read_out(llm, said, result)
    assert is_japanese(text) and unfounded(text, result + said) == []
    assert any(t in unicodedata.normalize("NFKC", text) for t in told)  # (not a give-up)


def test_a_result_put_into_japanese_says_no_number_the_result_does_not(llm: Any) -> None:
    # Put into Japanese, the clock's English result became "現在は2026年12月5日、午後4時です。"
    # (dev half, 3 of 4): such a reply is not spoken; the result is then read out as the
    # model reads it (in English), or in Japanese with the numbers right.
    result = "Saturday 05 December 2026, 12:44"
    text = clock_read_out(llm, "今何時？", result)
    assert text and unfounded(text, result) == [] and text != UNCLEAR_JA


@pytest.mark.parametrize(
    ("said", "lang"),
    [
        ("How much luggage am I allowed to check in?", "en"),  # dev
        # a city said too: get_weather(city="Denver"), a call that only reads, handed off
        ("flying to Denver tomorrow, how many bags can I check?", "en"),
        ("going to Miami, what's the luggage limit", "en"),
        (
            "お土産をたくさん買ってしまって、バッグが二つになったんですが、両方とも持って乗れますか？",
            "ja",
        ),
        # dev half (the ninth writer's): words of the model's own ("No, you don't have to
        # pay..."), or "say that another way": a question of the airline's terms
        # (`question_handoff`)
        ("Taking my skis on Friday's flight. Extra fee for those?", "en"),
        ("ベビーカーって搭乗口まで持っていけるん？", "ja"),
    ],
)
def test_a_question_the_faq_agent_handles_is_handed_to_it(llm: Any, said: str, lang: str) -> None:
    # The triage agent wrote get_weather(city="London"), refused (made up), then answered
    # from its own ideas ("You are allowed to check in up to 10 pounds."); the FAQ handoff's
    # description names luggage (JMdict: baggage) and bags (バッグ).
    assert calls(reply(llm, "airline_triage", [], said, lang)) == [("transfer_to_faq_agent", {})]


@pytest.mark.parametrize(
    ("said", "lang"),
    [
        # dev half (the eighth writer's): handed to the FAQ agent, get_weather, or words
        (
            "Ugh, I've been stuck right next to the loo on my flight to Denver tomorrow and last "
            "time the smell was unbearable. Can you sort me out with something further forward?",
            "en",
        ),
        (
            "あの、今の席がトイレのすぐ前なんですよ。人の出入りが気になって眠れそうにないんで、"
            "どこか離れたところ空いてませんかね。",
            "ja",
        ),
        # (a call refused, then the FAQ's question handoff before the change: 2026-12-07)
        ("えーと あの 窓側がよかったんですけど 今通路側になってて 外の景色見たいんですよね", "ja"),
    ],
)
def test_a_wish_to_sit_elsewhere_is_handed_to_the_seat_booking_agent(
    llm: Any, said: str, lang: str
) -> None:
    deltas = reply(llm, "airline_triage", [], said, lang)
    assert calls(deltas) == [("transfer_to_seat_booking_agent", {})], deltas


@pytest.mark.parametrize(
    ("said", "lang"),
    [
        # a helper's probe (dev): the FAQ agent answered "便の変更は手数料かかります。"
        ("便の変更って手数料かかります？", "ja"),
        ("飛行機が遅れた場合って何か補償とかあるんですか", "ja"),
    ],
)
def test_a_question_of_the_terms_the_faq_agent_answered_in_words_is_looked_up(
    llm: Any, said: str, lang: str
) -> None:
    deltas = reply(llm, "airline_faq", [], said, lang)
    made = calls(deltas)
    assert [name for name, _ in made] == ["faq_lookup_tool"], deltas
    assert said.rstrip("？?") in made[0][1]["question"]  # (its mark added, or not)


@pytest.mark.parametrize(
    "said",
    ["What's the capital of Australia?", "日本で一番高い山はなんですか？"],  # dev
)
def test_a_question_no_agent_handles_is_not_handed_off(llm: Any, said: str) -> None:
    lang = "ja" if is_japanese(said) else "en"
    deltas = reply(llm, "airline_triage", [], said, lang)
    assert not calls(deltas) and "".join(d.text for d in deltas).strip()


def test_a_request_for_the_agents_own_tool_is_not_handed_back(llm: Any) -> None:
    # The seat booking agent handed "I need a different seat." back to triage (dev half),
    # which hands seat changes to it: now it asks for what its own tool needs.
    deltas = reply(llm, "airline_seat", [], "I need a different seat.")
    text = "".join(d.text for d in deltas)
    assert not calls(deltas) and "confirmation" in text.lower() and "?" in text


def faq_turn(question: str, answer: str) -> list[ChatMessage]:
    """An earlier turn with the FAQ agent: the question, looked up, and told."""
    call = ToolCall("faq_lookup_tool", json.dumps({"question": question}), call_id="c1")
    return [
        ChatMessage("user", question),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", answer, tool_call_id="c1"),
        ChatMessage("assistant", answer),
    ]


@pytest.mark.parametrize(
    ("said", "lang"),
    [("Thanks. What's the weather like in Tokyo?", "en"), ("ありがとう。東京の天気はどう？", "ja")],
)
def test_a_request_another_agent_handles_is_handed_back_not_looked_up(
    llm: Any, said: str, lang: str
) -> None:
    # The demo's FAQ agent looked the weather up in its FAQ ("I don't know the answer to
    # that question."); the triage agent's handoff description names the weather.
    history = faq_turn("Is there wifi on the plane?", "We have free wifi on the plane.")
    assert calls(reply(llm, "airline_faq", history, said, lang)) == [
        ("transfer_to_triage_agent", {})
    ]
    # and the triage agent, handed the request, calls its tool (it wrote
    # weather_lookup_tool(...), a function it has not, then words made up: "We have free
    # wifi in Tokyo")
    assert [c[0] for c in calls(reply(llm, "airline_triage", history, said, lang))] == [
        "get_weather"
    ]


@pytest.mark.parametrize(
    ("name", "reads"),
    [
        ("get_weather", True),
        ("GetWeather", True),
        ("checkStatus", True),
        ("search_flights", True),
        ("update_seat", False),
        ("check_in", False),  # a review's: it checks a passenger in
        ("checkIn", False),
        ("get_refund", False),
        ("find_and_book_table", False),
    ],
)
def test_only_a_call_that_only_reads_is_handed_off_for_another_agents_request(
    name: str, reads: bool
) -> None:
    assert _reads(name) is reads
