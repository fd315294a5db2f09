"""A remark: words that ask nothing and request nothing ("Honestly, I hate flying.").

Told a remark, a small model offered a lookup tool looks it up: the airline's FAQ agent called
``faq_lookup_tool(question="I hate flying. My hands are already sweating...")`` and
``faq_lookup_tool(question="孫に会いにハワイまで行くんです。もう楽しみでねえ。")``. A lookup
answers a question; a remark asks none, so the policy
(`kaiwa.engine.tool_policy.ToolCallPolicy`) answers it in words. Other tools are not judged
so: "it's way too dark in the hallway" asks nothing in its form, and is a request to a smart
home. A remark may still hide a question ("I'm six foot five and my knees end up jammed"
wants more legroom): one that names nothing the tool is for is lost so.

`asks_nothing` is deliberately narrow: anything that may ask counts as asking. In English, a
question mark, a clause opened by a question word or an auxiliary ("is there wifi on board",
as a recogniser writes it without its mark), a request ("please", "I'd like", "tell me",
"any chance"), an imperative opening, or an implicit question ("I wonder", "whether", "not
sure"). In Japanese, a question mark, a question word (何, どこ, いくら...), a sentence ending
in か, かな, っけ or の (not the assertive やんか, ねんか), or a request or wish (ください, たい,
てほしい, もらえ, 教えて, できます...). Rhetorical openings ("can you believe it!") do not ask.
"""

from __future__ import annotations

import re
import unicodedata

from .identifiers import said_identifiers
from .text import is_japanese
from .written import written_form

__all__ = [
    "REMARK_REPLY",
    "REMARK_REPLY_JA",
    "asks_a_question",
    "asks_nothing",
    "only_remarks",
    "remark_reply",
]

_RHETORICAL_EN = re.compile(
    r"(?i)\b(?:can|could|would)\s+you\s+believe\b|\bguess\s+what\b|\byou\s+know\s+what\b"
    r"|\bwho\s+knew\b|\bwhat\s+(?:a|an)\s+\w+"
)
"""Forms of a question that ask nothing: "can you believe it!", "guess what", "what a day"."""

_CLAUSE_START = r"(?:^|[.,;:!—–-]\s*|\b(?:and|so|but|also|oh|um|uh|er|okay|ok|well|now|then)\s+)"
_ASKING_OPENERS_EN = (
    "what whats what's how hows how's where wheres where's when which who whos who's whom "
    "whose why is isn't isnt are aren't arent am was wasn't were do does doesn't doesnt did "
    "didn't don't dont can can't cant could couldn't will won't would wouldn't should "
    "shouldn't shall may might must have has hasn't haven't any"
)
_ASKS_EN = re.compile(
    rf"(?i){_CLAUSE_START}(?:{'|'.join(re.escape(w) for w in _ASKING_OPENERS_EN.split())})\b"
)
"""A clause opened by a question word or an auxiliary: a question, with or without its mark."""

_REQUESTS_EN = re.compile(
    r"(?i)\b(?:please|pls|plz|tell\s+me|let\s+me\s+know|i'?d\s+(?:like|love)|i\s+would\s+"
    r"(?:like|love)|i\s+(?:\w+ly\s+)?(?:want|need|wanna|wish|have\s+to|gotta)|need\s+to\s+know|want\s+to\s+know|"
    r"(?:i'?d|we'?d|i\s+would)\s+(?:much\s+)?(?:rather|prefer)\s+(?:not\s+)?(?:have|sit|being|a|an|"
    r"the|my|to\s+(?:sit|have|move|switch|change|be)|be\s+(?:in|by|at|near|next|closer|further|"
    r"seated|moved|put))|(?:i'?d|we'?d|i\s+would)\s+(?:really\s+)?(?:love|like)\s+(?:a|an|the|to)|"
    r"(?:would|it'?d)\s+be\s+(?:great|nice|lovely|good|ideal|perfect)\s+(?:to|if)|"
    r"(?:we|they)\s+(?:want|wanna|need)|\w+\s+wants\s+(?:a|an|to)|hoping\s+for|"
    r"wonder(?:ing|ed)?|whether|curious|not\s+sure|no\s+idea|help\s+me|show\s+me|give\s+me|"
    r"get\s+me|find\s+me|look\s+(?:up|into)|check|explain|any\s+(?:chance|way)|is\s+there|"
    r"are\s+there|thinking\s+of|planning\s+to|hoping\s+to|trying\s+to|needs?|must|"
    r"have\s+to|has\s+to|looking\s+for|quer(?:y|ies)|questions?|dunno|don'?t\s+know|"
    r"can'?t\s+find|cannot\s+find|suppose|allowed|okay\s+to|ok\s+to|asking|calling|"
    r"interested|appreciate|grateful|confused|don'?t\s+get|worried|wondering|though|but|"
    r"say\s+(?:i|we))\b"
    r"|(?:,\s*|\s)(?:right|ok|okay|yeah|yes|no|eh|correct|true)\s*[.!]*$"
    rf"|{_CLAUSE_START}(?:tell|give|show|find|look|book|get|let|help|explain|send|make|"
    r"put|change|move|switch|cancel|turn|set|call|remind|add|remove|order)\b"
)
"""A request, an imperative, a need ("we need to sit together"), an implicit question ("I
wonder...", "not sure whether...", "I'm looking for information on pets"), or a question
tagged at the end ("you allow dogs in the cabin, right")."""

_ASKS_JA = re.compile(
    r"何(?!も|とか|度も)|なに|どこ|どう(?!も)|どれ|どの|どちら|どっち|いつ(?!も)|いくら|いくつ|誰|だれ|"
    r"なぜ|なんで|どんな|どうして|"
    r"(?<!やん)(?<!ねん)(?<!じゃん)か(?=[。、\s!！]|$|ね|な|しら|い)|だい(?=[。\s]|$)|かな|っけ|の(?=[。\s]|$)|"
    r"ください|下さい|て(?:ほしい|欲しい)|(?<!りが)(?<!めで)(?<!冷)(?<!重)(?<!眠)たい|もらえ|もらい|いただけ|いただき|くれ(?!た)|"
    r"くださ|お願い|教えて|知りたい|できます|できる|可能|大丈夫|いい(?=[での])|"
    r"調べて|確認して|見て(?=[。、\s]|$)|ますかね|(?:ます|です|れる)(?=[。\s]|$)|知りたく|"
    r"(?:が|けど|けれど|けども)(?=[。、\s…]|$)|たく(?:て|って)|(?<!んだ)(?<!のだ)(?<!んです)よね|でしょ|だろ|(?:る|た|ない)か(?![らも])(?=[\u3041-\u309f\u4e00-\u9fff])|"
    r"分からなく|わからなく|相談|電話|件で|について|(?:て|で)や(?=[。！!\s]|$)|(?:しと|っと|んど)いて(?!る)"
)
"""What asks in Japanese: a question word, a sentence ending in か (not the assertive やんか,
ねんか), かな, っけ, の, or in a bare ます, です ("動画とか見られます" is asked with the voice
alone; "行くんですよ" is told); one trailing off in が or けど (「ベビーカーを持って行くんですが」
asks what to do); a request or a wish (見たい, 聞きたくて; not ありがたい); a tag question
(よね, でしょ); a question inside (持ち込めるか気になる; not 乗るから, 降るかも); a call
about something (件で); a request in Kansai speech (窓か通路にしてや) or as 〜といて
(確認しといて)."""

_TOLD_JA = re.compile(r"[\u3041-\u309f][。！!…ー〜~\s]*$")
_LAUGHTER_JA = re.compile(r"(?:[（(]?笑[）)]?|[wWｗＷ]+|草)[。！!…ー〜~\s]*$")
"""Laughter written after a Japanese sentence (笑, w): dropped before it is read
(「荷物重すぎて腕ちぎれそう笑」 is told, 「Wi-Fi使えるの笑」 asks)."""
"""A Japanese sentence told: it ends in kana (an inflection or a particle: だよなぁ, ねえ, わ),
not in a noun ("荷物の重さの制限" is a query without its
question)."""
_TOLD_EN = re.compile(
    r"(?i)\b(?:i|i'm|im|i've|ive|i'd|i'll|my|me|we|we're|our|us|it|it's|its|that|that's|"
    r"thats|this|they|they're|their|he|she|there's|you|your|you're)\b"
)
"""An English sentence told has a subject (a pronoun): "Carry-on size limit" or "wifi" is a
query without its question mark."""


def asks_nothing(text: str) -> bool:
    """Whether ``text`` (the user's words) is a remark: a sentence told (in English with a
    subject and four words at least; in Japanese ending in kana), with no question, asked or
    implied, and no request (see the module). Empty text asks nothing."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return True
    if "?" in text:
        return False
    if is_japanese(text):
        text = _LAUGHTER_JA.sub("", text)
        return bool(_TOLD_JA.search(text)) and not _ASKS_JA.search(text)
    rest = _RHETORICAL_EN.sub(" ", text)
    if len(rest.split()) < 4 or not _TOLD_EN.search(rest):
        return False
    return not (_ASKS_EN.search(rest) or _REQUESTS_EN.search(rest))


_QUESTION_EN = re.compile(
    rf"(?i){_CLAUSE_START}(?:(?:um+|uh+|er+|like)[,\s]+)*(?:"
    r"(?:what|whats|what's|how|hows|how's|where|wheres|where's|which|who|whos|who's|whose|when)"
    r"\s+(?:is|are|was|were|do|does|did|can|could|will|would|should|much|many|big|heavy|long"
    r"|early|far|size|kind|type|sort|about|happens|time|day)\b"
    r"|(?:what|how|where|who)'s\b"
    r"|(?:is|isn't|are|aren't|am|was|were|do|does|doesn't|did|didn't|don't|can|can't|could"
    r"|couldn't|will|won't|would|wouldn't|should|shouldn't|shall|may|might|must|have|has"
    r"|hasn't|haven't)\s+(?:i|we|you|they|it|he|she|there|my|our|your|their|the|this|that"
    r"|these|those|kids|children|people|someone|anyone|pets|dogs|cats)\b(?![,.;!]))"
    r"|\b(?:wonder(?:ing|ed)?\s+(?:if|whether)|whether|(?:wants?|wanted|like)\s+to\s+know"
    r"|not\s+sure\s+(?:if|whether|what|how|when|where|which))\b"
)
"""A question with or without its mark: a clause opened by a question word and what asks
with it ("how big can it be", not "when we land I'll text my mum" nor "who cares"), or by
an auxiliary and its subject ("can we take it to the gate"; not "have a good one"), or one
put as a statement ("I was wondering whether...", "not sure if..."; not "maybe, I'm not
sure")."""
_QUESTION_JA = re.compile(
    r"\?|(?<!やん)(?<!ねん)(?<!じゃん)か(?=[。、\s!！]|$|ね|な|しら)|かな|かね|っけ|だい(?=[。\s]|$)"
    r"|(?<![あそこど])の(?=[。\s]|$)|ん(?=[。\s]|$)|(?:何|なに|どこ|いつ(?!も)|いくら|いくつ|どれ|どの|どう(?!も)|誰|だれ"
    r"|なんぼ)|でしょう"
)
"""A Japanese question: a question mark, a question word, an ending in か, かな, っけ, の or
ん, でしょう; not a statement or a request (「座席は23Bです」, 「毛布をお願いします」)."""


def asks_a_question(text: str) -> bool:
    """Whether ``text`` asks a question: a question mark; in English a clause opened by a
    question word or an auxiliary ("do we have to pay for the stroller or can we take it to
    the gate", not "can you believe it") or a question put as a statement ("I was wondering
    whether..."); in Japanese a question word or a question's ending (`_QUESTION_JA`). Not
    "tell us a joke", "book me a cab", 「座席は23Bです」 or 「ピザ注文してください」."""
    text = unicodedata.normalize("NFKC", text).strip()
    if "?" in text:
        return True
    if is_japanese(text):
        return bool(_QUESTION_JA.search(_LAUGHTER_JA.sub("", text)))
    return bool(_QUESTION_EN.search(_RHETORICAL_EN.sub(" ", text)))


_PROBLEM_EN = re.compile(
    r"(?i)\b(?:lost|missing|stolen|broken|damaged|ruined|cancell?ed|delayed|rescheduled|stuck|"
    r"(?:can'?t|cannot|couldn'?t|won'?t|wouldn'?t|doesn'?t|didn'?t|isn'?t|wasn'?t|hasn'?t|haven'?t|"
    r"not)\s+(?:\w+\s+)?(?:connect(?:ing)?|log|load|find|get|work(?:ing)?|recline|arrive[ds]?|"
    r"show(?:n|ed)?|turn(?:ed)?|come|fit|open|close|reach|here|there)|"
    r"never\s+(?:arrived|came|showed|turned)|(?:kept|keeps)\s+\w+ing|cutting\s+out|"
    r"charged\s+twice|double\s+charged|split\s+up|separated|different\s+rows|"
    r"(?:problem|issue|trouble)\s+with|no\s+(?:signal|connection)|paid\s+for|"
    r"too\s+(?:small|tight|cramped|noisy|loud|cold|hot)|away\s+from\s+(?:me|us|each\s+other)|"
    r"jammed|crammed|squashed|squeezed|uncomfortable|"
    r"(?:right\s+)?(?:by|next\s+to|beside|near|behind|over)\s+the\s+(?:toilets?|loo|lavatory|"
    r"bathroom|galley|engines?)|"
    r"(?:too|so|really|very|quite)\s+(?:heavy|big|large|bulky)|overweight\s+(?:bags?|luggage)|"
    r"(?:bags?|luggage|baggage|suitcases?|case)(?:'s|\s+is|\s+was|\s+are|\s+might\s+be|\s+will\s+be)"
    r"\s+(?:\w+\s+)?(?:overweight|oversized)|over\s+the\s+(?:limit|size|weight)|"
    r"(?:a\s+lot|lots|loads|tons)\s+of\s+(?:bags|baggage|luggage|stuff)|"
    r"(?:i'll|we'll|i\s+will|we\s+will|i'm|we're|i\s+am|we\s+are)\s+(?:have|having|bring|bringing"
    r"|take|taking|carry|carrying|travel(?:l)?ing\s+with)|(?:i've|we've|i\s+have|we\s+have)\s+got\s+(?:a|an|two|three|four|\d+|some|lots|my|our)\b|"
    r"\d+\s*(?:kilos?|kilograms?|kg|pounds|lbs|inches|cm|centimet(?:er|re)s)|"
    r"(?:kilos?|kilograms?|pounds|inches|centimet(?:er|re)s))\b"
)
_PROBLEM_JA = re.compile(
    r"なくな|無くな|失く|紛失|壊れ|こわれ|破れ|届いてな|届かな|届きません|来てな|来てへん|"
    r"出てこな|出てきません|出てけえへん|つながらな|繋がらな|つながりません|繋がりません|"
    r"つながらへん|繋がらへん|使えな|使えません|使えへん|動かな|動きません|見つかりません|"
    r"見つからな|離れ|バラバラ|ばらばら|遅れ|欠航|キャンセル|できな|できません|できひん|でけへん|"
    r"(?:が|の方が|のほうが)(?:よかった|いい|ええ)|だったら嬉しい|[0-9０-９]+\s*(?:キロ|センチ|インチ|ポンド)"
    r"|トイレの(?:すぐ|真ん)?(?:前|横|隣|近く|そば)|重すぎ|重たすぎ|大きすぎ|でかすぎ|多すぎ"
    r"|オーバー|超えて|超えそう|大きいかも|重いかも"
)
"""A problem told ("They lost my luggage.", "i can't connect to the wifi", "my kids are seated
three rows away from me", 「荷物が届いてないんだよね」, 「Wi-Fiが全然つながりません」,
「子どもと席が離れちゃった」), a wish (「窓側がよかったんやけどなあ」, 「窓側がええなあ」) or a
value ("My bag weighs twenty five kilos."), a bag too big or heavy ("my bag is overweight",
「手荷物ちょっと大きいかも」), or a seat by the toilets ("my seat is right by the toilets",
「トイレの真ん前の席」): each asks for something without a question."""


def only_remarks(text: str) -> bool:
    """Whether ``text`` is a remark (`asks_nothing`) that gives no code and tells of no
    problem: "My booking reference is QWE456." asks nothing, but the code is for whoever
    needs it; "They lost my luggage." asks for help (a handoff to the agent for either
    stands)."""
    if not asks_nothing(text) or said_identifiers(written_form(text)):
        return False
    plain = unicodedata.normalize("NFKC", text).replace("’", "'")
    problem = _PROBLEM_JA if is_japanese(plain) else _PROBLEM_EN
    return not problem.search(plain)


REMARK_REPLY = "I see. Is there anything I can help you with?"
REMARK_REPLY_JA = "そうなんですね。何かお手伝いできることはありますか？"


def remark_reply(said: str) -> str:
    """kaiwa's own reply to a remark (`asks_nothing`), in its language; empty for any other
    words. For when the model's replies to it were unfit to be spoken: told "Honestly, I
    hate flying." or 「前回の便、出発が二時間も遅れて...困りました。」, it said them back, and
    the user heard "say that another way"."""
    if not said.strip() or not asks_nothing(said):
        return ""
    return REMARK_REPLY_JA if is_japanese(said) else REMARK_REPLY
