"""`Engine`: every stage loaded once and shared by all sessions of a process."""

from __future__ import annotations

import os
import sys
import threading
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
    def load(cls, *, llm_url: str | None = None, progress: bool | None = None) -> Engine:
        """The process's engine, loading the models the first time (with a progress bar).

        Args:
            llm_url: an OpenAI-compatible chat-completions base URL to use instead of the
                packaged LLM (``$KAIWA_LLM_URL`` when not given).
        """
        global _shared
        with _shared_lock:
            engine = _shared or cls._load(llm_url or os.environ.get("KAIWA_LLM_URL"), progress)
            _shared = engine
            return engine

    @classmethod
    def _load(cls, llm_url: str | None, progress: bool | None) -> Engine:
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
            bar.set_postfix_str(steps[0])
            vad = SileroVAD()
            bar.update()
            bar.set_postfix_str(steps[1])
            asr = SpeechRecognizer()
            bar.update()
            bar.set_postfix_str(steps[2])
            if llm_url:
                from .llm_http import ChatCompletionsLLM

                llm: LLMStage = ChatCompletionsLLM(llm_url)
            else:
                llm = LocalLLM()
            bar.update()
            bar.set_postfix_str(steps[3])
            tts = VoiceRouter(PiperSynthesizer())
            bar.update()
        return cls(vad=vad, asr=asr, llm=llm, tts=tts)
