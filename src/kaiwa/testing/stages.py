"""`FakeStages`: **test doubles** of the engine's stages, deterministic and instant to load.

They let the real protocol (`kaiwa.core.RealtimeConnection`, ``kaiwa serve``) run in tests
with no model: what a session decides is the protocol's own, only what the stages produce is
scripted. Never a default, never a substitute for a model.

- `ScriptedLLM` answers from a script keyed on the last conversation message (see its
  docstring), or from a function you give it.
- `ToneVoice` "speaks" a tone whose length grows with the text.
- `ScriptedRecognizer` "hears" the next of its ``transcripts`` (``"hello"`` when none is left).
- `EnergyListener` stands in for the VAD: audio above an RMS threshold is speech, and a turn
  ends after the session's ``silence_duration_ms`` of quiet (``semantic_vad`` is treated alike).
"""

from __future__ import annotations

import collections
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..engine.asr import Transcript
from ..engine.chat import ChatMessage, LlmDelta, ToolCall, ToolChoice, ToolSpec
from ..engine.listener import Listener, ListenerEvent

if TYPE_CHECKING:
    from ..core.config import TurnSettings
    from ..engine._threads import Cancel

__all__ = ["EnergyListener", "FakeStages", "ScriptedLLM", "ScriptedRecognizer", "ToneVoice"]

Float = npt.NDArray[np.float32]
SAMPLE_RATE = 16000
FRAME = 320  # 20 ms at 16 kHz


class ScriptedLLM:
    """A test double of the LLM stage. With no ``reply`` function, the script, keyed on the
    last message that is not the assistant's:

    - a user's ``call <tool> <json>``: a call to ``<tool>`` with those arguments;
    - a user's ``transfer to <agent>``: a call to ``transfer_to_<agent>``;
    - a user's ``say: <text>``: ``<text>``;
    - a user's ``long answer``: twenty short sentences (``word0 word1 word2.`` ...),
      ``delay`` seconds per word;
    - a user's ``bench <n>``: ``bench <n>`` (`ToneVoice` says it as ``n`` chunks);
    - a tool's result: ``The tool said: <result>``;
    - anything else: ``You said: <text>``.

    Args:
        reply: ``(messages, tools) -> text or ToolCall``, instead of the script.
        delay: seconds per word of a long answer (``0`` elsewhere).

    Attributes:
        calls: the messages of every reply asked for, in order.
        endings: how each reply in words ended.
        log: every reply asked for and every `prepare`, in order: ``("reply", last user
            text)`` and ``("prepare", instructions)``.
    """

    context_window = 32768

    def __init__(
        self,
        reply: Callable[[Sequence[ChatMessage], Sequence[ToolSpec]], str | ToolCall] | None = None,
        *,
        delay: float = 0.01,
    ) -> None:
        self._reply = reply
        self.delay = delay
        self.calls: list[list[ChatMessage]] = []
        self.endings: list[str] = []
        """How each reply in words ended: ``done``, or ``stopped`` (cancelled or closed)."""
        self.log: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def prepare(self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] = ()) -> int:
        """Note the instructions a session may switch to (`LocalLLM.prepare`); a word a
        token evaluated."""
        instructions = next((m.content for m in messages if m.role == "system"), "")
        with self._lock:
            self.log.append(("prepare", instructions))
        return len(instructions.split()) + len(tools)

    def script(self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec]) -> str | ToolCall:
        # The last message the assistant did not write (a reply may have been added after
        # the user's later messages, as the Realtime API orders a conversation).
        last = next(
            (m for m in reversed(messages) if m.role not in ("assistant", "system")),
            ChatMessage("user", ""),
        )
        text = last.content.strip()
        if last.role == "tool":
            return f"The tool said: {text}"
        match = re.match(r"call (\w+)\s*(.*)$", text, re.S)
        if match:
            arguments = match.group(2) or "{}"
            json.loads(arguments)  # a script error is the test's, say so early
            return ToolCall(match.group(1), arguments)
        if text.startswith("transfer to "):
            return ToolCall("transfer_to_" + text[len("transfer to ") :].strip().lower(), "{}")
        if text.startswith("say:"):
            return text[4:].strip()
        if text == "long answer":
            return " ".join(f"word{i} word{i + 1} word{i + 2}." for i in range(0, 60, 3))
        if re.fullmatch(r"bench \d+", text):
            return text
        return f"You said: {text}"

    def stream(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec] = (),
        *,
        tool_choice: ToolChoice = "auto",
        max_tokens: int = 256,
        cancel: Cancel | None = None,
        usage: dict[str, int] | None = None,
    ) -> Iterator[LlmDelta]:
        if usage is not None:  # a word a token, as far as a test double counts
            usage["input_tokens"] = sum(len(m.content.split()) for m in messages)
        with self._lock:
            self.calls.append(list(messages))
            said = next((m.content for m in reversed(messages) if m.role == "user"), "")
            self.log.append(("reply", said))
        answer = (self._reply or self.script)(messages, tools)
        slow = isinstance(answer, str) and answer.startswith("word0 word1 word2.")
        if isinstance(answer, ToolCall):
            yield LlmDelta(tool_call=answer)
            return
        finished = False
        try:
            for n, word in enumerate(answer.split(" ")[:max_tokens]):
                if cancel is not None and cancel.is_set:
                    return
                if slow and self.delay:
                    time.sleep(self.delay)
                yield LlmDelta(text=word if n == 0 else " " + word)
            finished = True
        finally:  # stopped by its cancel, or closed by its consumer
            self.endings.append("done" if finished else "stopped")


class ToneVoice:
    """A test double of the voice: a 440 Hz tone at 24 kHz, 40 ms a word, or ``clause_ms``
    for any text; ``bench <n>`` is ``n`` times ``bench_ms``.

    Attributes:
        said: every text it was asked to say.
    """

    sample_rate = 24000

    def __init__(self, *, clause_ms: int | None = None, bench_ms: int = 100) -> None:
        self.clause_ms, self.bench_ms = clause_ms, bench_ms
        self.said: list[str] = []

    def synthesize(
        self, text: str, *, speed: float = 1.0, cancel: Cancel | None = None, urgent: bool = False
    ) -> Iterator[Float]:
        self.said.append(text)
        bench = re.fullmatch(r"bench (\d+)", text.strip())
        if bench:
            ms = int(bench.group(1)) * self.bench_ms
        elif self.clause_ms is not None:
            ms = self.clause_ms
        else:
            ms = int(40 * max(1, len(text.split())) / max(speed, 0.25))
        n = self.sample_rate * ms // 1000
        t = np.arange(n, dtype=np.float32) / self.sample_rate
        yield (0.2 * np.sin(2 * math.pi * 440 * t)).astype(np.float32)


class ScriptedRecognizer:
    """A test double of speech recognition: each transcription is the next of
    ``transcripts`` (``"hello"`` once they run out)."""

    def __init__(self, transcripts: Sequence[str] = ()) -> None:
        self.transcripts: collections.deque[str] = collections.deque(transcripts)
        self._lock = threading.Lock()

    def transcribe(
        self, samples: Float, *, language: str | None = None, prompt: str | None = None
    ) -> Transcript:
        with self._lock:
            text = self.transcripts.popleft() if self.transcripts else "hello"
        return Transcript(text, language or "en", 0.0)


class EnergyListener:
    """A test double of the listener: RMS over ``threshold`` in a 20 ms frame is speech; the
    turn ends after ``silence_duration_ms`` of frames under it. With a ``recognizer``, a pause
    of half that (200 ms at most) is transcribed (a ``partial`` event, which may start an early
    reply), and the turn ends with those words if no speech came after. Events are reported as
    the audio is pushed (no backlog)."""

    def __init__(
        self,
        settings: TurnSettings,
        on_event: Callable[[ListenerEvent], None],
        on_heard: Callable[[], None],
        *,
        threshold: float = 0.02,
        recognizer: ScriptedRecognizer | None = None,
    ) -> None:
        self.settings = settings
        self.recognizer = recognizer
        self._partial: str | None = None
        self._emit, self._on_heard = on_event, on_heard
        self.threshold = threshold
        self._pending = np.zeros(0, np.float32)
        self._heard = 0  # samples
        self._turn: list[Float] = []
        self._speaking = False
        self._quiet = 0  # samples of silence within the turn
        self._start = 0
        self._closed = False

    @property
    def heard_ms(self) -> int:
        return self._heard * 1000 // SAMPLE_RATE

    @property
    def in_turn(self) -> bool:
        return self._speaking

    @property
    def backlog_ms(self) -> int:
        return 0

    async def caught_up(self, backlog_ms: int = 0) -> None:
        return None

    def push(self, samples: Float) -> None:
        if self._closed:
            return
        audio = np.concatenate([self._pending, samples])
        whole = audio.size - audio.size % FRAME
        self._pending = audio[whole:]
        silence_needed = self.settings.vad.silence_duration_ms * SAMPLE_RATE // 1000
        for i in range(0, whole, FRAME):
            frame = audio[i : i + FRAME]
            loud = float(np.sqrt(np.mean(frame.astype(np.float64) ** 2))) > self.threshold
            self._heard += FRAME
            if self._speaking:
                self._turn.append(frame)
                self._quiet = 0 if loud else self._quiet + FRAME
                if loud:
                    self._partial = None
                elif self._quiet == min(silence_needed // 2, 3200) // FRAME * FRAME:
                    self._pause()
                if self._quiet >= silence_needed:
                    self._end_turn()
            elif loud:
                self._speaking, self._quiet = True, 0
                self._start = self._heard - FRAME
                self._turn = [frame]
                self._emit(ListenerEvent("speech_started", audio_start_ms=self._start // 16))
            if self._closed:
                return
        self._on_heard()

    def _pause(self) -> None:
        if self.recognizer is None:
            return
        self._partial = self.recognizer.transcribe(np.concatenate(self._turn)).text
        self._emit(ListenerEvent("partial", transcript=self._partial))

    def _end_turn(self) -> None:
        self._speaking = False
        end_ms = (self._heard - self._quiet) // 16
        audio = np.concatenate(self._turn)
        self._turn = []
        self._emit(ListenerEvent("speech_stopped", audio_end_ms=end_ms))
        self._emit(
            ListenerEvent(
                "turn_ended",
                audio_start_ms=self._start // 16,
                audio_end_ms=end_ms,
                audio=audio,
                transcript=self._partial,
            )
        )
        self._partial = None

    def commit(self) -> Float:
        audio = np.concatenate([*self._turn, self._pending]) if self._turn else self._pending
        self._turn, self._pending = [], np.zeros(0, np.float32)
        self._speaking, self._partial = False, None
        return audio.astype(np.float32)

    def close(self) -> None:
        self._closed = True


@dataclass
class FakeStages:
    """Every stage as a test double (see the module docstring); pass it where an
    `kaiwa.engine.Engine` goes (`kaiwa.core.RealtimeConnection`, ``create_app``)."""

    llm: ScriptedLLM = field(default_factory=ScriptedLLM)
    tts: ToneVoice = field(default_factory=ToneVoice)
    asr: ScriptedRecognizer = field(default_factory=ScriptedRecognizer)
    threshold: float = 0.02
    listeners: list[EnergyListener] = field(default_factory=list)

    def recognizer(self, language: str | None) -> ScriptedRecognizer:
        return self.asr

    def listen(
        self,
        settings: TurnSettings,
        on_event: Callable[[ListenerEvent], None],
        on_heard: Callable[[], None],
    ) -> Listener:
        listener = EnergyListener(
            settings, on_event, on_heard, threshold=self.threshold, recognizer=self.asr
        )
        self.listeners.append(listener)
        return listener
