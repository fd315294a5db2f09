"""`GreedyGrammar`: greedy decoding under a grammar, the grammar asked about the best token
only, gives the tokens llama.cpp's own grammar sampler gives (the packaged Qwen 0.5B)."""

from __future__ import annotations

from typing import Any

import pytest

from kaiwa.engine.chat import ChatMessage
from kaiwa.engine.greedy_grammar import GreedyGrammar
from kaiwa.engine.llm import TOOL_OPEN, ToolSpec
from kaiwa.exceptions import EngineError

SEAT = ToolSpec(
    "update_seat",
    "Change the seat of a booking.",
    {
        "type": "object",
        "properties": {
            "confirmation_number": {"type": "string"},
            "new_seat": {"type": "string"},
        },
        "required": ["confirmation_number", "new_seat"],
    },
)
CITY_ENUM = r"""root ::= "{\"city\": \"" city "\"}"
city ::= "Paris" | "Osaka" | "Lima"
"""
"""A grammar the model's best tokens do not fit (asked about London, it would write
London): the refused path, over the whole vocabulary."""


def _llama_grammar(text: str) -> Any:
    from llama_cpp.llama_grammar import LlamaGrammar

    return LlamaGrammar.from_string(text, verbose=False)


def _both(llm: Any, prompt: str, grammar: Any) -> tuple[str, str, int]:
    """The completion of ``prompt`` under ``grammar`` by llama-cpp-python's sampler and by
    `GreedyGrammar`, and how many tokens the latter's grammar refused."""
    from llama_cpp import LogitsProcessorList

    def run() -> tuple[str, str, int]:
        common: dict[str, Any] = dict(
            max_tokens=160, temperature=0.0, repeat_penalty=1.05, stop=["<|im_end|>"]
        )
        whole = llm._llm.create_completion(prompt, grammar=grammar, **common)
        checker = GreedyGrammar(llm._llm, grammar._grammar, repeat_penalty=1.05, penalty_last_n=64)
        try:
            lazy = llm._llm.create_completion(
                prompt, logits_processor=LogitsProcessorList([checker]), **common
            )
        finally:
            checker.close()
        return whole["choices"][0]["text"], lazy["choices"][0]["text"], checker.refused

    result: tuple[str, str, int] = llm._worker.call(run)
    return result


@pytest.mark.parametrize(
    "said",
    [
        "I want to change my seat.",
        "Move me to 14C, booking ABC123.",
        "座席を変更したいんですが。",
    ],
)
def test_the_same_call_as_the_grammar_sampler(llm: Any, said: str) -> None:
    messages = [ChatMessage("system", "You change seats."), ChatMessage("user", said)]
    prompt = llm.render(messages, [SEAT]) + TOOL_OPEN + "\n"
    whole, lazy, _ = _both(llm, prompt, llm._grammar([SEAT]))
    assert whole.startswith('{"name": "update_seat"')
    assert lazy == whole


def test_refused_tokens_are_chosen_among_those_allowed(llm: Any) -> None:
    messages = [
        ChatMessage("system", 'Answer with JSON: {"city": ...}.'),
        ChatMessage("user", "Which city is Big Ben in?"),
    ]
    prompt = llm.render(messages, [])
    whole, lazy, refused = _both(llm, prompt, _llama_grammar(CITY_ENUM))
    assert refused > 0  # the model wanted something else than the grammar allows
    assert lazy == whole
    assert lazy in ('{"city": "Paris"}', '{"city": "Osaka"}', '{"city": "Lima"}')


def test_repeat_penalty_as_llama_cpp_applies_it(llm: Any) -> None:
    # A long free-text value repeats its tokens: the penalty decides between near ties (with
    # no penalty, this differs). It runs past the 64-token window; that the window is cut
    # there is not told apart here (a repetitive text keeps its tokens in it either way).
    grammar = _llama_grammar("root ::= [a-z ,.]{300,400}\n")  # ~70 tokens at least
    messages = [
        ChatMessage("system", "Repeat the user's words twenty times, in quotes."),
        ChatMessage("user", "la la la, the bags, the bags, the bags"),
    ]
    whole, lazy, _ = _both(llm, llm.render(messages, []), grammar)
    assert len(llm._llm.tokenize(whole.encode(), add_bos=False)) > 64
    assert lazy == whole


def test_a_failure_inside_the_check_ends_the_completion_with_an_error(
    llm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An exception in a logits processor would be lost in llama.cpp's callback, and the
    # token then picked might be one the grammar refuses: the completion ends instead.
    calls = 0

    def failing(self: GreedyGrammar, input_ids: Any, scores: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ValueError("a fault")
        return original(self, input_ids, scores)

    original = GreedyGrammar._choose
    monkeypatch.setattr(GreedyGrammar, "_choose", failing)
    messages = [ChatMessage("system", "You change seats."), ChatMessage("user", "Seat 14C.")]
    prefix = llm.render(messages, [SEAT]) + TOOL_OPEN + "\n"
    grammar = llm._grammar([SEAT])
    with pytest.raises(EngineError, match="a fault"):
        llm._worker.call(
            lambda: list(llm._complete(prefix, 60, None, temperature=0.0, grammar=grammar))
        )
    assert calls == 3  # ended at the fault


def test_a_grammar_that_does_not_parse_is_an_error(llm: Any) -> None:
    with pytest.raises(ValueError, match="does not parse"):
        llm._worker.call(lambda: GreedyGrammar(llm._llm, "root ::= (("))
