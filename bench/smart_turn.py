"""Smart Turn v3.2 (Pipecat's end-of-turn model) against kaiwa's transcript rule, same speech.

The model ships inside the ``pipecat-ai`` wheel; it is not a kaiwa dependency. To run this:
``.venv/bin/pip install --no-deps pipecat-ai==1.14.0`` (the model and a numpy feature extractor
are all this uses; ``--no-deps`` keeps Pipecat's own dependencies out), then
``.venv/bin/python bench/smart_turn.py`` (synthetic voices) or ``... --recorded [--test]``
(recorded human speech, bench/recorded.py).

For each voice: five finished questions and five sentences cut where a speaker might pause,
each followed by 200 ms of silence (when Pipecat asks the model). A good end-of-turn model says
"complete" for the first and "incomplete" for the second.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.engine import FINISHED, PAUSED
from kaiwa.engine.asr import SpeechRecognizer
from kaiwa.engine.turn import TurnPolicy
from tests.speech import espeak, piper, silence

# The end-of-turn sentences of bench/engine.py: unfinished = the first half of each paused one.
UNFINISHED = [start for start, _ in PAUSED]


def load_smart_turn():  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    spec = importlib.util.find_spec("pipecat")
    if spec is None or spec.origin is None:
        sys.exit(__doc__)
    root = Path(spec.origin).parent / "audio" / "turn" / "smart_turn"
    # The feature extractor is a plain numpy module; load it by path, without Pipecat's imports.
    fspec = importlib.util.spec_from_file_location(
        "_smart_turn_features", root / "_whisper_features.py"
    )
    assert fspec is not None and fspec.loader is not None
    features = importlib.util.module_from_spec(fspec)
    fspec.loader.exec_module(features)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(str(root / "data" / "smart-turn-v3.2-cpu.onnx"), options)

    def probability(audio: np.ndarray) -> float:
        window = audio[-8 * 16000 :]
        window = np.pad(window, (8 * 16000 - window.size, 0))
        mel = features.compute_whisper_log_mel_features(window, do_normalize=True)[None]
        return float(session.run(None, {"input_features": mel.astype(np.float32)})[0][0].item())

    return probability


def trimmed(audio: np.ndarray) -> np.ndarray:
    loud = np.nonzero(np.abs(audio) > 0.02)[0]
    return audio[: loud[-1] + 1]


def recorded(smart, asr: SpeechRecognizer, half: str) -> None:  # type: ignore[no-untyped-def]
    """The same question on recorded human speech (bench/recorded.py): 200 ms after a
    finished sentence, and 200 ms into the pause after an unfinished piece."""
    from bench.recorded import clips
    from kaiwa.engine.turn import completeness

    rows: dict[str, list[tuple[float, float]]] = {"finished": [], "paused": []}
    for clip in clips():
        if clip.half != half:
            continue
        cut = clip.pause_start_ms if clip.kind == "paused" else clip.speech_end_ms
        audio = clip.audio[: (cut + 200) * 16]
        text = asr.transcribe(audio[: (cut + 64) * 16]).text
        rows[clip.kind].append((smart(audio), completeness(text)))
    print(f"recorded speech ({half} half):")
    for kind, got in rows.items():
        print(
            f"  {kind:8} ({len(got)}) Smart Turn says complete {sum(p > 0.5 for p, _ in got)}, "
            f"the transcript rule {sum(c >= 0.8 for _, c in got)}"
        )


def main() -> None:
    smart = load_smart_turn()
    asr = SpeechRecognizer()
    policy = TurnPolicy()
    if "--recorded" in sys.argv:
        recorded(smart, asr, "test" if "--test" in sys.argv else "dev")
        return
    for voice in (piper, espeak):
        clips = {
            "finished": [
                np.concatenate([silence(300), trimmed(voice(s)), silence(200)]) for s in FINISHED
            ],
            "unfinished": [
                np.concatenate([silence(300), trimmed(voice(s)), silence(200)]) for s in UNFINISHED
            ],
        }
        print(f"{voice.__name__}:")
        for kind, audio in clips.items():
            t = time.perf_counter()
            probs = [smart(a) for a in audio]
            ms = (time.perf_counter() - t) / len(audio) * 1000
            rule = [policy.silence_needed_ms(asr.transcribe(a).text) <= 200 for a in audio]
            print(
                f"  {kind:10} Smart Turn says complete {sum(p > 0.5 for p in probs)}/5 "
                f"({', '.join(f'{p:.2f}' for p in probs)}; {ms:.0f} ms each); "
                f"transcript rule says complete {sum(rule)}/5"
            )


if __name__ == "__main__":
    main()
