"""A question about the service, put to an agent that hands such questions on.

The airline demo's triage agent hands questions about bags, seats and wifi to the FAQ agent
("Answers travellers' questions on bags and baggage, seats and wifi."). `named_handoff`
(`kaiwa.engine.topics`) knows such a question when it names a word of that description, or a
kind of one (a suitcase is a bag). Asked about a stroller, skis, "the thing I wheel onto the
plane" or ベビーカー, the 0.5B model answered in words of its own: "No, you don't have to pay
for the stroller.", "The thing you can wheel onto the plane is about 20 feet". A policy made up
is the worst answer a support line can give; the agent that knows the answers was never asked.

`question_handoff` is that agent for a question the user asks of the service's terms
(`kaiwa.engine.general.asks_of_the_terms`: what is allowed, what it costs, what one can bring
or use, what there is: "do we have to pay for the stroller", "Extra fee for those?",
「ベビーカーって搭乗口まで持っていけるん？」; not "How are you?" nor "are you still
there?"), when exactly one handoff answers questions (`kaiwa.engine.topics.answers_questions`)
and the model would answer in words. Not a question about the world (`general_question`),
small talk, a question about the assistant or what it can do, a question for an explanation
("why do my ears pop?"), a remark, a service nobody here offers ("Can you book me a hotel
room?"), an answer to the assistant's question for a value, nor anything the agent's own
tools are for ("should she bring a heavy coat to Boston?" is the weather's).

`question_lookup` is the same for an agent that answers such questions itself, with a lookup
in the service's own answers (``faq_lookup_tool(question=...)``): asked 「便の変更って手数料
かかります？」 or 「乗り継ぎに間に合わなかったらどうなりますか」, the FAQ agent answered from
its own ideas ("便の変更は手数料かかります。"); now the user's words are looked up.

`terms_unknown_reply` is what an agent that can look nothing up (no tools but a clock, no
handoffs: `kaiwa chat`'s default assistant) says to such a question, when its instructions
say nothing of it: that the answer depends on the company's own rules, which it cannot look
up. Asked "How many checked bags can I bring for free?", the default assistant said "You can
bring up to 10 checked bags for free."; asked 「超過手荷物の料金はおいくらになりますでしょう
か。」, 「約1000円です」; asked "how long before departure does the bag drop close", it read
out the time.
"""

from __future__ import annotations

import json
import re

from .chat import ToolCall, ToolSpec
from .general import asks_of_the_terms, asks_the_service, general_question
from .remarks import asks_a_question, only_remarks
from .scope import other_service
from .small_talk import capabilities_reply, small_talk_turn
from .text import is_japanese
from .tool_calls import COMMON_WORDS, asks_for_tool, user_since_reply
from .tool_policy import (
    HANDOFF_PREFIX,
    Asked,
    asked_for_a_value,
    asks_the_time,
    faq_question,
    instructions_of,
    is_clock,
)
from .topics import answers_questions, handoff_topics, plain_handoffs, said_topics, touches
from .weather import weather_said, weather_tool

__all__ = ["question_handoff", "question_lookup", "terms_unknown_reply"]

_ASKED_TO_DO_EN = re.compile(
    r"(?i)\b(?:can|could|would)\s+(?:you|u)\s+(?:please\s+|just\s+|possibly\s+)?"
    r"(?!tell|explain|let|confirm|say|check(?!\s+(?:me|us)\s+in)|clarify|find\s+out|advise|answer"
    r"|charge|allow"
    r"|accept|take|carry|provide|offer|have|give\s+me\s+(?:info|details))[a-z]+"
)
"""The assistant asked to do something ("Could you recommend a good restaurant?", "can you
reserve a table"): a request, not a question for the service's answers ("can you tell me
whether...", "can you carry skis?" are)."""
_WHY = re.compile(
    r"(?i)\bwhy\b|\bis\s+it\s+true\b|なぜ|何故|どうして|なんで(?!す|しょ|した|も)"
    r"|本当(?:なん|ですか|なの|でしょうか|か(?:[?？。]|$))|ほんま(?:なん|か(?:[?？。]|$))"
)
"""A question for an explanation or whether a belief is true ("Why do my ears pop when the
plane lands?", 「飛行機の窓ってなんで丸いの？」,
「機内でお酒飲むと酔いやすいって本当なんですか？」): the world's, which a service's answers
do not give (not なんでも, 本当に助かりました)."""
_ABOUT_YOU = re.compile(
    r"(?i)\b(?:are|r)\s+(?:you|u)\s+(?:an?\s+|the\s+)?(?:real|human|person|people|robot|bot|"
    r"ai|computer|machine|automated|recording|chatbot|man|woman|lady|guy)\b"
    r"|\b(?:do\s+you\s+have\s+a\s+name|what'?s\s+your\s+name|who\s+(?:am\s+i|are\s+you|is\s+this)|"
    r"how\s+(?:old|smart)\s+are\s+you)\b"
    r"|あなた|(?:^|[、。\s])(?:君|きみ)(?:は|って|、)|ロボット|(?<![A-Za-z])AI(?![A-Za-z])|人間(?!ドック)"
    r"|お名前|(?:日本語|英語)(?:は|って)?(?:話せ|しゃべれ|分か|わか)"
)
"""A question about the assistant itself ("Do you have a name?", "Are you an AI? My daughter
says...", 「AIなの？」), in more words than `small_talk`'s whole-turn forms."""
_CONVERSATION = re.compile(
    r"(?i)\b(?:on\s+hold|hold\s+on|hold\s+the\s+line|a\s+(?:sec|second|minute|moment)(?!\s+(?:bag"
    r"|suitcase|piece|item|carry|checked|case|seat|ticket|flight|passenger))|call\s+(?:you\s+)?back"
    r"|get\s+back\s+to\s+you"
    r"|talk\s+to|speak\s+(?:to|with)|get\s+through\s+to|human|operator|representative"
    r"|someone\s+else|say\s+that\s+again|repeat\s+that|your\s+name|languages?|longer"
    r"|need\s+(?:my|from\s+me)|anything\s+else|speaker|coffee|take\s+my\s+time|decide\s+later"
    r"|think\s+(?:about\s+it|it\s+over))\b"
    r"|待って|かけ直|電話|聞いても|話しても|担当|オペレーター|人間|もう一度|名前|考えて|スピーカー"
    r"|時間(?:を)?(?:もら|くだ|ちょうだい)|ほかに|他に"
)
"""The conversation itself: "Can I have a sec?", "Can I put you on hold?", "Is there someone
else I can talk to?", 「後でかけ直してもいいですか？」: no question for the service's answers."""
_ASKED_TO_DO_JA = re.compile(
    r"(?<!たら)(?<!場合)(?<!ば)(?:キャンセル|アップグレード|変更|払い戻し|返金|予約|手配|取り消し|変え|替え|移し"
    r"|書い|作っ|送っ)"
    r"(?:して|し|て)?(?:もらえ|もらい|いただけ|いただき|くれ(?!る人)|くださ|ほしい|欲しい)"
)
"""Something done to one's booking asked of the assistant in Japanese (「予約をキャンセルして
もらえますか？」, 「アップグレードしてもらえますか？」): a request, not a question of the terms
(「機内食って対応してもらえますか」, 「毛布貸してもらえるんでしたっけ」 are)."""
_STATUS = re.compile(
    r"(?i)\b(?:delayed|late|on\s+time|cancell?ed|departed|landed|boarding|status|delay\s+on)\b"
    r"|遅延|遅れ|欠航|出発し|到着し"
)
_A_FLIGHT = re.compile(
    r"(?i)\b(?:my|our|the|this|that|today'?s|tonight'?s)\s+(?:[\w-]+\s+){0,3}?flight\b"
    r"|\bflight\s+[a-z]{0,3}\s*\d|\b[a-z]{2}\s*\d{2,4}\b|(?:私|僕|俺|うち|自分)の(?:便|フライト)"
    r"|[0-9０-９]+便|行き|便(?:って|は|が)"
)
_TERMS_ASKED = re.compile(
    r"(?i)\b(?:if|when|what\s+happens|compensat\w*|refund\w*|entitled|policy|rules?|allowed)\b"
    r"|補償|返金|払い戻し|場合|たら|規定|ルール"
)
"""A flight's status asked ("Is my flight delayed?", "is the BA117 delayed", "has the 7pm
flight to Osaka been cancelled", 「今日の那覇行き、欠航になってますか」): no FAQ knows it; not
what one is owed or what happens then ("What happens if my flight is cancelled?",
「便が遅延してるんですけど補償ってありますか」)."""
_REFERS_BACK = re.compile(
    r"(?i)\b(?:for|about|with|of|on|to|in)\s+(?:that|those|them|these|this\s+one|that\s+one)\s*[?.!]*$"
    r"|^(?:(?:and|so|ok|okay|oh|right|um|uh)[,\s]+)*(?:what|how)\s+about\s+(?:that|those|them|it)\b"
    r"|^(?:(?:and|so|ok|okay|oh|right|um|uh)[,\s]+)*(?:is|are|does|do|can|will)\s+(?:that|those|these"
    r"|they)\b|^(?:(?:あ|えっと|じゃあ|では)[、\s]*)*(?:それ|あれ|これ|そっち|そちら)(?:って|は|も|だと|なら)"
)
"""A follow-up that points back at what was said ("is there a fee for that?", "and are those
free?", 「それって有料ですか？」): the user's words alone are no question to look up. Not "Is
it free to bring a stroller?" (it points at nothing) nor 「それと、ペットって...」."""
_WANTS_A_THING_EN = re.compile(r"(?i)\b(?:can|could|may)\s+(?:i|we)\s+(?:get|have)\b")
"""A thing asked for ("Could I get a blanket please?", "Can we have the heating on?"): a
request, not a question of the terms."""
_ON_BOARD = re.compile(
    r"(?i)\b(?:on\s+board|onboard|on\s+the\s+(?:plane|flight)|through\s+security|in\s+(?:my|the)"
    r"\s+(?:hand\s+)?(?:bag|luggage|cabin|carry-?on)|served)\b|機内|持ち込|預け|搭乗|手荷物"
)
"""Things taken on board: "Can I take sun cream through security?", 「傘って機内に持ち込めますか？」
ask the FAQ, whatever the weather."""
_CLOCK_WORDS = re.compile(
    r"(?i)\b(?:until|till|hours?|minutes?|days?|o'?clock|midnight|noon|time)\b|何時|何日|何分|まで何"
)
"""With a clock among the agent's tools: "How many hours until midnight?" is the clock's."""
_SERVICE_TIMES = re.compile(
    r"(?i)\b(?:before\s+(?:departure|take-?off|boarding|(?:the|my|our|your)\s+flight)"
    r"|check[-\s]?in|check[-\s]?out|bag\s+drop|boarding|delayed|delay|refund\w*|compensat\w*"
    r"|within|notice|close|closes|closing|open|opens|opening|last\s+orders?"
    r"|same\s+day|in\s+advance|how\s+many\s+days\s+do\s+(?:i|we)\s+have)\b"
    r"|出発|搭乗|チェックイン|チェックアウト|受付|締め切|遅延|払い戻|補償|以内|前まで|までに|前から"
    r"|有効期限|閉店|開店|営業時間|ラストオーダー"
)
"""The service's own times ("how long before departure does the bag drop close",
「オンラインチェックインは何時間前からできますか？」, "if my flight is delayed more than
three hours", "how many days do I have to send it back", 「何日以内なら返品できるの」): its
terms, whatever clock the agent has; not a countdown (`_COUNTDOWN`)."""
_HOURS_ASKED = re.compile(
    r"(?i)\bwhat\s+time\s+(?:is|does|do|are)\b|\bwhen\s+(?:is|does|do)\b"
    r"|何時(?:から|まで|に|です|でしょう|なん|って|\?|？)"
)
"""A time of the service's asked ("What time is check-out at my hotel?", "what time does the
gym close", 「ホテルのチェックアウトは何時ですか？」): with its own time (`_SERVICE_TIMES`), no
clock's, and no question of its terms by their form."""
_COUNTDOWN = re.compile(r"(?i)\b(?:until|till|til)\b|あと|まで(?:あと)?何")
"""How long until something ("how many minutes until boarding", 「チェックインまであと何時
間？」): the clock's."""
_AIRLINE = re.compile(
    r"(?i)\b(?:flights?|planes?|aircraft|airlines?|airports?|boarding|on\s*board|carry-?ons?"
    r"|checked\s+(?:bags?|luggage)|baggage|luggage|suitcases?|lounge|cabin|layover|gate"
    r"|frequent\s+flyer|air\s+miles|bag\s+drop|take-?off)\b"
    r"|\bbags?\b(?=.*\bcheck)|\bcheck\w*\s+(?:\w+\s+)?bags?\b"
    r"|飛行機|航空|(?<![郵配期])便(?![利秘箋])|フライト|機内|搭乗|手荷物|預け荷物|座席指定|マイル|空港"
    r"|欠航|乗り継ぎ"
)
"""A question about flying: the reply names the airline (not 郵便 nor 宅配便)."""
_BANK = r"(?<!power\s)(?<!power-)(?<!battery\s)(?<!charger\s)banks?"
"""A bank, not a power bank."""
_PROVIDER = (
    r"(?:airlines?|flights?|planes?|hotels?|motels?|hostels?|restaurants?|cafes?|shops?|stores?"
    rf"|supermarkets?|gyms?|{_BANK}|fares?"
    r"|tickets?|bookings?|reservations?|memberships?|subscriptions?|orders?|rentals?|rooms?"
    r"|cinemas?|theat(?:er|re)s?|museums?|lounges?|carry-?ons?|bags?|suitcases?|luggage"
    r"|baggage|seats?|deliver(?:y|ies)|receipts?|refunds?|miles|points)"
)
"""A company or one of its things, as English names them."""
_SPECIFIC_EN = re.compile(
    rf"(?i)\b(?:the|my|our|your|this|that|their)\s+(?:[\w-]+\s+){{0,2}}?{_PROVIDER}\b"
    r"|\b(?:you\s+guys|checked\s+bags?|carry-?ons?|on\s*board|on\s+the\s+plane|excess\s+baggage"
    r"|bag\s+drop|hand\s+luggage|baggage\s+allowance|check-in|check-out)\b"
)
"""A company, or one of its things, meant in particular ("does the hotel let you bring a
dog", "is there a fee if I cancel my dinner reservation", "on Ryanair", "how many checked
bags"): to an assistant that is no company's, "how much does a hotel in Kyoto cost", "Which
airlines allow pets?" and "do I need a jacket today" ask the world, not anybody's rules, and
"you" is the assistant ("Do you have a dark mode?", "do you allow swearing?")."""
_BRAND = re.compile(
    r"\b(?:[Oo]n|[Ww]ith|[Aa]t|[Ff]rom|[Ff]ly(?:ing)?)\s+([A-Z][A-Za-z&'-]+)"
    r"|\b(?:[Dd]oes|[Dd]o|[Ww]ill|[Ii]s|[Aa]re|[Cc]an)\s+([A-Z][A-Za-z&'-]+)\s+(?:charge|let|allow"
    r"|offer|have|give|include|accept|serve|provide|refund)"
)
"""A company by its name ("do they charge for a second bag on Ryanair", "Does Delta charge for
seat selection?"), unless the name is a place, a day or a month (`_brand_named`)."""
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december christmas easter halloween "
    "thanksgiving i".split()
)
"""Capitalised words after "on" or "from" that name no company ("on Sunday", "I")."""
_PROVIDER_JA = re.compile(
    r"航空|(?<![郵配期])便(?![利秘箋])|フライト|機内|搭乗|手荷物|預け|マイル|飛行機|座席|(?<![出客])席"
    r"|荷物|ベビーカー|チャイルドシート|ラウンジ|エコノミー|ビジネスクラス|ファーストクラス"
    r"|アップグレード|乗り継ぎ|毛布|チェックイン|ホテル|旅館|お店|店舗|(?<![カ])店(?!長)|レストラン"
    r"|ジム|会員|解約|休会|退会|予約|返品|返金|払い戻|注文|配送|送料|ATM|銀行|レンタカー|映画館"
    r"|チケット|切符|乗車券|運賃|手数料|キャンセル|そちら|御社|貴社"
)
"""`_SPECIFIC_EN` in Japanese, which has no "the" or "my": a company or what it sells named
(「そちらのホテルってペットと一緒に泊まれますか」; not 「ご飯って冷凍できる？」)."""
_PROVIDER_NAMED = re.compile(
    r"(?i)\b(?:airlines?|air|airways|flights?|hotels?|motels?|hostels?|inn|restaurants?|cafes?"
    r"|shops?|stores?|supermarkets?|gyms?|banks?|clinic|salon|spa|club|company|companies|rental"
    r"|cinemas?|theat(?:er|re)s?|museums?|delivery|business|firm|brand|customers?|guests?"
    r"|passengers?|travell?ers?|members?)\b"
    r"|航空|ホテル|旅館|お店|店舗|レストラン|ジム|銀行|レンタカー|映画館|会社|お客|受付|会員"
)
"""Instructions that make the agent some company's ("You are the assistant of Hotel Sakura",
「ホテルさくらの受付です」): what it may say of the rules is the model's, from them."""
_ELSEWHERE_EN = (
    rf"\b(?:hotels?|motels?|hostels?|restaurants?|cafes?|gyms?|supermarkets?|{_BANK}|atms?"
    r"|car\s+rental|rental\s+cars?|cinemas?|museums?)\b"
)
_ELSEWHERE_JA = "ホテル|旅館|レストラン|ジム|銀行|レンタカー|映画館|美術館|博物館"
_ELSEWHERE = re.compile(rf"(?i){_ELSEWHERE_EN}|{_ELSEWHERE_JA}|ATM")
"""Companies that are not the one an agent answers for, unless it names them: asked "does the
hotel let you bring a dog", the airline's triage agent is not to hand it to its FAQ (a power
bank is no bank)."""
_ELSEWHERE_TOPIC = re.compile(
    rf"(?i)\b(?:does|do|will|would|can|could|is|are|has|have)\s+(?:there\s+)?(?:the|a|an|this|that"
    rf"|your|my|our|any)?\s*(?:[\w-]+\s+)?{_ELSEWHERE_EN}"
    rf"|(?:{_ELSEWHERE_JA})(?:って|は|に|で|の(?!代|料金))"
)
"""Another company as what a question is about ("Will the hotel let me check in early if my
flight lands at 6am?", "Is there a hotel inside the airport?", 「ホテルに荷物預けられますか？」),
not something asked of the airline ("will you pay for a hotel?", 「ホテル代って出して
もらえますか」)."""
_AIRLINE_NAMES = re.compile(
    r"(?i)\b(?:ryanair|easyjet|delta|united|american\s+airlines|southwest|jetblue|lufthansa"
    r"|emirates|qantas|british\s+airways|air\s+\w+|klm|jal|ana|wizz)\b|ANA|JAL|ピーチ|ジェットスター"
)
"""Airlines by name: the reply names the airline."""
_IN_GENERAL = re.compile(
    r"(?i)\b(?:usually|typically|typical|normally|generally|in\s+general|roughly|average"
    r"|standard|reasonable|worth|mean|means|stand\s+for|best|worst|cheapest|how\s+(?:it|that"
    r"|this)\s+works|most\s+(?:airlines|hotels|places"
    r"|people)|which\s+(?:airlines|hotels|banks|gyms|shops|stores|restaurants)|any\s+(?:airlines"
    r"|hotels|banks|gyms|shops|stores|restaurants))\b|^(?:\w+\s+){0,3}should\s+(?:i|we)\b"
    r"|^(?:\w+\s+){0,2}how\s+(?:do|does)\b(?!\s+(?:i|we)\b)|\bnear\s+(?:here|me|by|the)\b"
    r"|\b(?:around\s+here|nearby|close\s+by|tip|tipping|a\s+lot|expensive|do\s+you\s+think)\b"
    r"|\bhow\s+(?:do|can|should)\s+(?:i|we)\s+get\s+(?:to|from)\b"
    r"|普通|だいたい|大体|一般的|平均|相場|コツ|方法|対策|意味|どういう|やすい|もんなん|ものなの"
    r"|(?:くらい|ぐらい)ある(?:の|ん)"
    r"|この辺|近く|近所"
)
"""What is usual, advised, meant or nearby, not one company's rules ("how much does it
usually cost to fly to Hawaii", "how early should I leave for the airport", "what does basic
economy mean", "Is there a supermarket near here?", 「キャンセル料っていくらくらいが普通？」):
the model's to answer."""
_BOILERPLATE = frozenset(
    "answer answers assistant friendly helpful short sentence sentences plain spoken language "
    "without lists markdown when asked about always user users reply replies respond voice "
    "japanese english polite brief concise tool tools question questions two three".split()
)
"""Words any agent's instructions say of how to answer, which say nothing of what."""
_TERMS_UNKNOWN = (
    "That depends on the company's own rules, and I can't look those up from here; "
    "their website or staff will know."
)
_TERMS_UNKNOWN_AIRLINE = (
    "That depends on the airline and your ticket, and I can't look up their rules from here; "
    "the airline's website or app will have the answer."
)
_TERMS_UNKNOWN_JA = (
    "それはお店や会社ごとの決まりによるので、ここではお調べできません。直接お問い合わせください。"
)
_TERMS_UNKNOWN_AIRLINE_JA = (
    "それは航空会社や運賃によって違うので、ここではお調べできません。"
    "航空会社のサイトやアプリでご確認ください。"
)
"""`terms_unknown_reply`'s words: a company's (or an airline's) rules, which the agent has no
way to look up, said to be theirs to tell."""


def question_handoff(asked: Asked) -> ToolSpec | None:
    """The one handoff that answers questions (`answers_questions`), for a question the user
    asked of the service (see the module) that the model would answer in words; None when
    there is no such handoff or more than one, when the user did not speak last or a call is
    not the model's to choose, or when the question is not the service's."""
    if not asked.user_turn:
        return None
    handoffs = plain_handoffs(asked.callable)
    answering = [t for t in handoffs.values() if answers_questions(t)]
    if len(answering) != 1:
        return None
    said = user_since_reply(asked.messages)
    if not _service_question(said, asked) or _elsewhere(said, asked):
        return None
    # another handoff's own topic named ("is my booking confirmed?" is the seat agent's:
    # `named_handoff` decides such requests)
    topics = handoff_topics(asked.callable)
    words = said_topics(said)
    handoff = answering[0]
    if any(topics.get(name, frozenset()) & words for name in handoffs if name != handoff.name):
        return None
    return handoff


def question_lookup(asked: Asked) -> ToolCall | None:
    """A lookup in the service's own answers (`faq_question`: the agent's one
    ``faq_lookup_tool``, with the user's words as its question), for a question the user asked
    of the service (see the module) that the model would answer in words: asked 「便の変更って
    手数料かかります？」, the FAQ agent answered "便の変更は手数料かかります。"; None when there
    is no such tool or more than one, when the user did not speak last or a call is not the
    model's to choose, or when the question is not the service's."""
    if not asked.user_turn:
        return None
    lookups = [(t, key) for t in asked.callable if (key := faq_question(t)) is not None]
    if len(lookups) != 1:
        return None
    tool, key = lookups[0]
    said = user_since_reply(asked.messages).strip()
    if not _service_question(said, asked, tool) or _elsewhere(said, asked):
        return None
    if any(m.role == "assistant" for m in asked.messages) and _REFERS_BACK.search(said):
        return None  # "is there a fee for that?": the model's question says what "that" is
    return ToolCall(tool.name, json.dumps({key: said}, ensure_ascii=False))


def terms_unknown_reply(asked: Asked) -> str:
    """What an agent that can look nothing up says to a question of a service's terms (see
    the module): that it depends on the company's (or the airline's) own rules, which it
    cannot look up, in the user's language; empty when the agent has a tool other than a
    clock, or a handoff, when its instructions speak of what was asked, and for any other
    turn. Given before the model writes: the 0.5B made such answers up."""
    if not asked.user_turn:
        return ""
    if not all(is_clock(t) for t in asked.callable):
        return ""  # a handoff, a lookup, any tool of the service's own: the rules above
    said = user_since_reply(asked.messages).strip()
    hours = (
        _HOURS_ASKED.search(said)
        and _SERVICE_TIMES.search(said)
        and not _COUNTDOWN.search(said)
        and not asks_the_time(said)
    )
    if not hours and not _service_question(said, asked):
        return ""
    japanese = is_japanese(said)
    if japanese:
        meant = bool(_PROVIDER_JA.search(said))
    else:
        meant = bool(_SPECIFIC_EN.search(said)) or _brand_named(said)
    if not meant:
        return ""  # no company meant: "do I need a jacket today" asks the world
    if _IN_GENERAL.search(said):
        return ""
    instructions = instructions_of(asked).lower()
    if _PROVIDER_NAMED.search(instructions):
        return ""  # the agent is some company's: its instructions may say
    flying = bool(_AIRLINE.search(said) or _AIRLINE_NAMES.search(said))
    flying = flying and not _ELSEWHERE_TOPIC.search(said)  # "Will the hotel let me ... flight"
    named = {w for t in asked.callable for w in t.name.lower().split("_")}  # get_current_time
    told = set(re.findall(r"[a-z]{3,}", instructions)) - _BOILERPLATE - COMMON_WORDS - named
    topics = {w for w in said_topics(said) if len(w) >= 3} - COMMON_WORDS
    if any(t.startswith(w[:4]) or w.startswith(t[:4]) for w in topics for t in told):
        return ""  # "You are Luigi's assistant. Dogs are welcome on the terrace."
    if japanese:
        return _TERMS_UNKNOWN_AIRLINE_JA if flying else _TERMS_UNKNOWN_JA
    return _TERMS_UNKNOWN_AIRLINE if flying else _TERMS_UNKNOWN


def _brand_named(said: str) -> bool:
    """Whether ``said`` names a company by its name (`_BRAND`): not a place
    (`kaiwa.engine.places.known_place`), a day, a month or a holiday."""
    from .places import known_place  # (the gazetteer loads on first use)

    for match in _BRAND.finditer(said):
        name = match.group(1) or match.group(2)
        if name.lower() not in _CALENDAR and not known_place(name):
            return True
    return False


def _elsewhere(said: str, asked: Asked) -> bool:
    """Whether ``said`` names a company (`_ELSEWHERE`) that nothing offered names (not the
    agent's instructions, nor its tools' names and descriptions), as what it asks about
    (`_ELSEWHERE_TOPIC`: "Does the hotel charge for extra bags?"), or beside nothing of
    flying nor of what a tool is for."""
    topic = _ELSEWHERE_TOPIC.search(said)
    if not topic and (_AIRLINE.search(said) or any(touches(t, said) for t in asked.callable)):
        return False  # "will you pay for a hotel if my flight is cancelled?", "wifi at the hotel"
    offered = " ".join(
        [instructions_of(asked), *(f"{t.name} {t.description}" for t in asked.callable)]
    ).lower()
    named = {m.group(0).lower().rstrip("s") for m in _ELSEWHERE.finditer(said)}
    return any(
        not re.search(re.escape(name) if is_japanese(name) else rf"\b{re.escape(name)}", offered)
        for name in named
    )


def _service_question(said: str, asked: Asked, answering: ToolSpec | None = None) -> bool:
    """Whether ``said`` is a question asked of the service and none of the others the
    module names; what ``answering`` (the lookup that would answer it) is for is no other
    tool's."""
    if not said.strip() or not asks_a_question(said) or only_remarks(said):
        return False
    if not (asks_of_the_terms(said) and asks_the_service(said)) or general_question(said):
        return False
    if _ASKED_TO_DO_JA.search(said) if is_japanese(said) else _ASKED_TO_DO_EN.search(said):
        return False
    if _STATUS.search(said) and _A_FLIGHT.search(said) and not _TERMS_ASKED.search(said):
        return False  # a flight's status: no FAQ knows it
    if _WHY.search(said) or _ABOUT_YOU.search(said) or _CONVERSATION.search(said):
        return False
    if not is_japanese(said) and _WANTS_A_THING_EN.search(said):
        return False
    if small_talk_turn(asked.messages) or capabilities_reply(asked.messages, asked.callable):
        return False
    if asked_for_a_value(asked):
        return False
    if other_service(said, asked.callable, instructions_of(asked)) is not None:
        return False
    own = [t for t in asked.callable if not t.name.startswith(HANDOFF_PREFIX)]
    # ("what time does check-in start": the service's time, which no clock tells)
    service_time = bool(_SERVICE_TIMES.search(said)) and not _COUNTDOWN.search(said)
    others = [t for t in own if t is not answering and not (service_time and is_clock(t))]
    if any(touches(t, said) or asks_for_tool(t.name, asked.messages) for t in others):
        return False
    if any(is_clock(t) for t in own) and (
        (_CLOCK_WORDS.search(said) and not service_time) or asks_the_time(said)
    ):
        return False  # "How many hours until midnight?", "What time is it now?": the clock's
    if _ON_BOARD.search(said):
        return True  # (sun cream through security, 傘を機内に: the FAQ's, whatever the weather)
    return not (weather_tool(own) and weather_said(said))
