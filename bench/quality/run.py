"""Does the agent do what was asked? Tool choice, arguments, false calls and plain answers.

Every case in ``bench/quality/cases/*.jsonl`` is a request to one of the agents of
``bench/quality/agents.py`` (sometimes after earlier turns), with the call it should make (or
none) and, for general questions, the words a right answer contains. The engine's LLM stage
gets the agent's instructions and tools as a session would give them, and its reply is scored:

- tool: the right tool was called (or none, when none should be);
- args: that, and every labelled argument has the expected value;
- false call: a call (a handoff counts) on a request that needs none;
- answer: a general question answered rightly;
- junk: a reply in words that is not fit to be spoken: it reads out instructions or hints
  (its own or the engine's), spells out a tool call, or repeats the request back with little
  added (at least 12 letters of English, 6 characters of Japanese: "hello" back is a fair
  answer, and so is "Largest ocean is the Pacific Ocean.");
- asks: a request missing a value ("Book me a table.") answered with a question, not a call,
  junk or a request to say it again (whether the question is about the missing value is not
  checked);
- again: a reply in words that asks the user to say it again (the engine's "Sorry, could you
  say that another way?", or any such reply: `_REPEAT`), whatever the request;
- latency: from the request to the reply's first piece (text or call), p50/p95.

The cases are split into a dev half and a test half (``half``): tune on dev only; the test half
is the figure (README). Printed per half, per agent, per category and per language.

With ``--spoken``, each request is first spoken (the history stays text) by two voices per
language (English: the packaged piper voice and espeak-ng; Japanese: two Kokoro voices, female
and male), recognised by the engine's recogniser, and the transcript is what the LLM gets;
the tables add the recognition's WER (English) or CER (Japanese) per voice.

    .venv/bin/python bench/quality/run.py [--half dev|test|all] [--lang en|ja|all]
        [--agent NAME] [--writer w4] [--model small|large|GGUF] [--spoken] [--failures]
        [--save results.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.quality.agents import AGENTS, AgentSetup, setup  # noqa: E402
from kaiwa.engine.chat import ChatMessage, LLMStage, ToolCall  # noqa: E402
from kaiwa.exceptions import EngineError  # noqa: E402

CASES = Path(__file__).with_name("cases")


@dataclass(frozen=True)
class Case:
    """One request, with what a right reply does."""

    id: str
    agent: str
    lang: str
    half: str
    category: str
    text: str
    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    answer: list[str] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    """Earlier turns: ``role`` and ``content``; an assistant turn may carry ``tool_calls``
    (``name``, ``arguments``), each answered by a following ``tool`` turn."""
    source: str = ""


@dataclass
class Outcome:
    case: Case
    calls: list[tuple[str, dict[str, Any]]]
    text: str
    latency_ms: float
    voice: str = "text"
    heard: str | None = None
    """What the recogniser heard (spoken runs)."""
    errors: float = 0.0
    """Recognition errors: words (English) or characters (Japanese), edit distance."""
    length: int = 0
    """The request's length in the same units."""
    tool_ok: bool = False
    args_ok: bool = False
    false_call: bool = False
    answer_ok: bool | None = None
    junk: bool | None = None
    """A reply in words not fit to be spoken (`junk`); None for a call."""
    asks: bool | None = None
    """For a request missing a value: whether the reply asks for something (`asks`)."""


def load(paths: Iterable[Path]) -> list[Case]:
    cases: list[Case] = []
    seen: set[str] = set()
    for path in sorted(paths):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = Case(**json.loads(line))
            except (TypeError, ValueError) as exc:
                raise SystemExit(f"{path}:{n}: not a case: {exc}") from exc
            if case.agent not in AGENTS or case.half not in ("dev", "test"):
                raise SystemExit(f"{path}:{n}: unknown agent {case.agent!r} or half {case.half!r}")
            if case.id in seen:
                raise SystemExit(f"{path}:{n}: the id {case.id!r} is used twice")
            seen.add(case.id)
            cases.append(case)
    return cases


def norm(text: str) -> str:
    """Compared text: NFKC, lower case, no accents, letters and digits only (no spaces)."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def value_matches(value: Any, expected: Any) -> bool:
    """Whether an argument's value is what was labelled. ``expected`` is a value or a list of
    acceptable ones; text matches when one of them is contained in the value (compared by
    `norm`: "Paris, France" is Paris; "ABC 123" is ABC123), numbers by value, booleans
    exactly."""
    options = expected if isinstance(expected, list) else [expected]
    for option in options:
        if isinstance(option, bool):
            if value is option or (isinstance(value, str) and value.lower() == str(option).lower()):
                return True
        elif isinstance(option, int | float):
            got = _number(value)
            if got is not None and abs(got - option) < 1e-6:
                return True
        elif norm(option) and norm(option) in norm(value):
            return True
    return False


LEAKS = (
    "call a tool",
    "answer in words",
    "without a tool",
    "if something is missing",
    "ツールを使わず",
    "足りない情報があれば",
    "# tools",
    "<tool",
    "</tool",
    "function signatures",
    "additionalproperties",
)
"""Pieces of the engine's hints and of Qwen's tool prompt: never words for a user."""

CALL_SHAPES = re.compile(r'"name"\s*:|\bname:\s*\w+_\w+|\barguments\b\s*[:=]', re.IGNORECASE)


def junk(case: Case, tools: Sequence[str], text: str) -> bool:
    """Whether a reply in words is not fit to be spoken (see the module's docstring). Its own
    rules, not the engine's: the bench must not share the engine's idea of a good reply."""
    low = text.lower()
    if any(leak in low for leak in LEAKS) or CALL_SHAPES.search(text):
        return True
    if any(name in text for name in tools):  # "You can call the get_weather tool..."
        return True
    asked, said = norm(case.text), norm(text)
    long_enough = len(asked) >= (6 if case.lang == "ja" else 12)
    return long_enough and asked in said and len(said) - len(asked) <= len(asked) // 2


_REPEAT = re.compile(r"another way|say that again|repeat that|rephrase|別の言い方|もう一度")


def asks(text: str) -> bool:
    """Whether a reply asks the user something (a question mark, or a Japanese sentence
    ending in か) other than to say it again: what a request missing a value should get.
    The bench's own rule; it does not check that the question is about the missing value."""
    if _REPEAT.search(text.lower()):
        return False
    return bool(re.search(r"[?？]|か[。.]?\s*$|ですか|ますか", text))


def again(outcome: Outcome) -> bool:
    """Whether a reply in words asks the user to say it again (see `_REPEAT`)."""
    return not outcome.calls and bool(_REPEAT.search(outcome.text.lower()))


def score(
    case: Case, calls: list[tuple[str, dict[str, Any]]], text: str, tools: Sequence[str] = ()
) -> Outcome:
    out = Outcome(case, calls, text, 0.0)
    if not calls:
        out.junk = junk(case, tools, text)
    if case.category == "missing":
        out.asks = not calls and not out.junk and asks(text)
    if case.tool is None:
        out.tool_ok = out.args_ok = not calls
        out.false_call = bool(calls)
    elif calls:
        name, args = calls[0]
        out.tool_ok = name == case.tool
        out.args_ok = out.tool_ok and all(
            key in args and value_matches(args[key], want) for key, want in case.args.items()
        )
    if case.answer:
        out.answer_ok = not calls and any(norm(a) in norm(text) for a in case.answer)
    return out


def conversation(case: Case, instructions: str) -> list[ChatMessage]:
    """The agent's instructions and ``case``'s earlier turns, as messages (each call in the
    history answered by the ``tool`` turn that follows it); the request is not in them."""
    messages = [ChatMessage("system", instructions)]
    pending: list[str] = []  # ids of calls made in the history and not answered yet
    for n, turn in enumerate(case.history):
        if turn["role"] == "tool":
            messages.append(ChatMessage("tool", turn["content"], tool_call_id=pending.pop(0)))
            continue
        calls = tuple(
            ToolCall(
                c["name"],
                json.dumps(c.get("arguments", {}), ensure_ascii=False),
                call_id=f"call_{n}_{i}",
            )
            for i, c in enumerate(turn.get("tool_calls", ()))
        )
        pending += [c.call_id for c in calls]
        messages.append(ChatMessage(turn["role"], turn.get("content", ""), calls))  # type: ignore[arg-type]
    return messages


def run_case(llm: LLMStage, agent: AgentSetup, case: Case) -> Outcome:
    messages = conversation(case, agent.instructions)
    messages.append(ChatMessage("user", case.text))
    start = time.perf_counter()
    first: float | None = None
    calls: list[tuple[str, dict[str, Any]]] = []
    text = ""
    try:
        for delta in llm.stream(messages, agent.tools, max_tokens=80):
            if first is None and (delta.text.strip() or delta.tool_call):
                first = time.perf_counter()
            if delta.tool_call is not None:
                args = json.loads(delta.tool_call.arguments or "{}")
                calls.append((delta.tool_call.name, args))
            text += delta.text
    except EngineError as exc:  # a failed turn: wrong whatever was expected
        calls.append(("<error>", {"error": str(exc)[:200]}))
    out = score(case, calls, text, [t.name for t in agent.tools])
    out.latency_ms = ((first or time.perf_counter()) - start) * 1000
    return out


VOICES = {"en": ("piper", "espeak"), "ja": ("kokoro-jf_alpha", "kokoro-jm_kumo")}


class Speech:
    """Speaks a request in a voice and recognises it as the engine would (models loaded once)."""

    def __init__(self) -> None:
        self._asr: dict[str, Any] = {}
        self._kokoro: dict[str, Any] = {}

    def say(self, text: str, voice: str) -> Any:
        import numpy as np

        from kaiwa.audio.codecs import resample
        from tests.speech import espeak, piper

        if voice == "piper":
            audio = piper(text)
        elif voice == "espeak":
            audio = espeak(text)
        else:
            from kaiwa.engine.tts import KokoroSynthesizer

            name = voice.removeprefix("kokoro-")
            if name not in self._kokoro:
                self._kokoro[name] = KokoroSynthesizer(name)
            synth = self._kokoro[name]
            audio = resample(np.concatenate(list(synth.synthesize(text))), synth.sample_rate, 16000)
        lead = np.zeros(16000 * 3 // 10, np.float32)
        return np.concatenate([lead, audio, lead])

    def hear(self, audio: Any, lang: str) -> str:
        from kaiwa.engine import store
        from kaiwa.engine.asr import SpeechRecognizer

        if lang not in self._asr:
            self._asr[lang] = (
                SpeechRecognizer() if lang == "en" else SpeechRecognizer(store.whisper_base())
            )
        return str(self._asr[lang].transcribe(audio, language=lang).text)


def recognition_errors(said: str, heard: str, lang: str) -> tuple[float, int]:
    """(edit distance, length) in words for English, characters for Japanese."""
    from tests.speech import error_rate, words

    if lang == "en":
        ref, hyp = words(said), words(heard)
    else:
        ref, hyp = list(norm(said)), list(norm(heard))
    return error_rate(ref, hyp) * max(len(ref), 1), len(ref)


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}% ({n}/{d})" if d else "    -"


def summary(outcomes: Sequence[Outcome]) -> dict[str, str]:
    tool_cases = [o for o in outcomes if o.case.tool is not None]
    none_cases = [o for o in outcomes if o.case.tool is None]
    answers = [o for o in outcomes if o.answer_ok is not None]
    words = [o for o in outcomes if o.junk is not None]
    missing = [o for o in outcomes if o.asks is not None]
    lat = sorted(o.latency_ms for o in outcomes)
    heard = [o for o in outcomes if o.heard is not None]
    recognition = {}
    if heard:
        rate = 100 * sum(o.errors for o in heard) / max(sum(o.length for o in heard), 1)
        recognition = {"WER/CER": f"{rate:.1f}%"}
    return {
        "n": str(len(outcomes)),
        "tool": pct(sum(o.tool_ok for o in tool_cases), len(tool_cases)),
        "tool+args": pct(sum(o.args_ok for o in tool_cases), len(tool_cases)),
        "false calls": pct(sum(o.false_call for o in none_cases), len(none_cases)),
        "answers": pct(sum(bool(o.answer_ok) for o in answers), len(answers)),
        "junk": pct(sum(bool(o.junk) for o in words), len(words)),
        "asks": pct(sum(bool(o.asks) for o in missing), len(missing)),
        "again": pct(sum(again(o) for o in words), len(words)),
        "p50 ms": f"{statistics.median(lat):.0f}" if lat else "-",
        "p95 ms": f"{lat[min(len(lat) - 1, int(0.95 * len(lat)))]:.0f}" if lat else "-",
        **recognition,
    }


def table(title: str, groups: dict[str, list[Outcome]]) -> None:
    rows = {key: summary(group) for key, group in sorted(groups.items())}
    if not rows:
        return
    cols = list(next(iter(rows.values())))
    width = max(len(title), *(len(k) for k in rows))
    widths = [max(len(c), *(len(r[c]) for r in rows.values())) for c in cols]
    print(f"{title:<{width}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(cols, widths, strict=True)))
    for key, row in rows.items():
        cells = "  ".join(f"{row[c]:>{w}}" for c, w in zip(cols, widths, strict=True))
        print(f"{key:<{width}}  {cells}")
    print()


def report(outcomes: Sequence[Outcome]) -> None:
    by: dict[str, dict[str, list[Outcome]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes:
        c = o.case
        by["half"][c.half].append(o)
        by["half/lang"][f"{c.half} {c.lang}"].append(o)
        if o.heard is not None:
            by["half/lang/voice"][f"{c.half} {c.lang} {o.voice}"].append(o)
        by["agent"][f"{c.half} {c.agent}"].append(o)
        by["category"][f"{c.half} {c.category}"].append(o)
    for title in ("half", "half/lang", "half/lang/voice", "agent", "category"):
        table(title, by[title])


def failures(outcomes: Sequence[Outcome]) -> None:
    for o in outcomes:
        if o.args_ok and o.answer_ok is not False and not o.junk and o.asks is not False:
            continue
        c = o.case
        got = "; ".join(f"{n}({json.dumps(a, ensure_ascii=False)})" for n, a in o.calls)
        want = f"{c.tool}({json.dumps(c.args, ensure_ascii=False)})" if c.tool else "no call"
        heard = f" (heard {o.heard!r}, {o.voice})" if o.heard is not None else ""
        print(
            f"[{c.id} {c.agent}] {c.text!r}{heard}\n"
            f"    want {want}; got {got or repr(o.text[:100])}{' (junk)' if o.junk else ''}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--lang", choices=["en", "ja", "all"], default="all")
    parser.add_argument("--agent", choices=sorted(AGENTS), action="append")
    parser.add_argument(
        "--model",
        help="the LLM: small (the default), large (kaiwa[large]) or a GGUF file",
    )
    parser.add_argument("--temperature", type=float, help="the LLM's (default: its own)")
    parser.add_argument(
        "--sampled-decision",
        action="store_true",
        help="draw call-or-words from the first token's distribution (as before 2026-12-03)",
    )
    parser.add_argument(
        "--no-grounding", action="store_true", help="make calls whose values nobody said"
    )
    parser.add_argument(
        "--spoken", action="store_true", help="speak each request in two voices and recognise it"
    )
    parser.add_argument(
        "--writer",
        help="only one writer's requests, by the mark in their ids: w4 to w9 (the "
        "first three writers' ids carry none)",
    )
    parser.add_argument("--failures", action="store_true", help="list every wrong reply")
    parser.add_argument("--save", type=Path, help="write every outcome to this JSON file")
    args = parser.parse_args()

    cases = [
        c
        for c in load(CASES.glob("*.jsonl"))
        if args.half in ("all", c.half)
        and args.lang in ("all", c.lang)
        and (not args.agent or c.agent in args.agent)
        and (not args.writer or f"-{args.writer}-" in c.id)
    ]
    if not cases:
        raise SystemExit("no cases match")
    from kaiwa.engine.engine import llm_model_path
    from kaiwa.engine.llm import LocalLLM

    llm = LocalLLM(llm_model_path(args.model or "small"))
    if args.temperature is not None:
        llm.temperature = args.temperature
    llm.decide_greedily = not args.sampled_decision
    llm.ground_calls = not args.no_grounding
    setups: dict[tuple[str, str], AgentSetup] = {}
    outcomes = []
    cases.sort(key=lambda c: (c.agent, c.lang))  # an agent's prompt stays cached
    runs = [(c, v) for c in cases for v in (VOICES[c.lang] if args.spoken else ("text",))]
    speech = Speech() if args.spoken else None
    for i, (case, voice) in enumerate(runs, 1):
        key = (case.agent, case.lang)
        if key not in setups:
            setups[key] = setup(*key)
        heard = None
        if speech is not None:
            heard = speech.hear(speech.say(case.text, voice), case.lang)
        outcome = run_case(llm, setups[key], replace(case, text=heard) if heard else case)
        outcome.case, outcome.voice, outcome.heard = case, voice, heard
        if heard is not None:
            outcome.errors, outcome.length = recognition_errors(case.text, heard, case.lang)
        outcomes.append(outcome)
        print(f"\r{i}/{len(runs)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    report(outcomes)
    if args.failures:
        failures(outcomes)
    if args.save:
        rows = [asdict(o) for o in outcomes]
        args.save.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
