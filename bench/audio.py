"""Audio I/O benchmark: echo cancellation, the device path, and interruptions.

1. Echo (no engine): agent answers (the packaged piper voice) played in simulated rooms of
   several sizes, delays and loudness; the microphone signal goes through kaiwa's canceller
   (WebRTC AEC3 + residual gate), AEC3 alone, or nothing, side by side on the same audio.
   Reported: echo return loss enhancement (ERLE, dB), the false barge-in rate (echo alone
   starts a VAD turn: the agent would interrupt itself), the canceller's CPU per second of
   audio; and, with the user's voice (espeak-ng, several voices) over the echo, how often and
   how fast barge-in is still heard.
2. Device path (the offline engine, real time, `AudioIO` on a `SimulatedRoom`): each question
   is asked twice, alternately through the room (microphone, echo canceller, player) and
   straight into the session as `send_audio` calls: the wait from the end of the user's voice
   to the answer's first sample at the speaker, against the first audio delta of the direct
   run. Plus what kaiwa adds on each side: microphone block -> sent to the session, first
   delta received -> first sample to the device.
3. Interruptions: backchannels and questions spoken over long answers; how many resume and
   how many cancel, and the time from the hold or interrupt to silence at the output.

Sentences and rooms come in a dev half and a test half; thresholds may be tuned on the dev
half (``--half dev``), the README reports the test half (the default).

    .venv/bin/python bench/audio.py [--part echo|device|interrupt|all] [--half test|dev]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kaiwa.audio.echo import PassThrough, WebRTCEchoCanceller
from kaiwa.engine.vad import SileroVAD, VadConfig, VoiceActivityDetector
from kaiwa.testing import SimulatedRoom
from tests.speech import espeak, piper

RATE = 16000

ANSWERS = [  # what the agent says (piper); alternately dev and test
    "Sure. The museum opens at nine and closes at five, except on Mondays when it is shut.",
    "Of course. Take the red line two stops north, then walk for about five minutes.",
    "Here is a quick recipe: boil the pasta, fry garlic in olive oil, and toss them together.",
    "Tomorrow looks cloudy in the morning, with some sun after lunch and a light breeze.",
    "The train to Osaka leaves every twenty minutes, and the trip takes about two hours.",
    "I found three hotels near the station; the cheapest is ninety dollars a night.",
    "Your meeting with Anna is at three, and the report is due on Friday afternoon.",
    "Jupiter is the largest planet, more than eleven times as wide as the Earth.",
]
ROOMS = [  # (echo gain vs played, delay ms, rt60 s)
    (0.5, 30, 0.2),
    (1.0, 60, 0.3),
    (1.0, 120, 0.4),
    (2.0, 40, 0.3),
]
VOICES = ["en-us", "en-gb", "en-us+f3", "en-gb+m4", "en-au", "en-us+m2"]
USER_LINES = [
    "Wait, what time does it close?",
    "Can you say that again?",
    "Actually, how much does it cost?",
    "Stop, I need something else.",
    "How far is it from here?",
    "Sorry, which line was that?",
]
QUESTIONS = [  # device path: short answers
    "What is the capital of France?",
    "How many legs does a spider have?",
    "What do bees make?",
    "Which ocean is the largest?",
    "What is frozen water called?",
    "Where do penguins live?",
    "What color is a banana?",
    "How many days are in a week?",
]
BACKCHANNELS = [
    "Uh-huh.",
    "Okay.",
    "Yeah.",
    "Right, right.",
    "I see.",
    "Oh, okay.",
    "Sure.",
    "Yeah, yeah.",
]
INTERRUPTIONS = [
    "Wait, what is the weather like in Paris?",
    "Stop. Tell me about Osaka instead.",
    "Hold on, how old is the city?",
    "Sorry, can you speak more slowly?",
    "Actually, what time is it in Tokyo?",
    "No, I meant the history of the castle.",
]
LONG = (
    "You are a helpful voice assistant. Answer with a detailed explanation of four or five "
    "sentences."
)
OPENERS = ["Tell me about the history of Kyoto.", "Tell me about the city of Rome."]


def half(items: list[Any], which: str) -> list[Any]:
    return items[0::2] if which == "dev" else items[1::2]


def level(audio: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(audio**2))) or 1.0
    return (audio * (10 ** (dbfs / 20) / rms)).astype(np.float32)


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return float(np.percentile(values, q))


# -- 1. echo -----------------------------------------------------------------------------------


def run_room(
    played: np.ndarray,
    canceller: Any,
    room: tuple[float, float, float],
    user: np.ndarray | None = None,
    user_at: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    gain, delay, rt60 = room
    sim = SimulatedRoom(RATE, realtime=False, echo_gain=gain, delay_ms=delay, rt60_s=rt60)
    if user is not None:
        sim.say(user, at_s=user_at)
    cleaned: list[np.ndarray] = []
    position = 0
    cpu = 0.0

    def process(mic: np.ndarray) -> np.ndarray:
        nonlocal position, cpu
        out = np.zeros(mic.size, np.float32)
        chunk = played[position : position + mic.size]
        out[: chunk.size] = chunk
        position += mic.size
        start = time.thread_time()
        cleaned.append(canceller.process(mic, out))
        cpu += time.thread_time() - start
        return out

    while sim.now_s * RATE < played.size + RATE // 2:
        sim.step(process)
    _, echo, near = sim.recorded()
    return np.concatenate(cleaned), echo, near, cpu


def starts(audio: np.ndarray, vad: SileroVAD) -> list[int]:
    events = VoiceActivityDetector(vad, VadConfig()).push(audio)
    return [e.audio_ms for e in events if e.kind == "speech_started"]


def bench_echo(which: str) -> None:
    vad = SileroVAD()
    answers = [
        np.concatenate([np.zeros(RATE // 2, np.float32), level(piper(t, RATE), -19)])
        for t in half(ANSWERS, which)
    ]
    rooms = ROOMS  # every room for both halves: the halves split what is said
    kinds = {
        "kaiwa (AEC3 + residual gate)": lambda r: WebRTCEchoCanceller(RATE, delay_ms=r[1]),
        "AEC3 alone": lambda r: WebRTCEchoCanceller(RATE, delay_ms=r[1], residual_gate_db=None),
        "no canceller": lambda r: PassThrough(RATE),
    }
    print(f"\n## Echo ({which} half: {len(answers)} answers x {len(rooms)} rooms)\n")
    print("| canceller | ERLE p50 (dB) | ERLE first 2 s | false barge-in | CPU % of a core |")
    print("|---|---|---|---|---|")
    for name, make in kinds.items():
        erle, early, false, cpu, seconds = [], [], 0, 0.0, 0.0
        for answer in answers:
            for room in rooms:
                cleaned, echo, _, spent = run_room(answer, make(room), room)
                s = int(2.0 * RATE)
                early.append(
                    10 * np.log10(np.sum(echo[:s] ** 2) / (np.sum(cleaned[:s] ** 2) + 1e-12))
                )
                erle.append(
                    10 * np.log10(np.sum(echo[s:] ** 2) / (np.sum(cleaned[s:] ** 2) + 1e-12))
                )
                false += bool(starts(cleaned, vad))
                cpu, seconds = cpu + spent, seconds + cleaned.size / RATE
        runs = len(answers) * len(rooms)
        print(
            f"| {name} | {p(erle, 50):.1f} | {p(early, 50):.1f} | {false}/{runs} "
            f"| {100 * cpu / seconds:.2f} |"
        )
    print("\nBarge-in over the echo (the user's voice, several espeak voices, mid-answer):\n")
    print("| canceller | heard | detection delay p50 / p95 (ms) |")
    print("|---|---|---|")
    users = [
        level(espeak(line, RATE, voice=voice), -20)
        for line, voice in zip(half(USER_LINES, which), half(VOICES, which), strict=False)
    ]
    for name, make in list(kinds.items())[:2]:
        heard, delays, runs = 0, [], 0
        for answer in answers:
            for room in rooms:
                for user in users:
                    at = 2.0
                    cleaned, _, _, _ = run_room(answer, make(room), room, user, at)
                    after = [s for s in starts(cleaned, vad) if s >= at * 1000 - 100]
                    runs += 1
                    if after and after[0] <= at * 1000 + user.size * 1000 / RATE:
                        heard += 1
                        delays.append(after[0] - at * 1000)
        print(f"| {name} | {heard}/{runs} | {p(delays, 50):.0f} / {p(delays, 95):.0f} |")


# -- 2. device path ----------------------------------------------------------------------------


async def _session(instructions: str, max_tokens: int) -> Any:
    from kaiwa import RealtimeAgent, RealtimeRunner

    agent = RealtimeAgent(name="Assistant", instructions=instructions)
    runner = RealtimeRunner(
        agent,
        config={
            "model_settings": {
                "turn_detection": {"type": "server_vad"},
                "max_output_tokens": max_tokens,
            }
        },
    )
    session = await runner.run()
    await session.__aenter__()
    await session.model.warmed()
    return session


async def _through_room(question: np.ndarray) -> dict[str, Any]:
    from kaiwa.audio import AudioIO

    session = await _session("You are a helpful voice assistant. Answer in one short sentence.", 40)
    room = SimulatedRoom(RATE, echo_gain=0.7)
    audio = AudioIO(session, stream=room)
    await audio.start()
    done = asyncio.Event()

    async def read() -> None:
        async for event in audio.events():
            if event.type == "agent_end":
                done.set()

    reader = asyncio.create_task(read())
    room.say(question, at_s=room.now_s + 0.3)
    await asyncio.wait_for(done.wait(), 60)
    assert audio.player is not None
    while audio.player.has_audio():
        await asyncio.sleep(0.05)
    result = {
        "latency": audio.latency_ms(),
        "mic": list(audio.stats.mic_to_sent_ms),
        "out": list(audio.player.stats.delta_to_device_ms),
        "echo_cpu": audio.stats.echo_cpu_ms / max(audio.stats.processed_ms, 1),
    }
    reader.cancel()
    await audio.stop()
    await session.close()
    return result


def voice_end_ms(audio: np.ndarray) -> float:
    """Where the voice in ``audio`` ends: its last 10 ms frame above -50 dBFS (the rule
    AudioIO's meter applies to the microphone)."""
    frames = audio[: audio.size // 160 * 160].reshape(-1, 160)
    loud = np.nonzero(np.mean(frames**2, axis=1) > 1e-5)[0]
    return float((loud[-1] + 1) * 10) if loud.size else 0.0


async def _direct(question: np.ndarray) -> float | None:
    """The same question sent straight to the session: end of speech -> first delta."""
    from kaiwa.audio.codecs import float_to_pcm16, resample

    session = await _session("You are a helpful voice assistant. Answer in one short sentence.", 40)
    pcm = float_to_pcm16(
        resample(np.concatenate([question, np.zeros(RATE * 3, np.float32)]), RATE, 24000)
    )
    end_at: float | None = None
    first: float | None = None
    speech_end = voice_end_ms(question)

    async def feed() -> None:
        nonlocal end_at
        start = time.perf_counter()
        for i in range(0, len(pcm), 960):  # 20 ms chunks at real time
            at = start + i / 48000
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            if end_at is None and i / 48 >= speech_end:
                end_at = start + speech_end / 1000
            await session.send_audio(pcm[i : i + 960])

    feeder = asyncio.create_task(feed())
    async for event in session:
        if event.type == "audio" and first is None:
            first = time.perf_counter()
        if event.type == "agent_end":
            break
    feeder.cancel()
    await session.close()
    if first is None or end_at is None:
        return None
    return (first - end_at) * 1000


async def bench_device(which: str) -> None:
    questions = half(QUESTIONS, which)
    voices = half(VOICES, which)
    room_lat, direct_lat, mic, out, cpu = [], [], [], [], []
    for i, text in enumerate(questions):
        question = level(espeak(text, RATE, voice=voices[i % len(voices)]), -20)
        order = [_through_room, _direct] if i % 2 == 0 else [_direct, _through_room]
        for run in order:
            result = await run(question)
            if run is _direct:
                if result is not None:
                    direct_lat.append(result)
            else:
                if result["latency"] is not None:
                    room_lat.append(result["latency"])
                mic += result["mic"]
                out += result["out"]
                cpu.append(result["echo_cpu"])
    print(f"\n## Device path ({which} half: {len(questions)} questions, server_vad)\n")
    print("| | p50 (ms) | p95 (ms) |")
    print("|---|---|---|")
    rows = [
        ("end of voice -> first sample to the speaker (room, AudioIO)", room_lat, 0),
        ("end of voice -> first audio delta (same questions, sent directly)", direct_lat, 0),
        ("microphone block -> sent to the session", mic, 1),
        ("first delta received -> first sample to the device", out, 1),
    ]
    for name, values, digits in rows:
        print(f"| {name} | {p(values, 50):.{digits}f} | {p(values, 95):.{digits}f} |")
    print(f"\nEcho canceller CPU: {100 * statistics.mean(cpu):.2f} % of one core (in the session)")


# -- 3. interruptions --------------------------------------------------------------------------


async def _over_answer(opener: str, over: np.ndarray) -> dict[str, Any]:
    from kaiwa.audio import AudioIO

    session = await _session(LONG, 70)
    room = SimulatedRoom(RATE, echo_gain=0.7)
    held_at: list[float] = []
    audio = AudioIO(
        session,
        stream=room,
        on_action=lambda a: held_at.append(time.perf_counter()) if a.kind == "hold" else None,
    )
    await audio.start()

    async def read() -> None:
        async for _ in audio.events():
            pass

    reader = asyncio.create_task(read())
    room.say(level(espeak(opener, RATE), -20), at_s=room.now_s + 0.3)
    player = audio.player
    assert player is not None
    deadline = time.monotonic() + 60
    while player.stats.played_ms < 2000 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    said = time.perf_counter()
    room.say(over)
    deadline = time.monotonic() + 20
    while audio.stats.resumed + audio.stats.interrupted == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    result = {
        "resumed": audio.stats.resumed,
        "interrupted": audio.stats.interrupted,
        "holds": audio.stats.holds,
        "to_silence": list(player.stats.to_silence_ms),
        "voice_to_hold": (held_at[0] - said) * 1000 if held_at else None,
    }
    reader.cancel()
    await audio.stop()
    await session.close()
    return result


async def bench_interrupt(which: str) -> None:
    cases = [(line, "backchannel") for line in half(BACKCHANNELS, which)] + [
        (line, "question") for line in half(INTERRUPTIONS, which)
    ]
    voices = half(VOICES, which)
    right = {"backchannel": 0, "question": 0}
    total = {"backchannel": 0, "question": 0}
    to_silence: list[float] = []
    voice_to_hold: list[float] = []
    for i, (line, kind) in enumerate(cases):
        over = level(espeak(line, RATE, voice=voices[i % len(voices)]), -20)
        result = await _over_answer(OPENERS[i % len(OPENERS)], over)
        total[kind] += 1
        ok = result["resumed"] == 1 if kind == "backchannel" else result["interrupted"] == 1
        right[kind] += ok
        to_silence += result["to_silence"]
        if result["voice_to_hold"] is not None:
            voice_to_hold.append(result["voice_to_hold"])
        verdict = "resumed" if result["resumed"] else "cancelled" if result["interrupted"] else "-"
        print(f"  {kind:11s} {line!r:45s} held {result['holds']}  {verdict}")
    print(f"\n## Interruptions ({which} half)\n")
    print(f"backchannels that resumed the answer: {right['backchannel']}/{total['backchannel']}")
    print(f"questions that cancelled it: {right['question']}/{total['question']}")
    print(
        f"hold or interrupt -> silence at the output: p50 {p(to_silence, 50):.0f} ms, "
        f"p95 {p(to_silence, 95):.0f} ms"
    )
    print(
        f"the user's voice starts -> the answer is held: p50 {p(voice_to_hold, 50):.0f} ms, "
        f"p95 {p(voice_to_hold, 95):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["echo", "device", "interrupt", "all"], default="all")
    parser.add_argument("--half", choices=["test", "dev"], default="test")
    args = parser.parse_args()
    if args.part in ("echo", "all"):
        bench_echo(args.half)
    if args.part in ("device", "all"):
        asyncio.run(bench_device(args.half))
    if args.part in ("interrupt", "all"):
        asyncio.run(bench_interrupt(args.half))


if __name__ == "__main__":
    main()
