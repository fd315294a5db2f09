"""Japanese recognition, beam search (5, the default) against greedy decoding (1).

bench/quality's Japanese requests of one half, each spoken by two Kokoro voices, recognised
by Whisper base both ways on the same audio, one after the other: character error rate and
time a clip.

    .venv/bin/python bench/asr_beam_ja.py [--half dev|test]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.quality.run import Speech, load, recognition_errors
from kaiwa.engine import store
from kaiwa.engine.asr import SpeechRecognizer

VOICES = ("kokoro-jf_alpha", "kokoro-jm_kumo")
BEAMS = (5, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["dev", "test"], default="dev")
    args = parser.parse_args()
    cases_dir = Path(__file__).resolve().parent / "quality" / "cases"
    cases = [c for c in load(sorted(cases_dir.glob("ja_*.jsonl"))) if c.half == args.half]
    speech = Speech()
    asr = SpeechRecognizer(store.whisper_base())
    errors = dict.fromkeys(BEAMS, 0.0)
    seconds = dict.fromkeys(BEAMS, 0.0)
    chars = clips = 0
    for case in cases:
        for voice in VOICES:
            audio = speech.say(case.text, voice)
            clips += 1
            for beam in BEAMS:
                start = time.perf_counter()
                heard = asr.transcribe(audio, language="ja", beam_size=beam).text
                seconds[beam] += time.perf_counter() - start
                wrong, length = recognition_errors(case.text, heard, "ja")
                errors[beam] += wrong
            chars += length
    print(f"{args.half} half, {clips} clips ({len(cases)} requests x {len(VOICES)} voices)")
    for beam in BEAMS:
        print(
            f"  beam {beam}: CER {100 * errors[beam] / chars:.1f} %, "
            f"{1000 * seconds[beam] / clips:.0f} ms a clip"
        )


if __name__ == "__main__":
    main()
