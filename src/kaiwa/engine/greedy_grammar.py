"""Greedy decoding under a grammar, checking the grammar against one token at a time.

llama-cpp-python samples under a grammar by running llama.cpp's grammar sampler over the
whole vocabulary at every token: for Qwen's 151,936 tokens that is ~20 ms a token on two
cores, nearly as long as the model itself (a tool call written under the grammar: ~44 ms a
token, ~24 without). llama.cpp's own tools do it the other way round: sample first, then ask
the grammar about that one token, and only if it is refused mask the whole vocabulary and
sample again. For greedy decoding this picks exactly the same token: the most likely token,
if the grammar allows it, is the most likely of those it allows.

`GreedyGrammar` does that as a logits processor for ``Llama.create_completion`` (given
``grammar=None`` and ``temperature=0``): it applies the repeat penalty as llama.cpp's
penalties sampler would (the processor runs before it in the sampler chain), picks the best
token, checks it with its own grammar sampler, and leaves that token alone in the running
(every other one at -inf), so the rest of the chain can only pick it.
"""

from __future__ import annotations

import ctypes
import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from llama_cpp import Llama

__all__ = ["GreedyGrammar", "greedy_grammar"]

logger = logging.getLogger("kaiwa.engine.llm")

_TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


def _only(token: int, size: int) -> npt.NDArray[np.single]:
    """Logits that leave ``token`` alone in the running."""
    chosen = np.full(size, -np.inf, dtype=np.single)
    chosen[token] = 0.0
    return chosen


class GreedyGrammar:
    """A logits processor for one greedy completion under ``grammar`` (a GBNF string whose
    rule ``root`` starts it). Call `close` when the completion is over (it frees the
    grammar's llama.cpp sampler)."""

    def __init__(
        self,
        llm: Llama,
        grammar: str,
        *,
        root: str = "root",
        repeat_penalty: float = 1.0,
        penalty_last_n: int = 64,
    ) -> None:
        import llama_cpp

        self._sampler: Any = None  # (set first: `__del__` runs even if this fails)
        self._lib = llama_cpp
        self._eos = int(llm.token_eos())
        vocab = llm._model.vocab  # (the model's vocabulary, as llama-cpp-python passes it)
        self._sampler = llama_cpp.llama_sampler_init_grammar(
            vocab, grammar.encode("utf-8"), root.encode("utf-8")
        )
        if not self._sampler:
            raise ValueError("the grammar does not parse")
        self._penalty = np.float32(repeat_penalty)
        self._last_n = penalty_last_n
        self._start: int | None = None  # where the completion's tokens begin in input_ids
        self._accepted = 0  # of those, how many the grammar has been told of
        self._one = np.zeros(1, dtype=_TOKEN_DATA)
        self._all: np.ndarray | None = None  # the whole vocabulary, for a token refused
        self.refused = 0
        """Tokens the grammar refused (each costs a pass over the whole vocabulary)."""
        self.failed: BaseException | None = None
        """What went wrong inside the processor, if anything: the completion was ended there
        (an exception raised in it would be lost in llama.cpp's callback, and the token then
        picked might be one the grammar refuses)."""

    def close(self) -> None:
        """Free the grammar's sampler (idempotent)."""
        if self._sampler:
            self._lib.llama_sampler_free(self._sampler)
            self._sampler = None

    def __del__(self) -> None:
        self.close()

    def _apply(self, data: np.ndarray) -> None:
        """Run the grammar over ``data`` (token data, in place: refused tokens get -inf)."""
        array = self._lib.llama_token_data_array(
            data=data.ctypes.data_as(self._lib.llama_token_data_p),
            size=len(data),
            selected=-1,
            sorted=False,
        )
        self._lib.llama_sampler_apply(self._sampler, ctypes.byref(array))

    def _penalized(
        self, input_ids: npt.NDArray[np.intc], scores: npt.NDArray[np.single]
    ) -> npt.NDArray[np.single]:
        """``scores`` with the repeat penalty on the completion's last tokens, as llama.cpp's
        penalties sampler applies it (divided if positive, multiplied if not)."""
        logits = np.array(scores, dtype=np.single)
        if self._penalty == 1 or self._start is None or self._last_n == 0:
            return logits  # (llama.cpp: a window of 0 is no penalty; -1, the whole context)
        written = np.asarray(input_ids[self._start :], dtype=np.intc)
        if self._last_n > 0:
            written = written[-self._last_n :]
        if len(written):
            ids = np.unique(written)
            seen = logits[ids]
            logits[ids] = np.where(seen <= 0, seen * self._penalty, seen / self._penalty)
        return logits

    def __call__(
        self, input_ids: npt.NDArray[np.intc], scores: npt.NDArray[np.single]
    ) -> npt.NDArray[np.single]:
        if self._sampler is None or self.failed is not None:  # closed, or failed: ended
            return _only(self._eos, len(scores))
        try:
            return self._choose(input_ids, scores)
        except Exception as exc:  # (never raised into llama.cpp's callback: see `failed`)
            logger.exception("the grammar check failed; the completion ends here")
            self.failed = exc
            return _only(self._eos, len(scores))

    def _choose(
        self, input_ids: npt.NDArray[np.intc], scores: npt.NDArray[np.single]
    ) -> npt.NDArray[np.single]:
        if self._start is None:
            self._start = len(input_ids)
        # the tokens chosen since the last call, told to the grammar
        for token in input_ids[self._start + self._accepted :]:
            self._lib.llama_sampler_accept(self._sampler, int(token))
            self._accepted += 1
        logits = self._penalized(input_ids, scores)
        best = int(np.argmax(logits))
        self._one["id"] = best
        self._one["logit"] = logits[best]
        self._apply(self._one)
        if not np.isfinite(self._one["logit"][0]):  # refused: the best of those allowed
            self.refused += 1
            if self._all is None or len(self._all) != len(logits):
                self._all = np.zeros(len(logits), dtype=_TOKEN_DATA)
                self._all["id"] = np.arange(len(logits), dtype=np.intc)
            self._all["logit"] = logits
            self._all["p"] = 0
            self._apply(self._all)
            allowed = self._all["logit"]
            best = int(np.argmax(allowed))
            if not np.isfinite(allowed[best]):
                raise RuntimeError("the grammar allows no token")
        return _only(best, len(logits))


def greedy_grammar(llm: Llama, grammar: Any, repeat_penalty: float) -> GreedyGrammar:
    """A `GreedyGrammar` for llama-cpp-python's ``LlamaGrammar`` ``grammar``, with
    ``llm``'s own penalty window (``last_n_tokens_size``)."""
    return GreedyGrammar(
        llm,
        grammar._grammar,
        root=grammar._root,
        repeat_penalty=repeat_penalty,
        penalty_last_n=llm.last_n_tokens_size,
    )
