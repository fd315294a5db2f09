"""A question about the world, with one answer any encyclopedia has: no tool serves it.

Offered tools, a small model looks such questions up or hands them on: the airline's FAQ agent
called ``faq_lookup_tool(question="What is the capital of Canada?")``, the triage agent
``get_weather(city="Switzerland")`` for "what currency do they use in switzerland", a clock's
assistant its clock. The policy (`kaiwa.engine.tool_policy.ToolCallPolicy`) answers them in
words unless the request also names what the tool does ("what's the weather like in the
capital of Peru?" stays a weather request).

`general_question` knows such questions by the forms quizzes and curious people ask them in,
in English and Japanese: a capital, a currency or a language of a country; who painted, wrote
or invented something; what an abbreviation stands for; the tallest, longest or largest
thing in the world (or in a country, in the solar system); how many legs an animal has; at
what temperature water boils; how a word is said in another language; what colour two
colours make. A question about the user's own things ("what's the biggest bag I can bring?",
"how many seats does the plane have?") is none of these: it names no scope beyond the
conversation, or it speaks of the user (I, my) or the service (the plane, this flight).
"""

from __future__ import annotations

import re
import unicodedata

from .small_talk import small_talk
from .text import is_japanese

__all__ = ["asks_of_the_terms", "asks_the_service", "general_question"]

_SCOPE_EN = (
    r"(?:in|on|of) (?:the |our )?(?:whole )?(?:world|earth|planet|solar system|universe|galaxy"
    r"|ocean|sea|sky|human body|history|europe|asia|africa|america|north america"
    r"|south america|australia|antarctica)\b|\bof all time\b|\bin (?:the )?(?:uk|us|usa|japan"
    r"|china|india|france|italy|germany|spain|canada|brazil|russia|mexico|england"
    r"|the united states)\b"
)
"""Where a superlative reaches past the conversation: "in the world", "in the solar
system", "in Japan"."""
_SUPERLATIVE_EN = (
    r"\b(?:tallest|highest|longest|largest|biggest|smallest|deepest|oldest|hottest|coldest"
    r"|fastest|slowest|heaviest|lightest|busiest|richest|closest|nearest|farthest|furthest"
    r"|most (?:populous|spoken|popular|common|visited|famous))\b"
)
_LEAD_EN = (
    r"^(?:(?:um+|uh+|er+|erm|so|okay|ok|oh|hey|hi|well|right|also|and|sorry|quick one|quick "
    r"question|random question|silly question|trivia question|quick trivia question|just "
    r"wondering|out of curiosity|i was wondering|do you know|can you tell me|could you tell me"
    r"|tell me|any idea|by the way|one more thing|another thing|also)[,:.!]?\s+)*"
)
_GENERAL_EN = re.compile(
    r"\bcapital (?:city )?of\b|\bwhat(?:'s| is)(?: the)? capital\b"
    r"|\bwhat (?:currency|money|language|languages) (?:do|does|is|are|will|would|should)\b"
    r"|\bwho (?:painted|wrote|composed|invented|discovered|directed|founded|sang|designed"
    r"|created|built|was the first|is the (?:president|king|queen|prime minister|author))\b"
    r"|\bwhat does (?:the )?[\w.-]+ (?:in [\w.-]+ )?stand for\b"
    rf"|{_SUPERLATIVE_EN}.*?\b(?:{_SCOPE_EN})"
    r"|\b(?:which|what) (?:planet|ocean|continent|element|gas|metal|animal|mammal"
    r"|bird|country|river|mountain|desert|organ|bone|vitamin)s?(?:'s| is| are| has| have| was| do"
    r"| does| did| can| makes?| gives?| takes?| breathes?| produces?| orbits?)\b"
    rf"|^{_SUPERLATIVE_EN} (?:planet|ocean|continent|country|river|mountain|desert|animal"
    r"|mammal|bird|lake|island|city)\??$"
    r"|\bhow many (?:legs|arms|eyes|hearts|teeth|bones|wings|sides|planets|continents|oceans"
    r"|strings|players|keys|colou?rs|days|weeks|months) (?:does|do|are there|has|have|is there"
    r"|in)\b"
    r"|\b(?:at )?what temperature (?:does|do|is) (?:water|ice|milk)\b"
    r"|\b(?:boiling|freezing|melting) point of\b"
    r"|\bwhat colou?r (?:do you get|do|does|is|are|makes?)\b.*\b(?:mix|mixing|and)\b"
    r"|\bhow do (?:you|i|they) say\b.*\bin (?:french|spanish|german|italian|japanese|english"
    r"|chinese|korean|portuguese|russian)\b"
    r"|\bwhat(?:'s| is) the (?:french|spanish|german|italian|japanese|english|chinese"
    r"|korean|portuguese|russian) (?:word )?for\b"
    r"|\b(?:what|which) year (?:did|was|were)\b|\bin what year\b"
    r"|\bchemical symbol\b|\bspeed of (?:light|sound)\b|\bsquare root\b"
    r"|\bwhat(?:'s| is) the (?:main|primary) (?:ingredient|thing) in\b",
    re.IGNORECASE,
)
_SERVICE_THINGS = (
    r"cabin|crew|baggage|luggage|bags?|suitcases?|carry[- ]?ons?"
    r"|seats?|seating|rows?|wi-?fi|internet|bookings?|tickets?|fares?|orders?|refunds?"
    r"|deliver(?:y|ies)|parcels?|packages?|tables?|reservations?|menu"
    r"|(?<!of )(?<!speed of )lights?(?! bulb)|thermostat"
    r"|timers?|rooms?"
)
"""What a service deals in: a traveller's bags and seats, a shop's orders, a home's lights."""
_SERVICE_NOUNS = r"flights?|planes?|airlines?|" + _SERVICE_THINGS
_PERSONS_EN = (
    r"i(?! (?:need|use) (?:over |out )?(?:in (?!cash|advance|the|a|total|full|person|coins"
    r"|notes|hand)|there)\b)|i'm|im|i've|i'd|my|me|"
    r"mine|we're|your|you're"
    r"|(?<!thank )you(?! (?:get|say|call|spell|pronounce|know|think|mix|use|speak|need)\b)"
)
"""The user and the assistant, not anyone ("how do you say...", "what do you get mixing...")."""
_ABOUT_US_EN = re.compile(
    rf"\b(?:{_PERSONS_EN}|{_SERVICE_NOUNS}|on board|onboard)\b",
    re.IGNORECASE,
)
"""A question that speaks of the user, the assistant ("what currency do you take?") or what
a service deals in (flights, bags, seats, orders, tables, lights: "which animals are allowed
on flights?") is theirs, whatever its form; "you" in "what do you get mixing blue and
yellow" is anyone, and "I" in "what currency will I need over in Switzerland" too (not in
"what currency will I need to pay for an upgrade")."""

_ASKS_NOW_EN = re.compile(
    r"(?i)\b(?:what|which) (?:month|day|year|date|time)\b.*?\b(?:is it|are we|is this)\b"
    r"|\b(?:is it|are we(?: in)?|is this)\s*(?:(?:now|today|again)\s*)?[?.!]*$"
)
"""The time asked: "what month is it in Japan?", "in what year are we?"."""
_GENERAL_JA = re.compile(
    r"首都|通貨|公用語|何語(?:を|が|で)?(?:話|使)"
    r"|(?:世界|日本|地球|太陽系|宇宙|アジア|ヨーロッパ|アメリカ|人体|歴史上)(?:で|の中で|じゅうで|中で)"
    r"(?:一番|いちばん|最も|もっとも)"
    r"|(?:英語|日本語|フランス語|中国語|韓国語|スペイン語|ドイツ語|イタリア語)(?:で|だと|では)"
    r"(?:何|なん|なに)(?:て|って|と)(?:言|い)"
    r"|(?:誰|だれ|どなた)が(?:描|書|かい|作|つく|発明|発見|建て|作曲|歌)"
    r"|(?:描|書|か|作|つく|発明|発見|建て|作曲)(?:い|し|っ)?た(?:の|ひと|人)(?:は|って)(?:誰|だれ|どなた)"
    r"|何色(?:ある|あり|なん|です|でしょう|だっけ|か)|何角形|元素記号|(?:の|って)単位"
    r"|(?:沸騰|凍る|こおる|沸く|わく)(?:する)?(?:の|温度)|何度で(?:沸騰|凍|こお|沸|わ)"
    r"|(?:生まれた|発祥の|もともとどこの|どこ発祥の)(?:国|料理)|どこの国の(?:料理|食べ物|言葉)"
    r"|(?:何|なん)年に(?:でき|始ま|終わ|建て|生まれ|起き|発明)"
    r"|足(?:は|って|が)(?:何|なん)本"
    r"|(?:高さ|長さ|深さ|面積|人口|標高)(?:って|は)(?:何|なん|どのくらい|どれくらい)"
    r"(?!.*(?:まで|以内|以下|未満|上限|限度|制限|なら|OK|大丈夫|持ち込|預け))"
)
_US_JA = (
    r"私|わたし|僕|ぼく|俺|おれ|うち(?:の|ら)|機内|この飛行機|荷物|座席|予約|注文|お客|そちら|御社"
    r"|スーツケース|ケース|バッグ|かばん|鞄|リュック|ケージ|ベビーカー|機体|通路|窓|シート"
)
"""Japanese words of the user and of what a service deals in (`_PERSONS_EN` and
`_SERVICE_THINGS` in English)."""
_ABOUT_US_JA = re.compile(rf"{_US_JA}|傘|天気|気温|今|何時|何月|何日|何曜")
"""Japanese words of the user, the service, or the weather and the time asked of a tool
("ドイツの首都ベルリンは今何度？" asks the weather)."""


_TERMS_EN = (
    r"allow(?:ed|s|ance|ances)?|permit(?:ted|s)?|limits?|fees?|charg(?:e|es|ed|ing)|costs?"
    r"|price[sd]?|pay|paid|free|includ(?:e|es|ed|ing)|polic(?:y|ies)|rules?"
    r"|restrict(?:ed|ions?)|maximum|max|minimum|extra|legroom|economy|business class"
    r"|first class|aisle|overhead|boarding|(?<!did\si\s)check[-\s]?in|gate|online|personal items?"
    r"|checked"
    r"|packed|carried|stowed|served|meals?|snacks|blankets?|pillows?|upgrades?|compensation"
    r"|delay(?:s|ed)?|cancel(?:led|ed|lations?)?|outlets?|shipping|returns?|warranty"
    r"|opening hours|parking|vegan|vegetarian|gluten|halal|allerg(?:y|ies|ic)|dress code"
    r"|refunds?|frequent flyer|loyalty|earn(?:s|ed)?\s+(?:\w+\s+)?(?:miles|points)"
    r"|(?:miles|points|vouchers?|credits?|tickets?)\b[^.?!]{0,20}\bexpir\w*"
    r"|lets?\s+(?:you|me|us|kids|children|people|passengers|guests|pets)\s+"
    r"(?!know\b|think\b|borrow\b|see\b|check\b|ask\b|look\b|get\s+back\b|tell\b|explain\b)"
    r"|miss(?:ed|es)?\s+(?:my|our|a|the)\s+connection|connecting\s+flights?"
)
"""The words of a service's terms (what is allowed, what it costs, its limits, what happens
when a flight is delayed) and of its trade (legroom, boarding, meals served, shipping,
returns, opening hours, vegan dishes)."""
_TO_THE_SERVICE_EN = re.compile(
    rf"\b(?:{_PERSONS_EN}|we|we've|we'll|our|ours|us|{_SERVICE_THINGS}|on board|onboard"
    rf"|{_TERMS_EN})\b|(?:^|[,;.]\s+)(?:(?:so|and|but|also) )?(?:is|are) there\b",
    re.IGNORECASE,
)
_TO_THE_SERVICE_JA = re.compile(
    rf"(?i){_US_JA}|自分|こちら|弊社|席|搭乗|預け|持ち込|持ってい|エコノミー|足元"
    r"|wi-?fi|ワイファイ|インターネット|ネット(?!ワーク)|毛布|枕|コンセント|充電|遅延|欠航|キャンセル"
    r"|チェックイン|有効期限|機内食|送料|返品|返金|交換|保証|営業時間|駐車場|個室|ラストオーダー"
    r"|アレルギー|ベジタリアン|ビーガン|ヴィーガン|割引|半額|手数料|補償|払い戻し|アップグレード"
    r"|マイル(?:って|が|は|を|も)?(?:貯ま|たま|付|つ|加算)|乗り継ぎ(?:に|が)?(?:間に合|遅れ|失敗)|乗り継ぎ便"
    r"|料金|いくら|なんぼ|有料|無料|追加|超過|制限|上限|規定|ルール|条件|扱い|サイズ|重さ|可能"
    r"|でき(?:ます|ません|る|ない)|(?:ても|て)(?:いい|良い|ええ|大丈夫|OK|平気|構わ)|大丈夫"
    r"|使え|選べ|座れ|乗れ|乗せ|連れ|入れ(?:られ|れ)|持ってけ"
)


def _plain(text: str) -> str:
    """``text`` as the patterns read it: NFKC, trimmed, a curly apostrophe straight."""
    return unicodedata.normalize("NFKC", text).strip().replace("’", "'")


def asks_the_service(text: str) -> bool:
    """Whether ``text`` asks the service about itself, as a question for its FAQ does: it
    speaks of the user or the assistant ("can I bring my cat?", "do you charge for
    seats?"), of what the service deals in (bags, seats, wifi, orders, tables), of its terms
    (allowed, a fee, a limit, a policy, free), or opens with "is there" or "are there" ("is
    there internet on the plane"; "is there life on Mars" too); in Japanese the same, and
    what one can or may do (預けられる？, 使えますか, 入れても大丈夫). "Why is the sky blue?",
    "who won the World Cup in 2018?", "how do planes stay in the air?" and 「光の速さってど
    のくらい？」 ask the world: a plane or a flight, which people ask about in general, is
    not enough."""
    text = _plain(text)
    if is_japanese(text):
        return bool(_TO_THE_SERVICE_JA.search(text))
    rest = re.sub(_LEAD_EN, "", text, flags=re.IGNORECASE)
    return bool(_TO_THE_SERVICE_EN.search(rest))


_ASKS_TERMS_EN = re.compile(
    rf"\b(?:{_TERMS_EN}|on board|onboard)\b"
    r"|\b(?:(?:can|could|may)\s+(?:i|we|my|our|you|it|they)|(?:if|whether)\s+(?:i|we)\s+(?:can"
    r"|could|may))\s+(?:\w+\s+)?(?:bring|take|carry|check(?!\s+(?:me|us)\s+in)|pack|use"
    r"|keep|choose|pick|select|board|fly|travel|wheel|stow|store)\b"
    r"|\b(?:am\s+i|are\s+we|is\s+it|will\s+(?:i|we)\s+be)\s+(?:able|allowed|ok|okay|possible)\b"
    r"|\b(?:do|does|will)\s+(?:i|we|it|they|you)\s+(?:need|have\s+to|count|charge|offer"
    r"|provide|serve|allow|have(?!\s+(?:a|one)\s+(?:moment|minute|second|sec|mo)\b)|get)\b"
    r"|\bhow\s+(?:much|many|big|heavy|large|early|far\s+in\s+advance)\b(?!\s+longer)"
    r"|\bhow\s+long\s+before\s+(?:departure|take-?off|boarding|(?:my|the|your|our)\s+flight)\b"
    r"|\bbag\s+drop\b"
    r"|(?:^|[,;.]\s+)(?:(?:so|and|but|also) )?(?:is|are) there\b",
    re.IGNORECASE,
)
"""A question of a service's terms: its words (allowed, a fee, a limit, free, on board), what
one can or may bring, take or use ("can I bring my guitar", "will I be able to answer my
emails"), what one must do or is given ("do we have to pay", "do you offer..."), how much or
how big, whether there is something."""
_ASKS_TERMS_JA = re.compile(
    r"(?i)機内|この飛行機|荷物|座席|スーツケース|ケース(?!バイ)|バッグ|かばん|鞄|リュック|ケージ|ベビーカー"
    r"|機体|通路|窓(?!口)|シート|(?<!出)(?<!客)席|搭乗|預け|持ち込|持ってい|持って(?:行|い)け|持ってけ|エコノミー|足元"
    r"|wi-?fi|ワイファイ|インターネット|ネット(?!ワーク|フリ)|毛布|枕|コンセント|充電|遅延|欠航"
    r"|キャンセル|チェックイン|機内食|料金|いくら|なんぼ|有料|無料|追加|超過|制限|上限|規定|ルール|条件|扱い"
    r"|手数料|補償|払い戻し|返金|アップグレード"
    r"|マイル(?:って|が|は|を|も)?(?:貯ま|たま|付|つ|加算)|乗り継ぎ(?:に|が)?(?:間に合|遅れ|失敗)|乗り継ぎ便"
    r"|サイズ|重さ|可能|でき(?:ます|ません|る|ない)|(?:ても|て)(?:いい|良い|ええ|大丈夫|OK|平気|構わ)"
    r"|使え|選べ|座れ|乗れ|乗せ|連れ|入れ(?:られ|れ)|泊まれ|有効期限"
)
"""The same in Japanese: what a flight's service deals in, its terms, what one can or may do
(預けられる？, 使えますか, 入れても大丈夫); not the speaker alone (私, 自分) nor 大丈夫 alone
(「いえ、大丈夫です」 declines)."""


def asks_of_the_terms(text: str) -> bool:
    """Whether ``text`` asks about a service's terms (`_ASKS_TERMS_EN`, `_ASKS_TERMS_JA`):
    "How are you?" and "are you still there?" ask none (`asks_the_service` counts any I or
    you). "How big is Heathrow?" asks one by its form: `question_handoff` asks both."""
    text = _plain(text)
    if is_japanese(text):
        return bool(_ASKS_TERMS_JA.search(text))
    rest = re.sub(_LEAD_EN, "", text, flags=re.IGNORECASE)
    return bool(_ASKS_TERMS_EN.search(rest))


def general_question(text: str) -> bool:
    """Whether ``text`` asks a question about the world with one answer any encyclopedia
    has ("quick one whats the capital of canada", "who painted the Mona Lisa?",
    "日本で一番長い川はなんですか？"), and speaks of neither the user nor the service
    ("what's the biggest bag I can bring?" does). In English only the request's first
    clause counts (after any small talk: "okay thanks, who painted the Mona Lisa?"), and a
    question for the time ("what month is it?") is none."""
    text = _plain(text)
    if not text:
        return False
    if is_japanese(text):
        return bool(_GENERAL_JA.search(text)) and not _ABOUT_US_JA.search(text)
    rest = re.sub(_LEAD_EN, "", text, flags=re.IGNORECASE)
    # the question, not what a clause after it adds ("is it raining in Berlin, the capital
    # of Germany?" asks the weather), nor small talk before it ("okay thanks, what is ...")
    rest = re.sub(r"(?i),?\s*(?:do\s+)?you\s+happen\s+to\s+know\b\??", "", rest)
    clauses = re.split(r"[,;:]\s", rest)
    while len(clauses) > 1 and small_talk(clauses[0]):
        clauses.pop(0)
    first = clauses[0]
    if _ASKS_NOW_EN.search(first):
        return False
    return bool(_GENERAL_EN.search(first)) and not _ABOUT_US_EN.search(rest)
