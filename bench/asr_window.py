"""How much silence Whisper's short window needs: word error rate and time per pad length.

`SpeechRecognizer` pads an utterance with `WINDOW_PAD_S` seconds of silence instead of
Whisper's usual 30 s window: the encoder's cost follows the window. Too little padding and
Whisper starts to mishear; this prints, side by side in one run, WER and median time over the
same clips (33 sentences in five synthetic voices) for each pad length.

    .venv/bin/python bench/asr_window.py [--pads 6 8 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.engine import FINISHED, QUESTIONS
from kaiwa.audio.codecs import resample
from kaiwa.engine import asr as asr_module
from kaiwa.engine.tts import PiperSynthesizer
from tests.speech import espeak, piper, wer

MORE = [
    "Please set an alarm for seven thirty tomorrow morning.",
    "I would like to order a large pizza with mushrooms.",
    "Remind me to buy milk and eggs on the way home.",
    "What's the weather going to be like in Seattle this weekend?",
    "Can you play some relaxing jazz music in the living room?",
    "How far is it from London to Edinburgh by train?",
    "Send a message to Sarah saying I will be ten minutes late.",
    "Turn the thermostat down to sixty eight degrees.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pads", type=int, nargs="+", default=[6, 8, 9, 10])
    args = parser.parse_args()
    sentences = QUESTIONS + FINISHED + MORE
    synth = PiperSynthesizer()

    def piper_sampled(text: str) -> np.ndarray:  # with piper's sampling noise, as served
        audio = np.concatenate(list(synth.synthesize(text)))
        return resample(audio, synth.sample_rate, 16000)

    voices = {
        "espeak en-us": espeak,
        "espeak en-gb": lambda t: espeak(t, voice="en-gb"),
        "espeak en-us+f3": lambda t: espeak(t, voice="en-us+f3"),
        "piper": piper,
        "piper sampled": piper_sampled,
    }
    clips = {name: [speak(s) for s in sentences] for name, speak in voices.items()}
    recognizer = asr_module.SpeechRecognizer()
    print(f"{len(sentences)} sentences; WER overall ({', '.join(voices)})")
    for pad in args.pads:
        asr_module.WINDOW_PAD_S = pad
        errors: dict[str, list[float]] = {name: [] for name in voices}
        times = []
        for name, audio in clips.items():
            for sentence, clip in zip(sentences, audio, strict=True):
                t = time.perf_counter()
                text = recognizer.transcribe(clip).text
                times.append(time.perf_counter() - t)
                errors[name].append(wer(sentence, text))
        overall = statistics.mean(e for v in errors.values() for e in v)
        per_voice = "  ".join(f"{statistics.mean(v):.3f}" for v in errors.values())
        print(
            f"  pad {pad:2} s: WER {overall:.3f} ({per_voice}), "
            f"median {statistics.median(times) * 1000:.0f} ms per clip"
        )


if __name__ == "__main__":
    main()
