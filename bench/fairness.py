"""Sharing the model: a short turn's first audio while another conversation's long answer is made.

Every round asks one short question three ways, in turn:

- ``idle``: alone on the engine;
- ``sliced``: while another conversation's long story is being written and played (it asked
  first, and its first audio has come), with the model making replies in slices
  (`LocalLLM.interleave`, the default: a reply another one waits for steps aside at a clause end);
- ``whole``: the same, with replies made whole, start to end (as before issue 15).

Measured: the question -> its first audio (the LLM and the speech synthesis, through
`respond`, as a session's response runs them). The story's audio is taken as it comes and
played at real time; how long its playback ran dry waiting for audio is reported too (the
price of sharing).
The questions and stories vary from round to round; the three ways alternate within a round.
They come in two halves: ``dev`` (the default), on which the slicing was tuned, and ``test``,
written afterwards and never tuned on (other wordings, other requests for long answers:
instructions, lists, explanations, not only stories): its figures are the measure.
Run: ``.venv/bin/python bench/fairness.py [--half test] [--rounds 6]`` (4-10 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kaiwa.engine.chat import ChatMessage
from kaiwa.engine.engine import Engine
from kaiwa.engine.llm import LocalLLM
from kaiwa.engine.responder import respond

SYSTEM = ChatMessage("system", "You are a helpful voice assistant. Answer in one short sentence.")
TELLER = ChatMessage("system", "You are a storyteller. Tell long, vivid stories.")
QUESTIONS = [
    "What is the capital of France?",
    "Say hello.",
    "How many legs does a spider have?",
    "What colour is the sky on a clear day?",
    "Can you recommend a good name for a cat?",
    "What is two plus three?",
    "Which planet is closest to the sun?",
    "How do you say thank you in Spanish?",
]
STORIES = [
    "Tell me a long story about a dragon and a village, in ten sentences.",
    "Tell me the story of a sailor lost at sea, with lots of detail.",
    "Describe a whole day in the life of a baker in an old town, step by step.",
    "Tell me a long fairy tale about a clever fox and a proud king.",
]

# The held-out half: written after the slicing was tuned, never run while tuning.
TEST_QUESTIONS = [
    "quick one, what's the boiling point of water",
    "Hey, is it Monday or Tuesday after Sunday?",
    "Could you tell me how many days there are in a week?",
    "what do you call a baby cat",
    "Name one colour of the rainbow, please.",
    "Um, how many minutes are in an hour?",
    "Is a tomato a fruit?",
    "Good morning! How are you today?",
]
TEST_STORIES = [
    "Walk me through baking bread from scratch, every step, in detail.",
    "Explain how a car engine works, as if to a curious twelve year old, at length.",
    "Give me a long list of ideas for a rainy weekend, with a sentence about each.",
    "Tell me everything you know about the history of the bicycle.",
]


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


async def first_audio(engine: Engine, question: str) -> float:
    """Seconds from asking ``question`` to its first audio (the rest is read and dropped)."""
    t = time.perf_counter()
    took: float | None = None
    async for chunk in respond(
        engine.llm, engine.tts, [SYSTEM, ChatMessage("user", question)], max_tokens=60
    ):
        if took is None and chunk.audio is not None and len(chunk.audio):
            took = time.perf_counter() - t
    assert took is not None
    return took


async def story(engine: Engine, request: str, started: asyncio.Event, dry: list[float]) -> None:
    """Ask for a long story and play it at real time, taking its audio as it comes (as
    `kaiwa serve` sends it; the client buffers it); ``dry`` gets the seconds playback waited for
    audio after it had begun."""
    plays_until: float | None = None
    async for chunk in respond(
        engine.llm, engine.tts, [TELLER, ChatMessage("user", request)], max_tokens=300
    ):
        if chunk.audio is None or not len(chunk.audio):
            continue
        now = time.perf_counter()
        if plays_until is not None and now > plays_until:
            dry.append(now - plays_until)
        plays_until = max(plays_until or now, now) + len(chunk.audio) / 24000
        started.set()


async def busy(engine: Engine, question: str, request: str, dry: list[float]) -> float:
    started = asyncio.Event()
    teller = asyncio.get_running_loop().create_task(story(engine, request, started, dry))
    await started.wait()
    try:
        return await first_audio(engine, question)
    finally:
        await teller  # to its end: the next round starts on a quiet engine


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument(
        "--half",
        choices=["dev", "test"],
        default="dev",
        help="dev: the questions the slicing was tuned on; test: held-out ones (the measure)",
    )
    args = parser.parse_args()
    questions, stories = (
        (QUESTIONS, STORIES) if args.half == "dev" else (TEST_QUESTIONS, TEST_STORIES)
    )
    engine = Engine.load(progress=True)
    llm = engine.llm
    assert isinstance(llm, LocalLLM), "the packaged LLM (not KAIWA_LLM_URL)"
    await first_audio(engine, "Hi!")  # warm up
    took: dict[str, list[float]] = {"idle": [], "sliced": [], "whole": []}
    dry: dict[str, list[float]] = {"sliced": [], "whole": []}
    for i in range(args.rounds):
        question, request = questions[i % len(questions)], stories[i % len(stories)]
        ways = ["idle", "sliced", "whole"]
        for way in ways[i % 3 :] + ways[: i % 3]:  # the order rotates
            if way == "idle":
                took[way].append(await first_audio(engine, question))
                continue
            llm.interleave = way == "sliced"
            try:
                took[way].append(await busy(engine, question, request, dry[way]))
            finally:
                llm.interleave = True
        print(
            f"round {i + 1}: " + ", ".join(f"{w} {took[w][-1] * 1000:.0f} ms" for w in took),
            flush=True,
        )
    idle = pct(took["idle"], 0.5)
    print(
        f"\n{args.half} half: question -> first audio over {args.rounds} rounds "
        "(p50 / p95 ms, x idle p50):"
    )
    for way, xs in took.items():
        print(
            f"  {way:7} {pct(xs, 0.5) * 1000:6.0f} / {pct(xs, 0.95) * 1000:6.0f}"
            f"   {pct(xs, 0.5) / idle:5.1f}x"
        )
    for way, xs in dry.items():
        print(f"  the story's playback ran dry ({way}): {sum(xs):.1f} s in all, {len(xs)} times")


if __name__ == "__main__":
    asyncio.run(main())
