"""End of turn for ``semantic_vad``: has the user finished, judged from what they said.

Plain silence rules answer a finished question as slowly as they cut off a speaker who paused
mid-sentence. Here the partial transcript decides how long a pause must be: a complete
sentence ("What's the weather in Kyoto?") is answered after a short pause; an utterance that
stops on a conjunction, an article or a filler ("I'd like to book a table for...") is waited
out. Whisper punctuates from prosody, so a final period or question mark is itself evidence of
falling intonation.

``eagerness`` follows OpenAI's meaning: ``high`` answers sooner, ``low`` lets the user take
their time; ``auto`` is ``medium``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal

from .text import is_japanese

__all__ = ["Eagerness", "TurnPolicy", "completeness"]

Eagerness = Literal["auto", "low", "medium", "high"]

# Words a statement does not end on. A question may ("What do we live on?"), which is why a
# question mark wins over this list: Whisper writes one when the voice rises.
_DANGLING = frozenset(
    """a an the and or but so because if although unless than that of to for with at from
    about into on in by is are was were am be my your his her our their every each um uh er
    erm hmm i i'm we're you're they're it's let's gonna wanna very really""".split()
)
_WORD = re.compile(r"[\w']+")
# Words that open a clause which needs another after it: "To leave the conference..." (press
# 8), "If it rains tomorrow..." (can I get a refund?). Alone, such a clause is likely
# unfinished, though it can be a whole answer ("Because I want more legroom."): waited for
# longer than a sentence, less long than a dangling word.
LEADING_CLAUSE = 0.3
"""`completeness` of a lone leading clause (`TurnPolicy` waits longer for it)."""
_OPENS_A_CLAUSE = frozenset(
    "to if when whenever because although though unless since before after while once".split()
)


# Japanese. Whisper often writes no final mark, or a "。" after a phrase the speaker has not
# finished ("私たちが。"), so the words decide: a particle or a conjunction at the end waits
# for more; a sentence-final form (です, ますか, ください, ね, の after a verb...) is finished.
_JA_FILLERS = ("えっと", "えーと", "えーっと", "あのー", "あの", "えー", "うーん", "まあ", "その")
# Phrases that end in a particle's letter and are whole: greetings, thanks.
_JA_WHOLE = ("こんにちは", "こんばんは", "どうも", "ありがと", "もしもし", "いや")
_JA_PRONOUNS_OF = ("この", "その", "あの", "どの", "あなたの", "わたしの", "ぼくの", "きみの")
_JA_PARTICLES = ("は", "が", "を", "に", "へ", "と", "も", "や", "で", "から", "まで", "より")
_JA_CONJUNCTIONS = ("けど", "けれど", "けれども", "ので", "のに", "たら", "れば", "ながら", "し")
# "...んですが" / "...んですけど": a soft request that is often the whole turn.
_JA_SOFT_ENDINGS = ("んですが", "んですけど", "んだけど", "んですけれども", "のですが")
_JA_FINAL = (
    "です", "ます", "ました", "でした", "ません", "ください", "さい", "かな", "かね", "ね", "よ",
    "っけ", "でしょう", "しょう", "ろう", "だな", "よな", "ぞ",
)  # fmt: skip
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
_VERB_OR_ADJECTIVE_END = "るうくすつむぶぬぐいただ"
_DRAWN_OUT = re.compile(r"[\u3041-\u3096][ーっ]$")  # "あのー", "えっ": not "コーヒー"


def _japanese_completeness(text: str) -> float:
    """`completeness` of Japanese ``text`` (final marks other than a question's stripped)."""
    if text.endswith(("?", "？", "!", "！")):
        return 0.95
    core = text.rstrip("。．. 　")
    if not core:
        return 0.0
    if core in _JA_WHOLE:
        return 0.9
    if core.endswith(_JA_FILLERS) or _DRAWN_OUT.search(core):
        return 0.1
    if core.endswith(_JA_SOFT_ENDINGS):
        return 0.5
    if core.endswith(("んで", "いで")):
        return 0.5  # a request ("呼んで", "急いで") or a clause that goes on ("飛んで...")
    if core.endswith(_JA_CONJUNCTIONS) or core.endswith(_JA_PARTICLES):
        return 0.1
    before = core[-2] if len(core) > 1 else ""
    if core.endswith("の"):
        # After a verb or an adjective it asks ("何本あるの", "いいの"); after a noun or a
        # pronoun it joins the next word ("東京の...", "田中さんの...", "この...").
        if before in _VERB_OR_ADJECTIVE_END and not core.endswith(_JA_PRONOUNS_OF):
            return 0.95
        return 0.1
    if core.endswith("か"):
        return 0.95 if before and _HIRAGANA.match(before) else 0.5  # "何ですか"; "何か..."
    if core.endswith("ね") and (
        core[:-1].endswith(_JA_FILLERS) or core[:-1].endswith((*_JA_CONJUNCTIONS, "それで"))
    ):
        return 0.1  # "あのね", "それでね": about to say it
    if core.endswith(_JA_FINAL):
        return 0.95
    if core.endswith(("て", "で")):
        return 0.5  # a request ("教えて") or a clause that goes on ("飛んで...")
    if core[-1] in _VERB_OR_ADJECTIVE_END and before:
        return 0.85  # a plain verb or adjective: "本はある", "教えてくれる", "大きい"
    return 0.5


def completeness(text: str) -> float:
    """How likely ``text`` is a finished turn, from 0 (surely not) to 1 (surely)."""
    stripped = text.strip()
    if not stripped:
        return 0.0
    if stripped.endswith(("...", "…", ",", "-", "—", ":", ";", "、")):
        return 0.15
    if is_japanese(stripped[-4:]):
        return _japanese_completeness(stripped)
    if stripped.endswith(("?", "!", "？", "！", "。")):
        return 0.95
    words = _WORD.findall(stripped.lower())
    if words and words[-1] in _DANGLING:
        return 0.1  # "... a table for." : Whisper's period is not the speaker's
    if (
        words
        and words[0] in _OPENS_A_CLAUSE
        and len(words) >= 4
        and not re.search(r"[,;:]", stripped)
    ):
        # A lone leading clause, no main clause after it. Four words at least: shorter, it
        # is more likely a phrase that answers ("To the airport.", "After lunch.").
        return LEADING_CLAUSE
    if stripped.endswith("."):
        return 0.9
    return 0.5


@dataclass(frozen=True)
class TurnPolicy:
    """How much trailing silence ends a turn, given how finished it sounds."""

    eagerness: Eagerness = "auto"

    _FINISHED: ClassVar[dict[str, int]] = {"high": 120, "medium": 200, "auto": 200, "low": 400}
    _UNSURE: ClassVar[dict[str, int]] = {"high": 400, "medium": 600, "auto": 600, "low": 1000}
    _LEADING: ClassVar[dict[str, int]] = {"high": 700, "medium": 1200, "auto": 1200, "low": 2000}
    _UNFINISHED: ClassVar[dict[str, int]] = {
        "high": 1000,
        "medium": 1800,
        "auto": 1800,
        "low": 3000,
    }

    def silence_needed_ms(self, transcript: str | None) -> int:
        """Trailing silence after which the turn ends; ``None``: no transcript yet."""
        if transcript is None:
            return self._UNSURE[self.eagerness]
        score = completeness(transcript)
        if score >= 0.8:
            return self._FINISHED[self.eagerness]
        if score == LEADING_CLAUSE:
            return self._LEADING[self.eagerness]
        if score <= 0.3:
            return self._UNFINISHED[self.eagerness]
        return self._UNSURE[self.eagerness]

    @property
    def first_check_ms(self) -> int:
        """Trailing silence at which to start transcribing, to have a verdict in time."""
        return 64
