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


def completeness(text: str) -> float:
    """How likely ``text`` is a finished turn, from 0 (surely not) to 1 (surely)."""
    stripped = text.strip()
    if not stripped:
        return 0.0
    if stripped.endswith(("...", "…", ",", "-", "—", ":", ";", "、")):
        return 0.15
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
