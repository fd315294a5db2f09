"""Recorded human speech from Debian packages, for benchmarks (not a kaiwa dependency).

``asterisk-core-sounds-en-wav`` holds ~570 prompts read by one professional voice (Allison
Smith), recorded at 8 kHz as on a telephone line, CC BY-SA 3.0; ``asterisk-core-sounds-en``
holds their transcripts. Many prompts are pieces meant to be joined ("To leave the
conference..." + "press" + "8"): recorded with the voice left up, as a speaker pausing
mid-sentence sounds. ``asterisk-moh-opsound-wav`` has music-on-hold tracks to play behind.
``scripts/install bench`` installs all three.

`clips()` builds the evaluation's utterances from them: finished ones (a whole prompt that is
one sentence) and paused ones (a piece left unfinished, a pause of 0.6-1.0 s, then the rest),
some with music or noise behind, each in a dev or a test half.
"""

from __future__ import annotations

import gzip
import re
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kaiwa.audio.codecs import pcm16_to_float, resample

SOUNDS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
MUSIC = Path("/usr/share/asterisk/moh")
RATE = 16000
MISSING = (
    "recorded speech is missing: run scripts/install bench (it installs the Debian packages "
    "asterisk-core-sounds-en-wav, asterisk-core-sounds-en and asterisk-moh-opsound-wav)"
)

# Pieces left unfinished, then what completes them (names of prompts, joined without pauses;
# dir-multi1 is "Press ...").
PAUSED = [
    ("confbridge-leave-in", ["dir-multi1", "digits/8"]),
    ("confbridge-mute-in", ["dir-multi1", "digits/1"]),
    ("confbridge-lock-in", ["dir-multi1", "digits/2"]),
    ("confbridge-menu-exit-in", ["dir-multi1", "digits/9"]),
    ("confbridge-dec-list-vol-in", ["dir-multi1", "digits/4"]),
    ("confbridge-inc-list-vol-in", ["dir-multi1", "digits/6"]),
    ("confbridge-dec-talk-vol-in", ["dir-multi1", "digits/7"]),
    ("confbridge-inc-talk-vol-in", ["dir-multi1", "digits/9"]),
    ("confbridge-remove-last-in", ["dir-multi1", "digits/3"]),
    ("confbridge-rest-list-vol-in", ["dir-multi1", "digits/5"]),
    ("confbridge-rest-talk-vol-in", ["dir-multi1", "digits/0"]),
    ("confbridge-there-are", ["digits/4", "confbridge-participants"]),
    ("at-tone-time-exactly", ["digits/10", "digits/30"]),
    ("if-correct-press", ["digits/1"]),
    ("num-was-successfully", ["added"]),
    ("vm-duration", ["digits/2", "minutes"]),
    ("queue-quantity1", ["digits/5", "queue-quantity2"]),
    ("vm-youhave", ["digits/3", "vm-INBOX", "vm-messages"]),
    ("dir-pls-enter", ["digits/3", "dir-last"]),
    ("privacy-to-blacklist-last-caller", ["removed"]),
]


@dataclass(frozen=True)
class Clip:
    """One utterance: 16 kHz audio (300 ms of lead-in), where its speech ends, its words."""

    name: str
    kind: str  # "finished" or "paused"
    half: str  # "dev" or "test"
    background: str  # "clean", "music" or "noise"
    text: str
    audio: np.ndarray
    speech_end_ms: int
    pause_start_ms: int = 0
    """Where the mid-sentence pause starts (paused clips)."""


def transcripts() -> dict[str, str]:
    if not TRANSCRIPTS.exists() or not SOUNDS.is_dir():
        raise SystemExit(MISSING)
    out = {}
    for line in gzip.open(TRANSCRIPTS, "rt", encoding="utf-8"):
        name, sep, text = line.partition(":")
        if sep and not line.startswith(";"):
            out[name.strip()] = text.strip()
    return out


def load(name: str) -> np.ndarray:
    """A prompt at 16 kHz, its leading and trailing silence cut."""
    with wave.open(str(SOUNDS / f"{name}.wav"), "rb") as w:
        audio = pcm16_to_float(w.readframes(w.getnframes()))
        rate = w.getframerate()
    audio = resample(audio, rate, RATE)
    loud = np.nonzero(np.abs(audio) > 0.05 * np.abs(audio).max())[0]
    return audio[max(0, loud[0] - 800) : loud[-1] + 160]


def _finished_names(texts: dict[str, str]) -> list[str]:
    """Prompts that are one whole sentence of 3-14 words (no pieces, no tones)."""
    pieces = {p for p, _ in PAUSED} | {n for _, rest in PAUSED for n in rest}
    names = []
    for name, text in sorted(texts.items()):
        words = text.split()
        if (
            name in pieces
            or "/" in name
            or not (3 <= len(words) <= 14)
            or not re.fullmatch(r"[A-Z][^.?!\[\]<>*#]*[.?]", text)
            or not (SOUNDS / f"{name}.wav").exists()
        ):
            continue
        names.append(name)
    return names


def _music() -> np.ndarray:
    tracks = sorted(MUSIC.glob("*.wav"))
    if not tracks:
        raise SystemExit(MISSING)
    with wave.open(str(tracks[0]), "rb") as w:
        audio = pcm16_to_float(w.readframes(min(w.getnframes(), 60 * w.getframerate())))
        return resample(audio, w.getframerate(), RATE)


def _behind(audio: np.ndarray, kind: str, n: int, music: np.ndarray) -> np.ndarray:
    """``audio`` with music (15 dB below the speech) or noise (25 dB below) behind it."""
    if kind == "clean":
        return audio
    speech = float(np.sqrt(np.mean(audio[np.abs(audio) > 0.01] ** 2)))
    if kind == "music":
        start = (n * 37_123) % (music.size - audio.size)
        bed = music[start : start + audio.size]
        level = 10 ** (-15 / 20)
    else:
        bed = np.random.default_rng(n).normal(0, 1, audio.size).astype(np.float32)
        level = 10 ** (-25 / 20)
    bed = bed / (float(np.sqrt(np.mean(bed**2))) + 1e-9) * speech * level
    return (audio + bed).astype(np.float32)


def clips(tail_ms: int = 2500) -> list[Clip]:
    """The evaluation's utterances (see the module docstring), each followed by
    ``tail_ms`` of silence (or of the background), deterministic."""
    texts = transcripts()
    music = _music()
    lead = np.zeros(RATE * 3 // 10, np.float32)
    tail = np.zeros(RATE * tail_ms // 1000, np.float32)
    out: list[Clip] = []
    backgrounds = ("clean", "clean", "music", "noise")
    for n, name in enumerate(_finished_names(texts)):
        speech = load(name)
        audio = np.concatenate([lead, speech, tail])
        background = backgrounds[n // 2 % 4]
        out.append(
            Clip(
                name,
                "finished",
                "dev" if n % 2 == 0 else "test",
                background,
                texts[name],
                _behind(audio, background, n, music),
                (lead.size + speech.size) * 1000 // RATE,
            )
        )
    for n, (first, rest) in enumerate(PAUSED):
        pause_ms = (600, 800, 1000)[n % 3]
        head = load(first)
        tail_speech = np.concatenate([load(r) for r in rest])
        gap = np.zeros(RATE * pause_ms // 1000, np.float32)
        audio = np.concatenate([lead, head, gap, tail_speech, tail])
        background = backgrounds[n // 2 % 4]
        text = " ".join(texts[p].replace("...", " ").strip(" .") for p in (first, *rest))
        out.append(
            Clip(
                first,
                "paused",
                "dev" if n % 2 == 0 else "test",
                background,
                text,
                _behind(audio, background, 1000 + n, music),
                (lead.size + head.size + gap.size + tail_speech.size) * 1000 // RATE,
                (lead.size + head.size) * 1000 // RATE,
            )
        )
    return out
