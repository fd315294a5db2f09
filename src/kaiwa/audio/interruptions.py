"""Telling a real interruption from a cough: the user speaking over the agent.

OpenAI's rule cancels the answer the moment the VAD hears anything. On open speakers that
means a cough, an "uh-huh" or a door slam kills it. `BargeIn` holds the answer instead (the
player fades out and keeps its place) and waits for proof that the user is taking the turn:

- words in the turn's transcript that are not a backchannel ("uh-huh", "okay", "うん"...), or
- more than `InterruptionSettings.min_speech_ms` of voice since it started (counted on the
  microphone by `AudioIO`: the server's ``speech_stopped`` comes only after its silence
  wait, too late to tell a cough from a sentence).

Either cancels the answer, cut where the person stopped hearing it. Otherwise (the transcript
is empty or only a backchannel, or no verdict comes) the answer resumes where it stopped, and
the user's sound leaves no trace: its item is deleted, and a response the server started for
it is cancelled.

It is sans-I/O: feed it what happened with the time, read back `Action`s; `deadline` says
when to call `tick`. `AudioIO` drives it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "BACKCHANNELS",
    "Action",
    "BargeIn",
    "Hold",
    "Interrupt",
    "InterruptionSettings",
    "Resume",
    "is_backchannel",
]

BACKCHANNELS: frozenset[str] = frozenset(
    {
        # English acknowledgements and fillers
        "uh huh", "uh-huh", "mm hmm", "mm-hmm", "mhm", "mmm", "mm", "hmm", "hm", "uh", "um",
        "er", "erm", "ah", "oh", "ooh", "yeah", "yea", "yep", "yup", "yes", "ok", "okay",
        "right", "sure", "i see", "got it", "cool", "nice", "wow", "great", "alright",
        "all right", "uh yeah", "oh okay", "thanks", "thank you",
        # what Whisper writes for a cough, a breath or a knock
        "you", "bye", "thanks for watching", "thank you for watching",
        # Japanese aizuchi
        "うん", "ううん", "うんうん", "はい", "はいはい", "ええ", "そう", "そうそう", "そうね",
        "そうですね", "そうなんだ", "そうなんですね", "なるほど", "へえ", "へー", "ふーん",
        "ふうん", "あー", "ああ", "あ", "おお", "ほう", "うーん", "ありがとう",
    }
)  # fmt: skip
"""Transcripts made only of these (any case, punctuation ignored) do not interrupt."""

_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|（[^）]*）")
# Interjections however the recogniser spells them: uh, uhh, hmm, mhm, aha, haha, ho, ooh...
_INTERJECTION = re.compile(
    r"(?<![\w'])(?:u+h*|u+m+|a+h*|a+ha+|(?:ha)+h?|h+a+|h+o+|o+h*|h+u+h|h+m+|m+h*m+|mhm|e+r+m*)"
    r"(?![\w'])"
)


def is_backchannel(transcript: str, backchannels: frozenset[str] = BACKCHANNELS) -> bool:
    """Whether ``transcript`` has no words beyond backchannels and fillers (or none at all).

    Annotations such as ``[cough]`` or ``(laughs)`` count as no words.
    """
    text = unicodedata.normalize("NFKC", _ANNOTATION.sub(" ", transcript)).lower()
    text = text.replace("-", " ")
    for phrase in sorted(backchannels, key=len, reverse=True):
        phrase = phrase.replace("-", " ")
        if phrase.isascii():
            text = re.sub(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", " ", text)
        else:
            text = text.replace(phrase, " ")
    return not re.search(r"\w", _INTERJECTION.sub(" ", text))


@dataclass(frozen=True, kw_only=True)
class InterruptionSettings:
    """How `AudioIO` treats the user speaking over the agent.

    Args:
        mode: ``"resume"`` (default): hold the answer and cancel it only for a real turn;
            ``"cancel"``: stop it the moment speech starts, as OpenAI's API does.
        min_speech_ms: this much voice interrupts before its words are known.
        resume_after_ms: with no verdict this long after the speech stopped and no turn
            committed (the server let the sound go), the answer resumes.
        transcript_wait_ms: how long a committed turn may wait for its transcript; past it
            (or when transcription fails) the turn counts as real: the server answers it.
        backchannels: transcripts made only of these do not interrupt.
    """

    mode: Literal["resume", "cancel"] = "resume"
    min_speech_ms: float = 1200.0
    resume_after_ms: float = 2500.0
    transcript_wait_ms: float = 10000.0
    backchannels: frozenset[str] = BACKCHANNELS

    def __post_init__(self) -> None:
        if self.mode not in ("resume", "cancel"):
            raise ValueError(f"mode must be 'resume' or 'cancel', got {self.mode!r}")
        if min(self.min_speech_ms, self.resume_after_ms, self.transcript_wait_ms) <= 0:
            raise ValueError("min_speech_ms, resume_after_ms, transcript_wait_ms must be positive")


@dataclass(frozen=True)
class Hold:
    """Fade the answer out and keep its place."""

    kind: Literal["hold"] = "hold"


@dataclass(frozen=True)
class Interrupt:
    """A real turn: cancel ``response_id`` and cut its item where playback stopped."""

    response_id: str | None
    reason: Literal["words", "long_speech"]
    transcript: str | None = None
    kind: Literal["interrupt"] = "interrupt"


@dataclass(frozen=True)
class Resume:
    """A false alarm: play on; delete ``item_id`` (the user's sound, if it was committed)
    and ``also_delete`` (earlier sounds held with it), and cancel the responses the server
    started for them."""

    item_id: str | None
    cancel_responses: tuple[str, ...] = ()
    transcript: str | None = None
    also_delete: tuple[str, ...] = ()
    kind: Literal["resume"] = "resume"


Action = Hold | Interrupt | Resume

_RECHECK_S = 0.1


@dataclass
class _Pending:
    item_id: str | None
    response_id: str | None
    started_at: float
    stopped_at: float | None = None
    next_check: float = 0.0
    committed: bool = False
    committed_at: float | None = None
    transcribing: bool = True
    responses: list[str] = field(default_factory=list)
    earlier: list[str] = field(default_factory=list)  # committed sounds held before this one


class BargeIn:
    """Decides, one speech at a time, whether the user took the turn (module docstring).

    Call the ``on_*`` methods as the session's events arrive and `tick` at `deadline`; each
    returns the actions to carry out, in order. Times are seconds on any monotonic clock.
    """

    def __init__(self, settings: InterruptionSettings | None = None) -> None:
        self.settings = settings or InterruptionSettings()
        self._pending: _Pending | None = None

    @property
    def pending(self) -> bool:
        """Whether an answer is held, waiting for a verdict."""
        return self._pending is not None

    def on_speech_started(
        self, item_id: str | None, now: float, *, speaking: str | None, audible: bool
    ) -> list[Action]:
        """The VAD heard speech (``input_audio_buffer.speech_started``).

        Args:
            item_id: the item the speech will become.
            speaking: the response whose audio is playing or being made (None: none is).
            audible: whether the agent's audio is playing or about to.
        """
        if self.settings.mode != "resume":
            return []
        pending = self._pending
        if pending is not None and pending.item_id == item_id:
            pending.stopped_at = None  # the same turn goes on
            return []
        if pending is not None:
            # Another sound while the first waits for its words: one verdict for both.
            if pending.committed and pending.item_id is not None:
                pending.earlier.append(pending.item_id)
            pending.item_id, pending.stopped_at = item_id, None
            pending.committed, pending.committed_at = False, None
            return []
        if not audible:
            return []
        self._pending = _Pending(item_id, speaking, now)
        self._pending.next_check = now + self.settings.min_speech_ms / 1000
        return [Hold()]

    def on_speech_stopped(self, item_id: str | None, now: float) -> list[Action]:
        """The VAD heard the speech stop."""
        pending = self._pending
        if pending is not None and pending.item_id == item_id:
            pending.stopped_at = now
        return []

    def on_committed(
        self, item_id: str, now: float = 0.0, *, transcribing: bool = True, voiced_ms: float = 0
    ) -> list[Action]:
        """The user's speech became an item (``input_audio_buffer.committed``).

        Args:
            transcribing: whether a transcript will come; without one, the voice heard
                decides now (``voiced_ms`` of it).
        """
        pending = self._pending
        if pending is None or pending.item_id != item_id:
            return []
        pending.committed, pending.committed_at = True, now
        pending.transcribing = transcribing
        if transcribing:
            return []
        self._pending = None
        if voiced_ms >= self.settings.min_speech_ms:
            return [Interrupt(pending.response_id, "long_speech")]
        return [Resume(item_id, tuple(pending.responses), None, tuple(pending.earlier))]

    def on_response_created(self, response_id: str) -> list[Action]:
        """A response started; one started after the held speech was committed answers it."""
        if self._pending is not None and self._pending.committed:
            self._pending.responses.append(response_id)
        return []

    def on_transcript(self, item_id: str, transcript: str) -> list[Action]:
        """The user's speech was transcribed: the verdict."""
        pending = self._pending
        if pending is None:
            return []
        if item_id in pending.earlier:  # an earlier sound held with this one
            if is_backchannel(transcript, self.settings.backchannels):
                return []
            self._pending = None
            return [Interrupt(pending.response_id, "words", transcript)]
        if pending.item_id != item_id:
            return []
        self._pending = None
        if is_backchannel(transcript, self.settings.backchannels):
            return [Resume(item_id, tuple(pending.responses), transcript, tuple(pending.earlier))]
        return [Interrupt(pending.response_id, "words", transcript)]

    def on_transcript_failed(self, item_id: str) -> list[Action]:
        """Transcription failed: no words to judge by; the turn counts as real (the server
        answers it), so the answer is cancelled."""
        pending = self._pending
        if pending is None or pending.item_id != item_id:
            return []
        self._pending = None
        return [Interrupt(pending.response_id, "words")]

    def deadline(self) -> float | None:
        """When `tick` may act next (None: nothing is waiting)."""
        pending = self._pending
        if pending is None:
            return None
        if pending.committed and pending.committed_at is not None:
            return pending.committed_at + self.settings.transcript_wait_ms / 1000
        if pending.stopped_at is None:
            return pending.next_check
        return pending.stopped_at + self.settings.resume_after_ms / 1000

    def tick(self, now: float, voiced_ms: float | None = None) -> list[Action]:
        """Act on the clock: long speech interrupts; no verdict in time resumes.

        Args:
            voiced_ms: how much voice the microphone has heard since the speech started
                (None: unknown; then the time since it started counts).
        """
        pending = self._pending
        due = self.deadline()
        if pending is None or due is None or now < due:
            return []
        if pending.committed:  # its words never came: the server answers it, so it is real
            self._pending = None
            return [Interrupt(pending.response_id, "words")]
        if pending.stopped_at is None:
            heard = (now - pending.started_at) * 1000 if voiced_ms is None else voiced_ms
            if heard < self.settings.min_speech_ms:
                pending.next_check = now + _RECHECK_S
                return []
            self._pending = None
            return [Interrupt(pending.response_id, "long_speech")]
        self._pending = None
        return [Resume(None, tuple(pending.responses), None, tuple(pending.earlier))]

    def started_at(self) -> float | None:
        """When the held speech started (None: nothing is held)."""
        return self._pending.started_at if self._pending is not None else None

    def reset(self) -> None:
        """Forget a pending speech (the session was interrupted some other way)."""
        self._pending = None
