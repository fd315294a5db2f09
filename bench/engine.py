"""Offline engine benchmark: each stage on this machine, and the chained turn latency.

Per stage: VAD CPU per 32 ms frame; ASR real-time factor; LLM time to first token on turn 1
(cold prefix) and turn 20 (warm prefix); TTS time to first audio. Then whole turns: the user's
speech (the packaged piper voice) is streamed at real time in 20 ms chunks, followed by
silence, through the listener, the LLM and TTS; latency is the end of the user's actual speech
to the first audio of the answer, p50/p95 over the turns, with ``server_vad`` (500 ms silence)
and with ``semantic_vad``. Where the time goes is printed too.

With ``--lang ja`` the same in Japanese: questions spoken by two Kokoro voices (jm_kumo and
jf_nezumi, taking turns; the answers are spoken by jf_alpha), recognised by Whisper base,
answered in Japanese.

    .venv/bin/python bench/engine.py [--turns 20] [--lang ja]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kaiwa.audio.codecs import resample
from kaiwa.engine.engine import Engine, llm_model_path
from kaiwa.engine.listener import ListenerEvent, TurnListener, replay
from kaiwa.engine.llm import ChatMessage, LocalLLM, ToolSpec
from kaiwa.engine.responder import ResponseChunk, respond
from kaiwa.engine.speculation import SpeculativeReply
from kaiwa.engine.tts import KokoroSynthesizer
from kaiwa.engine.vad import VadConfig, VoiceActivityDetector

SYSTEM = ChatMessage("system", "You are a friendly voice assistant. Answer in one short sentence.")
TOOLS = [
    ToolSpec(
        "get_weather",
        "Get the current weather for a city.",
        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    )
]
QUESTIONS = [
    "What is the capital of France?",
    "How many legs does a spider have?",
    "Tell me a fun fact about the moon.",
    "What color is the sky on a clear day?",
    "How do you say hello in Spanish?",
    "What is two plus two?",
    "Name a fruit that is yellow.",
    "What do bees make?",
    "Which ocean is the largest?",
    "What is the opposite of cold?",
    "How many days are in a week?",
    "What animal says moo?",
    "What is frozen water called?",
    "Where do penguins live?",
    "What is the first letter of the alphabet?",
    "How many hours are in a day?",
    "What do you call a baby dog?",
    "What planet do we live on?",
    "What is the color of grass?",
    "Can you recommend a good book?",
]
SYSTEM_JA = ChatMessage(
    "system",
    "You are a friendly voice assistant. Answer in one short sentence. Always answer in Japanese.",
)
# Plain questions of several shapes (polite, plain, with a filler, a request), for timing.
QUESTIONS_JA = [
    "フランスの首都はどこですか？",
    "クモの足は何本あるの？",
    "月について何か面白いことを教えて。",
    "晴れた日の空は何色ですか？",
    "スペイン語でこんにちはって何て言うの？",
    "二足す二はいくつですか？",
    "黄色い果物を一つ挙げてください。",
    "ミツバチは何を作りますか？",
    "えっと、一番大きい海はどれだっけ？",
    "寒いの反対は何ですか？",
    "一週間は何日ありますか？",
    "モーと鳴く動物は何でしょう？",
    "凍った水は何と呼びますか？",
    "ペンギンはどこに住んでいますか？",
    "アルファベットの最初の文字は何？",
    "一日は何時間ですか？",
    "子犬のことを英語で何と言いますか？",
    "私たちが住んでいる惑星は何ですか？",
    "草の色は何色でしょうか？",
    "何かおすすめの本はありますか？",
]
QUESTION_VOICES_JA = ("jm_kumo", "jf_nezumi")


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def speak(engine: Engine, text: str, voice: str | None = None) -> np.ndarray:
    """``text`` spoken at 16 kHz: by the engine's own voice, or by Kokoro's ``voice``."""
    if voice is None:
        audio = np.concatenate(list(engine.tts.synthesize(text)))
        return resample(audio, engine.tts.sample_rate, 16000)
    if voice not in _SPEAKERS:
        _SPEAKERS[voice] = KokoroSynthesizer(voice)
    audio = np.concatenate(list(_SPEAKERS[voice].synthesize(text)))
    return resample(audio, KokoroSynthesizer.sample_rate, 16000)


_SPEAKERS: dict[str, KokoroSynthesizer] = {}


def questions(lang: str, turns: int) -> list[tuple[str, str | None]]:
    """(question, the voice that asks it) for ``turns`` turns."""
    if lang == "ja":
        voices = QUESTION_VOICES_JA
        return [(q, voices[i % len(voices)]) for i, q in enumerate(QUESTIONS_JA[:turns])]
    return [(q, None) for q in QUESTIONS[:turns]]


STAGE_TEXTS = {
    "en": (
        "Could you please tell me what the weather will be like in Kyoto tomorrow afternoon?",
        "Sure, here is what I found.",
    ),
    "ja": ("明日の午後の京都の天気がどうなるか教えていただけますか？", "はい、調べてみました。"),
}


def bench_stages(engine: Engine, lang: str = "en") -> None:
    vad = VoiceActivityDetector(engine.vad)
    audio = speak(engine, "The quick brown fox jumps over the lazy dog. " * 3)
    cpu0 = time.process_time()
    for i in range(0, audio.size, 640):  # 40 ms chunks, as clients stream them
        vad.push(audio[i : i + 640])
    frames = audio.size // 512
    vad_us = (time.process_time() - cpu0) / frames * 1e6

    asked, answer = STAGE_TEXTS[lang]
    utterance = speak(engine, asked, questions(lang, 1)[0][1])
    recognizer = engine.recognizer(lang)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        recognizer.transcribe(utterance, language=lang)
        times.append(time.perf_counter() - t)
    asr_s = statistics.median(times)
    rtf = asr_s / (utterance.size / 16000)

    llm: Any = engine.llm
    llm.reset()
    messages = [SYSTEM_JA if lang == "ja" else SYSTEM]
    ttft: list[float] = []
    for i in range(20):
        messages.append(ChatMessage("user", (QUESTIONS_JA if lang == "ja" else QUESTIONS)[i]))
        # The user takes a moment to ask: the model evaluates the opening of their turn
        # meanwhile (~60 ms), which a question asked at once would wait for.
        time.sleep(0.3)
        t = time.perf_counter()
        first = None
        reply = ""
        for delta in llm.stream(messages, TOOLS, max_tokens=40):
            if first is None:
                first = time.perf_counter() - t
            reply += delta.text
        ttft.append(first or 0.0)
        messages.append(ChatMessage("assistant", reply))

    tts_first = []
    for _ in range(5):
        t = time.perf_counter()
        next(iter(engine.tts.synthesize(answer)))
        tts_first.append(time.perf_counter() - t)

    print("stage costs on this machine")
    print(f"  VAD                 {vad_us:8.0f} us CPU per 32 ms frame")
    print(
        f"  {'ASR (' + ('base' if lang == 'ja' else 'tiny.en') + ')':20}"
        f"{asr_s * 1000:8.0f} ms for a {utterance.size / 16000:.1f} s "
        f"utterance (real-time factor {rtf:.2f})"
    )
    print(
        f"  LLM first token     {ttft[0] * 1000:8.0f} ms turn 1 (cold prefix), "
        f"{ttft[-1] * 1000:.0f} ms turn 20 (warm prefix)"
    )
    print(f"  TTS first audio     {statistics.median(tts_first) * 1000:8.0f} ms (first clause)")


STAGES = (
    "pause heard, recognition starts",
    "transcript ready",
    "reply starts",
    "first token",
    "first clause written",
    "first audio",
)


class Timeline:
    """Wall-clock marks of each stage's start and first output (the stages are wrapped)."""

    def __init__(self, engine: Engine, lang: str = "en") -> None:
        self.marks: list[tuple[str, float]] = []
        asr, llm, tts = engine.recognizer(lang), engine.llm, engine.tts
        transcribe, stream, synthesize = asr.transcribe, llm.stream, tts.synthesize
        # What `close` puts back (the wrappers are set on the instances; the stages are shared).
        self._wrapped = [(asr, "transcribe"), (llm, "stream"), (tts, "synthesize")]
        if getattr(llm, "astream", None) is not None:
            self._wrapped.append((llm, "astream"))

        def timed_transcribe(*args: Any, **kwargs: Any) -> Any:
            self.mark("asr")
            result = transcribe(*args, **kwargs)
            self.mark("asr done")
            return result

        def timed_stream(*args: Any, **kwargs: Any) -> Any:
            self.mark("llm")
            for i, delta in enumerate(stream(*args, **kwargs)):
                self.mark("llm first token" if i == 0 else "llm token")
                yield delta

        def timed_synthesize(*args: Any, **kwargs: Any) -> Any:
            self.mark("tts")
            yield from synthesize(*args, **kwargs)

        asr.transcribe, llm.stream, tts.synthesize = (  # type: ignore[method-assign]
            timed_transcribe,
            timed_stream,
            timed_synthesize,
        )
        astream = getattr(llm, "astream", None)
        if astream is not None:  # the responder reads the model this way when it can

            async def timed_astream(*args: Any, **kwargs: Any) -> Any:
                self.mark("llm")
                deltas = astream(*args, **kwargs)
                try:
                    i = 0
                    async for delta in deltas:
                        self.mark("llm first token" if i == 0 else "llm token")
                        i += 1
                        yield delta
                finally:
                    await deltas.aclose()

            llm.astream = timed_astream  # type: ignore[attr-defined]

    def close(self) -> None:
        """Unwrap the stages (another timeline may wrap them next)."""
        for stage, name in self._wrapped:
            vars(stage).pop(name, None)

    def mark(self, name: str) -> None:
        self.marks.append((name, time.perf_counter()))

    def turn(self, speech_end: float, first_audio: float) -> dict[str, float]:
        """The stages of the reply that was heard: ms after the end of speech."""
        marks = [(n, (t - speech_end) * 1000) for n, t in self.marks if t <= first_audio]
        self.marks.clear()
        reply = max(t for n, t in marks if n == "llm")  # the reply that was spoken
        asr = max(t for n, t in marks if n == "asr" and t <= reply)
        tokens = [t for n, t in marks if n.startswith("llm ") and t >= reply]
        tts = min(t for n, t in marks if n == "tts" and t >= reply)
        return {
            "pause heard, recognition starts": asr,
            "transcript ready": min(t for n, t in marks if n == "asr done" and t >= asr),
            "reply starts": reply,
            "first token": tokens[0],
            "first clause written": tts,
            "first audio": (first_audio - speech_end) * 1000,
            "tokens in the first clause": float(sum(t <= tts for t in tokens)),
        }


async def run_turns(
    engine: Engine,
    mode: str,
    turns: int,
    timeline: Timeline,
    verbose: bool = False,
    lang: str = "en",
) -> dict[str, list[float]]:
    """Stream spoken questions at real time; measure end of speech -> first answer audio.

    Listener events are handled as they come, as `kaiwa serve` does: a pause whose transcript
    sounds final starts the reply at once (`SpeculativeReply`); the end of the turn takes it.
    """
    out: dict[str, list[float]] = {
        "latency": [],
        "decision": [],
        "reply": [],
        "words": [],
        "first_words": [],
        "gaps": [],
    }
    stages: list[dict[str, float]] = []
    system = SYSTEM_JA if lang == "ja" else SYSTEM
    messages = [system]
    clips = [speak(engine, q, voice) for q, voice in questions(lang, turns)]
    recognizer = engine.recognizer(lang)

    def make(transcript: str) -> Any:
        # A plain answer (the targets are for plain turns): no tools offered.
        return respond(
            engine.llm, engine.tts, [*messages, ChatMessage("user", transcript)], max_tokens=60
        )

    spec: SpeculativeReply[ResponseChunk] = SpeculativeReply(make)
    first_audio: float | None = None
    turn_end_wall: float | None = None
    reply_task: asyncio.Task[None] | None = None
    transcript = ""

    async def answer(ev: ListenerEvent) -> None:
        nonlocal first_audio, transcript
        text = ev.transcript
        if text is None and ev.pending is not None:
            text = (await ev.pending).text
        if text is None:
            assert ev.audio is not None
            text = (await asyncio.to_thread(recognizer.transcribe, ev.audio, language=lang)).text
        transcript = text
        messages.append(ChatMessage("user", text))
        spoken = ""
        due = gaps = 0.0  # when the next clause must be ready to play on without a break
        async for item in spec.take(text):
            if item.audio is not None:
                now = time.perf_counter()
                if first_audio is None:
                    first_audio = due = now
                    out["first_words"].append(len(item.text.split()))
                gaps += max(0.0, now - due)
                due = max(due, now) + item.audio.size / 24000
            spoken += " " + item.text
        out["gaps"].append(gaps)
        messages.append(ChatMessage("assistant", spoken.strip()))
        out["words"].append(len(spoken.split()))

    def on_event(ev: ListenerEvent) -> None:
        nonlocal turn_end_wall, reply_task
        if ev.kind == "speech_started":
            spec.cancel()
        elif (
            ev.kind == "partial"
            and ev.transcript
            and (mode == "server_vad" or listener.policy.silence_needed_ms(ev.transcript) < 500)
        ):
            spec.start(ev.transcript)
        elif ev.kind == "turn_ended" and reply_task is None:
            turn_end_wall = time.perf_counter()
            reply_task = asyncio.get_running_loop().create_task(answer(ev))

    listener = TurnListener(
        engine.vad,
        recognizer,
        on_event,
        mode=mode,  # type: ignore[arg-type]
        vad_config=VadConfig(silence_duration_ms=500),
        language=lang,
    )
    engine.llm.warm([system])  # type: ignore[attr-defined]
    chunk = 320  # 20 ms
    for clip in clips:
        # Each question opens a fresh conversation on the same instructions (their KV prefix
        # stays cached): both modes then get the same answers, and one terse early answer
        # cannot set the style, and so the speed, of all later ones. What a long conversation
        # costs is the stage figure "turn 20" above.
        del messages[1:]
        first_audio = turn_end_wall = reply_task = None
        loud = np.nonzero(np.abs(clip) > 0.02)[0]
        speech_end = int(loud[-1])
        audio = np.concatenate([np.zeros(3200, np.float32), clip, np.zeros(16000 * 4, np.float32)])
        t0 = time.perf_counter()
        end_wall = None
        timeline.marks.clear()
        for i in range(0, audio.size, chunk):
            target = t0 + i / 16000
            delay = target - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            listener.push(audio[i : i + chunk])
            if end_wall is None and i + chunk >= 3200 + speech_end:
                end_wall = time.perf_counter()  # the audio holding the end of speech is in
            if first_audio is not None:
                break
        if reply_task is not None:
            await reply_task
        if first_audio is None or end_wall is None or turn_end_wall is None:
            print(
                f"  [{mode}] no answer for {transcript!r}: end {end_wall} turn end "
                f"{turn_end_wall} first audio {first_audio}"
            )
            continue
        if verbose:
            answer_text = messages[-1].content[:50]
            print(
                f"    {mode} {(first_audio - end_wall) * 1000:5.0f} ms  decision "
                f"{(turn_end_wall - end_wall) * 1000:4.0f}  {transcript!r} -> {answer_text!r}"
            )
        stages.append(timeline.turn(end_wall, first_audio))
        out["latency"].append(first_audio - end_wall)
        out["decision"].append(turn_end_wall - end_wall)
        out["reply"].append(first_audio - turn_end_wall)
    for name in stages[0] if stages else ():
        out[name] = [s[name] for s in stages]
    return out


FINISHED = [
    "What's the weather like in Kyoto?",
    "Please set a timer for ten minutes.",
    "Turn off the lights in the kitchen.",
    "How many legs does a spider have?",
    "Can you recommend a good book?",
]
PAUSED = [
    ("I'd like to book a table for", "two people tonight."),
    ("Can you remind me to call", "my mother tomorrow morning."),
    ("My favourite colour is", "a very dark shade of green."),
    ("I want to fly to Paris and", "then take the train to Rome."),
    ("The meeting is at", "half past three on Friday."),
]


# The same in Japanese (written for this benchmark, before the Japanese end-of-turn rules:
# pauses after a particle, a conjunction, a filler), spoken by two voices taking turns.
FINISHED_JA = [
    "京都の天気はどうですか？",
    "十分のタイマーをセットして。",
    "台所の電気を消してください。",
    "クモの足は何本ある？",
    "おすすめの本はありますか？",
    "明日の予定を教えてくれる？",
    "ありがとう、助かりました。",
    "もう大丈夫です。",
]
PAUSED_JA = [
    ("明日の夜、二人で", "予約をお願いしたいんですが。"),
    ("母に電話するのを", "明日の朝に思い出させて。"),
    ("好きな色は", "とても濃い緑色です。"),
    ("パリに飛んでから", "電車でローマに行きたいです。"),
    ("会議は", "金曜日の三時半からです。"),
    ("えっと、", "窓側の席に変えてもらえますか。"),
    ("荷物が二つあるんですけど、", "両方とも機内に持ち込めますか。"),
    ("東京駅まで", "タクシーでどのくらいかかりますか。"),
]


async def bench_end_of_turn(engine: Engine, lang: str = "en", verbose: bool = False) -> None:
    """Semantic end of turn vs the 500 ms silence rule, on the same recordings."""
    gap = np.zeros(int(16000 * 0.75), np.float32)
    voices = QUESTION_VOICES_JA if lang == "ja" else (None,)
    finished = [
        speak(engine, s, voices[i % len(voices)])
        for i, s in enumerate(FINISHED_JA if lang == "ja" else FINISHED)
    ]
    paused = [
        np.concatenate([speak(engine, a, v), gap, speak(engine, b, v)])
        for i, (a, b) in enumerate(PAUSED_JA if lang == "ja" else PAUSED)
        for v in [voices[i % len(voices)]]
    ]
    tail = np.zeros(16000 * 2, np.float32)
    print(
        f"\nend of turn on the same speech ({len(finished)} finished questions; "
        f"{len(paused)} with a 750 ms mid-sentence pause)"
    )
    for mode in ("server_vad", "semantic_vad"):

        def make(emit: Any, mode: str = mode) -> TurnListener:
            return TurnListener(
                engine.vad,
                engine.recognizer(lang),
                emit,
                mode=mode,  # type: ignore[arg-type]
                vad_config=VadConfig(silence_duration_ms=500),
                language=lang,
            )

        waits = []
        for clip in finished:
            events = await replay(make, np.concatenate([clip, tail]))
            end = next(ms for ms, e in events if e.kind == "turn_ended")
            waits.append(end - int(np.nonzero(np.abs(clip) > 0.02)[0][-1] / 16))
            if verbose:
                heard = [e.transcript for _, e in events if e.kind == "partial"]
                print(f"    {mode} waited {waits[-1]:4.0f} ms after {heard[-1:]}")
        cutoffs = 0
        for clip in paused:
            events = await replay(make, np.concatenate([clip, tail]))
            end = next(ms for ms, e in events if e.kind == "turn_ended")
            cut = end < int(np.nonzero(np.abs(clip) > 0.02)[0][-1] / 16)
            cutoffs += cut
            if verbose and cut:
                heard = [e.transcript for ms, e in events if e.kind == "partial" and ms <= end]
                print(f"    {mode} cut off after {heard[-1:]}")
        print(
            f"  {mode:13} wait after a finished question: mean {np.mean(waits):4.0f} ms, "
            f"p50 {pct(waits, 0.5):4.0f} ms; cut off mid-sentence: {cutoffs} of {len(paused)}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--skip-stages", action="store_true")
    parser.add_argument("--only-end-of-turn", action="store_true", help="end of turn only")
    parser.add_argument(
        "--mode",
        choices=["server_vad", "semantic_vad"],
        action="append",
        help="end-of-turn mode(s) to run (default: both)",
    )
    parser.add_argument("--verbose", action="store_true", help="print every turn")
    parser.add_argument(
        "--lang", choices=["en", "ja"], default="en", help="language of the turns (default: en)"
    )
    parser.add_argument(
        "--model",
        action="append",
        type=Path,
        help="the LLM for the turns: small, large or a GGUF file (repeatable; 'packaged' is "
        "small; several: each runs every mode, in this run)",
    )
    parser.add_argument(
        "--unchecked",
        action="store_true",
        help="each mode also with the reply check off (LocalLLM.check_replies), in this run",
    )
    args = parser.parse_args()
    t = time.perf_counter()
    engine = Engine.load(progress=True)
    print(f"engine loaded in {time.perf_counter() - t:.1f} s\n")
    # Greedy decoding: runs give the same answers, so their latencies compare (speed does not
    # depend on the temperature).
    engine.llm.temperature = 0.0  # type: ignore[attr-defined]
    if args.only_end_of_turn:
        await bench_end_of_turn(engine, args.lang, args.verbose)
        return
    if not args.skip_stages:
        bench_stages(engine, args.lang)
        await bench_end_of_turn(engine, args.lang, args.verbose)
    packaged = engine
    runs = [
        (mode, model, checked)
        for model in args.model or [Path("packaged")]
        for mode in args.mode or ("server_vad", "semantic_vad")
        for checked in ((False, True) if args.unchecked else (True,))
    ]
    engines: dict[Path, tuple[Engine, Timeline]] = {}
    for mode, model, checked in runs:
        if model not in engines:  # (runs are grouped by model: one timeline at a time)
            for _, earlier in engines.values():
                earlier.close()
            engine = packaged
            if str(model) not in ("packaged", "small"):
                llm = LocalLLM(llm_model_path(str(model)))
                llm.temperature = 0.0
                engine = replace(packaged, llm=llm)
            engines[model] = (engine, Timeline(engine, args.lang))
        engine, timeline = engines[model]
        engine.llm.reset()  # type: ignore[attr-defined]
        engine.llm.check_replies = checked  # type: ignore[attr-defined]
        r = await run_turns(engine, mode, args.turns, timeline, args.verbose, args.lang)
        lat = r["latency"]
        which = "" if len(args.model or []) < 2 else f", {model.name}"
        which += "" if not args.unchecked else (", checked" if checked else ", unchecked")
        print(
            f"\nturn latency, {mode}{which} ({len(lat)} turns): p50 {pct(lat, 0.5) * 1000:.0f} "
            f"ms, p95 {pct(lat, 0.95) * 1000:.0f} ms"
        )
        print(
            f"  end of speech -> end-of-turn decision  p50 {pct(r['decision'], 0.5) * 1000:.0f} ms"
        )
        print(f"  decision -> first audio                p50 {pct(r['reply'], 0.5) * 1000:.0f} ms")
        print("  where the time goes (p50, ms after the end of speech):")
        for name in STAGES:
            print(f"    {name:34} {pct(r[name], 0.5):5.0f}")
        print(
            f"  answers: p50 {pct(r['words'], 0.5):.0f} words, first clause p50 "
            f"{pct(r['first_words'], 0.5):.0f} words, "
            f"{pct(r['tokens in the first clause'], 0.5):.0f} tokens"
        )
        gaps = [g for g in r["gaps"] if g > 0]
        print(
            f"  breaks in the answer's audio (a clause not ready when due): {len(gaps)} of "
            f"{len(r['gaps'])} answers, {sum(gaps) * 1000:.0f} ms in all"
        )


if __name__ == "__main__":
    asyncio.run(main())
