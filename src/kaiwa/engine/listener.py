"""The input side of a voice turn: VAD, partial transcripts, and the end-of-turn decision.

A `TurnListener` takes the user's audio as it streams (16 kHz float, any chunk size) and says
when speech started, when it stopped, and when the user's turn is over, with its transcript.
It recognises while the user pauses: at the first moments of silence it transcribes what was
said so far in the background, so that when the turn is over the transcript is usually ready,
and so that ``semantic_vad`` can judge from the words whether the user has finished.

Modes, as in the Realtime API:

- ``server_vad``: the turn ends after ``silence_duration_ms`` of silence;
- ``semantic_vad``: the silence needed depends on how finished the words sound (`TurnPolicy`);
- ``None`` (manual): nothing ends the turn but `commit`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from .asr import SpeechRecognizer, Transcript
from .turn import Eagerness, TurnPolicy
from .vad import (
    FRAME_MS,
    SAMPLE_RATE,
    SileroVAD,
    VadBatcher,
    VadConfig,
    VadEvent,
    VoiceActivityDetector,
)

__all__ = ["Listener", "ListenerEvent", "TurnListener"]

Float = npt.NDArray[np.float32]
Mode = Literal["server_vad", "semantic_vad"] | None


@dataclass(frozen=True)
class ListenerEvent:
    """What the listener noticed. ``turn_ended`` carries the turn's audio and its transcript,
    or the transcription still running (``pending``), or neither (transcribe ``audio``)."""

    kind: Literal["speech_started", "speech_stopped", "turn_ended", "partial"]
    audio_start_ms: int = 0
    audio_end_ms: int = 0
    transcript: str | None = None
    audio: Float | None = None
    pending: asyncio.Task[Transcript] | None = None


class Listener(Protocol):
    """What a session's driver needs from its listener (`TurnListener`, or a test's fake).

    Events go to the ``on_event`` it was made with; ``on_heard`` is called as its VAD moves on.
    """

    @property
    def heard_ms(self) -> int:
        """How far into the audio the VAD has listened."""
        ...

    @property
    def in_turn(self) -> bool:
        """The user is speaking (or pausing within a turn)."""
        ...

    @property
    def backlog_ms(self) -> int:
        """Audio pushed that the VAD has not reached yet."""
        ...

    def push(self, samples: Float) -> None:
        """Feed user audio (16 kHz float)."""
        ...

    def commit(self) -> Float:
        """End the turn now; its audio (all of the audio pushed since the last turn)."""
        ...

    async def caught_up(self, backlog_ms: int = 0) -> None:
        """Wait until the backlog is at most ``backlog_ms``."""
        ...

    def close(self) -> None:
        """Report nothing more."""
        ...


class TurnListener:
    """Per-session listening state over shared models (see the module docstring).

    Args:
        on_event: called (synchronously, on the event loop) with each `ListenerEvent`;
            ``partial`` events carry a transcript of a pause that may end the turn.
        batcher: run the VAD through this shared `VadBatcher` (off the event loop, batched
            with other sessions) instead of inside `push`.
        on_heard: called after each VAD pass (``heard_ms`` has moved on).
    """

    def __init__(
        self,
        vad: SileroVAD,
        asr: SpeechRecognizer,
        on_event: Callable[[ListenerEvent], None],
        *,
        mode: Mode = "server_vad",
        vad_config: VadConfig | None = None,
        eagerness: Eagerness = "auto",
        language: str | None = None,
        prompt: str | None = None,
        batcher: VadBatcher | None = None,
        on_heard: Callable[[], None] | None = None,
    ) -> None:
        self._asr = asr
        self._batcher = batcher
        self._on_heard = on_heard
        self._closed = False
        self._vad_ran = asyncio.Event()
        self._emit = on_event
        self.mode: Mode = mode
        self.config = vad_config or VadConfig()
        self.policy = TurnPolicy(eagerness)
        self.language, self.prompt = language, prompt
        # semantic_vad decides the end itself; the detector only reports speech and silence.
        detector_config = (
            self.config
            if mode != "semantic_vad"
            else VadConfig(
                threshold=self.config.threshold,
                prefix_padding_ms=self.config.prefix_padding_ms,
                silence_duration_ms=60_000,
            )
        )
        self._vad = VoiceActivityDetector(vad, detector_config)
        self._audio: list[Float] = []
        self._audio_samples = 0
        self._turn_start_sample = 0
        self._committed_sample = 0  # audio before this was taken by a commit
        self._in_turn = False
        self._partial: asyncio.Task[Transcript] | None = None
        self._partial_samples = 0  # audio length the running/finished partial covers
        self._partial_text: str | None = None

    @property
    def audio_ms(self) -> int:
        return self._audio_samples * 1000 // SAMPLE_RATE

    def push(self, samples: Float) -> None:
        """Feed user audio; events come through ``on_event`` (with a batcher, once its next
        pass has run the VAD)."""
        self._audio.append(samples)
        self._audio_samples += samples.size
        if self._batcher is None:
            self._on_vad(self._vad.push(samples))
        else:
            self._vad.feed(samples)
            self._batcher.submit(self._vad, self._on_vad)

    @property
    def heard_ms(self) -> int:
        """How far into the audio the VAD has listened."""
        return self._vad.audio_ms

    @property
    def in_turn(self) -> bool:
        """The user is speaking (or pausing within a turn)."""
        return self._in_turn

    @property
    def backlog_ms(self) -> int:
        """Audio pushed that the VAD has not reached yet (with a batcher)."""
        return self._vad.backlog_ms

    async def caught_up(self, backlog_ms: int = 0) -> None:
        """Wait until the VAD's backlog is at most ``backlog_ms``."""
        while self._vad.backlog_ms > backlog_ms and not self._closed:
            self._vad_ran.clear()
            await self._vad_ran.wait()

    async def transcribed(self) -> None:
        """Wait until the running partial transcription (if any) has been taken in."""
        while (task := self._partial) is not None and not task.done():
            await asyncio.wait([task])
            await asyncio.sleep(0)  # its done-callback runs on the next loop pass

    def close(self) -> None:
        """Report nothing more (a VAD pass or a transcription already running is ignored)."""
        self._closed = True
        self._drop_partial()
        self._vad_ran.set()  # nobody waits on a closed listener

    def _on_vad(self, events: list[VadEvent]) -> None:
        self._vad_ran.set()
        if self._closed:
            return
        for event in events:
            if event.audio_ms * SAMPLE_RATE // 1000 < self._committed_sample:
                continue  # in audio a commit already took (the VAD ran behind a burst)
            if event.kind == "speech_started":
                self._start_turn(event.audio_ms)
            else:
                self._emit(ListenerEvent("speech_stopped", audio_end_ms=event.audio_ms))
                if self.mode == "server_vad":
                    decided = event.audio_ms + self.config.silence_duration_ms
                    self._end_turn(event.audio_ms, until=decided * SAMPLE_RATE // 1000)
        if self._in_turn and self._vad.speaking:
            self._during_silence()
        self._trim()
        if self._on_heard is not None:
            self._on_heard()

    def _start_turn(self, start_ms: int) -> None:
        if not self._in_turn:
            self._in_turn = True
            pad = self.config.prefix_padding_ms * SAMPLE_RATE // 1000
            start = max(0, start_ms * SAMPLE_RATE // 1000 - pad)
            self._turn_start_sample = max(start, self._committed_sample)
        self._drop_partial()
        self._emit(ListenerEvent("speech_started", audio_start_ms=start_ms))

    def _during_silence(self) -> None:
        silence = self._vad.silence_ms
        if silence == 0:
            self._drop_partial()  # speech resumed: the pause was not the end
            return
        if silence >= FRAME_MS and self._partial is None:
            self._start_partial()
        if self.mode != "semantic_vad":
            return
        # Until the pause's transcript is ready, wait as long as for an unfinished sentence.
        if silence >= self.policy.silence_needed_ms(self._partial_text or ""):
            end = self._vad.audio_ms - silence  # where the VAD is (it may run behind the audio)
            self._emit(ListenerEvent("speech_stopped", audio_end_ms=end))
            self._end_turn(end)

    @property
    def _heard_samples(self) -> int:
        """Where the VAD is: audio pushed beyond it (a burst) is not in this turn yet."""
        return min(self._audio_samples, self._vad.audio_ms * SAMPLE_RATE // 1000)

    def _turn_audio(self, *, until_heard: bool = True, until: int | None = None) -> Float:
        audio = np.concatenate(self._audio) if self._audio else np.zeros(0, np.float32)
        self._audio = [audio]
        offset = self._audio_samples - audio.size
        end = self._heard_samples if until_heard else self._audio_samples
        if until is not None:  # where the VAD decided: later audio may be the next turn's
            end = min(end, until)
        end -= offset
        return audio[max(0, self._turn_start_sample - offset) : max(0, end)]

    def _start_partial(self) -> None:
        audio = self._turn_audio()
        self._partial_samples = self._heard_samples
        self._partial = asyncio.get_running_loop().create_task(self._transcribe(audio))
        self._partial.add_done_callback(self._partial_done)

    async def _transcribe(self, audio: Float) -> Transcript:
        return await asyncio.to_thread(
            self._asr.transcribe, audio, language=self.language, prompt=self.prompt
        )

    def _partial_done(self, task: asyncio.Task[Transcript]) -> None:
        if (
            self._closed
            or task is not self._partial
            or task.cancelled()
            or task.exception() is not None
        ):
            return
        self._partial_text = task.result().text
        self._emit(ListenerEvent("partial", transcript=self._partial_text))
        if self._in_turn and self._vad.speaking:
            self._during_silence()  # the verdict may already be due

    def _drop_partial(self) -> None:
        if self._partial is not None:
            self._partial.cancel()  # the thread finishes, its result is ignored
        self._partial = None
        self._partial_text = None

    def _end_turn(self, end_ms: int, *, until: int | None = None) -> None:
        if not self._in_turn:
            return
        self._in_turn = False
        # The pause's transcript is the final one when it covers all the speech: its text if
        # it is in, else its running task (a fresh transcription would only start later).
        partial = self._partial if self._partial_samples >= end_ms * 16 else None
        running = partial if partial is not None and not partial.done() else None
        audio = self._turn_audio(until=until)
        if audio.size:  # else a commit took all of it: no turn is left
            self._emit(
                ListenerEvent(
                    "turn_ended",
                    audio_start_ms=self._turn_start_sample // 16,
                    audio_end_ms=end_ms,
                    transcript=self._partial_text if partial is not None else None,
                    audio=audio,
                    pending=running,
                )
            )
        self._partial = None
        self._partial_text = None
        if self.mode == "semantic_vad":
            self._vad.end_speech()

    def commit(self) -> Float:
        """End the turn now (manual mode or an explicit commit); returns its audio (all of
        the audio pushed, heard by the VAD or not)."""
        audio = self._turn_audio(until_heard=False)
        # Taken: a second commit gets nothing, a turn the VAD finds later starts after it.
        self._turn_start_sample = self._committed_sample = self._audio_samples
        self._in_turn = False
        self._drop_partial()
        if self._vad.speaking:  # speech that goes on is a new turn, with its own start
            self._vad.end_speech()
        return audio

    def _trim(self) -> None:
        """Keep only what the current or next turn may need (bounded memory): the prefix
        padding before where the VAD is, and all the audio pushed beyond it (in a burst the
        VAD runs behind; trimming from the newest audio lost the start of the next turn)."""
        if self._in_turn:
            return
        keep = (self.config.prefix_padding_ms + 100) * SAMPLE_RATE // 1000
        stored = sum(a.size for a in self._audio)
        first = self._audio_samples - stored  # the stored audio's first sample
        cut = max(first, self._heard_samples - keep)
        if cut - first > 3 * keep:
            audio = np.concatenate(self._audio)[cut - first :]
            self._audio = [audio]
            self._turn_start_sample = max(cut, self._committed_sample)


async def replay(
    make: Callable[[Callable[[ListenerEvent], None]], TurnListener],
    audio: Float,
    *,
    chunk_ms: int = 20,
    realtime: bool = True,
) -> list[tuple[int, ListenerEvent]]:
    """Stream a recording through a new listener, as a client would; returns
    ``(audio_ms when noticed, event)`` pairs. Used to measure end-of-turn behaviour on real
    speech.

    ``realtime`` paces the audio at its real speed, partial transcripts running alongside as
    they do live: when a verdict comes then depends on how fast the machine recognises (a
    benchmark's question). ``realtime=False`` makes the recogniser instant in audio time:
    each partial transcription is awaited before the next chunk, so the same recording gives
    the same decisions on any machine (a test's question: what the policy decides).
    """
    loop = asyncio.get_running_loop()
    noticed: list[tuple[int, ListenerEvent]] = []
    listener = make(lambda event: noticed.append((listener.audio_ms, event)))
    step = SAMPLE_RATE * chunk_ms // 1000
    start = loop.time()
    for i in range(0, audio.size, step):
        if realtime:
            delay = start + i / SAMPLE_RATE - loop.time()
            await asyncio.sleep(max(delay, 0))
        listener.push(audio[i : i + step])
        if not realtime:
            await listener.transcribed()
    return noticed
