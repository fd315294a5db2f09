"""Remarks that ask nothing (`kaiwa.engine.remarks`): told from questions and requests."""

from __future__ import annotations

import pytest

from kaiwa.engine.chat import ChatMessage, ToolCall, ToolSpec
from kaiwa.engine.remarks import (
    REMARK_REPLY,
    REMARK_REPLY_JA,
    asks_nothing,
    only_remarks,
    remark_reply,
)
from kaiwa.engine.tool_policy import Asked, ToolCallPolicy, VerdictKind
from kaiwa.engine.topics import named_handoff
from kaiwa.engine.words import UNCLEAR, unclear_reply

from .airline_tools import FAQ as FAQ_HANDOFF
from .airline_tools import LOOKUP, TRIAGE


@pytest.mark.parametrize(
    "said",
    [
        # the dev half's, looked up by the FAQ agent
        "Honestly, I hate flying. My hands are already sweating just thinking about it.",
        "We're off to Vancouver to meet our very first grandchild, can you believe it!",
        "Last time I flew with you lot my dinner came out stone cold. Just saying.",
        "飛行機ほんま苦手やねん。離陸のとき毎回手汗すごいねんか。",
        "孫に会いにハワイまで行くんですよ。もう楽しみでねえ。",
        "おお、タダなんや。それはありがたいわ。",  # ありがたい: no wish (見たい is one)
        "はぁ、乗り継ぎ三時間もあるんだよなぁ",
        # mine
        "my sister just had a baby so we're flying out to see her",
        "It's been a long week, that's all.",
        "昨日は全然眠れなかったんだよね",
        # a helper's probe (dev): から and かも ask nothing; laughter after it
        "明日初めて飛行機乗るから緊張してきた",
        "荷物重すぎて腕ちぎれそう笑",
        "雨降るかもしれへんなあ",
        "家族といてほんまに楽しかったわ",  # と + いて, no 〜といて (a second review's)
    ],
)
def test_a_remark_asks_nothing(said: str) -> None:
    assert asks_nothing(said)


@pytest.mark.parametrize(
    "said",
    [
        # questions without their mark, as a recogniser writes them
        "is there wifi on the plane",
        "how heavy can my suitcase be",
        "so what's the deal with carry ons",
        "機内でスマホつないで動画とか見られます",  # asked with the voice alone
        "わたしゃ膝が悪くてねえ、足をのばせるような広い席なんてのはあるのかい",
        "荷物って何キロまで",
        "これ持ち込めるかな",
        "乗り継ぎって何分あればいいんだっけ",
        # requests, wishes and implicit questions
        "I'm bringing my laptop for work, so I really need to be online during the flight.",
        "I wonder if my guitar counts as a carry-on.",
        "not sure whether my bag is too big",
        "Please tell me about the baggage rules.",
        "check my bag allowance",
        "窓側の席に座りたいんですけど",
        "荷物のルールを教えてください",
        "ちょっと調べてもらえますか",
        # queries without a sentence: a noun phrase
        "Carry-on size limit",
        "wifi",
        "荷物の重さの制限",
        # a review's: tag questions, needs, implied questions, sentences trailing off
        "you guys allow dogs in the cabin right",
        "I'm bringing a surfboard, that ok",
        "I suppose pets aren't allowed",
        "we need to sit together",
        "I must bring my insulin on board",
        "I'm looking for information on pets in the cabin",
        "I'm flying with a baby and dunno what I can bring",
        "I can't find my booking reference",
        "ベビーカーを持って行くんですが",
        "ペットと一緒に乗る予定なんだけど",
        "犬を連れて行けるか知りたくて",
        # a second review's
        "I'm asking about the pet policy",
        "I'm a bit confused about the carry-on rules",
        "My dog is ten kilos though",
        "ペットのことを聞きたくて",
        "ペットの件でお電話しました",
        "持ち込めるか気になるなあ",
        "犬って連れて行けるよね",
        "液体の持ち込みがよく分からなくて",
        # a question mark, whatever the words
        "You have wifi?",
        "そうなんですか？",
        "窓か通路にしてや",  # a request in Kansai speech
        # a review's: a tag question in なんよね, requests in 〜といて
        "預け荷物って2個までなんよね",
        "予約したから確認しといて",
        "雨降るからタクシー呼んどいて",
        "Wi-Fi使えるの笑",  # a question, laughter after it (a second review's)
    ],
)
def test_a_question_or_a_request_asks(said: str) -> None:
    assert not asks_nothing(said)


def test_a_remark_gets_an_offer_of_help_when_the_models_words_were_unfit() -> None:
    assert remark_reply("Honestly, I hate flying.") == REMARK_REPLY
    assert remark_reply("前回の便、二時間も遅れたんですよ。") == REMARK_REPLY_JA
    assert remark_reply("is there wifi on the plane") == ""
    assert remark_reply("") == ""

    def unclear(said: str) -> str:
        messages = [ChatMessage("system", "An agent."), ChatMessage("user", said)]
        tools = [ToolSpec("faq_lookup_tool", "Look up an answer.", {"type": "object"})]
        return unclear_reply(Asked(messages=messages, mode="auto", shown=tools, callable=tools))

    assert unclear("Honestly, I hate flying. My hands are sweating.") == REMARK_REPLY
    assert unclear("is there wifi on the plane") == UNCLEAR  # asked: say it again
    # small talk's reply comes first (this one is a remark too)
    assert remark_reply("Thanks, that is all I needed today.") == REMARK_REPLY
    assert unclear("Thanks, that is all I needed today.") == "You're welcome!"


FAQ = LOOKUP
LIGHTS = ToolSpec(
    name="set_lights",
    description="Switch the lights of a room on or off.",
    parameters={
        "type": "object",
        "properties": {"room": {"type": "string"}, "on": {"type": "boolean"}},
        "required": ["room", "on"],
    },
)


def judged(call: ToolCall, *messages: ChatMessage) -> VerdictKind:
    tools = [FAQ, LIGHTS]
    asked = Asked(messages=messages, mode="auto", shown=tools, callable=tools)
    return ToolCallPolicy().judge([call], asked).kind


def lookup(said: str) -> ToolCall:
    return ToolCall(name="faq_lookup_tool", arguments=f'{{"question": "{said}"}}')


@pytest.mark.parametrize(
    "said",
    [
        "Honestly, I hate flying. My hands are already sweating just thinking about it.",
        "孫に会いにハワイまで行くんですよ。もう楽しみでねえ。",
    ],
)
def test_a_lookup_of_a_remark_is_answered_in_words(said: str) -> None:
    assert judged(lookup(said), ChatMessage("user", said)) is VerdictKind.WORDS_TOLD


@pytest.mark.parametrize(
    "said",
    [
        "is there wifi on the plane",  # asked
        "so my bag weighs like twenty kilos",  # a value told, of the FAQ's baggage
        "my seat is right by the toilets",  # a complaint, of its seats
        "I'm six foot five and my knees always end up jammed against the seat in front.",
        # a review's: a bag too big or heavy asks what is allowed
        "my bag is overweight",
        "I think my bag might be too heavy",
        "I have a lot of baggage",
        "手荷物ちょっと大きいかも",
        "my bag is so heavy lol",
        "荷物重すぎて腕ちぎれそう笑",
        # a second review's: what one brings, told
        "I'll have a stroller and a car seat with me",
        "we've got three suitcases and two golf bags",
        "so my bag is a bit over the size for carry on",
    ],
)
def test_a_lookup_of_a_question_or_of_the_tools_topic_is_made(said: str) -> None:
    assert judged(lookup(said), ChatMessage("user", said)) is VerdictKind.CALL


@pytest.mark.parametrize(
    "said",
    [
        # a helper's probe (dev): remarks that name the FAQ's topics and tell no problem
        "the seats on your new planes are really comfy",
        "uh yeah the wifi on my last flight was actually pretty decent",
        "明日初めて飛行機乗るから緊張してきた",
    ],
)
def test_a_lookup_of_a_remark_that_names_the_tools_topic_and_no_problem_is_words(
    said: str,
) -> None:
    assert judged(lookup(said), ChatMessage("user", said)) is VerdictKind.WORDS_TOLD


def test_a_remark_in_answer_to_a_question_for_a_value_or_to_another_tool_stands() -> None:
    said = "we're flying to see my daughter in Leeds next week"
    asked_what = ChatMessage("assistant", "What would you like to know about your trip?")
    assert judged(lookup(said), asked_what, ChatMessage("user", said)) is VerdictKind.CALL
    # "How can I help?" asks for no value: the remark is still one
    offer = ChatMessage("assistant", "Hello! How can I help?")
    assert judged(lookup(said), offer, ChatMessage("user", said)) is VerdictKind.WORDS_TOLD
    # a statement to a tool whose value is free text but no question is a request (a
    # review's): a note, a message
    note = ToolSpec(
        "add_note",
        "Add a note.",
        {"type": "object", "properties": {"note": {"type": "string"}}, "required": ["note"]},
    )
    said = "Remember that my wife's birthday is on the fifth of May"
    call = ToolCall(name="add_note", arguments=f'{{"note": "{said}"}}')
    messages = [ChatMessage("user", said)]
    asked = Asked(messages=messages, mode="auto", shown=[note], callable=[note])
    assert ToolCallPolicy().judge([call], asked).kind is VerdictKind.CALL


def _handed_off(said: str, *before: ChatMessage) -> VerdictKind:
    asked = Asked(
        messages=[ChatMessage("system", "Triage."), *before, ChatMessage("user", said)],
        mode="auto",
        shown=TRIAGE,
        callable=TRIAGE,
    )
    return ToolCallPolicy().judge([ToolCall(name=FAQ_HANDOFF.name, arguments="{}")], asked).kind


@pytest.mark.parametrize(
    "said",
    [
        # the ninth writer's dev half: the triage agent handed them to the FAQ agent
        "the wifi on my last flight was actually pretty decent not gonna lie",
        "もう荷造り終わっちゃった、旅行楽しみすぎる",
        "Oh, I just wanted to say, my suitcase is packed and sitting by the door already!",
    ],
)
def test_a_handoff_for_a_remark_is_words_and_no_handoff_is_named_for_one(said: str) -> None:
    assert _handed_off(said) is VerdictKind.WORDS_TOLD
    messages = [ChatMessage("system", "Triage."), ChatMessage("user", said)]
    asked = Asked(messages=messages, mode="auto", shown=TRIAGE, callable=TRIAGE)
    assert named_handoff(asked) is None


@pytest.mark.parametrize(
    "said",
    ["Is there wifi on the plane?", "how heavy can my suitcase be", "スーツケースは何キロまで？"],
)
def test_a_handoff_for_a_question_stands(said: str) -> None:
    assert _handed_off(said) is VerdictKind.CALL


def test_a_remark_in_answer_to_the_assistants_question_may_be_handed_off() -> None:
    asked_what = ChatMessage("assistant", "What would you like to know about your baggage?")
    said = "my suitcase is about thirty kilos"
    assert _handed_off(said, asked_what) is VerdictKind.CALL


def test_a_wish_asks_and_a_code_is_for_whoever_needs_it() -> None:
    assert not asks_nothing("I'd rather have an aisle seat")  # a wish: asked for
    assert asks_nothing("My booking reference is QWE456.")
    assert not only_remarks("My booking reference is QWE456.")  # a remark, with a code
    assert only_remarks("the wifi on my last flight was actually pretty decent")
    said = "My booking reference is QWE456."
    assert _handed_off(said) is VerdictKind.CALL


@pytest.mark.parametrize(
    "said",
    [
        # a review's: a problem told asks for help without a question
        "They lost my luggage.",
        "my bag didn't show up on the carousel",
        "i cant connect to the wifi",
        "The wifi kept cutting out on my last flight and I couldn't work.",
        "I'm stuck next to the toilet and it smells awful.",
        "We're a family of four and we're all split up.",
        "my kids are seated three rows away from me",
        "I'm six foot five and my knees end up jammed",
        "I'd really love a window seat.",  # a wish
        "It would be great to sit by the window.",
        "荷物が届いてないんだよね",
        "子どもと席が離れちゃった",
        "家族がバラバラの席になってしもた",
        "窓側がよかったんやけどなあ",
        "機内Wi-Fiが繋がらへんねん",
        # a second review's: polite and Kansai forms, curly apostrophes, values, wishes
        "Wi-Fiが全然つながりません",
        "荷物まだ来てへんねん",
        "I can’t connect to the wifi on my laptop.",
        "My bag weighs twenty five kilos.",
        "窓側がええなあ",
        "We'd like to sit together.",
        "My wife wants a window seat.",
        "I'd rather be in an aisle seat.",
        "I'd rather not sit next to the toilet on this flight.",
    ],
)
def test_a_problem_or_a_wish_told_is_handed_off(said: str) -> None:
    assert not only_remarks(said)
    assert _handed_off(said) is VerdictKind.CALL


def test_after_an_offer_of_help_a_remark_is_still_one_and_an_answer_is_no_remark() -> None:
    # a second review's: any question mark kept the handoff, kaiwa's own offer of help too
    offer = ChatMessage("assistant", REMARK_REPLY)
    said = "the wifi on my last flight was actually pretty decent not gonna lie"
    assert _handed_off(said) is VerdictKind.WORDS_TOLD
    assert _handed_off(said, offer) is VerdictKind.WORDS_TOLD
    asked_name = ChatMessage("assistant", "Sure. Please tell me the name on your booking.")
    assert _handed_off("My name is Tanaka Hiroshi.", asked_name) is VerdictKind.CALL


@pytest.mark.parametrize(
    "said",
    [
        "I'd rather not fly at all honestly.",
        "I would rather be on a beach right now.",
        # a second review's: no problem told after all
        "I can't wait to see my grandkids in Hawaii.",
        "My husband doesn't like flying much.",
        "It isn't my first time flying to Osaka.",
        "今日は暑いですねえ",
        "孫が違う学校に行っててね",
    ],
)
def test_a_wistful_wish_or_a_negative_that_is_no_problem_is_a_remark(said: str) -> None:
    assert only_remarks(said)
