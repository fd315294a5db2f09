"""User turns: a committed turn on its way to its words, and the idle timeout between turns."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.asr import SpeechRecognizer, Transcript
from .config import TurnSettings

__all__ = ["IdleTimer", "UserTurn", "words_of"]


@dataclass
class UserTurn:
    """A committed user turn: its item (already in the conversation), its audio, and its
    transcript if the listener had it, or the transcription still running (``pending``)."""

    item: dict[str, Any]
    audio: np.ndarray
    transcript: str | None
    auto_response: bool
    base_version: int
    """The conversation's version before this turn (an early reply must match it)."""
    pending: asyncio.Task[Transcript] | None = None


async def words_of(
    turn: UserTurn, recognizer: SpeechRecognizer, settings: TurnSettings
) -> tuple[str, Exception | None]:
    """The turn's transcript: the listener's, the one it was making, or a new one; with the
    error if recognition failed (the transcript is then empty)."""
    if turn.transcript is not None:
        return turn.transcript, None
    pending = turn.pending if turn.pending is not None and not turn.pending.cancelled() else None
    try:
        result = await (
            pending
            if pending is not None
            else asyncio.to_thread(
                recognizer.transcribe,
                turn.audio,
                language=settings.language,
                prompt=settings.prompt,
            )
        )
    except Exception as exc:
        return "", exc
    return result.text, None


@dataclass
class IdleTimer:
    """server_vad's ``idle_timeout_ms``, on the input audio's clock: due once the VAD has
    heard the answer's length of audio and then ``idle_timeout_ms`` more, with no speech."""

    deadline_ms: int | None = None

    def arm(self, heard_ms: int, answer_ms: float, idle_ms: int) -> None:
        self.deadline_ms = heard_ms + int(answer_ms) + idle_ms

    def clear(self) -> None:
        self.deadline_ms = None

    def due(self, heard_ms: int, idle_ms: int | None) -> tuple[int, int] | None:
        """(start, end) of the idle span if the timeout is due now (it is then disarmed)."""
        deadline = self.deadline_ms
        if deadline is None or not idle_ms or heard_ms < deadline:
            return None
        self.deadline_ms = None
        return deadline - idle_ms, deadline
