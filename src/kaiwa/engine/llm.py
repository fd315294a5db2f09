"""The language model stage: chat and tool calls, streamed, from llama.cpp or any
OpenAI-compatible chat-completions server.

`LocalLLM` runs a packaged Qwen2.5-Coder instruct GGUF (0.5B by default; 1.5B, ``large``)
in-process with ``llama-cpp-python``.
The prompt is the model's own chat template (read from the GGUF), so tool definitions and tool
results are where the model was trained to find them. The reply is streamed token by token;
when the model writes a tool call, the call is checked against the tools' JSON schemas, and if
it does not parse or fit (or ``tool_choice`` demands a call) it is generated under a grammar
built from those schemas, so arguments always parse and fit. llama.cpp keeps the KV cache of the
longest unchanged prompt prefix between calls, and the prompt is laid out so that prefix is
everything but the newest turn: turn 20 costs what turn 1 costs.

Its parts: what the model is shown (`kaiwa.engine.prompt`), the checks its calls pass
(`kaiwa.engine.tool_policy`), its replies in words (`kaiwa.engine.words`), what follows
the policy's verdict (`kaiwa.engine.decisions`); here, the model loaded, its conversations'
states kept, replies sliced between conversations, and the choice between a call and words.

`kaiwa.engine.llm_http.ChatCompletionsLLM` sends the same requests to a chat-completions URL
(llama.cpp's server, vLLM, Ollama...): how a deployment moves the LLM to a bigger machine.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import EngineError
from . import places, store
from ._threads import Cancel
from .arithmetic import worked_out
from .call_text import (
    copied_tool,
    first_name,
    grammar_schema,
    tagged,
    takes_no_values,
    unoffered_name,
)
from .chat import (
    ChatMessage,
    LlmDelta,
    LLMStage,
    ToolCall,
    ToolChoice,
    ToolSpec,
    choose_tools,
)
from .decisions import DecisionsMixin, _CallCutShort
from .glosses import jmdict_path
from .holds import hold_reply
from .prompt import (
    USER_TURN,
    chat_template,
    render,
    without_hint,
)
from .service_questions import terms_unknown_reply
from .small_talk import question_announced_reply
from .text import is_japanese
from .tool_calls import (
    asks,
    enough_calls,
)
from .tool_policy import (
    HANDOFF_PREFIX,
    Asked,
    ToolCallPolicy,
    Verdict,
    VerdictKind,
)
from .words import last_user_text, result_read_out
from .worker import ModelWorker, StepAside
from .written import written_messages

logger = logging.getLogger(__name__)

__all__ = [  # the stage's interface is in `chat`; named here too, where it always was
    "ChatMessage",
    "LLMStage",
    "LlmDelta",
    "LocalLLM",
    "ToolCall",
    "ToolChoice",
    "ToolSpec",
    "choose_tools",
]

TOOL_OPEN = "<tool_call>"
_CALL_OPENINGS = (TOOL_OPEN, "<tools>", "```")  # Qwen writes calls in a tag, or fenced as JSON


RESTORE_MIN_TOKENS = 48
"""A saved conversation state is restored only if it spares this many prompt tokens: measured
here, a restore costs 25-80 ms (up to ~200 under load) and saving the state it replaces up to
~55 ms, while a prompt token costs ~4.5 ms to evaluate."""


PREPARE_SLICE_TOKENS = 32
"""`LocalLLM.prepare` evaluates a prompt in slices of this many tokens (~0.15 s here), and
stops between two when other work waits."""
OWN_REPLY_TOKENS = 24
"""When the new prompt keeps all but this many tokens of the last one, what it drops is that
conversation's own last reply (the small model is not shown all of it: see `shown_words`), and
maybe the end of the last prompt (a hint): not another conversation's state worth saving."""


SLICE_TOKENS = 16
"""A reply that another conversation's reply waits for steps aside at the first clause end
after this many tokens (see `LocalLLM.stream`)..."""
FIRST_WORDS_FIRST = 4
"""...and after this many, if the other has not said its first words yet."""
_CLAUSE_END = re.compile(r"[.!?;:,\u3002\u3001\uff01\uff1f\u2026]\s*$")


def _after(first: str, rest: Generator[str, None, None]) -> Generator[str, None, None]:
    """``first``, then ``rest`` (closing this closes ``rest``: the model stops)."""
    try:
        yield first
        yield from rest
    finally:
        rest.close()


_CALCULATOR = re.compile(
    r"(?<![a-z])(?:calc|calculat[a-z]*|maths?|arithmetic|convert[a-z]*|conversions?|compute)"
    r"(?![a-z])|計算|換算",
    re.I,
)
"""A tool that does sums or conversions itself ("calculate", "unit_converter"; not
"computer" or "calcium")."""


def _worked_out(asked: Asked) -> str | None:
    """The answer to a request that is only a sum, a percentage or a conversion of units
    (`kaiwa.engine.arithmetic.worked_out`), unless a call is required or a tool offered
    does such work itself (a calculator, a converter: its name or description says so)."""
    if asked.mode == "required" or not asked.messages or asked.messages[-1].role != "user":
        return None
    if any(_CALCULATOR.search(f"{t.name} {t.description}") for t in asked.callable):
        return None
    before = [m for m in asked.messages[:-1] if m.role in ("assistant", "user")]
    # "How many tickets?" - "Two plus one?": an answer, unless asked as a sum ("what's...")
    answering = bool(before) and before[-1].role == "assistant" and asks(before[-1].content)
    return worked_out(asked.messages[-1].content, answering=answering)


def _held(asked: Asked) -> str | None:
    """What to say to a turn that only asks the assistant to wait ("give me a sec":
    `hold_reply`), announces a question ("I have a question.": `question_announced_reply`),
    or asks a company's rules of an agent that cannot look them up ("How many bags can I
    check?" to `kaiwa chat`'s assistant: `terms_unknown_reply`), unless a call is required;
    None for any other turn."""
    if asked.mode == "required":
        return None
    return (
        hold_reply(asked.messages)
        or question_announced_reply(asked.messages)
        or terms_unknown_reply(asked)
        or None
    )


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    same = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        same += 1
    return same


class LocalLLM(DecisionsMixin):
    """A Qwen2.5-Coder instruct GGUF (from packages) on llama.cpp, in-process. The checks
    its replies pass were written from the 0.5B model's failures.

    Args:
        model_path: a GGUF file; default: the packaged 0.5B model, joined on first use
            (`kaiwa.engine.engine.llm_model_path` names the others).
        n_ctx: context window in tokens.
        threads: CPU threads (2 on this kind of machine; llama.cpp alone would pick 1).
        temperature: sampling temperature for replies (tool calls are sampled greedily).
        cache_bytes: RAM for the KV states of recent conversations (0: only the last one).
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        n_ctx: int = 4096,
        threads: int = 2,
        temperature: float = 0.3,
        cache_bytes: int = 512 << 20,
    ) -> None:
        from llama_cpp import Llama
        from llama_cpp.llama_cache import LlamaRAMCache

        path = model_path or store.materialize(store.QWEN_0_5B)
        self.model_path = Path(path)
        """The GGUF file this model was loaded from."""
        self.context_window = n_ctx
        """Tokens the model can hold: instructions, tools, conversation and reply together."""
        # Every call into llama.cpp is made from this one thread (see `ModelWorker`).
        self._worker = ModelWorker("kaiwa-llm")
        # The worker holds nothing of this object: once it is gone, its thread ends.
        weakref.finalize(self, self._worker.close)
        try:
            self._llm = self._worker.call(
                lambda: Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=threads,
                    n_threads_batch=threads,
                    n_batch=256,
                    verbose=False,
                )
            )
        except Exception as exc:
            raise EngineError(f"cannot load the LLM {path}: {exc}", is_permanent=True) from exc
        # Tokens banned from words: those that open a call; and, to a Japanese speaker, those
        # with a character only Chinese writes (~0.5 s over the vocabulary: at load).
        self._no_calls, self._no_chinese = self._worker.call(self._vocabulary_biases)
        self._no_calls_no_chinese = {**self._no_calls, **self._no_chinese}
        # JMdict checked against its sha256 now (~0.5 s, once per install), not on the first
        # Japanese request that names a tool; the gazetteer read (~0.1 s; ~1 s once).
        jmdict_path()
        places.load()
        # Conversations take turns on the one model: the KV state of one that another is about
        # to overwrite is kept in RAM, and restored on its next turn (see `_use_prefix`). Not
        # llama-cpp-python's own cache: it saves after every reply and restores any longer
        # prefix, even one that spares two tokens for a ~100 ms restore.
        self._saved = LlamaRAMCache(capacity_bytes=cache_bytes) if cache_bytes else None
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise EngineError(f"{path} has no chat template", is_permanent=True)
        self._template = chat_template(template)
        self.temperature = temperature

        self.interleave = True
        """Make long replies in slices, so that other conversations' replies start meanwhile."""
        self.decide_greedily = True
        """Decide between a tool call and words by the most likely first token (the same
        request gets the same kind of answer every time), not by sampling it."""
        self.check_replies = True
        """Check replies in words before they are spoken (`ReplyCheck`): the request said
        back, a hint read out or a call spelled out is made again, once."""
        self.ask_named_tools = True
        """When the model chooses words for a request that names what a tool does ("Where's
        my order?"), write that tool's call and judge it: made if grounded, the missing value
        asked for if made up (the model otherwise answers with values of its own in words);
        and for one that asks for the time now ("What time is it?"), call the clock
        (`clock_asked`)."""
        self.policy = ToolCallPolicy(clocks_asked=True)
        """What the model's tool calls must pass before they are made."""
        self._last_free: tuple[str, dict[int, float] | None] = ("", None)
        self._last_facts: str | None = None  # (those of the last reply checked: `_go_on`)
        self._grammars: dict[str, Any] = {}
        self.last_prompt_tokens = 0
        """Prompt tokens of the latest call."""
        self.last_evaluated_tokens = 0
        """Of those, how many had to be evaluated (the rest came from the cached prefix)."""

    @property
    def waiting(self) -> int:
        """Replies (and other work) waiting for the model, besides what it does now."""
        return self._worker.waiting

    @property
    def ground_calls(self) -> bool:
        """Answer in words instead of making a call whose text arguments nobody said (the
        policy's setting: `ToolCallPolicy.ground_calls`)."""
        return self.policy.ground_calls

    @ground_calls.setter
    def ground_calls(self, value: bool) -> None:
        self.policy.ground_calls = value

    def _use_prefix(self, prompt: str) -> None:
        """Make the longest evaluated prefix of ``prompt`` current, and note the token counts.

        The model holds one conversation's state at a time. When ``prompt`` would overwrite a
        good part of it (another conversation's turn), that state is saved first; when a saved
        state spares ``prompt`` enough tokens over what is current, it is restored.
        """
        llm = self._llm
        tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)
        current = llm._input_ids[: llm.n_tokens].tolist()
        same = _common_prefix(tokens, current)
        saved = self._saved
        if saved is not None:
            own_reply = same >= self.last_prompt_tokens - OWN_REPLY_TOKENS
            if len(current) - same >= RESTORE_MIN_TOKENS and not own_reply:
                self._save_state(current)
            key = saved._find_longest_prefix_key(tuple(tokens))
            found = _common_prefix(tokens, key) if key is not None else 0
            if key is not None and found - same >= RESTORE_MIN_TOKENS:
                # Taken out: it is saved again, longer, when another conversation overwrites it.
                llm.load_state(saved.cache_state.pop(key))
                same = found
        self.last_prompt_tokens = len(tokens)
        self.last_evaluated_tokens = len(tokens) - same

    def render(
        self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec], *, hint: str = ""
    ) -> str:
        """The prompt for ``messages`` in the model's chat template, ready for the reply
        (`kaiwa.engine.prompt.render`)."""
        return render(self._template, messages, tools, hint=hint)

    def warm(self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] = ()) -> None:
        """Evaluate the prompt of ``messages`` now (e.g. the instructions and tools when a
        session starts), so the first reply finds it in the cache."""
        prompt = self.render(written_messages(messages), tools)

        def evaluate() -> None:
            self._use_prefix(prompt)
            self._llm.create_completion(prompt, max_tokens=1, temperature=0.0)

        try:
            self._worker.call(evaluate)
        except Exception as exc:
            raise EngineError(f"LLM warm-up failed: {exc}") from exc

    def prepare(self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] = ()) -> int:
        """Evaluate the prompt of ``messages`` while the model has nothing else to do, for a
        conversation that may use it next (a handoff's agent: its instructions and tools), and
        keep it in the store of saved states (`_use_prefix` restores it for that reply).

        Best effort, in the model's idle time (`ModelWorker.when_idle`): nothing when the
        prompt is evaluated already (held, or in the store); the state the model holds is
        saved first and put back after (if worth saving: `RESTORE_MIN_TOKENS`); when other
        work comes, it stops within a slice of `PREPARE_SLICE_TOKENS` and leaves the rest
        to that work's own `_use_prefix` (which saves what was evaluated and restores what
        it needs). Nothing without a store. Returns how many tokens it evaluated."""
        saved = self._saved
        if saved is None:
            return 0
        prompt = self.render(written_messages(messages), tools)

        def evaluate() -> int:
            llm, worker = self._llm, self._worker
            tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)
            held = llm._input_ids[: llm.n_tokens].tolist()
            same = _common_prefix(tokens, held)
            key = saved._find_longest_prefix_key(tuple(tokens))
            stored = _common_prefix(tokens, key) if key is not None else 0
            if max(same, stored) >= len(tokens) - RESTORE_MIN_TOKENS or worker.waiting:
                return 0  # a reply would start from what is evaluated (or others wait)
            kept = len(held) - same >= RESTORE_MIN_TOKENS
            if kept:
                self._save_state(held)
            llm.n_tokens = same
            done = same
            while done < len(tokens) and not worker.waiting:
                piece = tokens[done : done + PREPARE_SLICE_TOKENS]
                llm.eval(piece)
                done += len(piece)
            if not worker.waiting:
                self._save_state(tokens)
                back = saved.cache_state.pop(tuple(held), None) if kept else None
                if back is not None:  # (None: pushed out of a full store)
                    llm.load_state(back)
            return done - same

        try:
            return self._worker.when_idle(evaluate, 0)
        except Exception as exc:
            raise EngineError(f"LLM prepare failed: {exc}") from exc

    def _save_state(self, tokens: Sequence[int]) -> None:
        """Keep the state the model holds (for ``tokens``) in the store, without the copy of
        the last batch's logits: one row of it is enough for `load_state`, and the store's
        size counts only the KV data."""
        assert self._saved is not None
        state = self._llm.save_state()
        # The state carries a copy of the logits of the last batch (n_batch x 151,936
        # floats: 155 MB), which sampling does not read (the context keeps its own).
        state.scores = np.zeros((1, state.scores.shape[1]), np.float32)
        self._saved[tokens] = state

    def reset(self) -> None:
        """Forget every evaluated prompt (the next call starts cold; benchmarks use this)."""

        def forget() -> None:
            self._llm.reset()  # type: ignore[no-untyped-call]
            if self._saved is not None:
                self._saved.cache_state.clear()

        self._worker.call(forget)

    def _grammar(self, tools: Sequence[ToolSpec], cache: bool = True) -> Any:
        """The grammar of a call to one of ``tools`` (kept for the next request unless not
        ``cache``: a grammar made for one request's words)."""
        from llama_cpp.llama_grammar import LlamaGrammar, json_schema_to_gbnf

        key = json.dumps([[t.name, dict(t.parameters)] for t in tools], sort_keys=True)
        grammar = self._grammars.get(key) if cache else None
        if grammar is None:
            gbnf = json_schema_to_gbnf(json.dumps(grammar_schema(tools)))
            grammar = LlamaGrammar.from_string(gbnf, verbose=False)
            if cache:
                self._grammars[key] = grammar
        return grammar

    def stream(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec] = (),
        *,
        tool_choice: ToolChoice = "auto",
        max_tokens: int = 256,
        cancel: Cancel | None = None,
        usage: dict[str, int] | None = None,
    ) -> Iterator[LlmDelta]:
        """Stream the reply (blocking). A tool call comes out whole, once its JSON is done.
        ``usage``: see `LLMStage.stream`.

        With ``tool_choice="none"`` the tools are left out of the prompt and tokens that would
        open a call are banned: the reply is text.
        """
        job = self._job(messages, tools, tool_choice, max_tokens, usage)
        return self._worker.iterate(job, cancel=cancel, urgent=True)  # first words first

    def astream(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec] = (),
        *,
        tool_choice: ToolChoice = "auto",
        max_tokens: int = 256,
        cancel: Cancel | None = None,
        usage: dict[str, int] | None = None,
    ) -> AsyncGenerator[LlmDelta, None]:
        """`stream` for the event loop: the deltas come from the model's thread to the loop
        directly. Closing the iterator early stops the model."""
        job = self._job(messages, tools, tool_choice, max_tokens, usage)
        return self._worker.aiterate(job, cancel=cancel, urgent=True)

    def _job(
        self,
        messages: Sequence[ChatMessage],
        tools: Sequence[ToolSpec],
        tool_choice: ToolChoice,
        max_tokens: int,
        usage: dict[str, int] | None,
    ) -> Callable[[Cancel], Iterator[LlmDelta | StepAside[LlmDelta]]]:
        """The work of one reply, for the model's worker. The user's words are seen, and
        checked against, as people write them (`written_messages`: "twenty seven d" as 27D)."""
        asked = self.policy.ask(
            written_messages(messages), tools, tool_choice
        )  # a bad choice raises here
        worked = _worked_out(asked) or _held(asked)
        if worked is not None:
            # "how many seconds in an hour": worked out, not guessed ("1200"); "give me a
            # sec": "Sure, take your time." No model work: no tokens, no slices, nothing of
            # the next turn evaluated ahead.
            def answer(stop: Cancel) -> Iterator[LlmDelta]:
                if usage is not None:
                    usage["input_tokens"] = usage["cached_tokens"] = 0
                yield LlmDelta(text=str(worked))

            return answer

        # The model is shared by every conversation, so a long reply is made in slices: at a
        # clause end, a reply that another one waits for steps aside (soon if the other has
        # not begun), and goes on later from where it stopped (its KV state is kept aside
        # meanwhile, see `_use_prefix`). Speech plays far slower than the model writes, so the
        # reply stays ahead of its playback, and nobody's first words wait for a whole answer.
        said, made = "", 0  # the reply's text so far, and its deltas (about one a token)
        base: tuple[str, dict[int, float] | None] | None = None
        facts: str | None = None  # what the reply was checked against, if it reads out a result

        def part(
            work: Callable[[Cancel], Iterator[LlmDelta]], stop: Cancel
        ) -> Iterator[LlmDelta | StepAside[LlmDelta]]:
            nonlocal said, made, base, facts
            in_slice = 0
            deltas = self._then_open_user_turn(work, stop)
            try:
                for delta in deltas:
                    if made == 0 and usage is not None:  # this reply's counts: in its turn
                        n, evaluated = self.last_prompt_tokens, self.last_evaluated_tokens
                        usage["input_tokens"], usage["cached_tokens"] = n, n - evaluated
                    yield delta
                    made, in_slice, said = made + 1, in_slice + 1, said + delta.text
                    if (
                        self.interleave
                        and delta.tool_call is None
                        and made < max_tokens
                        and _CLAUSE_END.search(delta.text)
                        and (
                            (in_slice >= FIRST_WORDS_FIRST and self._worker.urgent)
                            or (in_slice >= SLICE_TOKENS and self._worker.waiting)
                        )
                    ):
                        break
                else:
                    return
            finally:
                deltas.close()  # the model stops here
                if base is None:  # the prompt (and bias) of the completion the text came from
                    base = self._last_free  # (read before another reply's turn changes it)
                    facts = self._last_facts
            rest = functools.partial(
                self._go_on, asked, said, base[0] + said, base[1], max_tokens - made, facts
            )
            yield StepAside(functools.partial(part, rest))

        first = functools.partial(self._reply, asked, max_tokens)
        return functools.partial(part, first)

    def _go_on(
        self,
        asked: Asked,
        said: str,
        prompt: str,
        bias: dict[int, float] | None,
        max_tokens: int,
        facts: str | None,
        cancel: Cancel,
    ) -> Iterator[LlmDelta]:
        """More of a reply that stepped aside: ``prompt`` ends with ``said``, what it said so
        far; the rest is checked as the start was (`ReplyCheck`, against ``facts`` if it
        was), and cut short if unfit."""
        self._use_prefix(prompt)
        pieces = self._complete(
            prompt, max_tokens, cancel, temperature=self.temperature, logit_bias=bias
        )
        if not self.check_replies:
            yield from (LlmDelta(text=p) for p in pieces if p)
            return
        check = self._reply_check(asked, said=said, facts=facts)
        text = yield from self._checked(pieces, check, cancel)
        if cancel is not None and cancel.is_set:
            return
        if check.fault is not None:
            logger.info("reply cut short (%s): %r", check.fault.value, text[:200])
        yield from self._result_untold(check, asked)

    def _then_open_user_turn(
        self, reply: Callable[[Cancel], Iterator[LlmDelta]], stop: Cancel
    ) -> Generator[LlmDelta, None, None]:
        """``reply(stop)``; then, if it was spoken to its end, the opening of the user's next
        turn."""
        spoke = True
        for delta in reply(stop):
            spoke = spoke and delta.tool_call is None
            yield delta
        if spoke and not stop.is_set:
            # The user speaks next: evaluate the start of their turn while they think, so the
            # next reply's prompt has a few tokens fewer to evaluate. Queued after this reply
            # (its end is not held up), and before the jobs waiting.
            self._worker.later(self._open_user_turn)

    def _open_user_turn(self) -> None:
        """Evaluate the chat template's opening of a user turn after the current state (an
        optimisation only: skipped when the context is full, and a failure changes nothing)."""
        opening = self._llm.tokenize(USER_TURN, add_bos=False, special=True)
        if self._llm.n_tokens + len(opening) > self._llm.n_ctx():
            return
        try:
            self._llm.eval(opening)
        except Exception:  # llama.cpp clears from n_tokens first: the state stays consistent
            logger.debug("could not evaluate the opening of the next user turn", exc_info=True)

    def _reply(self, asked: Asked, max_tokens: int, cancel: Cancel) -> Iterator[LlmDelta]:
        """`stream`'s work, on the model's own thread (the prompt is rendered here too: not
        on the caller's event loop)."""
        self._last_facts = None  # (set by the check its words go through, if they read out)
        prompt = self.render(asked.messages, asked.shown)

        self._use_prefix(prompt)
        callable_tools = asked.callable
        # Spoken to in Japanese, the model sometimes answers in Chinese ("抱歉，我无法..."):
        # characters only Chinese writes are banned, at the call-or-words decision too.
        japanese = is_japanese(last_user_text(asked.messages))
        no_chinese = self._no_chinese if japanese else None
        if asked.mode == "required":
            made = [without_hint(c) for c in self._grammar_calls(prompt, callable_tools, cancel)]
            verdict = self.policy.judge(made, asked)  # (asked for: made, spoken codes written)
            for c in verdict.calls if verdict.kind is VerdictKind.CALL else made:
                yield LlmDelta(tool_call=c)
            return
        if asked.mode == "none" or not callable_tools:
            yield from self._words(prompt, max_tokens, cancel, asked)
            return
        head = ""  # the reply's start, held back until we know it is text
        call = ""
        if self.decide_greedily:
            # Call or words is decided by the most likely first token, not by a draw: the
            # same request gets the same kind of answer every time. A call is then written
            # greedily (as under a grammar); words are sampled, with call openings banned.
            first = "".join(
                self._complete(prompt, 1, cancel, temperature=0.0, logit_bias=no_chinese)
            ).lstrip()
            if not first:  # only a space or a line break (or half a character): undecided
                pieces = self._complete(
                    prompt,
                    max_tokens,
                    cancel,
                    temperature=self.temperature,
                    logit_bias=no_chinese,
                )
            elif first.startswith((*_CALL_OPENINGS, "{")) or any(
                o.startswith(first) for o in _CALL_OPENINGS
            ):
                pieces = self._complete(
                    prompt, max_tokens, cancel, temperature=0.0, logit_bias=no_chinese
                )
            else:  # words, checked as they come; a call spelled out in them is written
                instead = self._instead_of_words(asked)
                if instead is not None:
                    yield from self._called_instead(instead, prompt, asked, max_tokens, cancel)
                    return
                yield from self._in_words(prompt, asked, max_tokens, cancel)
                return
        else:
            pieces = self._complete(
                prompt, max_tokens, cancel, temperature=self.temperature, logit_bias=no_chinese
            )
        named_checked = False
        for piece in pieces:
            head += piece
            start = head.lstrip()
            if any(len(start) < len(o) and o.startswith(start) for o in _CALL_OPENINGS):
                continue  # could still become "<tool_call>" or a fenced JSON call
            if start.startswith((*_CALL_OPENINGS, "{")):
                call = head  # a tool call (Qwen sometimes drops the tag): read it whole
                head = ""
                continue
            if call:
                call += piece
                echoed = copied_tool(call, asked.callable)
                if echoed is not None:  # the tool list copied out: the call written instead
                    pieces.close()
                    logger.debug("the model copied out the tools: %r", call[:120])
                    verdict = Verdict(VerdictKind.REWRITE)
                    yield from self._settle(verdict, prompt, asked, max_tokens, cancel, echoed)
                    return
                if not named_checked and (name := first_name(call)) is not None:
                    named_checked = True
                    offered = next((t for t in asked.callable if t.name == name), None)
                    if (
                        offered is not None
                        and offered.name.startswith(HANDOFF_PREFIX)
                        and takes_no_values(offered.parameters)
                    ):
                        # a handoff that takes no values is made once named, alone: the 0.5B
                        # model writes values of its own for it, to be dropped (a schema
                        # copied out: ~1.3 s). (A clock, which takes none either, may be
                        # followed by another call: read whole.)
                        pieces.close()
                        logger.debug("the model called %r, which takes no values", name)
                        call = tagged(json.dumps({"name": name, "arguments": {}}))
                        break
                    # a function not offered, judged so once whole: when it stands for a
                    # tool (`_stands_for`), the rest is not waited for
                    if unoffered_name(call, asked.callable) and self._stands_for(name, asked):
                        pieces.close()
                        logger.debug("the model called %r, a function not offered", name)
                        verdict = Verdict(VerdictKind.WORDS_TOLD, unoffered=name)
                        yield from self._settle(verdict, prompt, asked, max_tokens, cancel)
                        return
                if "}" in piece and enough_calls(call, asked.messages):
                    pieces.close()  # the rest would be thrown away: stop the model now
                    call = tagged(call)
                    break
                continue
            # Words after all: checked as any words are; unfit before they went out, made
            # again as words (or the call they spell out, written).
            instead = self._instead_of_words(asked)
            if instead is not None:
                pieces.close()
                yield from self._called_instead(instead, prompt, asked, max_tokens, cancel)
                return
            if not self.check_replies:
                yield from (LlmDelta(text=p) for p in _after(start, pieces) if p)
                return
            check = self._reply_check(asked, facts=result_read_out(asked.messages))
            self._last_facts = check.facts
            text = yield from self._checked(_after(start, pieces), check, cancel)
            if cancel is not None and cancel.is_set:
                return
            if check.fault is None or check.started:  # (said, or cut short)
                yield from self._result_untold(check, asked)
                return
            yield from self._in_words(prompt, asked, max_tokens, cancel, (check.fault, text))
            return
        if cancel is not None and cancel.is_set:
            return
        if not call:
            if (
                head and head.strip()
            ):  # (a reply of a few characters, all of it like a call's start)
                yield LlmDelta(text=head.strip())
            return
        verdict = self._judge_written(call, asked)
        logger.debug("the model wrote %r: %s", call[:300], verdict.kind.value)
        yield from self._settle(verdict, prompt, asked, max_tokens, cancel)

    def _grammar_calls(
        self, prompt: str, tools: Sequence[ToolSpec], cancel: Cancel | None, cache: bool = True
    ) -> Iterator[ToolCall]:
        prefix = prompt + TOOL_OPEN + "\n"
        grammar = self._grammar(tools, cache)
        body = "".join(self._complete(prefix, 512, cancel, temperature=0.0, grammar=grammar))
        if cancel is not None and cancel.is_set:
            return
        try:
            call = json.loads(body)
        except ValueError as exc:
            raise _CallCutShort(f"the model's tool call was cut short: {body[:200]!r}") from exc
        yield (
            ToolCall(
                name=call["name"],
                arguments=json.dumps(call.get("arguments", {}), ensure_ascii=False),
            )
        )
