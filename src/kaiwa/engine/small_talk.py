"""Small talk: a greeting, thanks or a goodbye, and nothing else. No tool serves it.

A small model offered tools calls one for "hello" (``get_current_time``), "ありがとう"
(``set_lights(room="kitchen")``) or "Thanks, that's all." (a FAQ lookup). The policy
(`kaiwa.engine.tool_policy.ToolCallPolicy`) answers such turns in words.

Only whole turns count: every word must be one of small talk's ("Hi, what's the weather in
Oslo?" is a request), and only when the assistant asked nothing: "Great, thanks!" to "Shall I
book it for four?" is a yes, and a call may follow. "Yes", "OK", "はい" and "よろしく" alone are
never small talk.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from .chat import SILENT_TURN, ChatMessage
from .text import is_japanese
from .tool_calls import asks

__all__ = ["small_talk", "small_talk_turn"]

_GREETINGS = {"hi", "hello", "hey", "hiya", "howdy", "meet"}
_THANKS = {"thanks", "thank", "thx", "cheers", "appreciate", "appreciated"}
_GOODBYES = {"bye", "goodbye", "byebye", "farewell"}
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
}  # fmt: skip
_KEYS = _GREETINGS | _THANKS | _GOODBYES
_KEY_PAIRS = {("good", t) for t in _TIMES_OF_DAY} | {("see", "you"), ("take", "care")}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

_JA_PHRASES = (
    "こんにちは", "こんばんは", "おはようございます", "おはよう", "ありがとうございました",
    "ありがとうございます", "ありがとう", "ありがと", "どうもありがとう", "どうも", "助かりました",
    "助かった", "さようなら", "じゃあね", "じゃあ", "またね", "また", "失礼します",
    "よろしくお願いします", "よろしく", "もしもし", "おやすみなさい", "おやすみ",
    "お元気ですか", "元気", "わかった", "了解", "お疲れ様でした", "お疲れ様です",
    "お疲れさまでした", "お疲れさまです", "お疲れ様", "お疲れさま", "こちらこそ", "はじめまして",
)  # fmt: skip
_JA_KEYS = tuple(
    p
    for p in _JA_PHRASES
    if p not in ("じゃあ", "また", "わかった", "了解", "よろしく", "よろしくお願いします")
)
"""Phrases that make a turn small talk ("よろしく" alone may be "please go ahead")."""
_JA_AROUND = "よねーっさ、。！？!?,.~〜 　"
_JA_TURN = re.compile(
    "(?:" + "|".join(sorted(map(re.escape, _JA_PHRASES), key=len, reverse=True)) + "|["
    + re.escape(_JA_AROUND) + "])+"
)  # fmt: skip


def small_talk(text: str) -> bool:
    """Whether ``text`` is only a greeting, thanks or a goodbye (in English or Japanese)."""
    text = text.strip()
    if not text:
        return False
    if is_japanese(text):
        return bool(_JA_TURN.fullmatch(text)) and any(k in text for k in _JA_KEYS)
    words = _WORD.findall(text.lower().replace("’", "'"))
    pairs = set(itertools.pairwise(words))
    if not (any(w in _KEYS for w in words) or pairs & _KEY_PAIRS):
        return False
    times = {w for a, w in pairs if a == "good"} & _TIMES_OF_DAY
    return all(w in _KEYS or w in _AROUND or w in _HOW_ARE_YOU or w in times for w in words)


def small_talk_turn(messages: Sequence[ChatMessage]) -> bool:
    """Whether all the user said since the assistant last spoke is small talk, and the
    assistant had not asked anything ("Shall I book it?" "Great, thanks!" is a yes)."""
    said: list[str] = []
    for m in reversed(messages):
        if m.role == "assistant" and m.content:
            if asks(m.content):
                return False
            break
        if m.role == "user" and m.content != SILENT_TURN:
            said.append(m.content)
    return bool(said) and all(small_talk(s) for s in said)
