"""`Engine`: every stage loaded once and shared by all sessions of a process."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .asr import SpeechRecognizer
from .llm import LLMStage, LocalLLM
from .tts import PiperSynthesizer, VoiceRouter
from .vad import SileroVAD, VadBatcher

__all__ = ["Engine"]

_shared: Engine | None = None
_shared_lock = threading.Lock()


@dataclass
class Engine:
    """The offline stages. Load with `Engine.load()` (once per process)."""

    vad: SileroVAD
    asr: SpeechRecognizer
    llm: LLMStage
    tts: VoiceRouter
    vad_batcher: VadBatcher = field(default_factory=VadBatcher)
    """Runs every session's VAD off the event loop (see `VadBatcher`)."""
    _multilingual: SpeechRecognizer | None = None

    def recognizer(self, language: str | None) -> SpeechRecognizer:
        """The recognizer for ``language``: tiny.en for English, Whisper base for the rest
        (loaded on first use)."""
        if language in (None, "", "en") or language.startswith("en-"):
            return self.asr
        with _shared_lock:
            if self._multilingual is None:
                from . import store

                self._multilingual = SpeechRecognizer(store.whisper_base())
            return self._multilingual

    @classmethod
    def load(
        cls,
        *,
        llm_url: str | None = None,
        progress: bool | None = None,
        on_step: Callable[[str, int, int], None] | None = None,
    ) -> Engine:
        """The process's engine, loading the models the first time (with a progress bar).

        Args:
            llm_url: an OpenAI-compatible chat-completions base URL to use instead of the
                packaged LLM (``$KAIWA_LLM_URL`` when not given).
            progress: show a progress bar (default: when standard error is a terminal).
            on_step: called as loading goes: ``(what is loading, models done, models)``.
        """
        global _shared
        with _shared_lock:
            engine = _shared or cls._load(
                llm_url or os.environ.get("KAIWA_LLM_URL"), progress, on_step
            )
            _shared = engine
            return engine

    @classmethod
    def _load(
        cls,
        llm_url: str | None,
        progress: bool | None,
        on_step: Callable[[str, int, int], None] | None = None,
    ) -> Engine:
        from tqdm import tqdm

        show = (
            progress
            if progress is not None
            else (sys.stderr.isatty() or os.environ.get("KAIWA_PROGRESS") == "1")
        )
        steps = ["voice activity", "speech recognition", "language model", "speech synthesis"]
        with tqdm(
            total=len(steps), desc="loading kaiwa engine", disable=not show, unit="model"
        ) as bar:

            def step(i: int) -> None:
                bar.set_postfix_str(steps[i])
                if on_step is not None:
                    on_step(steps[i], i, len(steps))

            step(0)
            vad = SileroVAD()
            bar.update()
            step(1)
            asr = SpeechRecognizer()
            bar.update()
            step(2)
            if llm_url:
                from .llm_http import ChatCompletionsLLM

                llm: LLMStage = ChatCompletionsLLM(llm_url)
            else:
                llm = LocalLLM()
            bar.update()
            step(3)
            tts = VoiceRouter(PiperSynthesizer())
            bar.update()
        return cls(vad=vad, asr=asr, llm=llm, tts=tts)
