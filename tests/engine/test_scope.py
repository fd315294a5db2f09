"""Requests for a service nobody here offers (`kaiwa.engine.scope`), and the policy's
answer to a handoff or a lookup made for one."""

from __future__ import annotations

import pytest

from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.scope import OUT_OF_SCOPE, OUT_OF_SCOPE_JA, other_service, out_of_scope_reply
from kaiwa.engine.tool_policy import Asked, ToolCallPolicy, Verdict, VerdictKind

from .airline_tools import FAQ, LOOKUP, NONE, SEAT, TRIAGE, WEATHER


@pytest.mark.parametrize(
    ("said", "service"),
    [
        # the dev half's: handed off or looked up
        ("could you get me a cab to the airport for like six tomorrow morning", "cab"),
        ("Can you book me a hotel room in Rome for three nights?", "hotel room"),
        ("can you sort me out a rental car for when i land", "rental car"),
        ("空港からホテルまでのタクシーも手配してもらえます？", "タクシー"),
        ("ついでに向こうのホテルも取っといてくれへん？", "ホテル"),
        ("I need an Uber from the terminal", "Uber"),
        ("Any chance you could get me a cab waiting at arrivals?", "cab"),
        # a second review's: "I'd like", "can I get", "help me book", "rent a car"
        ("I'd like a taxi please", "taxi"),
        ("Can I get a taxi to the station?", "taxi"),
        ("Can you help me book a hotel?", "hotel"),
        ("I want to rent a car", "rental car"),
        ("レンタカーを借りたいです", "レンタカー"),
    ],
)
def test_a_service_nobody_offers_is_named(said: str, service: str) -> None:
    assert other_service(said, TRIAGE) == service


@pytest.mark.parametrize(
    "said",
    [
        # a review's: spoken of, not asked for (questions the FAQ may well answer)
        "If my flight is cancelled overnight, will you put me up in a hotel?",
        "Do I get a hotel voucher if my flight's delayed?",
        "欠航になったらホテルは用意してもらえますか",
        "is there a shuttle bus between terminals",
        "can I check my suitcase at the hotel",
        "how early should I leave my hotel for the airport",
        "the hotel lost my booking reference, can you send it again",
        "does my ticket include a train ticket to the city",
        "My taxi was late and I missed my flight, what can I do",
        "I left my phone in the taxi",
        # a second review's
        "can you get me a hotel voucher?",
        "Can you find my taxi receipt",
        "遅延の場合、ホテルは手配してもらえますか",
        "タクシーで空港に向かうので予約の時間を確認したい",
    ],
)
def test_a_service_spoken_of_is_not_asked_for(said: str) -> None:
    assert other_service(said, TRIAGE) is None


def test_a_service_offered_by_a_tool_a_handoff_or_the_instructions_is_no_other() -> None:
    hotels = ToolSpec("transfer_to_hotel_agent", "Books hotel rooms.", NONE)
    assert other_service("book me a hotel in Rome", (*TRIAGE, hotels)) is None
    cars = ToolSpec("rent_car", "Rents cars at the airport.", WEATHER.parameters)
    assert other_service("can I get a rental car", (cars,)) is None
    assert other_service("call me a taxi", TRIAGE, "You also book taxis for travellers.") is None
    assert other_service("ホテルを予約して", TRIAGE, "ホテルの予約も受け付けます。") is None
    # offered in other words (a review's), or the service's plural
    concierge = ToolSpec("transfer_to_concierge", "Arranges ground transportation and stays.", NONE)
    assert other_service("get me a taxi to the airport", (concierge,)) is None
    lodging = ToolSpec("transfer_to_travel", "Finds lodging for travellers.", NONE)
    assert other_service("can you book me a motel", (lodging,)) is None
    limousines = ToolSpec("book_limo", "Books limousines.", WEATHER.parameters)
    assert other_service("book me a limousine", (limousines,)) is None
    # every word of a longer service: "car seats" and "ticket changes" offer no rental car
    seats = ToolSpec("transfer_to_kids", "Car seats and ticket changes.", NONE)
    assert other_service("can you get me a rental car", (seats,)) == "rental car"
    assert other_service("can you get me a rental car", (seats, cars)) is None
    # words that only begin like a service: no service
    assert other_service("can I bring my cabin bag", TRIAGE) is None
    assert other_service("what's the weather in Cabo", TRIAGE) is None


def judged(call: ToolCall, said: str, tools: tuple[ToolSpec, ...] = TRIAGE) -> Verdict:
    messages = [ChatMessage("system", "An airline's assistant."), ChatMessage("user", said)]
    asked = Asked(messages=messages, mode="auto", shown=tools, callable=tools)
    return ToolCallPolicy().judge([call], asked)


def test_a_handoff_or_a_lookup_for_a_service_nobody_offers_is_answered_so() -> None:
    verdict = judged(ToolCall(FAQ.name, "{}"), "could you get me a cab to the airport")
    assert verdict.kind is VerdictKind.WORDS_TOLD
    assert verdict.reply == f"{OUT_OF_SCOPE} I can get the weather in a city."
    verdict = judged(
        ToolCall(SEAT.name, "{}"), "空港からホテルまでのタクシーも手配してもらえます？"
    )
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.reply == OUT_OF_SCOPE_JA
    lookup = ToolCall(LOOKUP.name, '{"question": "Can you get me a rental car?"}')
    verdict = judged(lookup, "can you sort me out a rental car for when i land", (LOOKUP,))
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.reply.startswith(OUT_OF_SCOPE)


def test_a_request_naming_what_the_called_tool_is_for_or_a_tool_with_values_stands() -> None:
    # the FAQ's wifi, at the hotel
    verdict = judged(ToolCall(FAQ.name, "{}"), "is there wifi at the hotel")
    assert verdict.kind is VerdictKind.CALL
    # a tool with a value said: asked for a cab and the weather, the weather is called
    call = ToolCall(WEATHER.name, '{"city": "Rome"}')
    said = "can you get me a cab, and what's the weather like in Rome"
    assert judged(call, said).kind is VerdictKind.CALL
    assert judged(ToolCall(FAQ.name, "{}"), said).kind is VerdictKind.WORDS_TOLD


def test_the_reply_says_what_can_be_done() -> None:
    assert out_of_scope_reply("get me a cab", (LOOKUP,)) == (
        f"{OUT_OF_SCOPE} I can look up the airline's answer to a frequently asked question "
        "(baggage, seats, wifi)."
    )
    assert out_of_scope_reply("タクシー呼んで", (LOOKUP,)) == OUT_OF_SCOPE_JA


@pytest.mark.parametrize(
    ("said", "service"),
    [
        # a probe written apart (2026-12-07): restaurants, tables, tickets, "is it possible to"
        ("Could you book me a good restaurant in Lisbon?", "restaurant"),
        ("can you reserve a table for two at a sushi place tonight", "table"),
        ("今夜、梅田あたりで焼肉屋さん二名で予約できますか", "焼肉屋"),
        ("成田エクスプレスの切符ってここで買えます？", "切符"),
    ],
)
def test_more_services_nobody_here_offers(said: str, service: str) -> None:
    assert other_service(said, TRIAGE) == service


@pytest.mark.parametrize(
    "said",
    [
        # two reviews': alarms, reminders, takeaways, rooms and pizza on board (food, alarms
        # and reminders were tried as services nobody offers, and taken back)
        "can you set the alarm before I leave",
        "can you set a reminder to call mum",
        "can you get me the key takeaways from the refund policy",
        "can you set the hotel room temperature to twenty",
        "ホテルに電話かけて",
        "can i get a pizza on the flight",
    ],
)
def test_what_another_agent_may_well_serve_is_no_other_service(said: str) -> None:
    assert other_service(said, (LOOKUP,)) is None


def test_a_restaurants_own_tables_are_offered() -> None:
    book = ToolSpec("book_table", "Book a table at the restaurant.", WEATHER.parameters)
    assert other_service("can you reserve a table for two tonight", (book,)) is None
    assert other_service("Could you book me a good restaurant?", (book,)) is None
    assert other_service("今夜四人でお寿司屋さん予約してほしいんやけど", (book,)) is None


def test_a_weather_call_or_a_handoff_for_a_service_nobody_offers_is_answered_so() -> None:
    # the triage agent called get_weather(city="大阪") and the seat booking agent's handoff
    # ("book" of "book me a hotel" is not its "booking")
    verdict = judged(
        ToolCall(WEATHER.name, '{"city": "大阪"}'), "大阪駅の近くでホテル取ってもらえますか"
    )
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.reply == OUT_OF_SCOPE_JA
    verdict = judged(ToolCall(SEAT.name, "{}"), "Can you book me a hotel near Heathrow?")
    assert verdict.kind is VerdictKind.WORDS_TOLD and verdict.reply.startswith(OUT_OF_SCOPE)
    # a seat's booking is the seat agent's
    verdict = judged(ToolCall(SEAT.name, "{}"), "can you change the seat on my booking")
    assert verdict.kind is VerdictKind.CALL


def test_other_tools_asked_for_what_they_do_stand() -> None:
    # a review's: a restaurant host's reservations, an order's status, a web search
    values = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    host = ToolSpec("make_reservation", "Make a reservation at the restaurant.", values)
    verdict = judged(
        ToolCall(host.name, '{"q": "four at 7"}'), "can I book a table for four?", (host,)
    )
    assert verdict.kind is VerdictKind.CALL
    status = ToolSpec("get_order_status", "Get the status of an order.", values)
    said = "Can you call the restaurant about my order 5521? It's an hour late"
    assert judged(ToolCall(status.name, '{"q": "5521"}'), said, (status,)).kind is VerdictKind.CALL
    search = ToolSpec("web_search", "Search the web for anything.", values)
    said = "Can you find me a good ramen restaurant near Shibuya?"
    assert other_service(said, (search,)) is None


@pytest.mark.parametrize(
    "said",
    [
        # a second review's: tours (a museum's, a package holiday's), recommendations, a SIM
        "Can you recommend a restaurant near the hotel?",
        "I'd like to book a guided tour of the museum",
        "ツアー予約の便で、ベビーカーって預けられますか？",
        "Is it possible to buy a sim card on the plane?",
        # a third review's: what the airline does when a flight is cancelled
        "Is it possible to get a hotel room if my flight is cancelled?",
    ],
)
def test_what_an_agent_may_well_offer_is_no_other_service(said: str) -> None:
    assert other_service(said, TRIAGE) is None


def test_a_weather_call_asked_the_weather_in_other_words_stands() -> None:
    call = ToolCall(WEATHER.name, '{"city": "London"}')
    assert judged(call, "I need a taxi in London, is it cold there?").kind is VerdictKind.CALL


def test_a_japanese_restaurants_own_bookings_are_offered() -> None:
    # a third review's: お店の予約 at an Italian restaurant's phone line
    bookings = ToolSpec("transfer_to_bookings_agent", "Takes bookings.", NONE)
    instructions = "あなたはイタリアンレストラン「ルイージ」の電話受付です。"
    assert other_service("お店の予約をお願いしたいです", (bookings,), instructions) is None
    assert other_service("今日の夜、レストランの予約できますか", (bookings,), instructions) is None
    host = "You are the host of Trattoria Luigi."
    assert other_service("Can I book a table for two at 8?", (bookings,), host) is None
