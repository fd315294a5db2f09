"""Does the LLM call a tool when it should, and only then? With and without the grounding check.

Offered three tools (weather, timer, lights), the packaged 0.5B model gets 12 requests that
need one and 20 plain questions that need none, each asked ``--samples`` times at the default
temperature, with `LocalLLM.ground_calls` off and on (a call whose text arguments nobody said
becomes a spoken answer), under two sets of instructions: the tests' and `kaiwa serve`'s
default. Printed side by side: right calls, and plain questions answered with a call, then what
went wrong. Quality, not speed.

    .venv/bin/python bench/tool_choice.py [--samples 2]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kaiwa.core.config import DEFAULT_INSTRUCTIONS
from kaiwa.engine.llm import ChatMessage, LocalLLM
from tests.engine.test_llm import SYSTEM, TOOLS

REQUESTS = [
    ("What's the weather in Paris?", "get_weather"),
    ("How hot is it in Tokyo right now?", "get_weather"),
    ("Set a timer for 5 minutes.", "set_timer"),
    ("Please start a ten minute timer.", "set_timer"),
    ("Turn on the kitchen lights.", "switch_lights"),
    ("Is it raining in London?", "get_weather"),
    ("Switch off the bedroom lights.", "switch_lights"),
    ("Can you set a timer for twenty minutes?", "set_timer"),
    ("What's the temperature in Berlin today?", "get_weather"),
    ("Turn the living room lights on, please.", "switch_lights"),
    ("Will I need an umbrella in Seattle today?", "get_weather"),
    ("Start a three minute timer for my eggs.", "set_timer"),
]
PLAIN = [
    "What is the capital of France?",
    "What is the capital of Japan?",
    "Say hello.",
    "How many legs does a spider have?",
    "Tell me a joke.",
    "What do bees make?",
    "Who wrote Romeo and Juliet?",
    "What is two plus two?",
    "How are you today?",
    "What's your name?",
    "Can you recommend a good book?",
    "What is the opposite of cold?",
    "Where do penguins live?",
    "How do you say hello in Spanish?",
    "What color is the sky?",
    "Thank you!",
    "What is a timer?",
    "Why is the sky blue?",
    "What does a light bulb do?",
    "What's the weather usually like in summer?",
]


def calls(llm: LocalLLM, system: ChatMessage, question: str) -> list[str]:
    deltas = list(llm.stream([system, ChatMessage("user", question)], TOOLS, max_tokens=60))
    return [f"{d.tool_call.name}{d.tool_call.arguments}" for d in deltas if d.tool_call]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2)
    args = parser.parse_args()
    llm = LocalLLM()
    setups = [("tests'", SYSTEM), ("default", ChatMessage("system", DEFAULT_INSTRUCTIONS))]
    for label, system in setups:
        for grounded in (False, True):
            llm.ground_calls = grounded
            right, missed, wrong = 0, [], []
            for _ in range(args.samples):
                for question, tool in REQUESTS:
                    made = calls(llm, system, question)
                    ok = len(made) == 1 and made[0].startswith(tool + "{")
                    right += ok
                    if not ok:
                        missed.append(f"{question} -> {made or 'words'}")
                for question in PLAIN:
                    wrong += [f"{question} -> {c}" for c in calls(llm, system, question)[:1]]
            n = args.samples
            print(
                f"{label} instructions, grounding {'on ' if grounded else 'off'}: right call "
                f"{right}/{n * len(REQUESTS)}, plain questions answered with a call "
                f"{len(wrong)}/{n * len(PLAIN)}"
            )
            print(f"  missed: {sorted(set(missed))}\n  called: {sorted(set(wrong))}")


if __name__ == "__main__":
    main()
