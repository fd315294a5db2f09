"""The handoff a request names the topic of (`kaiwa.engine.topics`), with JMdict installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaiwa.engine import glosses, topics, wordnet
from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.tool_policy import Asked
from kaiwa.engine.topics import (
    change_asked,
    describes,
    handoff_for_change,
    handoff_topics,
    kinds_said,
    named_alike,
    named_handoff,
    said_topics,
    speaks_of,
    touches,
)

from .airline_tools import FAQ, LOOKUP, NONE, SEAT, TRIAGE, WEATHER

TOOLS = TRIAGE


def named(said: str, tools: tuple[ToolSpec, ...] = TOOLS) -> str | None:
    messages = [ChatMessage("system", "Triage."), ChatMessage("user", said)]
    tool = named_handoff(Asked(messages=messages, mode="auto", shown=tools, callable=tools))
    return tool.name if tool is not None else None


def test_a_handoffs_topics_are_the_words_no_other_handoff_has() -> None:
    topics = handoff_topics(TOOLS)
    # "seat" is in both (it names neither); "answers", "questions", "changes" and
    # "traveller" say what an agent does, not what about; the SDK's opening is left out.
    assert topics == {
        "transfer_to_faq_agent": {"bag", "baggage", "wifi"},
        "transfer_to_seat_booking_agent": {"booking"},
    }
    assert "get_weather" not in topics  # a tool, not a handoff


def test_a_request_names_a_handoff_by_its_words_or_what_they_mean() -> None:
    assert glosses.synonyms("luggage") >= {"baggage"}  # JMdict's 荷物
    assert glosses.synonyms("place") >= {"spot"} and "seat" not in glosses.synonyms("place")
    assert named("How many bags can I bring on the plane?") == "transfer_to_faq_agent"
    assert named("How much luggage am I allowed to check in?") == "transfer_to_faq_agent"
    assert named("Is there Wi-Fi on board?") == "transfer_to_faq_agent"
    assert named("My booking reference is QWE456.") == "transfer_to_seat_booking_agent"
    # Japanese: the glosses of its nouns, and Latin words as they are
    assert named("機内に持ち込める荷物はいくつまでですか？") == "transfer_to_faq_agent"
    assert named("機内でWi-Fiは使えますか？") == "transfer_to_faq_agent"
    assert named("予約番号はABC123です。") == "transfer_to_seat_booking_agent"


def test_no_handoff_is_named_by_other_words_or_by_two() -> None:
    assert named("What's the capital of Australia?") is None
    assert named("I'd like a different seat.") is None  # both handoffs handle seats
    assert named("Can you book me a hotel?") is None  # "book" is not "booking"
    assert named("How do I load the app?") is None  # 荷 is "load, baggage, ...": too broad
    assert named("My booking says two bags.") is None  # both named: neither
    assert named("How many bags can I bring?", (WEATHER,)) is None  # no handoffs
    assert "wifi" in said_topics("機内でWi-Fiは使えますか？")


def test_only_what_the_user_said_since_the_assistant_spoke_counts() -> None:
    messages = [
        ChatMessage("user", "How many bags can I bring?"),
        ChatMessage("assistant", "Let me pass you to our FAQ agent."),
        ChatMessage("user", "Actually, what's the weather in Oslo?"),
    ]
    asked = Asked(messages=messages, mode="auto", shown=TOOLS, callable=TOOLS)
    assert named_handoff(asked) is None


def test_no_handoff_when_a_result_is_to_be_read_or_the_call_is_not_the_models() -> None:
    said = [ChatMessage("user", "Weather in Oslo? And how many bags can I bring?")]
    asked = Asked(messages=said, mode="auto", shown=TOOLS, callable=TOOLS)
    assert named_handoff(asked) is FAQ
    assert named_handoff(Asked(messages=said, mode="none", shown=(), callable=TOOLS)) is None
    looked_up = [
        *said,
        ChatMessage("assistant", "", tool_calls=(ToolCall("get_weather", '{"city": "Oslo"}'),)),
        ChatMessage("tool", "Sunny in Oslo."),
    ]
    asked = Asked(messages=looked_up, mode="auto", shown=TOOLS, callable=TOOLS)
    assert named_handoff(asked) is None  # the weather is to be told


def test_words_any_sentence_has_are_no_topic() -> None:
    billing = ToolSpec(
        "transfer_to_billing",
        "Handles billing and anything else you would like to know.",
        NONE,
    )
    support = ToolSpec("transfer_to_support", "Should be used for technical issues.", NONE)
    assert handoff_topics([billing, support]) == {
        "transfer_to_billing": {"billing"},
        "transfer_to_support": {"technical"},
    }
    assert named("Would you like to know a joke?", (billing, support)) is None
    assert named("Is there anything else?", (billing, support)) is None
    # a handoff that takes values (an input_type) is the model's to write
    valued = ToolSpec(
        "transfer_to_refunds",
        "Refunds.",
        {"type": "object", "properties": {"reason": {"type": "string"}}},
    )
    assert handoff_topics([valued, billing]) == {"transfer_to_billing": {"billing"}}


def _forget() -> None:
    for cached in (glosses.synonyms, wordnet.broader, topics.kinds_said, said_topics):
        cached.cache_clear()


def test_without_jmdict_or_wordnet_only_the_words_said_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(glosses, "_connection", lambda: None)
    monkeypatch.setattr(wordnet, "_maps", lambda: None)
    _forget()
    try:
        assert glosses.synonyms("luggage") == frozenset()
        assert wordnet.broader("suitcase") == frozenset()
        assert said_topics("How much luggage?") == {"how", "much", "luggage"}
        assert kinds_said("How heavy can my suitcase be?") == frozenset()
    finally:
        _forget()


@pytest.mark.parametrize(
    "said",
    [
        "Roughly how heavy can my suitcase be?",  # WordNet: a suitcase is a bag, baggage
        "can i bring a backpack and a purse",  # a kind of bag
        "スーツケースって何キロまで預けられるん？",  # JMdict: suitcase; WordNet: bag
        "リュックって持ち込めます？",  # rucksack: a kind of bag
    ],
)
def test_a_kind_of_what_a_handoff_handles_names_it(said: str) -> None:
    assert named(said) == FAQ.name


def test_what_a_word_is_a_kind_of_is_taken_narrowly() -> None:
    # one step up from the word's first sense, no further, no instance of a kind, and only
    # things made: a need is a condition, a refund a payment (a review's: "I need help"
    # named a policy agent's "terms and conditions", "I want a refund" billing's payments)
    assert "bag" in wordnet.broader("suitcase") and "baggage" in wordnet.broader("suitcase")
    assert "seat" not in wordnet.broader("capital")  # first money, not "a seat of government"
    assert "baggage" not in wordnet.broader("trunk")  # first a tree's
    assert "bag" not in wordnet.broader("duffel")  # a drawstring bag: two steps
    assert "city" not in wordnet.broader("leeds")  # an instance of a city
    for word in ("need", "refund", "weather", "booking", "invoice", "flying", "take"):
        assert wordnet.broader(word) == frozenset(), word
    assert "a-line" in wordnet.broader("a-line") and "zori" in wordnet.broader("zori")  # ends
    assert wordnet.broader("no-such-word") == frozenset()
    assert wordnet.broader("スーツケース") == frozenset()  # English only
    # kinds only when the words name no handoff, and never for touching a tool
    assert "bag" not in said_topics("my suitcase is about thirty kilos")
    assert not touches(LOOKUP, "Honestly, I hate flying.")
    assert named("we're flying to Leeds next week") is None
    # in Japanese, only loanwords' first glosses are asked about: JMdict's senses of 便 run
    # from a flight to a stool, and a stool is a kind of seat
    remark = "前回の便、出発が二時間も遅れて乗り継ぎに間に合わなかったんですよ。"
    assert "seat" not in kinds_said(remark)
    assert {"bag", "baggage"} <= kinds_said("スーツケースって何キロまで？")


def test_kinds_name_a_handoff_only_when_the_words_name_none() -> None:
    # a review's: refund (a payment) named billing too, and the clash left refunds unnamed
    billing = ToolSpec("transfer_to_billing", "Payments, invoices and charges.", NONE)
    refunds = ToolSpec("transfer_to_refunds", "Refunds for orders.", NONE)
    assert named("I want a refund", (billing, refunds)) == refunds.name
    assert named("I need a copy of my invoice", (billing, refunds)) == billing.name
    policy = ToolSpec(
        "transfer_to_policy", "Answers questions on fares, terms and conditions.", NONE
    )
    assert named("I need help", (WEATHER, policy)) is None
    assert named("how heavy can my suitcase be") == FAQ.name  # no word named: a suitcase is a bag


def test_wordnet_files_not_the_pinned_ones_are_not_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "index.noun").write_text("suitcase n 1 0 1 1 00000000  \n")
    (tmp_path / "data.noun").write_text("00000000 06 n 01 bag 0 000 | a bag\n")
    monkeypatch.setenv("KAIWA_WORDNET", str(tmp_path))
    wordnet.wordnet_dir.cache_clear()
    wordnet._maps.cache_clear()
    wordnet.broader.cache_clear()
    try:
        assert wordnet.wordnet_dir() is None
        assert wordnet.broader("suitcase") == frozenset()
    finally:
        monkeypatch.delenv("KAIWA_WORDNET")
        wordnet.wordnet_dir.cache_clear()
        wordnet._maps.cache_clear()
        _forget()
    assert wordnet.wordnet_dir() is not None  # the installed one, pinned


def test_a_handoff_described_by_the_request_is_told_from_one_that_is_not() -> None:
    back = ToolSpec(
        "transfer_to_triage_agent",
        "Handoff to the Triage Agent agent to handle the request. Finds out what the "
        "traveller needs and passes them on.",
        NONE,
    )

    def asked(said: str) -> Asked:
        return Asked([ChatMessage("user", said)], "auto", TOOLS, (*TOOLS, back))

    # "seat" is in the seat booking handoff's description (shared with the FAQ's or not)
    assert describes(SEAT, asked("The weather made me late, can I change my seat?"))
    assert not describes(back, asked("I need a different seat."))
    assert handoff_topics([back]) == {}  # "passes" is "pass", a role word


def test_a_tool_is_described_by_its_name_too_and_tell_is_what_agents_do() -> None:
    back = ToolSpec(
        "transfer_to_triage_agent",
        "Handoff to the Triage Agent agent to handle the request. Tells the weather, and "
        "finds out what else the traveller needs and passes them on.",
        NONE,
    )
    assert handoff_topics([back]) == {"transfer_to_triage_agent": {"weather"}}
    lookup = ToolSpec("faq_lookup_tool", "Look up an answer.", WEATHER.parameters)
    order = ToolSpec("get_order_status", "", WEATHER.parameters)

    def asked(said: str) -> Asked:
        return Asked([ChatMessage("user", said)], "auto", (lookup, order), (lookup, order, back))

    assert describes(order, asked("Where is my order?"))  # its name's "order"
    assert not describes(lookup, asked("What's the weather like in Tokyo?"))
    assert named_handoff(asked("What's the weather like in Tokyo?")) == back
    assert named_handoff(asked("Can you tell me the answer?")) is None  # "tell": no topic


def test_a_function_not_offered_is_named_alike_a_tool_only_by_a_word_of_what_it_does() -> None:
    lights = ToolSpec("set_lights", "Turn the lights in a room on or off.", WEATHER.parameters)
    assert named_alike("weather_lookup_tool", WEATHER)
    assert named_alike("getWeatherInfo", WEATHER)
    assert not named_alike("tell_fun_fact", lights)
    assert not named_alike("get_status", WEATHER)  # what any tool's name has
    # and the request must describe the tool: "Seattle" starts like "seat", names no seat
    seat = ToolSpec("update_seat", "Change the seat of a booking.", WEATHER.parameters)
    asked = Asked([ChatMessage("user", "What's the weather in Seattle?")], "auto", (seat,), (seat,))
    assert not describes(seat, asked)


def _asked(said: str, tools: tuple[ToolSpec, ...], mode: str = "auto") -> Asked:
    messages = [ChatMessage("system", "An agent."), ChatMessage("user", said)]
    return Asked(messages=messages, mode=mode, shown=tools, callable=tools)


def changed(said: str, called: str = FAQ.name, tools: tuple[ToolSpec, ...] = TOOLS) -> str | None:
    tool = handoff_for_change(called, _asked(said, tools))
    return tool.name if tool is not None else None


def test_a_change_asked_for_goes_to_the_handoff_that_changes_things() -> None:
    # the dev half's: handed to the FAQ agent, whose description names seats too
    assert changed("I'd rather have an aisle seat than the one they gave me.") == SEAT.name
    assert changed("i need to move from twenty three b to fourteen c") == SEAT.name
    assert (
        changed("いま通路側の席なんですけど、窓側に替えてもらうことってできますか？") == SEAT.name
    )
    assert changed("Can I switch to a window seat?") == SEAT.name
    assert changed("席を移りたいです") == SEAT.name


def test_no_change_asked_or_the_called_handoffs_own_topic_named_stays() -> None:
    assert changed("Is row sixteen an exit row?") is None  # a question about seats
    assert changed("How many seats are there on the plane?") is None
    assert changed("この飛行機って全部で何席あるの？") is None
    assert changed("Can I change my baggage allowance?") is None  # the FAQ's baggage
    assert changed("Does the wifi change between flights?") is None  # the FAQ's wifi
    # a change of something else than the seat booking agent's (a review's)
    assert changed("Do I need to change planes in Dubai?") is None
    assert changed("do i have to switch terminals in frankfurt") is None
    assert changed("has the gate changed") is None
    assert changed("what's the weather like, I'd rather be in Hawaii") is None
    assert changed("空港から市内への移動方法を教えて") is None
    assert changed("空港で外貨の交換はできますか") is None
    # asked about, not asked for; its cost; another verb; another thing's change (a review's)
    assert changed("will my seat change if my flight is delayed?") is None
    assert changed("why did my seat change") is None
    assert changed("how much does it cost to change my seat?") is None
    assert changed("i'd prefer to know the seat pitch") is None
    assert changed("座席変更の手数料はいくら？") is None
    assert changed("席で着替えてもいいですか") is None  # changing clothes
    assert changed("where can i change money near gate b twelve") is None
    assert changed("do i need to change terminals for flight b a two four five") is None
    assert changed("can i change my hotel reservation") is None  # a booking, but no seat
    assert changed("move me to 12a") == SEAT.name
    # the handoff that changes things already called, or none other that does
    assert changed("I'd rather have an aisle seat.", called=SEAT.name) is None
    assert changed("I'd rather have an aisle seat.", tools=(WEATHER, FAQ)) is None
    # two handoffs that change things: which one?
    meals = ToolSpec("transfer_to_meal_agent", "Changes the meal on a booking.", NONE)
    assert changed("I'd rather have an aisle seat.", tools=(*TOOLS, meals)) is None
    # the called one changes things itself
    upgrades = ToolSpec("transfer_to_upgrade_agent", "Changes the class of a seat.", NONE)
    assert changed("I'd rather have an aisle seat.", upgrades.name, (FAQ, SEAT, upgrades)) is None
    # not the model's choice, or a tool's result to be read out
    tools = TOOLS
    asked = _asked("I'd rather have an aisle seat.", tools, mode="required")
    assert handoff_for_change(FAQ.name, asked) is None
    said = _asked("I'd rather have an aisle seat.", tools).messages
    read = Asked(
        messages=[*said, ChatMessage("tool", "Seat changed.")],
        mode="auto",
        shown=tools,
        callable=tools,
    )
    assert handoff_for_change(FAQ.name, read) is None


def test_a_tools_name_is_what_it_is_for() -> None:
    # 首都 glosses to "capital city", and "city" is in get_weather's description: no weather
    assert describes(WEATHER, _asked("イギリスの首都ってどこだっけ？", TOOLS))
    assert not speaks_of(WEATHER, "イギリスの首都ってどこだっけ？")
    assert speaks_of(WEATHER, "what's the weather like in the capital of Peru")
    assert speaks_of(FAQ, "how many bags can I bring")


def wished(said: str, tools: tuple[ToolSpec, ...] = TOOLS) -> str | None:
    tool = change_asked(_asked(said, tools))
    return tool.name if tool is not None else None


def test_a_wish_for_another_place_to_sit_is_a_change_of_seat() -> None:
    # the dev half's: the triage agent handed them to the FAQ agent, called get_weather or
    # answered
    for said in (
        "Ugh, I've been stuck right next to the loo on my flight to Denver tomorrow. Can you "
        "sort me out with something further forward?",
        "um yeah so i'm six foot five and they've stuck me in like row thirty one is there "
        "any way to get somewhere with a bit more room",
        "あの、今の席がトイレのすぐ前なんですよ。どこか離れたところ空いてませんかね。",
        "えーと あの 窓側がよかったんですけど 今通路側になってて 外の景色見たいんですよね",
        "could we sit together, my son is three rows behind me",
        "I'd like to sit closer to the front, I'm in row 40",  # a review's
        "can my husband and I sit together, we're in rows 12 and 30",
        "窓側の方がいいんですけど",
    ):
        assert wished(said) == SEAT.name, said
        assert changed(said) == SEAT.name, said  # the FAQ agent called: the same
    # a change said in words, with no handoff called (words or get_weather chosen)
    assert wished("Can I switch to a window seat?") == SEAT.name
    # the ninth writer's dev half: a place to be put or moved to, by a word of the seating or a
    # seat's code, no "seat" said
    for said in (
        "hey so i'm stuck in the middle on tomorrow's flight, any chance you could put me by "
        "the window?",
        "Confirmation K L seven Q two X. I'm in twenty-nine B right now and I'd like to be "
        "moved to fourteen C, please.",
        "Hello, I am very tall man, almost two meter. Please, is possible for me to sit in "
        "emergency exit row? For my legs.",
        "今真ん中なんだけど、窓際に移れたりする？",
        "予約番号エービーナナキューケーゼロで、今さんじゅうのディーなんですけど、じゅうよんのシー"
        "に移りたいです。",  # 14Cに: a seat's code before a Japanese particle
    ):
        assert changed(said) == SEAT.name, said
    # a probe set written apart (not the benchmark's): wishes to be placed elsewhere
    for said in (
        "I'd love to be by the window if there's one free",  # free: vacant, not a price
        "any aisle seats left? I'm in the middle and my knees are bad",
        "hi so uh I'm in the very last row and I was wondering if I could uh move up a bit",
        "I would be most grateful if you could reassign me to an exit row seat.",
        "row 40 is right next to the galley and it's so noisy, get me out of there please",
        "please I want other seat, this one is near toilet",
        "席かえて",
        "予約した席、ほかの席に変えられます？できれば通路側で",
        "隣の人がちょっと…後ろの方の空いてる列に移動できますか",
    ):
        assert changed(said) == SEAT.name, said


def test_no_wish_to_sit_elsewhere_no_change() -> None:
    # a review's: a change asked about (any chance it happens), places not on the plane
    assert changed("is there any chance my seat will change if the flight is delayed") is None
    assert changed("機材変更で座席が変更されることはありませんか") is None
    assert wished("どこか空いてるカフェを教えてください") is None
    assert wished("他のところで聞いたんですが、ペットって乗せてもらえますか") is None
    assert wished("どこか広い場所で着替えたいんですけど") is None
    assert wished("can you recommend somewhere with more room to relax in the airport") is None
    assert wished("please book me something with more room, like a suite at the hotel") is None
    # a second review's: the plane named, but no seat ("flight", 便 are no seating words)
    assert wished("could we sit together in the lounge before the flight") is None
    assert wished("any chance of somewhere quieter to wait, my flight is delayed") is None
    assert wished("can my dog sit next to me on the flight") is None
    assert wished("明日の便、どこか別の日にできませんか") is None
    assert wished("can you find me somewhere with more shops near the gate") is None
    assert wished("somewhere with a bit more room would be nice") is None  # nothing asked
    assert wished("Is there more legroom in row 16?") is None  # a question about seats
    assert wished("can I change my baggage allowance?") is None  # the FAQ's own topic
    assert wished("Can I switch to a window seat?", (WEATHER, FAQ)) is None  # no one changes
    assert wished("窓側がいいなら追加料金はいくらですか") is None  # its cost: the FAQ's
    # questions about seats and placing, and changes of what is no seat
    assert changed("is there any chance my seat will change") is None
    assert changed("Is it possible to choose my seat when I buy the ticket?") is None
    assert changed("Will they put me in a middle seat if I check in late?") is None
    assert changed("I'd like to switch to the earlier flight") is None
    assert changed("Can I put my bag under the seat in front of me?") is None
    assert changed("my flight is 14C, any chance you could tell me the gate") is None
    assert changed("I want to change the date of my return flight, the seat I had is fine") is None
    assert changed("帰りの便の日付だけ変えたいです。座席は今のままで大丈夫です。") is None
    assert changed("Are aisle seats free or do I have to pay?") is None  # a price
    assert changed("着替えたいんですけど、席でできますか") is None
    # a review's: other things changed or moved near a seat, rules about sitting, floors and
    # terminals, 列車 and 窓口
    for said in (
        "can you change the middle name on my booking",
        "I'm in row 30, can I change my flight to tomorrow?",
        "Could you switch off the light above row 12",
        "Could the staff move the trolley out of the aisle please",
        "I need to move my dog's crate, it's by the window",
        "機内食を変更したい 窓側に座ってます",
        "列車に変更できますか",
        "行列がすごいので窓口を変えてもらえますか",
        "is it possible for kids to sit in the exit row",
        "Can I sit by the window with my baby?",
        "Is it possible to change seats after check-in?",
        "Will I be put in the middle seat if I check in late? please tell me",
        "5Fのラウンジに移りたい",
        "ターミナル2Eに移れますか",
        "Can I have another seat blanket please",
        "Can I book another seat for my husband",
        "Any window seats free? How much are they?",
        "ベジタリアンの食事にしてもらえますか、席は23Bです",
        "窓側に座りたい場合は何時までに予約すればいいですか",
        "I'd hate to be put in a middle seat, can I check in early?",
    ):
        assert changed(said) is None, said
    for said in (  # and wishes it missed, or blocked for a rule named by the way
        "I want to change my seat, I'm travelling with my baby",
        "I'd like to change my seat, I hate to be stuck by the toilet",
        "Can you change my reservation to an aisle seat?",
        "赤ちゃん連れなので前の方の席に変えてもらえますか",
        "窓側の席に移動したいです",
        "窓際に移れませんか",
        "窓側に移れへん？",
        "非常口の席に座りたいです",
        "今23Bですけど14Cにしてもらえますか",
        "can u move me to a window seat",
    ):
        assert changed(said) == SEAT.name, said


@pytest.mark.parametrize(
    "said",
    [
        # a probe set written apart (2026-12-07): one's own place to sit wished otherwise, told
        # by where one sits now and what would be better, no "change" said
        "I'm in 32B, right next to the toilet, and it's grim. Is there anything further forward?",
        "uh yeah hi im sat right over the engine and its really loud can i go somewhere else",
        "I've got a tight connection in Frankfurt, so I'd like to be near the front to get off "
        "quickly.",
        "my wife and i arent sitting together on the rome flight can you fix that",
        "I'm 82 and the walk to the back of the plane is hard for me. Could you put me closer to "
        "the door?",
        "This is ridiculous, you've stuck me at the very back again. Change it.",
        "Could I switch to the other side of the plane? I want to see Mount Fuji on the way in.",
        "There's a screaming baby right behind me for the next nine hours. Any chance of a move?",
        "今トイレの真ん前なんですけど、人の出入りが気になって…前のほう空いてないですか",
        "隣の人のいびきがすごくて寝られへん、どっか空いてる席ない？",
        "主人と席が離れてしまっているので、並びの席にできますか",
        "席、3Aに変更で",
        "窓側って冷えるんで、やっぱ通路側がいいです",
        "MN84TQの予約なんすけど、窓際空いてたらそっちがいいっす",
    ],
)
def test_ones_own_place_to_sit_wished_otherwise_is_a_change_of_seat(said: str) -> None:
    assert wished(said) == SEAT.name
    assert changed(said) == SEAT.name


@pytest.mark.parametrize(
    "said",
    [
        "How early can I pick where I sit, and is that free?",
        "Last time I had a window seat and the view over the Alps was incredible.",
        "what's the legroom like in premium economy compared to regular",
        "do families usually get seated together, or do I have to pay for that?",
        "Can kids sit on their own in the exit row?",
        "I'd like to know whether the seats recline on the short flights",
        "will my seat stay the same if the flight is changed?",
        "足元の広い席って追加でいくらかかるんですか",
        "座席指定はいつから可能でしょうか。",
        "前に窓際から見た雲海、ほんまに綺麗やってん",
        "could we sit together at the gate, our flight is late",
        "機内食を子ども用にしてもらえますか、席は12Aです",
        # a review's: other things wanted, service brought to the seat, where one is sitting
        "Can I get my money back please?",
        "Could I go on Sat instead?",
        "I'd like to go back to the main menu please",
        "Could you put me through to the front desk please?",
        "トイレに行きたいです",
        "保安検査の列が長すぎるんですけど、どうにかなりませんか",
        "前の方のお客様が終わったら、私の番にしてもらえますか",
        "隣の人がうるさいので静かにしてもらえますか",
        "can I get a blanket for my seat please",
        "Can I get a vegetarian meal brought to row 12 please?",
        "席まで飲み物持ってきてもらえますか？",
        "I'd like to check in, I'm in seat 14C",
        "We'd like to board together, we're in the back rows",
        "Can I sit anywhere I like once I'm on board?",
        "離陸した後に空いてる席に移ってもいいですか？",
        # a third review's: a seat kept
        "No, I'd like to keep my window seat.",
        "No thanks, I'd rather stay in the aisle.",
        "いえ、窓側のままでお願いします",
        "今の窓側の席がいいです",
    ],
)
def test_a_question_of_how_seating_works_or_a_remark_is_no_wish(said: str) -> None:
    assert wished(said) is None


def test_a_word_said_near_a_tools_topic_touches_it() -> None:
    lookup = ToolSpec(
        "faq_lookup_tool",
        "Look up the airline's answer to a frequently asked question (baggage, seats, wifi).",
        NONE,
    )
    assert touches(lookup, "so my bag weighs like twenty kilos")  # bag / baggage
    assert not speaks_of(lookup, "so my bag weighs like twenty kilos")
    assert not touches(lookup, "Honestly, I hate flying.")


def test_a_stamp_that_cannot_be_read_or_written_only_means_checking_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a second review's: a stamp of bytes that are no text crashed the policy
    monkeypatch.setenv("KAIWA_CACHE", str(tmp_path))
    (tmp_path / "wordnet.sha256").write_bytes(b"\xff\xfe not text")
    wordnet.wordnet_dir.cache_clear()
    try:
        assert wordnet.wordnet_dir() is not None  # checked again, and remembered
        assert (tmp_path / "wordnet.sha256").read_text().startswith(wordnet.INDEX_SHA256)
        wordnet.wordnet_dir.cache_clear()
        (tmp_path / "wordnet.sha256").unlink()
        (tmp_path / "wordnet.sha256").mkdir()  # cannot be written: checked, not remembered
        assert wordnet.wordnet_dir() is not None
        assert [p.name for p in tmp_path.iterdir()] == ["wordnet.sha256"]  # no leftovers
    finally:
        wordnet.wordnet_dir.cache_clear()
