"""Tool calls written under a grammar: llama-cpp-python's grammar sampler against `GreedyGrammar`.

The engine writes a call under the JSON grammar of its tools whenever the model's own call did
not fit or was not made (a call to rewrite, a named tool's call, ``tool_choice="required"``).
llama-cpp-python runs the grammar over the whole vocabulary at every token; `GreedyGrammar`
asks it about the best token only (`kaiwa.engine.greedy_grammar`). Both write the same
tokens; this measures the time a token and checks they are the same.

The calls are those of the evaluation's agents (`bench/quality/agents.py`) for requests in
English and Japanese; each prompt is evaluated once first, so that both ways start from the
same cached prefix and only the writing is timed. The two ways alternate (A B B A) for
``--rounds`` rounds. Run: ``.venv/bin/python bench/grammar_calls.py [--rounds 3]`` (~1 min).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.quality.agents import setup
from kaiwa.engine.chat import ChatMessage
from kaiwa.engine.greedy_grammar import greedy_grammar
from kaiwa.engine.llm import TOOL_OPEN, LocalLLM

REQUESTS = [
    ("airline_seat", "en", "I want to change my seat."),
    ("airline_seat", "ja", "座席を変更したいんですが。"),
    ("weather", "en", "How cold is it in Toronto?"),
    ("smart_home", "en", "its way too dark in the hallway"),
    ("restaurant", "en", "Table for four at seven thirty tomorrow under Garcia please"),
    ("support", "ja", "注文番号エービーシー123の状況を教えて"),
    ("airline_faq", "en", "can i bring my guitar"),
    ("smart_home", "ja", "キッチンが暗すぎて何も見えないんだけど"),
]


def write(llm: LocalLLM, prompt: str, grammar: Any, lazy: bool) -> tuple[str, int, float]:
    """The call written under ``grammar`` one way, its tokens and the seconds it took."""
    from llama_cpp import LogitsProcessorList

    def run() -> tuple[str, int, float]:
        checker = greedy_grammar(llm._llm, grammar, 1.05) if lazy else None
        start = time.perf_counter()
        try:
            out = llm._llm.create_completion(
                prompt,
                max_tokens=200,
                temperature=0.0,
                repeat_penalty=1.05,
                stop=["<|im_end|>"],
                grammar=None if lazy else grammar,
                logits_processor=LogitsProcessorList([checker]) if checker else None,
            )
        finally:
            if checker is not None:
                checker.close()
        seconds = time.perf_counter() - start
        return out["choices"][0]["text"], out["usage"]["completion_tokens"], seconds

    result: tuple[str, int, float] = llm._worker.call(run)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    llm = LocalLLM()
    per_token: dict[bool, list[float]] = {False: [], True: []}
    same = 0
    for agent, lang, said in REQUESTS:
        tools = setup(agent, lang)
        messages = [ChatMessage("system", tools.instructions), ChatMessage("user", said)]
        prompt = llm.render(messages, tools.tools) + TOOL_OPEN + "\n"
        grammar = llm._grammar(tools.tools)
        llm._worker.call(lambda p=prompt: llm._llm.create_completion(p, max_tokens=1))
        texts: set[str] = set()
        for _ in range(args.rounds):
            for lazy in (False, True, True, False):
                text, tokens, seconds = write(llm, prompt, grammar, lazy)
                per_token[lazy].append(seconds * 1000 / max(tokens, 1))
                texts.add(text)
        same += len(texts) == 1
        print(f"{agent:15} {lang}  {min(texts)[:90]}")
    whole, lazy = statistics.median(per_token[False]), statistics.median(per_token[True])
    print(f"\nms a token (median of {len(per_token[True])} calls each way):")
    print(f"  llama-cpp-python's grammar sampler  {whole:6.1f}")
    print(f"  GreedyGrammar                       {lazy:6.1f}   ratio {lazy / whole:.2f}x")
    print(f"  the same call both ways, every round: {same} of {len(REQUESTS)}")


if __name__ == "__main__":
    main()
