"""kaiwa against Pipecat, the same spoken turns through both, in one run.

Both are built from the same models: Silero VAD (Pipecat uses its own bundled copy; kaiwa's
v6 file has other inputs), faster-whisper with kaiwa's tiny.en weights, the same Qwen2.5 0.5B
GGUF, piper with kaiwa's voice. kaiwa runs as ``kaiwa serve`` (the LLM in-process); Pipecat as
a pipeline (`bench/pipecat_side.py`, in its own venv ``.venv-pipecat``) whose LLM is the same
GGUF behind ``llama_cpp.server`` (``--same-llm-server``: kaiwa's too). Each side keeps one
conversation for all its turns and answers in at most 60 tokens. The end of a turn: by default
500 ms of silence on both sides; with ``--turn model`` each side's own end-of-turn model, as
each recommends: kaiwa's ``semantic_vad`` and Pipecat's default, Smart Turn v3 (its bundled
ONNX model, run 200 ms into the silence).

Turns alternate (kaiwa, Pipecat, Pipecat, kaiwa, ...), each streamed at real time in 20-40 ms
chunks, then silence until the answer's first audio. Measured from the end of the speech (when
the chunk holding its last sample was sent): the end-of-turn decision, the transcript, the
first audio (and for Pipecat, the LLM's first token). The speech: recorded human prompts (a
professional voice's telephone recordings, Debian's asterisk sounds) and the piper voice.

Run: ``scripts/install bench`` (once: it makes ``.venv-pipecat``), then
``.venv/bin/python bench/vs_pipecat.py [--turns 20] [--plot docs/vs_pipecat.png]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kaiwa.audio.codecs import float_to_pcm16, resample  # noqa: E402
from kaiwa.engine import store  # noqa: E402
from tests.server.conftest import free_port, start_server, stop_server  # noqa: E402
from tests.speech import piper  # noqa: E402

PIPECAT_PYTHON = ROOT / ".venv-pipecat" / "bin" / "python"
INSTRUCTIONS = "You are a friendly voice assistant. Answer in one short sentence."
MAX_TOKENS = 60
CHUNK_MS = 40
CHUNK_BYTES = 48 * CHUNK_MS  # pcm16 at 24 kHz
QUESTIONS = [
    "What's the weather usually like in Kyoto in spring?",
    "How many legs does a spider have?",
    "Can you recommend a good book for a long flight?",
    "What is the capital of France?",
    "How do I boil an egg?",
    "Tell me a fun fact about octopuses.",
    "What time zone is Tokyo in?",
    "Why is the sky blue?",
    "What should I pack for a beach holiday?",
    "How far away is the moon?",
]


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q * 100)) if values else float("nan")


def speech() -> list[tuple[str, np.ndarray]]:
    """(source, 16 kHz audio whose speech ends at its last sample), alternating sources."""
    lead = np.zeros(4800, np.float32)
    synthetic = []
    for text in QUESTIONS:
        audio = piper(text)
        loud = np.nonzero(np.abs(audio) > 0.02)[0]
        synthetic.append(("piper voice", np.concatenate([lead, audio[: loud[-1] + 1]])))
    try:
        from bench.recorded import clips

        recorded = [
            ("recorded human", c.audio[: c.audio.size - 2500 * 16])  # the clip's tail cut off
            for c in clips(tail_ms=2500)
            if c.kind == "finished" and c.background == "clean"
        ][: len(QUESTIONS)]
    except SystemExit as exc:  # the recordings are not installed
        print(f"(no recorded speech: {exc})")
        recorded = []
    out = []
    for i in range(max(len(synthetic), len(recorded))):
        out += recorded[i : i + 1] + synthetic[i : i + 1]
    return out


class KaiwaSide:
    """One conversation with ``kaiwa serve`` over its WebSocket."""

    def __init__(self, url: str, turn_detection: dict[str, Any]) -> None:
        self.url = url
        self.turn_detection = turn_detection

    async def __aenter__(self) -> KaiwaSide:
        self.ws = await websockets.connect(self.url, max_size=None, compression=None)
        session = {
            "type": "realtime",
            "instructions": INSTRUCTIONS,
            "max_output_tokens": MAX_TOKENS,
            "audio": {
                "input": {
                    "turn_detection": self.turn_detection,
                    "transcription": {"model": "whisper-1"},
                }
            },
        }
        await self.ws.send(orjson.dumps({"type": "session.update", "session": session}).decode())
        self.marks: dict[str, float] = {}
        self.active: set[str] = set()  # responses under way
        self.latest = ""  # the newest response
        self.hearing = False  # a turn started and not yet committed
        self.unanswered = 0  # turns committed whose response has not been created
        self.cut_off = False
        self.done = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self) -> None:
        async for frame in self.ws:
            event = orjson.loads(frame)
            kind = event["type"]
            now = time.perf_counter()
            if kind == "input_audio_buffer.speech_started":
                self.hearing = True
                if "turn_ended" in self.marks:  # the user went on after a turn had ended
                    self.cut_off = True
                    self.marks = {}
                    self.latest = ""  # that turn's answer is not the one measured
                    self.done.clear()
            elif kind == "input_audio_buffer.committed":
                self.hearing = False
                self.unanswered += 1
                self.marks.setdefault("turn_ended", now)
            elif kind == "conversation.item.input_audio_transcription.completed":
                self.marks.setdefault("transcript", now)
            elif kind == "response.created":
                self.unanswered = max(0, self.unanswered - 1)
                self.latest = event["response"]["id"]
                self.active.add(self.latest)
            elif kind == "response.output_audio.delta" and event["response_id"] == self.latest:
                self.marks.setdefault("first_audio", now)
            elif kind == "response.done":
                self.active.discard(event["response"]["id"])
                if event["response"]["id"] == self.latest:
                    self.done.set()

    def busy(self) -> bool:
        """A turn is being heard, waits for its answer, or is being answered."""
        return self.hearing or self.unanswered > 0 or bool(self.active)

    async def turn(self, audio: np.ndarray) -> dict[str, float]:
        """Stream ``audio`` at real time, then silence until the answer to its last turn is
        done. Marks are of the last turn: when the user went on after a turn had ended in a
        pause, that answer is not the one measured, and ``cut_off`` is 1."""
        pcm = float_to_pcm16(resample(audio, 16000, 24000))
        chunks = [pcm[i : i + CHUNK_BYTES] for i in range(0, len(pcm), CHUNK_BYTES)]
        silence = b"\0" * CHUNK_BYTES
        self.marks, self.cut_off, eos = {}, False, None
        self.done.clear()
        start = time.perf_counter()
        n = 0
        while n < len(chunks) or (not self.done.is_set() and n < 1500):
            chunk = chunks[n] if n < len(chunks) else silence
            b64 = base64.b64encode(chunk.ljust(CHUNK_BYTES, b"\0")).decode()
            await self.ws.send('{"type":"input_audio_buffer.append","audio":"' + b64 + '"}')
            if n == len(chunks) - 1:
                eos = time.perf_counter()
            n += 1
            await asyncio.sleep(max(0.0, start + n * CHUNK_MS / 1000 - time.perf_counter()))
        assert eos is not None
        marks = {k: v - eos for k, v in self.marks.items()}
        if self.cut_off:
            marks["cut_off"] = 1.0
        # Whatever is left (a turn still heard or waiting for its answer) ends before the next
        # turn starts, with silence still streaming, so the next turn's marks are its own.
        quiet_since = time.perf_counter()
        deadline = quiet_since + 30
        while time.perf_counter() < deadline:
            if self.busy():
                quiet_since = time.perf_counter()
            elif time.perf_counter() - quiet_since > 1.0:
                break
            b64 = base64.b64encode(silence).decode()
            await self.ws.send('{"type":"input_audio_buffer.append","audio":"' + b64 + '"}')
            await asyncio.sleep(CHUNK_MS / 1000)
        return marks

    async def __aexit__(self, *exc: object) -> None:
        self.reader.cancel()
        await self.ws.close()


class PipecatSide:
    """`bench/pipecat_side.py` in its venv, talked to over its stdin and stdout."""

    def __init__(self, clips: list[np.ndarray], llm_url: str, turn: str) -> None:
        self.clips_file = Path(tempfile.mkstemp(suffix=".npy")[1])
        longest = max(c.size for c in clips)
        np.save(self.clips_file, np.stack([np.pad(c, (0, longest - c.size)) for c in clips]))
        voice, _ = store.piper_voice()
        self.config = {
            "clips": str(self.clips_file),
            "lengths": [c.size for c in clips],
            "speech_end_samples": [c.size for c in clips],
            "whisper_dir": str(store.whisper_tiny_en()),
            "voice_dir": str(voice.parent),
            "voice": voice.name.removesuffix(".onnx"),
            "llm_url": llm_url,
            "instructions": INSTRUCTIONS,
            "turn": turn,
        }

    def __enter__(self) -> PipecatSide:
        self.log = Path(tempfile.mkstemp(prefix="pipecat-", suffix=".log")[1])
        self.proc = subprocess.Popen(
            [str(PIPECAT_PYTHON), str(ROOT / "bench" / "pipecat_side.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("wb"),
            text=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        self._send({"config": self.config})
        if self._read().get("ready") is not True:
            raise RuntimeError(f"Pipecat did not start:\n{self.log.read_text()[-3000:]}")
        return self

    def _send(self, obj: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"Pipecat stopped:\n{self.log.read_text()[-3000:]}")
        return dict(json.loads(line))

    async def turn(self, index: int) -> dict[str, float]:
        self._send({"turn": index})
        reply = await asyncio.to_thread(self._read)
        return dict(reply["marks"])

    def __exit__(self, *exc: object) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.clips_file.unlink(missing_ok=True)


def llama_server() -> tuple[subprocess.Popen[bytes], str]:
    """The packaged GGUF behind llama-cpp-python's OpenAI-compatible server (Pipecat's LLM)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="llama-server-", suffix=".log")[1])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(store.materialize(store.QWEN_0_5B)),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--n_threads",
            "2",
            "--n_threads_batch",
            "2",
            "--n_batch",
            "256",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    import urllib.request

    while True:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"llama_cpp.server did not start:\n{log.read_text()}") from None
            time.sleep(0.2)


STAGES = {
    "kaiwa": ["turn_ended", "transcript", "first_audio"],
    "Pipecat": ["vad_stopped", "turn_ended", "transcript", "llm_first_token", "first_audio"],
}


def report(results: dict[str, list[dict[str, float]]], sources: list[str]) -> None:
    print("\nend of speech -> first audio (p50 / p95 ms), same turns, alternating:")
    firsts = {}
    for side, turns in results.items():
        first = [t["first_audio"] * 1000 for t in turns if "first_audio" in t]
        firsts[side] = first
        print(
            f"  {side:8s} p50 {pct(first, 0.5):6.0f} / p95 {pct(first, 0.95):6.0f}"
            f"  ({len(first)} of {len(turns)} turns answered)"
        )
    for side, turns in results.items():
        cut = sum(t.get("cut_off", 0.0) > 0 for t in turns)
        print(f"  {side}: {cut} of {len(turns)} turns ended in a pause before the speech did")
    ratio = pct(firsts["kaiwa"], 0.5) / pct(firsts["Pipecat"], 0.5)
    print(f"  kaiwa / Pipecat p50: {ratio:.2f} (target: at most 0.25)")
    for source in sorted(set(sources)):
        picks = [i for i, s in enumerate(sources) if s == source]
        parts = []
        for side, turns in results.items():
            first = [turns[i]["first_audio"] * 1000 for i in picks if "first_audio" in turns[i]]
            parts.append(f"{side} {pct(first, 0.5):.0f}")
        print(f"  {source}: p50 {', '.join(parts)} ms")
    print("\nwhere the time goes (p50 ms after the end of speech, each mark):")
    for side, turns in results.items():
        marks = " ".join(
            f"{m}={pct([t[m] * 1000 for t in turns if m in t], 0.5):.0f}" for m in STAGES[side]
        )
        print(f"  {side:8s} {marks}")


SEGMENTS = [  # (label, the mark each side reaches it with)
    ("end of turn decided", {"kaiwa": "turn_ended", "Pipecat": "vad_stopped"}),
    # (with --turn model, Pipecat's is "turn_ended": Smart Turn's verdict; see main)
    ("transcript", {"kaiwa": "transcript", "Pipecat": "transcript"}),
    ("LLM's first token", {"Pipecat": "llm_first_token"}),  # (kaiwa's: server-side only)
    ("first audio", {"kaiwa": "first_audio", "Pipecat": "first_audio"}),
]


def plot(results: dict[str, list[dict[str, float]]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for side, turns in results.items():
        left.plot(
            range(1, len(turns) + 1),
            [t.get("first_audio", float("nan")) * 1000 for t in turns],
            marker="o",
            label=side,
        )
    left.set(xlabel="turn", ylabel="end of speech -> first audio (ms)", title="Each turn")
    left.set_ylim(bottom=0)
    left.legend()
    names = list(results)
    bottom = np.zeros(len(names))
    for label, marks in SEGMENTS:
        reached = np.array(
            [
                pct([t[marks[s]] * 1000 for t in results[s] if marks.get(s) in t], 0.5)
                if s in marks
                else np.nan
                for s in names
            ]
        )
        reached = np.where(np.isnan(reached), bottom, reached)
        right.bar(names, np.maximum(reached - bottom, 0), bottom=bottom, label=label)
        bottom = np.maximum(bottom, reached)
    right.set(ylabel="ms after the end of speech (p50)", title="Where the time goes")
    right.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    path.with_suffix(".json").write_text(json.dumps(results, indent=1))
    print(f"plot: {path} (figures: {path.with_suffix('.json')})")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--plot", type=Path, help="write a PNG of the results here")
    parser.add_argument(
        "--same-llm-server",
        action="store_true",
        help="kaiwa too uses the llama_cpp.server Pipecat uses (kaiwa serve --llm-url), "
        "instead of its in-process model",
    )
    parser.add_argument(
        "--turn",
        choices=["silence", "model"],
        default="silence",
        help="how each side ends a turn: 500 ms of silence on both (default), or each side's "
        "end-of-turn model (kaiwa: semantic_vad; Pipecat: Smart Turn v3, its default)",
    )
    args = parser.parse_args()
    if args.turn == "model":
        SEGMENTS[0] = ("end of turn decided", {"kaiwa": "turn_ended", "Pipecat": "turn_ended"})
        turn_detection: dict[str, Any] = {"type": "semantic_vad"}
    else:
        turn_detection = {"type": "server_vad", "silence_duration_ms": 500}
    if not PIPECAT_PYTHON.exists():
        raise SystemExit("Pipecat's venv is missing: run scripts/install bench")
    clips = speech()
    sources = [s for s, _ in clips][: args.turns]
    audio = [a for _, a in clips]
    results: dict[str, list[dict[str, float]]] = {"kaiwa": [], "Pipecat": []}
    llm, llm_url = llama_server()
    extra = ["--llm-url", llm_url] if args.same_llm_server else []
    server = start_server("--max-sessions", "4", *extra)
    try:
        with PipecatSide(audio, llm_url, args.turn) as pipecat:
            async with KaiwaSide(server.url, turn_detection) as kaiwa:
                for turn in range(args.turns):
                    order = ["kaiwa", "Pipecat"] if turn % 2 == 0 else ["Pipecat", "kaiwa"]
                    for side in order:
                        if side == "kaiwa":
                            marks = await kaiwa.turn(audio[turn % len(audio)])
                        else:
                            marks = await pipecat.turn(turn % len(audio))
                        results[side].append(marks)
                        shown = sorted(marks.items(), key=lambda kv: kv[1])
                        print(
                            f"turn {turn + 1:2d} {side:8s} {sources[turn]:15s} "
                            + " ".join(f"{k}={v * 1000:.0f}" for k, v in shown),
                            flush=True,
                        )
                        await asyncio.sleep(1.0)
    finally:
        stop_server(server)
        llm.terminate()
        llm.wait(20)
    report(results, sources)
    if args.plot is not None:
        llm = "both: llama_cpp.server" if args.same_llm_server else "kaiwa: in-process LLM"
        ends = "each side's end-of-turn model" if args.turn == "model" else "500 ms of silence"
        title = f"kaiwa vs Pipecat, same models, {args.turns} turns ({llm}; {ends})"
        plot(results, args.plot, title)


if __name__ == "__main__":
    asyncio.run(main())
