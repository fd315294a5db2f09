"""What `ServerProtocol` asks of the stages: commands, carried out by a driver.

The protocol decides; a driver (`kaiwa.core.RealtimeConnection` over the offline engine, or a
test) does the work and reports back through the protocol's input methods, naming what it
reports on. Each command says which report it expects, if any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .config import TurnSettings
from .response import ResponseOptions

__all__ = [
    "Command",
    "CommitAudio",
    "DropEarlyReply",
    "Listen",
    "ListenTo",
    "Reply",
    "StartEarlyReply",
    "StopReply",
    "Transcribe",
    "TranscribeContent",
    "WarmUp",
]

Float = npt.NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class Listen:
    """Replace the listener (VAD, partial transcripts, end of turn) by a new one following
    ``settings``; ``settings.mode`` None: no listener. The new listener's clock starts at 0.
    Reports: `ServerProtocol.heard` and `ServerProtocol.listened`, for the new listener only."""

    settings: TurnSettings


@dataclass(frozen=True, eq=False)
class ListenTo:
    """Feed the listener user audio (16 kHz float)."""

    samples: Float


@dataclass(frozen=True, eq=False)
class CommitAudio:
    """Take the listener's uncommitted audio, now, before anything else happens.
    Reports: `ServerProtocol.committed` with this command and the audio, at once."""

    event_id: str | None = None
    """The client's ``input_audio_buffer.commit`` (its errors name it)."""
    idle_span: tuple[int, int] | None = None
    """Set when the idle timeout commits (``audio_start_ms``, ``audio_end_ms``)."""


@dataclass(frozen=True, eq=False)
class Transcribe:
    """Transcribe a committed turn. Reports: `ServerProtocol.transcribed` with ``item_id``."""

    item_id: str
    audio: Float
    language: str | None
    prompt: str | None
    running: object | None = None
    """The listener's transcription of this audio already under way, if any (its handle)."""


@dataclass(frozen=True, eq=False)
class TranscribeContent:
    """Transcribe the audio of an item the client created (the LLM reads text).
    Reports: `ServerProtocol.content_transcribed` with ``ticket``."""

    ticket: int
    audio: Float
    language: str | None


@dataclass(frozen=True, eq=False)
class Reply:
    """Make the reply of a response (LLM, then speech unless text only).
    Reports: `ServerProtocol.replied` per piece, then `ServerProtocol.reply_ended`, always
    (also after `StopReply`)."""

    response_id: str
    options: ResponseOptions
    items: Sequence[Mapping[str, Any]]
    early: bool = False
    """Use the early reply started by the last `StartEarlyReply` (it answers the same
    words to the same conversation); ``items`` is then what it answers."""


@dataclass(frozen=True, eq=False)
class StopReply:
    """Stop making a reply (barge-in, cancel); `ServerProtocol.reply_ended` follows."""

    response_id: str


@dataclass(frozen=True, eq=False)
class StartEarlyReply:
    """Start replying to ``items`` before the turn is confirmed (the pause sounds final).
    Replaces any early reply. No report: a later `Reply` with ``early`` takes it."""

    options: ResponseOptions
    items: Sequence[Mapping[str, Any]]


@dataclass(frozen=True, eq=False)
class DropEarlyReply:
    """The early reply will not be used: stop it."""


@dataclass(frozen=True, eq=False)
class WarmUp:
    """Prime what the next reply will need (the LLM's prompt, the language's models)."""

    options: ResponseOptions
    items: Sequence[Mapping[str, Any]]
    language: str | None


Command = (
    Listen
    | ListenTo
    | CommitAudio
    | Transcribe
    | TranscribeContent
    | Reply
    | StopReply
    | StartEarlyReply
    | DropEarlyReply
    | WarmUp
)
