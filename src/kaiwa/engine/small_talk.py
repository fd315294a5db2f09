"""Small talk: a greeting, thanks or a goodbye, and nothing else; a question announced but
not asked, or asked about the assistant itself. No tool serves it. (A wait asked for:
`kaiwa.engine.holds`.)

A small model offered tools calls one for "hello" (``get_current_time``), "ありがとう"
(``set_lights(room="kitchen")``) or "Thanks, that's all." (a FAQ lookup). The policy
(`kaiwa.engine.tool_policy.ToolCallPolicy`) answers such turns in words; where the model has
no words fit to be spoken (it says "ありがとう" back), `small_talk_reply` answers it, and
`capabilities_reply` answers "What can you do?" from the tools' descriptions.

Only whole turns count: every word must be one of small talk's ("Hi, what's the weather in
Oslo?" is a request), and only when the assistant asked nothing: "Great, thanks!" to "Shall I
book it for four?" is a yes, and a call may follow. "Yes", "OK", "はい" and "よろしく" alone are
never small talk.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from .chat import SILENT_TURN, ChatMessage, ToolSpec
from .text import is_japanese
from .tool_calls import asks

__all__ = [
    "CAPABILITIES_JA",
    "capabilities_reply",
    "question_announced_reply",
    "small_talk",
    "small_talk_reply",
    "small_talk_turn",
]

_GREETINGS = {"hi", "hello", "hey", "hiya", "howdy", "meet"}
_THANKS = {"thanks", "thank", "thx", "cheers", "appreciate", "appreciated", "ta"}
_GOODBYES = {"bye", "goodbye", "byebye", "farewell"}
_ACKS = {"noted", "gotcha", "understood", "sorted"}
"""Words that take in what was said ("okay, noted", "that's me sorted then"); "ok", "great"
and "right" alone may say yes to an offer, so they only come with them."""
_HOW_ARE_YOU = {"how", "how's", "hows", "are", "you", "doing", "going", "it", "it's", "its"}
_TIMES_OF_DAY = {"morning", "afternoon", "evening", "night"}
"""Small talk after "good" ("Good morning"); alone, an answer ("Evening." to "When?")."""
_AROUND = {
    # what comes with them: "Thanks so much, that's really helpful!", "bye for now",
    # "Good morning there", "See you later, have a nice day", "Nice to meet you too"
    "there", "good", "so", "very", "much", "a", "lot", "lots", "ton", "that's", "thats",
    "that", "is", "was", "really", "great", "perfect", "awesome", "wonderful", "helpful",
    "all", "for", "your", "the", "help", "again", "see", "soon", "then", "take", "care",
    "have", "nice", "day", "um", "uh", "oh", "well", "and", "everyone", "folks", "i", "it",
    "you", "we're", "done", "today", "everything", "now", "later", "to", "too", "ok", "okay",
    "mate", "needed", "wanted", "me", "mm", "hmm", "ah", "cool", "brilliant",
    "lovely", "sweet", "grand", "right", "alright", "sure", "fine", "got", "makes", "sense",
    "fair", "enough", "no", "worries", "one", "haha", "hahaha", "lol", "heh", "hah",
}  # fmt: skip
_KEYS = _GREETINGS | _THANKS | _GOODBYES | _ACKS
_BYE_PAIRS = {("see", "you"), ("take", "care")}
_ACK_PAIRS = {("got", "it"), ("makes", "sense"), ("fair", "enough"), ("no", "worries"),
              ("nice", "one")}  # fmt: skip
_KEY_PAIRS = {("good", t) for t in _TIMES_OF_DAY} | _BYE_PAIRS | _ACK_PAIRS
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

_JA_PHRASES = (
    "こんにちは", "こんばんは", "おはようございます", "おはよう", "ありがとうございました",
    "ありがとうございます", "ありがとう", "ありがと", "どうもありがとう", "どうも", "助かりました",
    "助かった", "さようなら", "じゃあね", "じゃあ", "またね", "また", "失礼します",
    "よろしくお願いします", "よろしく", "もしもし", "おやすみなさい", "おやすみ",
    "お元気ですか", "元気", "わかった", "了解", "お疲れ様でした", "お疲れ様です",
    "お疲れさまでした", "お疲れさまです", "お疲れ様", "お疲れさま", "こちらこそ", "はじめまして",
    "おおきに", "ほな", "それで大丈夫です", "大丈夫です", "わかりました", "分かりました",
    "了解です", "了解しました", "承知しました", "かしこまりました", "なるほど",
    "お手数おかけしました", "お手数をおかけしました", "ほなまた", "ほなね", "おっけー", "オッケー",
    "そっか", "そうなんだ", "そうなんや", "そうなんですね", "そうですか", "ふーん", "へえ", "へー",
    "はいはい", "はぁ", "承知いたしました", "以上です", "以上になります", "いえ", "いいえ",
)  # fmt: skip
_JA_KEYS = tuple(
    p
    for p in _JA_PHRASES
    if p
    not in (
        "じゃあ",
        "また",
        "わかった",
        "わかりました",
        "分かりました",
        "了解",
        "了解です",
        "了解しました",
        "承知しました",
        "かしこまりました",
        "なるほど",
        "よろしく",
        "よろしくお願いします",
        "ほな",
        "それで大丈夫です",
        "大丈夫です",
        "おっけー",
        "オッケー",
        "そっか",
        "そうなんだ",
        "そうなんや",
        "そうなんですね",
        "そうですか",
        "ふーん",
        "へえ",
        "へー",
        "はいはい",
        "はぁ",
        "承知いたしました",
        "いえ",
        "いいえ",
    )
)
"""Phrases that make a turn small talk ("よろしく" alone may be "please go ahead")."""
_JA_AROUND = "よねーっさあ、。！？!?,.~〜 　"
_JA_THANKS_FOR = re.compile(
    r"[^？?。！!]*(?:くれて|もらって|いただいて|いただき|頂き|頂いて|くださって|くださり|下さり)"
    r"(?:まして)?[、,\s]*(?:誠に|本当に|ほんとうに|どうも)?"
    r"(?:ありがと(?:う)?(?:ございま(?:す|した))?|助かりました|助かった|感謝します)[。！!〜ーよね\s]*"
)
"""Thanks for a favour done: "ご丁寧に教えていただき、誠にありがとうございました。",
"調べてくれてありがとう". Not "電気を消して、ありがとう": a request, then thanks."""
_JA_PIECES = (*_JA_PHRASES, *_JA_AROUND)


def _ja_turn(text: str) -> bool:
    """Whether ``text`` is made of small talk's phrases and what goes around them, end to
    end: each position reached once (a regular expression's alternation backtracks
    exponentially where phrases are made of others: またね of また and ね)."""
    reached = [False] * (len(text) + 1)
    reached[0] = True
    for i in range(len(text)):
        if reached[i]:
            for piece in _JA_PIECES:
                if text.startswith(piece, i):
                    reached[i + len(piece)] = True
    return reached[-1]


def small_talk(text: str) -> bool:
    """Whether ``text`` is only a greeting, thanks or a goodbye (in English or Japanese)."""
    text = text.strip()
    if not text or re.search(r"[0-9０-９]", text):
        return False  # "Got it, it's 55102." gives a value
    if is_japanese(text):
        return bool(
            (_ja_turn(text) and any(k in text for k in _JA_KEYS)) or _JA_THANKS_FOR.fullmatch(text)
        )
    words = _WORD.findall(text.lower().replace("’", "'"))
    pairs = set(itertools.pairwise(words))
    keys, key_pairs = _KEYS, _KEY_PAIRS
    if text.endswith("?"):  # "is it sorted?", "got it?": asked, not taken in
        keys, key_pairs = keys - _ACKS, key_pairs - _ACK_PAIRS
    if not (any(w in keys for w in words) or pairs & key_pairs):
        return False
    times = {w for a, w in pairs if a == "good"} & _TIMES_OF_DAY
    return all(w in _KEYS or w in _AROUND or w in _HOW_ARE_YOU or w in times for w in words)


_LEAD_EN = (
    r"^(?:(?:hi|hello|hey|excuse me|sorry|um|uh|er|so|okay|ok|oh|well|right|yeah|yes|yep)"
    r"[,.!]?\s+)*"
)
_ASKED_OF = (
    r"(?:something|an?(?:other)? (?:quick |small |little )?(?:question|thing)|a quick one"
    r"|(?:a few|a couple(?: of)?|some|two|three) (?:quick |small |little )?(?:questions|things))"
)
_PREAMBLE_EN = re.compile(
    _LEAD_EN
    + r"(?:(?:can|could|may) i (?:just )?ask (?:you )?"
    + _ASKED_OF
    + r"|(?:do you )?mind if i ask (?:you )?"
    + _ASKED_OF
    + r"|i(?:'d| would) like to ask (?:you )?"
    + _ASKED_OF
    + r"|i (?:just )?(?:want|wanted|need|needed) to ask (?:you )?"
    + _ASKED_OF
    + r"|i was (?:wondering|hoping) if i (?:could|can|might) ask (?:you )?"
    + _ASKED_OF
    + r"|i(?:'ve| have| had| just had|'ve just| have just) (?:got )?(?:a|another|one|a few|a couple"
    r"(?: of)?|some|two) (?:quick |small |little )?questions?"
    r"|(?:just )?(?:a )?quick question|(?:(?:one|a) (?:more|last|other)|another)"
    r" (?:quick )?(?:question|thing)|question for you)"
    r"(?:,?\s+(?:for you|before (?:i|we) (?:fly|board|go|leave|travel|take off)"
    r"|before (?:my|our|the) (?:flight|trip)|first|quickly|real quick"
    r"|if (?:that's|that is) (?:ok|okay|alright|all right)|if you don't mind))*"
    r"(?:,? please)?\s*[.?!]*$",
    re.IGNORECASE,
)
"""A question announced, not asked: "Could I ask you something, please?", "I have a question.",
"Quick question.", "I was wondering if I could ask you a couple of things". A lookup of it
finds nothing: the question is asked for. Not a question announced with its topic ("I have a
question about my bags"): that may be looked up."""
_WHAT_I_AM = r"(?:a |an )?(?:robot|bot|human|real person|person|machine|ai|computer)"
_IDENTITY_EN = re.compile(
    _LEAD_EN + r"(?:who am i (?:speaking|talking) (?:to|with)|who(?: are you|'s this| is this)"
    rf"|what(?:'s| is) your name|are you {_WHAT_I_AM}(?: or {_WHAT_I_AM})?"
    rf"|am i (?:speaking|talking) (?:to|with) {_WHAT_I_AM}(?: or {_WHAT_I_AM})?"
    r"|do you (?:actually |really |even )?(?:enjoy|like|love|hate|mind) (?:doing )?(?:this|your)"
    r" (?:job|work)|are you (?:happy|bored|tired) (?:doing )?(?:this|here|at work)"
    r"|do you (?:ever )?get (?:bored|tired)(?: of this)?|do you have feelings)\s*[.?!]*$",
    re.IGNORECASE,
)
"""A question about the assistant itself: "Who am I speaking to?", "Are you a robot?"."""
_LEAD_JA = (
    r"^(?:(?:えっと|えーと|あの|あのう|すみません|すいません|ちょっと|はい|ええ|うん)[、,。\s]*)*"
)
_MORE_JA = r"(?:ちょっと|ひとつ|一つ|少し|いくつか|(?:もう|あと)(?:一つ|ひとつ|一個|いっこ))"
"""How many questions: 「ちょっと」, 「一つ」, 「もう一つ」, 「あと一個」."""
_PREAMBLE_JA = re.compile(
    _LEAD_JA + rf"(?:{_MORE_JA}?(?:聞きたい|お聞きしたい|お伺いしたい|伺いたい"
    r"|質問したい|尋ねたい|お尋ねしたい|確認したい|ご?相談したい)(?:こと|事)が(?:ある|あります"
    r"|あって|ございます|ございまして)"
    rf"|{_MORE_JA}?(?:聞いて|お聞きして|伺って|お伺いして|質問して|尋ねて"
    r"|お尋ねして)(?:も)?(?:いい|良い|よろしい|大丈夫|ええ)(?:です|でしょう)?(?:か|かな|かね)?"
    rf"|{_MORE_JA}?質問(?:が|して(?:も)?|)(?:あります|ある|いい(?:ですか)?|よろしいですか))"
    r"(?:んです|のです|んだ|んや|んですよ)?(?:けど|が|けれど|けども|ね)?[。、！？!?\s]*$"
)
"""A question announced in Japanese: 「ちょっと聞きたいことがあるんですけど」, 「一つ聞いても
いいですか」, 「確認したいことがございまして」."""
_IDENTITY_JA = re.compile(
    _LEAD_JA + r"(?:(?:あなた|君|きみ|そちら)?(?:は|って)?(?:誰|だれ|どなた|どちら様|どちらさま"
    r"|ロボット|人間|AI)|お名前は)(?:ですか|なの|なん(?:ですか)?|でしょうか)?[。、！？!?\s]*$"
)


def _plain(text: str) -> str:
    return text.strip().replace("’", "'")


def _announced(text: str) -> bool:
    """Whether ``text`` announces a question without asking it (`_PREAMBLE_EN`)."""
    text = _plain(text)
    return bool((_PREAMBLE_JA if is_japanese(text) else _PREAMBLE_EN).match(text))


def _about_assistant(text: str) -> bool:
    """Whether ``text`` asks who or what the assistant is (`_IDENTITY_EN`)."""
    text = _plain(text)
    return bool((_IDENTITY_JA if is_japanese(text) else _IDENTITY_EN).match(text))


def small_talk_turn(messages: Sequence[ChatMessage]) -> bool:
    """Whether all the user said since the assistant last spoke is small talk, a question
    announced but not asked ("Can I ask you something?") or a question about the assistant
    ("Who am I speaking to?"), and the assistant had not asked anything ("Shall I book it?"
    "Great, thanks!" is a yes). No tool serves such a turn."""
    said = _said_unasked(messages)
    return bool(said) and all(small_talk(s) or _announced(s) or _about_assistant(s) for s in said)


def _said_since_reply(messages: Sequence[ChatMessage]) -> tuple[list[str], str]:
    """What the user said since the assistant last spoke, in order (silent turns aside), and
    what the assistant last said ("" if it said nothing yet)."""
    said: list[str] = []
    for m in reversed(messages):
        if m.role == "assistant" and m.content:
            return said[::-1], m.content
        if m.role == "user" and m.content != SILENT_TURN:
            said.append(m.content)
    return said[::-1], ""


def _said_unasked(messages: Sequence[ChatMessage]) -> list[str]:
    """What the user said since the assistant last spoke (`_said_since_reply`); nothing if
    the assistant had asked something."""
    said, replied = _said_since_reply(messages)
    return [] if replied and asks(replied) else said


_JA_THANKS = ("ありがと", "助か", "おおきに", "お手数")
_JA_GOODBYES = (
    "さようなら",
    "じゃあね",
    "またね",
    "失礼します",
    "でした",
    "ほなまた",
    "ほなね",
    "以上",
)
"""でした: お疲れ様でした, said at the end (お疲れ様です is said at the start)."""
_JA_GREETINGS = {
    "おはよう": "おはようございます。",
    "こんばんは": "こんばんは。",
    "はじめまして": "はじめまして。",
    "お疲れ様です": "お疲れ様です。",
    "お疲れさまです": "お疲れ様です。",
    "元気": "元気です、ありがとうございます。",
    "こんにちは": "こんにちは。",
    "もしもし": "はい。",
}


_ANNOUNCED = "Of course. What would you like to know?"
_ANNOUNCED_JA = "はい、どうぞ。"


def question_announced_reply(messages: Sequence[ChatMessage]) -> str:
    """The reply to a turn whose last words announce a question without asking it ("I have a
    question.", "Could I ask you something before I fly, please?", 「ちょっと聞きたいことがある
    んですけど」; small talk before it aside), given before the model writes anything:
    "Of course. What would you like to know?" / 「はい、どうぞ。」, also after the assistant
    asked something ("Anything else?" "Yes, one more question."). Empty for any other turn.
    The 0.5B model answered such turns "I'm sorry, but I don't have any question.", "Sure, I
    can ask you something before I fly.", or said them back (dev half of ``bench/quality``,
    the FAQ agent: 4 of 6)."""
    said, _ = _said_since_reply(messages)  # (asked "Anything else?": "Yes, one more question.")
    if not said or not _announced(said[-1]):
        return ""
    if not all(small_talk(s) or _announced(s) for s in said[:-1]):
        return ""
    return _ANNOUNCED_JA if is_japanese(said[-1]) else _ANNOUNCED


def small_talk_reply(messages: Sequence[ChatMessage]) -> str:
    """A reply to a small-talk turn (`small_talk_turn`), in the user's language: "You're
    welcome!" to thanks, "Goodbye!" to a goodbye, "Hello! How can I help?" to a greeting;
    empty for any other turn. For when the model's replies were unfit to be spoken: to
    "ありがとう、助かったよ" and "もしもし、こんにちは" it said the words back, and the
    user heard "say that another way" (dev half: 5 of 18 Japanese turns that need no
    tool)."""
    if not small_talk_turn(messages):
        return ""
    said = " ".join(_said_unasked(messages)).strip()
    last = _said_unasked(messages)[-1]
    if _announced(last):
        return _ANNOUNCED_JA if is_japanese(last) else _ANNOUNCED
    if _about_assistant(last):
        if is_japanese(last):
            return "私はAIの音声アシスタントです。ご用件をどうぞ。"
        return "I'm an AI voice assistant. How can I help?"
    if is_japanese(said):
        return _reply_ja(said)
    words = set(_WORD.findall(said.lower().replace("’", "'")))
    pairs = set(itertools.pairwise(_WORD.findall(said.lower())))
    thanks = bool(words & _THANKS)
    bye = bool(words & _GOODBYES) or bool(pairs & _BYE_PAIRS)
    if ("good", "night") in pairs:
        return "You're welcome. Good night!" if thanks else "Good night!"
    if thanks and bye:
        return "You're welcome. Goodbye!"
    if thanks:
        return "You're welcome!"
    if bye:
        return "Goodbye!"
    if {"how", "are", "you"} <= words or "how's" in words:
        return "I'm well, thank you. How can I help?"
    times = sorted({w for a, w in pairs if a == "good"} & _TIMES_OF_DAY)
    if times:
        return f"Good {times[0]}! How can I help?"
    if words & _GREETINGS:
        return "Hello! How can I help?"
    return "Great. Is there anything else I can help with?"  # "okay, noted"


def _reply_ja(said: str) -> str:
    greeting = next((v for k, v in _JA_GREETINGS.items() if k in said), "")
    # "どうも" alone is thanks; with a greeting, part of it (どうも、こんにちは)
    thanks = any(k in said for k in _JA_THANKS) or ("どうも" in said and not greeting)
    if "おやすみ" in said:
        return "どういたしまして。おやすみなさい。" if thanks else "おやすみなさい。"
    bye = any(k in said for k in _JA_GOODBYES)
    if thanks and bye:
        return "どういたしまして。またどうぞ。"
    if thanks:
        return "どういたしまして。"
    if bye:
        return "ありがとうございました。またどうぞ。"
    return (greeting or "こんにちは。") + "ご用件をどうぞ。"


_CAPABILITIES = re.compile(
    r"\bwhat (?:else )?can (?:you|u) (?:actually |really |even |\w+ly )?(?:do|help)|"
    r"\bwhat do you do\b|\bhow can you help\b|"
    r"\bwhat are you (?:able to do|for)\b|\bwhat (?:kind of )?(?:things|stuff) can (?:you|u)\b|"
    r"\bwhat can i ask\b",
    re.IGNORECASE,
)
_CAPABILITIES_JA = re.compile(
    r"^(?:(?:えっと|えーと|あの|で|じゃあ|それで|ところで)[、,\s]*)*"
    r"(?:(?:あなた|きみ|君|そちら|ここ|こちら)で?(?:は|って)[、,\s]*)?(?:何|なに|どんなこと)(?:が|を)?"
    r"(?:でき|してくれ|手伝え|お願いでき|頼め)(?:る|ます)(?:の|んですか|んだ|ん|か)?[？?。!！\s]*$"
)
"""「何ができるの？」, 「どんなことができますか」, 「あなたは何をしてくれるの？」,
「ここでは何をお願いできるんですか？」: the question itself."""
CAPABILITIES_JA = "ご用件をお聞かせください。できることでしたらお手伝いします。"
"""The reply to it (the tools' descriptions are mostly English: not read out to a Japanese
speaker)."""
_CAPABILITIES_SHOWN = 4
_FIRST_SENTENCE = re.compile(r"^(.+?)(?:\.\s|\.?$)", re.DOTALL)


_VERBS = frozenset(
    "get look check find search set book change switch turn start stop tell answer cancel "
    "update send play add remove create make show list order request track reserve give "
    "help call open close read write convert calculate translate schedule move return "
    "transfer pay buy sell rent report record note remind take fetch retrieve provide "
    "manage handle apply play process use query compare plan".split()
)
"""Verbs a tool's description opens with ("Get the weather", "Gets the weather")."""


_NOUN_FOLLOWERS = frozenset("of taken made kept are is were was that which to".split())
"""Words after a plural noun that looks like a verb ("Notes taken...", "Records of...")."""


def _as_capability(phrase: str) -> str:
    """What follows "I can" for a description's first sentence: its verb in its base form
    ("Gets the weather in a city" -> "get the weather in a city"), or "help with" a
    description that opens with no verb ("Current weather for a city." -> "help with
    current weather for a city")."""
    first, _, rest = phrase.partition(" ")
    word = first.lower()
    if word == "lookup":  # "Lookup an order"
        return f"look up {rest}".strip()
    bases = [word]
    if word.endswith("ies"):
        bases.append(word[:-3] + "y")  # "Applies"
    if word.endswith("es"):
        bases.append(word[:-2])  # "Searches", "Fetches"
    if word.endswith("s"):
        bases.append(word[:-1])  # "Gets", "Changes"
    noun = word != bases[-1] and rest.split(" ", 1)[0].lower() in _NOUN_FOLLOWERS
    for base in bases:
        if base in _VERBS and not noun:  # not "Notes taken during a call"
            return f"{base} {rest}".strip()
    return f"help with {phrase[0].lower()}{phrase[1:]}"


def capabilities_reply(messages: Sequence[ChatMessage], tools: Sequence[ToolSpec]) -> str:
    """To "What can you do?" (the user's last words): what ``tools`` do, from the first
    sentences of their descriptions ("I can get the current weather in a city and start a
    timer."); "I can answer your questions." with none (handoffs are not counted); in
    Japanese (「何ができるの？」), `CAPABILITIES_JA`; empty for any other turn. For when the
    model's replies were unfit to be spoken (it read its tools' list out, or said the
    question back: dev half, "What can you do?" and 「何ができるの？」 got "say that another
    way")."""
    said = next((m.content for m in reversed(messages) if m.role == "user"), "")
    if is_japanese(said):
        return CAPABILITIES_JA if _CAPABILITIES_JA.match(said.strip()) else ""
    asked = _CAPABILITIES.search(said)
    # the question itself, not a request ("What can you do about my order?")
    if asked is None or len(said[asked.end() :].split()) > 2:
        return ""
    phrases: list[str] = []
    for tool in tools:
        if tool.name.startswith("transfer_to_"):
            continue
        match = _FIRST_SENTENCE.match(" ".join(tool.description.split()))
        if match and match.group(1).strip():
            phrases.append(_as_capability(match.group(1).strip().rstrip(".")))
    phrases = list(dict.fromkeys(phrases))[:_CAPABILITIES_SHOWN]
    if not phrases:
        return "I can answer your questions."
    listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return f"I can {listed}."
