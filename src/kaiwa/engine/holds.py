"""A turn that only asks the assistant to wait: "give me a sec", "hang on, let me find it",
「ちょっと待ってくださいね」. No tool serves it: offered tools, the small model handed the
call over to another agent. `hold_reply` says "Sure, take your time." before the model
writes anything (`LocalLLM`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .chat import SILENT_TURN, ChatMessage
from .text import is_japanese

__all__ = ["hold_reply"]

_HOLD_EN = re.compile(
    r"(?:(?:could you |can you )?(?:please )?(?:give me|gimme|just|wait|hang on|hold on)?\s*"
    r"(?:a|one|1|a few|two|2|a couple of)\s+(?:sec|secs|second|seconds|moment|moments|minute"
    r"|minutes|min|mins|mo|tick)"
    r"|(?:could you |can you )?(?:please )?(?:hold on|hang on|hold the line|bear with me|hold"
    r"|wait a (?:sec|second|moment|minute|bit))(?: a (?:sec|second|moment|minute|bit))?"
    r"|(?:i )?need a (?:sec|second|moment|minute)|let me think"
    r"|let me (?:just )?(?:check|look)(?: (?:it|that|for it))?(?: up)?"
    r"|let me (?:just )?(?:find|grab|dig out|dig up) (?:it|that|them|my \w+)(?: out)?)"
    r"(?:\s+(?:quickly|real quick|please|thanks|thank you|okay|ok))*",
    re.IGNORECASE,
)
"""A clause that asks to wait: "give me a sec", "hang on", "let me find my card"."""
_REASON_EN = re.compile(
    r"(?:sorry\s+)?(?:my|the|i'm|im|i am|i've|ive|someone|somebody|there's|theres|it's|its"
    r"|our|we're|he's|she's|they're)\b[^0-9]*",
    re.IGNORECASE,
)
"""A clause that says what is going on ("my toddler just dropped her juice everywhere")..."""
_ASKING_EN = re.compile(
    r"\b(?:want|wanna|need|needs|like|can|could|would|please|cancel|change|book|order|refund"
    r"|what|when|where|how|why|which|who)\b|'d\b",
    re.IGNORECASE,
)
"""...and does not ask for anything ("I want to cancel my booking, hang on" is a request)."""
_FACT_EN = re.compile(
    r"\b(?:wrong|instead|mistake|meant|typo|misspel\w*|spelt|spelled|not\s+mine|different\s+name"
    r"|maiden\s+name)\b|\b(?:flight|booking|reservation|ticket|trip|name|surname|date)(?:'s|\s+is"
    r"|\s+was|\s+has)\b|\b(?:husband|wife|partner|son|daughter|mum|mom|dad|friend)'s\s+booking\b",
    re.IGNORECASE,
)
"""...nor corrects or tells what the request is ("wait a minute, the flight is on tuesday",
"hang on, my son's name is spelled wrong"): the conversation goes on."""
_POLITE_EN = re.compile(
    r"(?:um+|uh+|er+|erm|oh|ah|okay|ok|sorry|yeah|yes|right|so|well|hi|hello|please|thanks"
    r"|thank you|oops|whoops)",
    re.IGNORECASE,
)
_HOLD_JA = re.compile(
    r"(?:ちょっと|ちょっとだけ|少し|少々|しばらく|ちょい)?\s*(?:待って|お待ち)"
    r"(?:ください|下さい|くださいね|ね|て|てね|てて|ててね|てください|いただけますか"
    r"|いただけますでしょうか|いただけます|もらえますか|もらえます|もらっていいですか|くれる"
    r"|くれます|くれますか|くれ|な|を|ねー|なー)?(?:ね|よ|か)?"
)
"""A clause that asks to wait in Japanese: 「ちょっと待ってくださいね」, 「少々お待ちください」."""
_REASON_JA = re.compile(r"探|出し|出す|取って|取り|見て|見る|確認|調べ|持って|開け|用意|戻")
"""A reason to wait is fetching or looking (「いまカバンから予約の紙出しますんで」)..."""
_ASKING_JA = re.compile(r"たい|違|やっぱ|キャンセル|変更|にして|ほしい|欲しい|ください|お願い")
"""...not a request or a correction (「待って、予約を変更したいので」)."""
_POLITE_JA = re.compile(
    r"(?:あ|あっ|えっと|えーっと|えーと|えー|あの|あのー|すみません|すいません|ごめんなさい"
    r"|ごめん|はい|ええ|うん)"
)


def _holds_en(said: str) -> bool:
    if re.search(r"[0-9]", said):
        return False
    clauses = [c.strip() for c in re.split(r"[,.;!?]+|\s+-\s+", said) if c.strip()]
    held = False
    for clause in clauses:
        words = clause.split()
        while words and _POLITE_EN.fullmatch(words[0]):
            words = words[1:]  # "oh sorry, ..."
        rest = " ".join(words)
        if not rest:
            continue
        if _HOLD_EN.fullmatch(rest):
            held = True
        elif not _REASON_EN.fullmatch(rest) or _ASKING_EN.search(rest) or _FACT_EN.search(rest):
            return False
    return held


def _holds_ja(said: str) -> bool:
    said = said.replace("まって", "待って")
    if re.search(r"[0-9０-９a-zA-Z]", said):
        return False
    clauses = [c.strip() for c in re.split(r"[、,。！!？?\s…]+", said) if c.strip()]
    held = False
    for clause in clauses:
        clause = re.sub(rf"^(?:{_POLITE_JA.pattern}[ー〜]*)+", "", clause)
        if not clause:
            continue
        if _HOLD_JA.fullmatch(clause):
            held = True
        elif not (held and _REASON_JA.search(clause) and not _ASKING_JA.search(clause)):
            return False  # (a reason comes after the wait)
    return held


def hold_reply(messages: Sequence[ChatMessage]) -> str:
    """To a turn that only asks the assistant to wait ("give me a sec", 「ちょっと待って
    ください」: `_HOLD_EN`, `_HOLD_JA`), what to say: "Sure, take your time."; empty for any
    other turn: every clause asks to wait, is a filler or says what is going on without asking
    for anything. No tool serves it: offered tools, the small model handed the call over to
    another agent ("sorry, my toddler just dropped her juice everywhere, give me a sec" ->
    ``transfer_to_triage_agent``). Also after the assistant asked something ("What's your
    confirmation number?" "Hang on, let me find it.")."""
    said = next(
        (m.content for m in reversed(messages) if m.role == "user" and m.content != SILENT_TURN),
        "",
    ).strip()
    if not said or (messages and messages[-1].role != "user"):
        return ""
    if is_japanese(said):
        return "はい、ごゆっくりどうぞ。" if _holds_ja(said) else ""
    return "Sure, take your time." if _holds_en(said.replace("’", "'")) else ""
