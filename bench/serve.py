"""`kaiwa serve` under load, measured through the protocol on real WebSockets.

1. Concurrency: N sessions stream audio at real time (40 ms pcm16 chunks at 24 kHz, VAD
   running on every one), each saying one short sentence at a staggered moment. Reported per N:
   the delay from sending the first words to receiving ``speech_started``, the round trip of a
   small request sent every second (it queues behind the audio if the server falls behind),
   the server's CPU use, and how late the clients themselves sent (the bench shares the cores).
2. Turn latency: one session, spoken questions streamed at real time followed by silence, as
   a microphone would; end of speech -> first ``response.output_audio.delta``, p50/p95 over
   20 turns, with ``server_vad`` (500 ms silence) and ``semantic_vad``.

The server runs as its own process (``kaiwa serve``); the clients run here.
Run: ``.venv/bin/python bench/serve.py`` (about 4 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kaiwa.audio.codecs import float_to_pcm16, resample
from tests.server.conftest import start_server, stop_server
from tests.speech import piper

CHUNK_MS = 40
CHUNK_BYTES = 48 * CHUNK_MS  # pcm16 at 24 kHz

QUESTIONS = [
    "What's the weather like in Kyoto?",
    "How many legs does a spider have?",
    "Can you recommend a good book?",
    "What is the capital of France?",
    "Turn off the lights in the kitchen.",
]


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q * 100)) if values else float("nan")


def pcm24(audio16k: np.ndarray) -> bytes:
    return float_to_pcm16(resample(audio16k, 16000, 24000))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_session(
    url: str, speech: bytes, speak_at: float, seconds: float, out: dict[str, list[float]]
) -> None:
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        update = {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {
                    "input": {"turn_detection": {"type": "server_vad", "create_response": False}}
                },
            },
        }
        await ws.send(orjson.dumps(update).decode())
        loop = asyncio.get_running_loop()
        pings: dict[str, float] = {}
        spoke_at: list[float] = []

        async def read() -> None:
            async for frame in ws:
                event = orjson.loads(frame)
                now = loop.time()
                if event["type"] == "input_audio_buffer.speech_started" and spoke_at:
                    out["speech_started"].append(now - spoke_at[0])
                elif event["type"] == "error":
                    sent = pings.pop(event["error"].get("event_id", ""), None)
                    if sent is not None:
                        out["ping"].append(now - sent)

        reader = loop.create_task(read())
        silence = b"\0" * CHUNK_BYTES
        start = loop.time()
        speak_chunk = int(speak_at * 1000 / CHUNK_MS)
        speech_chunks = [speech[i : i + CHUNK_BYTES] for i in range(0, len(speech), CHUNK_BYTES)]
        # Silence, then the sentence; the stream stops where the speech ends, so no turn is
        # committed (this measures listening, not transcription).
        for n in range(speak_chunk + len(speech_chunks)):
            i = n - speak_chunk
            if i == 0:
                spoke_at.append(loop.time())
            chunk = speech_chunks[i].ljust(CHUNK_BYTES, b"\0") if i >= 0 else silence
            audio = base64.b64encode(chunk).decode()
            await ws.send('{"type":"input_audio_buffer.append","audio":"' + audio + '"}')
            if n % 25 == 0:
                ping = f"ping{n}"
                pings[ping] = loop.time()
                await ws.send(
                    orjson.dumps(
                        {"type": "conversation.item.retrieve", "item_id": ping, "event_id": ping}
                    ).decode()
                )
            due = start + (n + 1) * CHUNK_MS / 1000
            late = loop.time() - due
            if late > 0:
                out["client_late"].append(late)
            await asyncio.sleep(max(0.0, due - loop.time()))
        await asyncio.sleep(1.0)  # for the last events
        reader.cancel()


async def concurrency(counts: list[int], seconds: float, src: Path | None = None) -> None:
    if not counts:
        return
    print(
        f"concurrent sessions streaming at real time ({seconds:.0f} s each run)"
        + (f", kaiwa from {src}" if src else "")
    )
    clip = piper("Hello.")
    speech = pcm24(clip[: np.nonzero(np.abs(clip) > 0.02)[0][-1] + 1])
    server = start_server("--max-sessions", str(max(counts)), src=src)
    url, pid = server.url, server.process.pid
    try:
        for n in counts:
            out: dict[str, list[float]] = {"speech_started": [], "ping": [], "client_late": []}
            rng = np.random.default_rng(n)
            cpu0, t0 = cpu_seconds(pid), time.perf_counter()
            await asyncio.gather(
                *(
                    one_session(url, speech, float(rng.uniform(2, seconds - 2)), seconds, out)
                    for _ in range(n)
                )
            )
            cpu = (cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0)
            late = out["client_late"]
            started, ping = out["speech_started"], out["ping"]
            print(
                f"  {n:4d} sessions: speech_started after p50 {pct(started, 0.5) * 1000:4.0f}"
                f" / p95 {pct(started, 0.95) * 1000:4.0f} ms ({len(started)}/{n} seen);"
                f" round trip p50 {pct(ping, 0.5) * 1000:4.0f} / p95 {pct(ping, 0.95) * 1000:4.0f}"
                f" ms; server CPU {cpu:.2f} cores; client sends late >100 ms:"
                f" {sum(x > 0.1 for x in late)}"
            )
    finally:
        stop_server(server)


async def turn_latency(
    mode: str, turns: int, clips: list[np.ndarray], keep: bool = False, src: Path | None = None
) -> dict[str, list[float]]:
    server = start_server("--max-sessions", "4", src=src)
    url = server.url
    out: dict[str, list[float]] = {"latency": [], "decision": []}
    try:
        async with websockets.connect(url, max_size=None, compression=None) as ws:
            session = {
                "type": "realtime",
                "instructions": "You are a friendly voice assistant. Answer in one short sentence.",
                "audio": {"input": {"turn_detection": {"type": mode}}},
            }
            await ws.send(orjson.dumps({"type": "session.update", "session": session}).decode())
            loop = asyncio.get_running_loop()
            state: dict[str, Any] = {
                "first": None,
                "done": 0,
                "committed": None,
                "items": [],
                "errors": [],
                "evaluated": [],
            }

            async def read() -> None:
                async for frame in ws:
                    event = orjson.loads(frame)
                    if event["type"] == "conversation.item.added":
                        state["items"].append(event["item"]["id"])
                    elif event["type"] == "error":
                        state["errors"].append(event["error"]["message"])
                    elif event["type"] == "response.output_audio.delta" and state["first"] is None:
                        state["first"] = loop.time()
                    elif event["type"] == "input_audio_buffer.committed":
                        state["committed"] = loop.time()
                    elif event["type"] == "response.done":
                        state["done"] += 1
                        usage = event["response"].get("usage") or {}
                        details = usage.get("input_token_details") or {}
                        state["evaluated"].append(
                            usage.get("input_tokens", 0) - details.get("cached_tokens", 0)
                        )

            reader = loop.create_task(read())
            silence = b"\0" * CHUNK_BYTES
            for turn in range(turns):
                clip = pcm24(clips[turn % len(clips)])
                state["first"] = None
                done_before = state["done"]
                chunks = [clip[i : i + CHUNK_BYTES] for i in range(0, len(clip), CHUNK_BYTES)]
                start = loop.time()
                end_of_speech = None
                n = 0
                while state["done"] == done_before and n < 1000:
                    chunk = chunks[n] if n < len(chunks) else silence
                    b64 = base64.b64encode(chunk.ljust(CHUNK_BYTES, b"\0")).decode()
                    await ws.send('{"type":"input_audio_buffer.append","audio":"' + b64 + '"}')
                    if n == len(chunks) - 1:
                        end_of_speech = loop.time()
                    n += 1
                    await asyncio.sleep(max(0.0, start + n * CHUNK_MS / 1000 - loop.time()))
                if state["first"] is not None and end_of_speech is not None:
                    out["latency"].append(state["first"] - end_of_speech)
                    out["decision"].append(state["committed"] - end_of_speech)
                # Each question opens a fresh conversation (as in bench/engine.py): both modes
                # get the same answers, and one terse answer cannot set the style of the rest.
                # With ``keep``, one conversation grows instead: is turn 20 as fast as turn 1?
                for item_id in state["items"] if not keep else ():
                    await ws.send(
                        orjson.dumps(
                            {"type": "conversation.item.delete", "item_id": item_id}
                        ).decode()
                    )
                state["items"] = []
                for _ in range(10):  # a short gap before the next question
                    await ws.send(
                        '{"type":"input_audio_buffer.append","audio":"'
                        + base64.b64encode(silence).decode()
                        + '"}'
                    )
                    await asyncio.sleep(CHUNK_MS / 1000)
            reader.cancel()
            out["evaluated"] = state["evaluated"]
            if state["errors"]:
                print(f"  [{mode}] the server reported errors: {state['errors'][:3]}")
    finally:
        stop_server(server)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sessions", default="50,100,200", help='comma-separated counts ("": none)'
    )
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument(
        "--conversation",
        action="store_true",
        help="ask the questions in one growing conversation (default: each in a fresh one)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        help="another kaiwa source tree (its src/): measure it too, in turns with this one "
        "(A B B A), and print both side by side",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.sessions.split(",") if n]
    if args.before is not None:
        await compare(args.before, counts, args.seconds, args.turns)
        return
    await concurrency(counts, args.seconds)
    if args.skip_latency:
        return
    clips = question_clips()
    print("\nend of speech -> first audio, through the protocol (one session, real time)")
    for mode in ("server_vad", "semantic_vad"):
        r = await turn_latency(mode, args.turns, clips, keep=args.conversation)
        lat = r["latency"]
        print(
            f"  {mode:13} {len(lat)} turns: p50 {pct(lat, 0.5) * 1000:4.0f} ms,"
            f" p95 {pct(lat, 0.95) * 1000:4.0f} ms (end of turn decided after p50"
            f" {pct(r['decision'], 0.5) * 1000:4.0f} ms)"
        )
        if args.conversation and len(lat) >= 10:
            print(
                f"  {'':13} first 5 turns p50 {pct(lat[:5], 0.5) * 1000:4.0f} ms,"
                f" last 5 p50 {pct(lat[-5:], 0.5) * 1000:4.0f} ms; prompt tokens evaluated"
                f" per turn p50 {pct(r['evaluated'], 0.5):.0f} (of the last: "
                f"{r['evaluated'][-1] if r['evaluated'] else 0})"
            )


def question_clips() -> list[np.ndarray]:
    """The spoken questions; speech ends exactly at each clip's end (trimmed): the latency
    clock starts there."""
    clips = []
    for q in QUESTIONS:
        audio = piper(q)
        loud = np.nonzero(np.abs(audio) > 0.02)[0]
        clips.append(np.concatenate([np.zeros(4800, np.float32), audio[: loud[-1] + 1]]))
    return clips


async def compare(before: Path, counts: list[int], seconds: float, turns: int) -> None:
    """Both versions, in turns (A B B A), on the same machine in one run."""
    for src in (before, None, None, before):
        await concurrency(counts, seconds, src)
    clips = question_clips()
    print("\nend of speech -> first audio, through the protocol (one session, real time)")
    for mode in ("server_vad", "semantic_vad"):
        got: dict[str, list[float]] = {"before": [], "now": []}
        for name, src in (("before", before), ("now", None), ("now", None), ("before", before)):
            got[name] += (await turn_latency(mode, turns // 2, clips, src=src))["latency"]
        b, n = got["before"], got["now"]
        print(
            f"  {mode:13} before: p50 {pct(b, 0.5) * 1000:4.0f} / p95 {pct(b, 0.95) * 1000:4.0f}"
            f" ms ({len(b)} turns); now: p50 {pct(n, 0.5) * 1000:4.0f} / p95 "
            f"{pct(n, 0.95) * 1000:4.0f} ms ({len(n)}); now / before p50 "
            f"{pct(n, 0.5) / pct(b, 0.5):.2f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
