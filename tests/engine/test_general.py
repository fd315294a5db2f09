"""Questions about the world (`general_question`), questions put to the service
(`asks_the_service`), and the policy answering the world's in words."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.general import asks_the_service, general_question
from kaiwa.engine.tool_policy import Asked, ToolCallPolicy, VerdictKind
from kaiwa.engine.topics import speaks_of

from .airline_tools import LOOKUP, WEATHER


@pytest.mark.parametrize(
    "text",
    [
        "quick one whats the capital of canada",
        "Quick one, what currency will I need over in Switzerland?",  # dev half; "I" anyone
        "Sorry, random question: who painted the Mona Lisa?",
        "What's the tallest mountain in the world?",
        "quick one, um, which planet's the biggest in our solar system?",
        "Largest ocean?",
        "um quick trivia question, what currency do they use in switzerland",
        "what language do they speak in brazil",
        "sorry, silly question, what does ETA stand for?",
        "Could you tell me which country is the largest in the world by area?",
        "How many legs does a spider have?",
        "Do you know who wrote Romeo and Juliet?",
        "what colour do you get mixing blue and yellow",
        "um what temperature does water freeze at in fahrenheit",
        "how do you say thank you in french",
        "日本で一番長い川はなんですか？",
        "イギリスの首都ってどこだっけ？",
        "世界で一番面積の小さい国ってどこだっけ？",
        "飛行機の「機長」って英語で何て言うの？",
        "虹って何色あるんやったっけ？",
        "水って何度で沸騰するんだっけ？",
        "ピザってもともとどこの国の料理なの？",
        "モナリザを描いたのは誰？",
        "富士山の高さって何メートルでしたっけ？",  # the FAQ agent looked it up (dev half)
        "琵琶湖の面積はどのくらい？",
        # small talk before the question (a review's)
        "okay thanks, what is the capital of peru",
        "one more thing, who painted the Mona Lisa",
        "what is the speed of light",
        "who invented the light bulb",
        "what currency do you use in japan",
    ],
)
def test_questions_about_the_world(text: str) -> None:
    assert general_question(text)


@pytest.mark.parametrize(
    "text",
    [
        # the user's own things, the service's, or no scope past the conversation
        "What's the biggest bag I can bring on the plane?",
        "how many seats does the plane have",
        "Which rows are the exit rows?",
        "what's the largest suitcase you allow",
        "Is there wifi on board?",
        "What's the weather like in Reykjavik?",
        "book a table for the biggest group you can take",
        "what does my booking include",
        "重さは何キロまでですか？",
        "機内で一番広い席はどこですか？",
        "予約の通貨は円ですか？",
        # found by a review: a clause after the question, the time asked, the service's
        "is it raining in Berlin, the capital of Germany?",
        "what month is it",
        "what month is it in Japan",
        "in what year are we",
        "what currency are the baggage fees in",
        "which animals are allowed on flights",
        "what currency do you take",
        "what currency will I need for my bags",  # "I need" is anyone's; bags the service's
        "what currency will I need to pay for an upgrade",  # a review's: the service's
        "ドイツの首都ベルリンは今何度？",
        "スーツケースの高さって何センチまで？",  # a limit: the service's
        "この飛行機の長さってどのくらい？",
        "英語でなんとかしてもらえますか",
        "",
    ],
)
def test_questions_of_the_conversation(text: str) -> None:
    assert not general_question(text)


_FAQ, _WEATHER = LOOKUP, WEATHER


def _asked(*messages: ChatMessage, tools: Sequence[ToolSpec] = (_FAQ, _WEATHER)) -> Asked:
    return Asked(messages=messages, mode="auto", shown=tools, callable=tools)


def _judged(
    call: ToolCall, *messages: ChatMessage, tools: Sequence[ToolSpec] = (_FAQ, _WEATHER)
) -> VerdictKind:
    return ToolCallPolicy().judge([call], _asked(*messages, tools=tools)).kind


def test_a_lookup_of_a_question_about_the_world_is_answered_in_words() -> None:
    call = ToolCall(
        name="faq_lookup_tool", arguments='{"question": "What is the capital of Canada?"}'
    )
    said = ChatMessage(role="user", content="quick one whats the capital of canada")
    assert _judged(call, said) is VerdictKind.WORDS_TOLD
    # the same call for a question of the service's is made
    said = ChatMessage(role="user", content="how many seats are on the plane")
    call = ToolCall(
        name="faq_lookup_tool", arguments='{"question": "how many seats are on the plane"}'
    )
    assert _judged(call, said) is VerdictKind.CALL


def test_a_question_about_the_world_that_names_the_tool_is_its_call() -> None:
    call = ToolCall(name="get_weather", arguments='{"city": "Ottawa"}')
    said = ChatMessage(
        role="user", content="what's the weather like in the capital of canada, ottawa"
    )
    assert _judged(call, said) is VerdictKind.CALL
    said = ChatMessage(role="user", content="what currency do they use in switzerland")
    call = ToolCall(name="get_weather", arguments='{"city": "Switzerland"}')
    assert _judged(call, said) is VerdictKind.WORDS_TOLD


@pytest.mark.parametrize(
    "question",
    ["Which city would you like the weather for?", "Happy to help! Which city?"],
)
def test_a_value_given_in_answer_is_not_a_question(question: str) -> None:
    # after "Which city?" (an offer of help before it or not), "the capital of Canada" says
    # where
    call = ToolCall(name="get_weather", arguments='{"city": "Ottawa"}')
    messages = (
        ChatMessage(role="user", content="what's it like outside there"),
        ChatMessage(role="assistant", content=question),
        ChatMessage(role="user", content="the capital of canada, ottawa"),
    )
    assert _judged(call, *messages) is VerdictKind.CALL


def test_an_offer_of_help_asks_for_no_value() -> None:
    call = ToolCall(
        name="faq_lookup_tool", arguments='{"question": "What is the capital of Canada?"}'
    )
    messages = (
        ChatMessage(role="user", content="hi"),
        ChatMessage(role="assistant", content="Hello! How can I help?"),
        ChatMessage(role="user", content="whats the capital of canada"),
    )
    assert _judged(call, *messages) is VerdictKind.WORDS_TOLD


def test_a_lookup_tool_named_for_nothing_is_spoken_of_by_its_description() -> None:
    # faq_lookup_tool's name says nothing; "baggage" is in its description
    assert speaks_of(_FAQ, "how many days does lost baggage take")
    assert not speaks_of(_FAQ, "whats the capital of canada")


def test_long_turns_are_judged_in_linear_time() -> None:
    # inputs that made the patterns backtrack (a review's); each must simply finish
    assert not general_question("is it" + " " * 20000 + "x")
    assert not general_question("what month is it" * 300)


# A helper's probe of the FAQ agent (dev: tuned on), written apart from the quality bench's.
@pytest.mark.parametrize(
    "text",
    [
        "carry-on limit?",
        "wifi price",
        "do you guys let people gate check strollers",
        "how much legroom do economy seats have",
        "is there internet on the plane",
        "what are the size limits for a duffel in the overhead bin",
        "hey so last time I flew with a surfboard it was a whole ordeal, what's your policy on "
        "sports gear like skis or boards",
        "Okay, and what about getting online during the flight, is there any of that?",
        "are there usb ports or outlets at the seats so I can charge my laptop",
        "手荷物の重さ制限は？",
        "スキー板って預けられる？",
        "液体物ってどれくらいまで持ち込めるんでしたっけ",
        "エコノミーの足元の広さってどんな感じですか",
        "ネットって機内でいくらで使えるの",
        "モバイルバッテリーは預け荷物に入れても大丈夫ですか",
        "犬を機内に連れて入ることはできますか",
        # a review's
        "carry on size",
        "ワイファイある？",
        "ネット繋がる？",
        "入れてもええ？",
        "入れてもok？",
        "液体ってどれくらい持ってける？",
    ],
)
def test_questions_put_to_the_service(text: str) -> None:
    assert asks_the_service(text)


@pytest.mark.parametrize(
    "text",
    [
        "How do planes stay in the air?",
        "what is the longest flight in the world",
        "why is the sky blue",
        "who won the world cup in 2018",
        "is tokyo ahead of london like generally how many hours",
        "how much water should a person drink in a day",
        "how do you say thank you in portuguese",  # "you" is anyone
        "what language do they speak in belgium",
        "how many planets are there in the solar system",  # "are there" not at its start
        "飛行機って普通どのくらいの高さ飛んでるの？",
        "織田信長ってどんな人やったん？",
        "時差ボケを早く治すコツってありますか？",
        "一日にどれくらい水飲んだらいいんですかね",  # "had better", not "may"
        "空ってなんで青いの",
    ],
)
def test_questions_put_to_the_world(text: str) -> None:
    assert not asks_the_service(text)


def _lookup(question: str) -> ToolCall:
    return ToolCall(name="faq_lookup_tool", arguments=f'{{"question": "{question}"}}')


@pytest.mark.parametrize(
    "said",
    ["why is the sky blue", "How do planes stay in the air?", "空ってなんで青いの"],
)
def test_a_lookup_of_a_question_put_to_the_world_is_answered_in_words(said: str) -> None:
    # "sky" is "air", and the FAQ's description says "airline": a prefix is not a topic
    assert _judged(_lookup(said), ChatMessage(role="user", content=said)) is (
        VerdictKind.WORDS_TOLD
    )


def test_a_lookup_of_a_question_put_to_the_service_is_made() -> None:
    said = "is there internet on the plane"
    assert _judged(_lookup(said), ChatMessage(role="user", content=said)) is VerdictKind.CALL


def test_a_follow_up_to_a_lookup_is_looked_up_too() -> None:
    # "and for kids?" names nothing of the service's, but follows a lookup
    first = _lookup("how many bags can I check")
    messages = (
        ChatMessage(role="user", content="how many bags can I check"),
        ChatMessage(role="assistant", tool_calls=(first,)),
        ChatMessage(role="tool", content="One bag, under 50 pounds.", tool_call_id="1"),
        ChatMessage(role="assistant", content="You can check one bag, under 50 pounds."),
        ChatMessage(role="user", content="and what about for kids?"),
    )
    assert _judged(_lookup("what about for kids"), *messages) is VerdictKind.CALL
    # without the lookup before it, the same words are the world's
    plain = (
        ChatMessage(role="user", content="hello"),
        ChatMessage(role="assistant", content="Hello! How can I help?"),
        ChatMessage(role="user", content="and what about for kids?"),
    )
    assert _judged(_lookup("what about for kids"), *plain) is VerdictKind.WORDS_TOLD


def test_only_a_services_own_answers_are_kept_for_its_questions() -> None:
    # a review's: a web search is for the world's questions, and a handoff to an agent that
    # answers questions may be for the things it does
    search = ToolSpec(
        "web_search",
        "Search the web for current information.",
        {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    )
    said = ChatMessage(role="user", content="who won the world cup in 2022")
    call = ToolCall(name="web_search", arguments='{"query": "world cup 2022 winner"}')
    assert _judged(call, said, tools=[search]) is VerdictKind.CALL
    bookings = ToolSpec(
        "transfer_to_bookings_agent",
        "Handoff to the Bookings agent. Makes bookings and answers questions about opening hours.",
        {"type": "object", "properties": {}},
    )
    handoff = ToolCall(name="transfer_to_bookings_agent", arguments="{}")
    for words in ("dinner for two at seven tomorrow", "How do planes stay in the air?"):
        said = ChatMessage(role="user", content=words)
        assert _judged(handoff, said, tools=[bookings]) is VerdictKind.CALL


def test_a_service_nobody_offers_gets_kaiwas_own_words_first() -> None:
    # a review's: "book a taxi" asks the world nothing, and nobody here books taxis
    said = ChatMessage(role="user", content="book a taxi to the airport")
    verdict = ToolCallPolicy().judge([_lookup("book a taxi to the airport")], _asked(said))
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.reply and not verdict.fallback


def test_a_follow_up_after_small_talk_is_still_one() -> None:
    # a review's: "ok thanks" between the lookup and the follow-up
    first = _lookup("how many bags can I check")
    messages = (
        ChatMessage(role="user", content="how many bags can I check"),
        ChatMessage(role="assistant", tool_calls=(first,)),
        ChatMessage(role="tool", content="One bag, under 50 pounds.", tool_call_id="1"),
        ChatMessage(role="assistant", content="You can check one bag, under 50 pounds."),
        ChatMessage(role="user", content="ok thanks"),
        ChatMessage(role="assistant", content="You're welcome!"),
        ChatMessage(role="user", content="what about for kids?"),
    )
    assert _judged(_lookup("what about for kids"), *messages) is VerdictKind.CALL


@pytest.mark.parametrize(
    "name", ["search_help_center", "knowledge_base_search", "frequently_asked_questions"]
)
def test_a_services_own_answers_are_known_by_the_words_of_its_name_in_order(name: str) -> None:
    # a review's: the name's words were a set, in an order that changed between runs
    from kaiwa.engine.tool_policy import _service_faq

    tool = ToolSpec(name, "Look it up.", {"type": "object", "properties": {}})
    assert _service_faq(tool)


def test_what_the_instructions_say_the_agent_deals_in_is_the_services() -> None:
    # a review's: a hotel's FAQ asked "when does the pool open?" names no word of the lists
    faq = dataclasses.replace(_FAQ, description="Lookup frequently asked questions.")
    system = ChatMessage(
        role="system",
        content="You are the concierge of the Grand Hotel. Answer guests' questions about the "
        "restaurant, the pool, checkout and breakfast.",
    )
    for words, kind in (
        ("when does the pool open", VerdictKind.CALL),
        ("why is the sky blue", VerdictKind.WORDS_TOLD),
    ):
        call = _lookup(words)
        said = ChatMessage(role="user", content=words)
        assert _judged(call, system, said, tools=[faq]) is kind


def test_a_request_said_in_pieces_is_one_request() -> None:
    # a review's: "um", "and", "what about for kids" in a row, after a lookup
    first = _lookup("how many bags can I check")
    messages = (
        ChatMessage(role="user", content="how many bags can I check"),
        ChatMessage(role="assistant", tool_calls=(first,)),
        ChatMessage(role="tool", content="One bag, under 50 pounds.", tool_call_id="1"),
        ChatMessage(role="assistant", content="You can check one bag, under 50 pounds."),
        ChatMessage(role="user", content="um"),
        ChatMessage(role="user", content="and"),
        ChatMessage(role="user", content="what about for kids"),
    )
    assert _judged(_lookup("what about for kids"), *messages) is VerdictKind.CALL


def test_a_network_is_not_the_internet() -> None:
    assert asks_the_service("ネット繋がる？")
    assert not asks_the_service("ネットワーク効果ってなに？")


def test_do_you_happen_to_know_is_politeness() -> None:
    # the world's question asked politely; the service's stays the service's (a third review's)
    assert general_question("Which airport is the busiest in the world, do you happen to know?")
    assert asks_the_service("Do you happen to know when the pool opens?")
