"""The input audio buffer: client audio decoded at the edge, then listened to or kept.

With turn detection on, every append goes straight to the session's `TurnListener` (VAD,
partial transcripts, the end-of-turn decision); with ``turn_detection: null`` the audio is kept
until the client commits or clears it. Either way it is 16 kHz float inside, whatever the
session's format (24 kHz pcm16, G.711) outside.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pybase64

from ..audio.codecs import AudioDecoder, decode_audio
from ..audio.formats import to_ga_format
from ..engine.engine import Engine
from ..engine.listener import ListenerEvent, TurnListener
from ..engine.vad import SAMPLE_RATE
from .config import ClientError, TurnSettings, turn_settings

__all__ = ["MAX_BACKLOG_MS", "MAX_BUFFER_MS", "InputAudioBuffer"]

Float = npt.NDArray[np.float32]

MAX_BUFFER_MS = 15 * 60 * 1000
"""Uncommitted audio held with manual turns (15 minutes)."""
MAX_BACKLOG_MS = 2000
"""Audio waiting for the VAD before an append waits (a client sending faster than real time)."""


class InputAudioBuffer:
    """One session's uncommitted input audio (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        session: Mapping[str, Any],
        on_event: Callable[[ListenerEvent], None],
        on_heard: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._on_event = on_event
        self._on_heard = on_heard
        self._format: dict[str, Any] | None = None
        self._decoder: AudioDecoder
        self.turn: TurnSettings
        """The session's turn-taking settings, as this buffer follows them."""
        self.listener: TurnListener | None = None
        self._kept: list[Float] = []
        self._kept_ms = 0.0
        self.configure(session, restart=True)

    def configure(self, session: Mapping[str, Any], *, restart: bool = False) -> bool:
        """Follow the session: its input format, and its turn detection (a change, or
        ``restart``, starts a new listener). Returns whether the listener was replaced."""
        fmt = to_ga_format(session["audio"]["input"]["format"])
        if fmt != self._format or restart:
            self._format, self._decoder = fmt, AudioDecoder(fmt, SAMPLE_RATE)
        turn = turn_settings(session)
        if not restart and turn == self.turn:
            return False
        self.turn = turn
        self.close()
        if turn.mode is not None:
            self.listener = TurnListener(
                self._engine.vad,
                self._engine.recognizer(turn.language),
                self._on_event,
                mode=turn.mode,
                vad_config=turn.vad,
                eagerness=turn.eagerness,
                language=turn.language,
                prompt=turn.prompt,
                batcher=self._engine.vad_batcher,
                on_heard=self._on_heard,
            )
        return True

    def close(self) -> None:
        """Stop listening: the current listener reports nothing more (a VAD pass or a
        transcription still running for it is ignored)."""
        if self.listener is not None:
            self.listener.close()
        self.listener = None

    def decode(self, audio: object, *, stream: bool = False) -> Float:
        """Base64 audio in the session's format, as 16 kHz float (``stream``: a chunk of the
        input stream, resampled with the stream's state).

        Raises:
            ClientError: not base64, or not whole samples of the format.
        """
        if not isinstance(audio, str):
            raise ClientError("'audio' must be a base64 string", param="audio")
        try:
            raw = pybase64.b64decode(audio, validate=True)
        except ValueError:
            raise ClientError("'audio' is not valid base64", param="audio") from None
        try:
            if stream:
                return self._decoder.decode(raw)
            return decode_audio(raw, self._format, SAMPLE_RATE)
        except ValueError as exc:
            raise ClientError(
                f"'audio' does not fit the input format: {exc}", param="audio"
            ) from None

    async def append(self, audio: object) -> None:
        """Add base64 audio (``input_audio_buffer.append``).

        Audio sent faster than the VAD can listen waits here (at most `MAX_BACKLOG_MS`
        unprocessed), which holds back the client's socket instead of growing a queue.
        """
        samples = self.decode(audio, stream=True)
        if self.listener is not None:
            self.listener.push(samples)
            if self.listener.backlog_ms > MAX_BACKLOG_MS:
                await self.listener.caught_up(MAX_BACKLOG_MS // 2)
            return
        ms = samples.size * 1000 / SAMPLE_RATE
        if self._kept_ms + ms > MAX_BUFFER_MS:
            raise ClientError(
                "the input audio buffer is full (15 minutes): commit or clear it",
                code="input_audio_buffer_full",
                param="audio",
            )
        self._kept.append(samples)
        self._kept_ms += ms

    def commit(self) -> Float:
        """The audio of the turn so far, taken out of the buffer.

        Raises:
            ClientError: less than 100 ms of audio (OpenAI's rule and message).
        """
        if self.listener is not None:
            audio = self.listener.commit()
        else:
            kept = [*self._kept, self._decoder.flush()]
            audio = np.concatenate(kept)
            self._kept, self._kept_ms = [], 0.0
        ms = audio.size * 1000 / SAMPLE_RATE
        if ms < 100:
            raise ClientError(
                "Error committing input audio buffer: buffer too small. Expected at least 100ms "
                f"of audio, but buffer only has {ms:.2f}ms of audio.",
                code="input_audio_buffer_commit_empty",
            )
        return audio

    def clear(self, session: Mapping[str, Any]) -> None:
        """Drop the uncommitted audio; listening starts afresh."""
        self._kept, self._kept_ms = [], 0.0
        self.configure(session, restart=True)
