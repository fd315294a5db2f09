"""A question asked of the service, handed to the agent that answers questions
(`question_handoff`), looked up in the agent's own FAQ (`question_lookup`) or told unknown by
an agent that can look nothing up (`terms_unknown_reply`), and what counts as a question
(`asks_a_question`)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kaiwa.engine.chat import ChatMessage, ToolSpec
from kaiwa.engine.remarks import asks_a_question
from kaiwa.engine.service_questions import question_handoff, question_lookup, terms_unknown_reply
from kaiwa.engine.small_talk import capabilities_reply
from kaiwa.engine.text import is_japanese
from kaiwa.engine.tool_policy import Asked
from kaiwa.engine.topics import answers_questions

from .airline_tools import FAQ, LOOKUP, NONE, SEAT, TRIAGE, WEATHER

_SYSTEM = ChatMessage(
    "system",
    "You are an airline's friendly voice assistant. Tell the weather with get_weather. "
    "Transfer to the FAQ agent for questions about baggage, seats on the plane or wifi. "
    "Transfer to the seat booking agent when the traveller wants to change their seat.",
)


def _asked(
    *said: str | ChatMessage, tools: Sequence[ToolSpec] = TRIAGE, system: str = _SYSTEM.content
) -> Asked:
    messages = [ChatMessage("system", system)]
    messages += [ChatMessage("user", m) if isinstance(m, str) else m for m in said]
    return Asked(messages=messages, mode="auto", shown=tools, callable=tools)


@pytest.mark.parametrize(
    "text",
    [
        # the dev half's, the model answered them in words of its own
        "How big can the thing I wheel onto the plane be before they make me hand it over at "
        "the gate?",
        "Taking my skis on Friday's flight. Extra fee for those?",
        "uh hi yeah we're travelling with a baby and um do we have to pay for the stroller or "
        "can we like take it right to the gate",
        "キャリーケースって、上の棚に入れられる大きさ決まってます？",
        "ベビーカーって搭乗口まで持っていけるん？",
        # others
        "I play the cello. Does it need its own ticket or can it travel in the hold?",
        "Is a baby car seat allowed on board, or does it have to be checked?",
        "Will I be able to answer my emails while we're up in the air?",
        "釣り竿って預けられます？長さの制限とかあるんかな",
        "父が杖をついておりまして、機内にも持って入れますでしょうか",
        "My wife wants to know if I can use WhatsApp to message her while we're flying.",
        "モバイルバッテリーって預けちゃだめなんでしたっけ",  # (なんでしたっけ: no "why")
        # a review's: words inside others taken for the weather, the assistant or "why"
        "Cool, thanks. And can I take the stroller right to the gate?",
        "Are hot meals served on the flight?",
        "Can I bring dry ice for my insulin?",
        "Will you charge me for the stroller?",
        "風邪薬って機内に持ち込めますか？",
        "冷凍した母乳って預けられますか？",
        "健太君のベビーカーって預けられますか？",
        "なんでも持ち込めるんですか？",
    ],
)
def test_a_question_of_the_service_goes_to_the_agent_that_answers_them(text: str) -> None:
    assert question_handoff(_asked(text)) is FAQ


@pytest.mark.parametrize(
    "text",
    [
        # the world's (general_question), small talk, remarks, the assistant itself
        "quick one, um, which planet's the biggest in our solar system?",
        "日本で一番高い山はなんですか？",
        "Great, thanks so much, that's everything.",
        "right, nothing else from me. have a good one",
        "the wifi on my last flight was actually pretty decent not gonna lie",
        "What can you actually help me with?",
        "ここでは何をお願いできるんですか？",
        "go on then, tell us a joke",
        # a service nobody here offers, or the assistant asked to do something
        "Can you book me a hotel room in Rome for three nights?",
        "Could you recommend a good restaurant in Lisbon?",
        "can you reserve a table for two at a sushi place tonight",
        "空港からホテルまでのタクシーも手配してもらえます？",
        # the agent's own tool: the weather, asked by what one wears
        "Could you check the forecast for me, please?",
        "My daughter's flying into Boston tonight, should I tell her to bring a heavy coat?",
        "I'm flying to Reykjavik, what should I wear when I land?",
        "あさって那覇に着くんだけど、半袖で平気かな？",
        "明日那覇に着くんやけど、傘いるかな？",
        # a second probe's: explanations, beliefs, the assistant itself, a maybe, a no
        "Why do my ears pop when the plane is coming in to land?",
        "Which airport is the busiest in the world, do you happen to know?",
        "飛行機の窓ってなんで丸いの？",
        "機内でお酒飲むと酔いやすいって、あれ本当なんですか？",
        "Do you have a name?",
        "Are you an AI? My daughter says these phone lines are all computers now.",
        "uh maybe i'm not sure",
        "いえ、大丈夫です。以上です",
        # a review's: the conversation itself, statements, requests in Japanese
        "How are you?",
        "Are you busy?",
        "are you still there?",
        "Can I talk to a human?",
        "do you have a moment?",
        "Is it going to be a smooth flight today, do you reckon?",
        "大丈夫です",
        "あ、そうなんだ。じゃあ大丈夫かな",
        "When we land I'll text my mum",
        "Who cares, I'm just happy to be going home",
        "Did it, thanks, all checked in now",
        "Hmm, I wonder if I left the oven on.",
        "ピザ注文してください",
        "How long until my train?",
        # a third review's: the call itself
        "Do you need my name?",
        "Is it okay if I put you on speaker?",
        "Is there anything else you need from me?",
        "Can I take my time and decide later?",
        "ちょっと考えてもいいですか？",
        "少し時間もらってもいいですか？",
    ],
)
def test_other_words_are_not_handed_on(text: str) -> None:
    assert question_handoff(_asked(text)) is None


@pytest.mark.parametrize(
    ("description", "answers"),
    [
        ("Answers travellers' questions on bags and baggage, seats and wifi.", True),
        ("Handles billing questions.", False),  # of one kind (a third review's)
        ("Handles return and refund questions.", False),
        ("Files a claim on the customer's insurance policy.", False),
        ("Runs a short survey of questions on the call.", False),
        ("Changes the seat on a traveller's booking.", False),
    ],
)
def test_a_handoff_that_answers_questions(description: str, answers: bool) -> None:
    assert answers_questions(ToolSpec("transfer_to_x", description, NONE)) is answers


def test_only_one_agent_that_answers_questions_and_only_when_the_model_may_choose() -> None:
    said = "Taking my skis on Friday's flight. Extra fee for those?"
    assert question_handoff(_asked(said, tools=(WEATHER, SEAT))) is None  # none answers
    other = ToolSpec("transfer_to_help_agent", "Answers questions about anything.", NONE)
    assert question_handoff(_asked(said, tools=(*TRIAGE, other))) is None  # which one?
    asked = _asked(said)
    for mode in ("none", "required"):
        assert question_handoff(Asked(asked.messages, mode, TRIAGE, TRIAGE)) is None
    # the seat agent's own topic named: `named_handoff`'s to decide
    assert question_handoff(_asked("Is my booking for Friday confirmed, do I pay extra?")) is None


def test_an_answer_to_the_assistants_question_for_a_value_is_not_handed_on() -> None:
    asked = _asked(
        "What's the weather like?",
        ChatMessage("assistant", "Which city would you like the weather for?"),
        "Can I tell you later, is there a fee for my bag?",
    )
    assert question_handoff(asked) is None


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("do we have to pay for the stroller or can we like take it to the gate", True),
        ("I was wondering whether pets can fly", True),
        ("Extra fee for those?", True),
        ("ベビーカーって搭乗口まで持っていけるん？", True),
        ("釣り竿って預けられますか", True),
        ("座席は23Bです", False),  # (a bare です or ます: told, a second review's)
        ("毛布をお願いします", False),
        ("have a good one", False),
        ("go on then, tell us a joke", False),
        ("can you believe it, they lost my bag", False),
        ("窓際から見る夜景ってほんまにきれいやわあ。", False),
        ("えーと あの 窓側がよかったんですけど 今通路側になってて 外の景色見たいんですよね", False),
    ],
)
def test_what_asks_a_question(text: str, asks: bool) -> None:
    assert asks_a_question(text) is asks


@pytest.mark.parametrize(
    "text", ["What can you actually help me with?", "ここでは何をお願いできるんですか？"]
)
def test_what_the_assistant_can_do_asked_in_other_words(text: str) -> None:
    assert capabilities_reply([ChatMessage("user", text)], TRIAGE)


_BACK = ToolSpec(
    "transfer_to_triage_agent",
    "Handoff to the Triage Agent agent to handle the request. A triage agent that hands a "
    "traveller's request to the right agent.",
    NONE,
)
FAQ_AGENT = (LOOKUP, _BACK)
"""The FAQ agent's tools: its lookup and the handoff back."""


def _faq(*said: str | ChatMessage, tools: Sequence[ToolSpec] = FAQ_AGENT) -> Asked:
    return _asked(*said, tools=tools)


@pytest.mark.parametrize(
    "text",
    [
        # a helper's probe (dev): the 0.5B model answered these in words of its own
        "便の変更って手数料かかります？",
        "飛行機が遅れた場合って何か補償とかあるんですか",
        "ビジネスクラスにアップグレードするにはどうすればいいですか",
        "Do you charge extra for the seats with more legroom?",
        "How does your frequent flyer program work, do I earn miles on every flight?",
        # the bench's dev half
        "機内でWi-Fiって使えますか？",
        "i've got a guitar, can i just take it on with me",
    ],
)
def test_a_question_of_the_terms_is_looked_up_in_the_faq(text: str) -> None:
    call = question_lookup(_faq(text))
    assert call is not None and call.name == "faq_lookup_tool"
    assert call.parsed_arguments() == {"question": text}


@pytest.mark.parametrize(
    "text",
    [
        "What's the capital of Australia?",  # the world's
        "富士山の高さって何メートル？",
        "Why do my ears pop when we land?",  # an explanation
        "my bag is so heavy lol",  # a remark
        "Are you a real person?",
        "Thanks so much, that's really helpful.",
        "Can you book me a hotel room near the airport?",  # nobody here offers it
        "Can I ask you something?",
        # a review's: units and definitions are the world's; requests; one's own booking
        "How many miles is a marathon?",
        "1マイルって何キロ？",
        "What's a good connection speed for streaming?",
        "予約をキャンセルしてもらえますか？",
        "アップグレードしてもらえますか？",
        "Is my flight delayed?",
        "what's the delay on flight BA 117?",
        "私の便って遅延してますか？",
        "Is flight 302 cancelled?",  # (a second review's)
        "has the 7pm flight to Osaka been cancelled",
        "今日の那覇行き、欠航になってますか",
    ],
)
def test_what_is_not_the_services_is_not_looked_up(text: str) -> None:
    assert question_lookup(_faq(text)) is None


def test_only_one_faq_taking_one_question_is_looked_up_in() -> None:
    text = "便の変更って手数料かかります？"
    search = ToolSpec(
        "web_search",
        "Search the web.",
        {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    )
    two_values = ToolSpec(
        LOOKUP.name,
        LOOKUP.description,
        {
            "type": "object",
            "properties": {"question": {"type": "string"}, "language": {"type": "string"}},
            "required": ["question", "language"],
        },
    )
    second = ToolSpec("policy_faq", "Look up the lounge's FAQ.", LOOKUP.parameters)
    assert question_lookup(_faq(text, tools=(search,))) is None  # no service's own answers
    assert question_lookup(_faq(text, tools=(two_values,))) is None
    assert question_lookup(_faq(text, tools=(LOOKUP, second))) is None  # which one?
    # a call is not the model's to choose, or the assistant spoke last
    asked = _faq(text)
    assert question_lookup(Asked(asked.messages, "none", (), FAQ_AGENT)) is None
    asked = _faq(text, ChatMessage("assistant", "Let me check."))
    assert question_lookup(asked) is None


def test_a_follow_up_that_points_back_is_the_models_to_word() -> None:
    # a review's: "that" looked up alone finds nothing
    earlier = [
        "How many bags can I check?",
        ChatMessage("assistant", "You can check two bags of up to 23 kilos each."),
    ]
    assert question_lookup(_faq(*earlier, "ok and is there a fee for that?")) is None
    assert question_lookup(_faq(*earlier, "それって有料ですか？")) is None
    assert question_lookup(_faq(*earlier, "and are those free?")) is None
    call = question_lookup(_faq(*earlier, "And is there a fee for a third bag?"))
    assert call is not None and call.name == "faq_lookup_tool"


@pytest.mark.parametrize(
    "text",
    [
        "卵アレルギーがあるんですけど、機内食って対応してもらえますか",
        "機内って毛布貸してもらえるんでしたっけ",
    ],
)
def test_what_the_service_does_asked_as_a_favour_is_a_question_of_its_terms(text: str) -> None:
    # (a probe's, dev): not something done to one's booking, as 「キャンセルしてもらえますか」 is
    assert question_handoff(_asked(text)) is FAQ
    call = question_lookup(_faq(text))
    assert call is not None and call.name == "faq_lookup_tool"


@pytest.mark.parametrize(
    "text",
    [
        # a second review's: after the assistant's greeting, "it", それ and そちら point at
        # nothing said before; one's own bags or upgrade asked of the terms; a condition;
        # "check whether..."; miles earned, a connection missed; a second bag
        "Is it free to bring a stroller on board?",
        "それと、ペットって機内に連れて行けますか？",
        "そちらの航空会社って、ベビーカーは預けられますか？",
        "Is my upgrade refundable?",
        "Are our bags included in the fare?",
        "便が遅延してるんですけど補償ってありますか",
        "欠航になったら返金してもらえますか",
        "ペット連れて乗れるか調べてもらえます？",
        "Do I earn miles on this flight?",
        "What happens if I miss my connection?",
        "乗り継ぎに間に合わなかったらどうなりますか",
        "how much does it cost to check a second bag",
    ],
)
def test_a_question_after_a_greeting_is_looked_up(text: str) -> None:
    greeting = ChatMessage("assistant", "Hi, how can I help?")
    call = question_lookup(_faq(greeting, text))
    assert call is not None and call.name == "faq_lookup_tool"


CLOCK = ToolSpec("get_current_time", "Get the current local date and time.", NONE)
_ASSISTANT = (
    "You are a friendly voice assistant. Answer in one or two short sentences, in plain spoken "
    "language without lists or markdown. Use get_current_time when asked about the time or the "
    "date."
)
"""`kaiwa chat`'s default agent (`kaiwa.apps.agents.default_agent`): it can tell the time."""


def _assistant(
    *said: str | ChatMessage, tools: Sequence[ToolSpec] = (CLOCK,), system: str = _ASSISTANT
) -> Asked:
    return _asked(*said, tools=tools, system=system)


@pytest.mark.parametrize(
    ("text", "airline"),
    [
        # the default assistant had said "You can bring up to 10 checked bags for free.",
        # 「約1000円です」, and read out the time for the bag drop
        ("How many checked bags can I bring for free?", True),
        ("超過手荷物の料金はおいくらになりますでしょうか。", True),
        ("how long before departure does the bag drop close", True),
        ("オンラインチェックインは何時間前からできますか？", False),  # (a hotel's too)
        ("Is there wifi on the plane?", True),
        ("Can I bring my dog into the restaurant?", False),
        ("Is there a fee to cancel my gym membership?", False),
        ("ジムの解約って手数料かかりますか？", False),
        ("宅配便の送料っていくらかかりますか？", False),  # (a review's: 便 is no flight)
        # a second review's: a company by its name; check-in; a hotel asked of beside a flight
        ("do they charge you for a second bag on Ryanair", True),
        ("How many hours before departure does check-in open?", False),
        ("Will the hotel let me check in early if my flight lands at 6am?", False),
        # a third review's: a time of the service's, which the clock would have read out
        ("What time is check-out at my hotel?", False),
        ("ホテルのチェックアウトは何時ですか？", False),
    ],
)
def test_an_agent_that_can_look_nothing_up_says_so(text: str, airline: bool) -> None:
    reply = terms_unknown_reply(_assistant(text))
    assert ("航空会社" in reply or "airline" in reply) is airline
    assert ("ここではお調べできません" in reply) is is_japanese(text)
    assert ("can't look" in reply) is not is_japanese(text)


@pytest.mark.parametrize(
    "text",
    [
        "What time is it?",
        "How many hours until midnight?",
        "今何時？",
        "What's the capital of Canada?",
        "How many legs does a spider have?",
        "Thanks, that's all.",
        "Honestly, I hate flying.",
        "Can you tell me a joke?",
        "Can you book me a hotel room in Rome?",
        "Why do my ears pop when the plane lands?",
        "Is my flight delayed?",
        "Are you a robot?",
        # a probe's: no company named, or what is usual
        "do I need a jacket today",
        "Can I bring my dog?",
        "ご飯って冷凍できる？",
        "how much does it usually cost to fly to Hawaii from LA like roughly",
        "how early should I leave for the airport if my flight's at nine",
        "うちのカフェで予約キャンセル料取ろうと思うんやけど、いくらくらいが普通？",
        # a review's: what is nearby, usual, best or meant; a countdown (the clock's); no
        # company in particular; a place named after "on" or "in"; a request
        "Is there a supermarket near here?",
        "is there a good restaurant near the station",
        "how many minutes until boarding, it says ten forty on my ticket",
        "How many hours is it until my check-in at 3?",
        "チェックインまであと何時間？",
        "how much does a hotel in Kyoto cost",
        "Which airlines allow pets in the cabin?",
        "What's the best airline for legroom?",
        "what does basic economy mean",
        "What's the speed limit on motorways in the UK?",
        "do i need a covid test to fly to china",
        "ホテルのキャンセルメール書いてくれる？",
        # a second review's: a place or a day after "on" or "at" is no company; the time asked
        "Can I bring my dog to the park on Sunday?",
        "How much does it cost to fly from London to Paris?",
        "Do I need to tip at Starbucks?",
        "What time is it now? My check-in is at 3.",
        "How do I get to my hotel from the airport?",
        # a third review's: "you" is the assistant, not a company; a card or a car is no
        # company's; advice asked
        "Do you have a sense of humor?",
        "Do you have a dark mode?",
        "do you allow swearing?",
        "do you charge for this app",
        "Can I use you in my car?",
        "Is my card safe to use online?",
        "Do you think I should cancel my gym membership?",
        "荷物の詰め方のコツってありますか？",
    ],
)
def test_what_is_not_a_companys_rules_is_the_models_to_answer(text: str) -> None:
    assert terms_unknown_reply(_assistant(text)) == ""


def test_only_an_agent_that_can_look_nothing_up_and_was_told_nothing_of_it_says_so() -> None:
    text = "Can I bring my dog into the restaurant?"
    assert terms_unknown_reply(_assistant(text))
    assert terms_unknown_reply(_assistant(text, tools=()))  # no tools at all
    # a tool of the service's own, a lookup, a handoff: the rules above decide
    for tools in ((CLOCK, WEATHER), (LOOKUP,), (CLOCK, FAQ)):
        assert terms_unknown_reply(_assistant(text, tools=tools)) == ""
    # instructions that speak of it: the model may answer from them
    luigi = "You answer the phone for Luigi's. Dogs are welcome on the terrace."
    assert terms_unknown_reply(_assistant(text, system=luigi)) == ""
    airline = "You are Acme Air's assistant. Each traveller may check one bag of 23 kg."
    assert terms_unknown_reply(_assistant("How many bags can I check?", system=airline)) == ""
    # a review's: any company's agent, in English or Japanese, answers from its instructions
    hotel = "You are the assistant of Hotel Sakura. Check-in is from 3pm."
    assert terms_unknown_reply(_assistant("Do you allow pets?", system=hotel)) == ""
    sakura = "あなたはホテルさくらの受付です。チェックインは15時からです。"
    assert terms_unknown_reply(_assistant("チェックインって何時からですか？", system=sakura)) == ""
    # a call is not the model's to choose, or the assistant spoke last
    asked = _assistant(text)
    assert terms_unknown_reply(Asked(asked.messages, "none", (), (CLOCK,))) == ""
    assert terms_unknown_reply(_assistant(text, ChatMessage("assistant", "Sure."))) == ""


@pytest.mark.parametrize(
    "text",
    [
        # a review's: another company named in a question of the airline's own terms
        "If my flight is cancelled will you pay for a hotel?",
        "欠航になったらホテル代って出してもらえますか？",
        "Can I bring my gym bag as a personal item?",
        "Is there wifi at the hotel?",
        "Can I bring my power-bank on the plane?",
        # a second review's: "check in" as recognisers write it, "let us", a ticket's expiry
        "What time does check in close?",
        "Will they let us bring our dog in the cabin?",
        "When does my ticket expire?",
    ],
)
def test_another_company_named_in_a_question_of_the_airlines_terms_is_handed_on(text: str) -> None:
    assert question_handoff(_asked(text)) is FAQ


@pytest.mark.parametrize(
    "text",
    [
        "does the hotel let you bring a dog or is it no pets",
        "そちらのホテルってペットと一緒に泊まれますか",
        "what happens if I bring the rental car back with less than a full tank",
        # a second review's: the hotel asked of, whatever flight is said beside it
        "Will the hotel let me check in early if my flight lands at 6am?",
        "Is there a hotel inside the airport?",
        "ホテルに荷物預けられますか？",
    ],
)
def test_a_question_of_another_companys_terms_is_not_handed_to_the_airlines_faq(
    text: str,
) -> None:
    assert question_handoff(_asked(text)) is None
    assert question_lookup(_faq(text)) is None
