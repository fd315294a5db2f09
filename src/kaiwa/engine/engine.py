"""`Engine`: every stage loaded once and shared by all sessions of a process.

`Stages` is what a session's driver needs of an engine: `Engine` is the offline one, and
`kaiwa.testing.FakeStages` a scripted one for tests.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from ..exceptions import EngineError, ModelNotFoundError, UserError
from . import store
from .asr import SpeechRecognizer, Transcript
from .listener import Listener, ListenerEvent, TurnListener
from .llm import LLMStage, LocalLLM
from .tts import PiperSynthesizer, SpeechSynthesizer, VoiceRouter
from .vad import SileroVAD, VadBatcher

if TYPE_CHECKING:
    from ..core.config import TurnSettings

__all__ = ["LLM_SIZES", "Engine", "Stages", "llm_model_path"]

LLM_SIZES = {"small": store.QWEN_0_5B, "large": store.QWEN_1_5B}
"""The packaged LLMs by name: ``small`` (Qwen2.5-Coder 0.5B, the default) and ``large``
(Qwen2.5-Coder 1.5B, in the ``large`` extra)."""

_shared: dict[tuple[str | None, str], Engine] = {}
_shared_lock = threading.Lock()


class Stages(Protocol):
    """The stages a realtime session uses, shared by every session of a process."""

    @property
    def llm(self) -> LLMStage:
        """Writes the replies (and tool calls)."""
        ...

    @property
    def tts(self) -> SpeechSynthesizer:
        """Speaks them."""
        ...

    def recognizer(self, language: str | None) -> Recognizer:
        """Transcribes user turns in ``language`` (may load it: call off the event loop)."""
        ...

    def listen(
        self,
        settings: TurnSettings,
        on_event: Callable[[ListenerEvent], None],
        on_heard: Callable[[], None],
    ) -> Listener:
        """A new listener for one session (VAD, partial transcripts, end of turn)."""
        ...


class Recognizer(Protocol):
    """What a session needs of speech recognition."""

    def transcribe(
        self,
        samples: npt.NDArray[np.float32],
        *,
        language: str | None = None,
        prompt: str | None = None,
    ) -> Transcript:
        """Recognise 16 kHz float audio (blocking; called from a worker thread)."""
        ...


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

    def queue_depths(self) -> dict[str, int]:
        """What waits for each shared stage now: sessions whose audio waits for the VAD's
        next pass, transcriptions, replies (besides the one being written; not for an LLM
        behind HTTP, whose queue is its server's) and syntheses.
        Read by ``kaiwa serve --metrics`` (``kaiwa_stage_queue_depth{stage}``)."""
        multilingual = self._multilingual
        depths = {
            "vad": self.vad_batcher.waiting,
            "asr": self.asr.waiting + (multilingual.waiting if multilingual is not None else 0),
            "tts": self.tts.waiting,
        }
        waiting = getattr(self.llm, "waiting", None)  # an HTTP LLM's queue is its server's
        if isinstance(waiting, int):
            depths["llm"] = waiting
        return depths

    def listen(
        self,
        settings: TurnSettings,
        on_event: Callable[[ListenerEvent], None],
        on_heard: Callable[[], None],
    ) -> Listener:
        """A `TurnListener` for one session, its VAD batched with every other session's."""
        if settings.mode is None:
            raise ValueError("no listener without turn detection")
        return TurnListener(
            self.vad,
            self.recognizer(settings.language),
            on_event,
            mode=settings.mode,
            vad_config=settings.vad,
            eagerness=settings.eagerness,
            language=settings.language,
            prompt=settings.prompt,
            batcher=self.vad_batcher,
            on_heard=on_heard,
        )

    @classmethod
    def load(
        cls,
        *,
        llm_url: str | None = None,
        llm: str | None = None,
        progress: bool | None = None,
        on_step: Callable[[str, int, int], None] | None = None,
    ) -> Engine:
        """The process's engine for ``llm_url`` and ``llm``, loading the models the first
        time (with a progress bar); another LLM gets its own engine (sharing the other
        stages).

        Args:
            llm_url: an OpenAI-compatible chat-completions base URL to use instead of the
                packaged LLM (``$KAIWA_LLM_URL`` when not given).
            llm: which LLM to run here: ``"small"`` (the default), ``"large"`` (general
                questions answered right twice as often, codes copied better, more calls
                nobody asked for, ~1.4x slower to start a spoken reply, ~1.2 GB more memory; needs
                ``kaiwa[large]``) or the path of a GGUF chat model (``$KAIWA_LLM`` when not
                given). Named, it is used even if ``$KAIWA_LLM_URL`` is set.
            progress: show a progress bar (default: when standard error is a terminal).
            on_step: called as loading goes: ``(what is loading, models done, models)``.

        Raises:
            UserError: ``llm`` (or ``$KAIWA_LLM``) is neither a known size nor an existing
                file, or both ``llm`` and ``llm_url`` are given.
            ModelNotFoundError: the chosen model's packages are not installed.
        """
        if llm and llm_url:
            raise UserError("give llm (a model to run here) or llm_url (a server), not both")
        url = llm_url or (None if llm else os.environ.get("KAIWA_LLM_URL") or None)
        model = ""
        if not url:
            model = llm or os.environ.get("KAIWA_LLM") or "small"
            if model not in LLM_SIZES:  # one engine per file, however it is written
                model = str(_llm_file(model, "llm" if llm else "$KAIWA_LLM").resolve())
        key = (url, model)
        with _shared_lock:
            engine = _shared.get(key)
            if engine is None:
                try:
                    if _shared:  # only the LLM differs: share the other stages
                        other = next(iter(_shared.values()))
                        engine = dataclasses.replace(other, llm=_load_llm(url, model))
                    else:
                        engine = cls._load(url, model, progress, on_step)
                except ModuleNotFoundError as exc:
                    raise EngineError(
                        f"The offline engine needs {exc.name}, which is not installed: pip "
                        "install 'kaiwa[engine]' (scripts/install installs it), or set "
                        "OPENAI_API_KEY to talk with OpenAI's Realtime API instead.",
                        is_permanent=True,
                    ) from exc
                _shared[key] = engine
            return engine

    @classmethod
    def _load(
        cls,
        llm_url: str | None,
        llm: str,
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
            stage = _load_llm(llm_url, llm)
            bar.update()
            step(3)
            tts = VoiceRouter(PiperSynthesizer())
            bar.update()
        return cls(vad=vad, asr=asr, llm=stage, tts=tts)


def llm_model_path(llm: str) -> Path:
    """The GGUF file of the packaged LLM named ``llm`` (`LLM_SIZES`), joined into the cache
    the first time, or ``llm`` itself if it is the path of a file.

    Raises:
        UserError: ``llm`` is neither a known size nor an existing file.
        ModelNotFoundError: the model's packages are not installed (the message says which
            extra brings them).
    """
    model = LLM_SIZES.get(llm)
    if model is None:
        return _llm_file(llm, "llm")
    try:
        return store.materialize(model)  # (joined before: its parts are not read)
    except ModelNotFoundError as exc:
        if llm == "large" and importlib.util.find_spec(model.parts[0][0]) is None:
            raise ModelNotFoundError(
                "the large LLM (Qwen2.5-Coder 1.5B, 1.1 GB) is not installed: pip install "
                "'kaiwa[large]' (scripts/install installs it)"
            ) from exc
        raise


def _llm_file(llm: str, named: str) -> Path:
    """``llm``, not a packaged LLM's name, as the path of a file; `UserError` (naming it as
    ``named``: ``llm``, ``$KAIWA_LLM``) if there is none."""
    path = Path(llm).expanduser()
    if not path.is_file():
        raise UserError(f"{named} is {llm!r}: give small, large or the path of a GGUF file")
    return path


def _load_llm(url: str | None, llm: str = "small") -> LLMStage:
    if url:
        from .llm_http import ChatCompletionsLLM

        return ChatCompletionsLLM(url)
    return LocalLLM(llm_model_path(llm))
