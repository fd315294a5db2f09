"""What the agent says once its tool has answered: in the user's language, with the right numbers.

`run.py` scores the reply to a request, which for most requests is a call. This scores the
reply that follows: every case of ``bench/quality/cases`` whose right reply is a call to one of
the tools below (handoffs excluded) is given that call, with the values it labels, and a result
like the tool's own, and the LLM's next reply is scored:

- words: a reply in words (not another call);
- language: in the user's language (Japanese: with kana or kanji in it; English: none);
- made up: a number (digits, after NFKC) that neither the result nor the request holds;
  the bench's own rule, simpler than the engine's (`kaiwa.engine.facts`): kanji numerals
  and days are not read, and a clock's 12:44 said as 0:44 counts as made up;
- latency: from the request to the reply's first piece.

The call given is the engine's own for the request when it calls the right tool (with every
value it wrote), else (and with ``--labelled``) one with the case's labelled values only.

    .venv/bin/python bench/quality/after_result.py [--half dev|test|all] [--lang en|ja|all]
        [--show] [--labelled]
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.quality.agents import setup  # noqa: E402
from bench.quality.run import CASES, Case, conversation, load, pct  # noqa: E402
from kaiwa.engine.chat import ChatMessage, ToolCall  # noqa: E402

RESULTS = {
    "get_weather": "It is sunny in {city}, 22 degrees.",
    "faq_lookup_tool": "Economy passengers may check one bag of up to 23 kg.",
    "update_seat": "Seat changed to {new_seat} for booking {confirmation_number}.",
    "book_table": "Booked a table for {party_size} at {time}.",
    "get_opening_hours": "We are open from noon to 10 pm.",
    "set_lights": "The {room} lights are on.",
    "set_thermostat": "The thermostat is set to {temperature} degrees.",
    "set_timer": "Timer set for {minutes} minutes.",
    "get_order_status": "Order {order_number} was shipped yesterday and arrives on Friday.",
    "request_refund": "A refund for order {order_number} has been started.",
    # (the default assistant's clock says "12:44 PM on Saturday, 5 December 2026" since
    # 2026-12-07, twenty-first session; the older form is kept so that figures compare)
    "get_current_time": "Saturday 05 December 2026, 12:44",
}
"""What each tool returns here: the results of ``bench/quality/agents.py``'s tools, in English
as they are (the clock's is the English one of `kaiwa chat`'s default agent)."""

_KANA_KANJI = re.compile(r"[ぁ-ゖァ-ヺ一-鿿]")
_DIGITS = re.compile(r"\d+")


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def first_value(value: Any) -> Any:
    """The value a right call carries: the first of a case's accepted options."""
    return value[0] if isinstance(value, list) else value


def messages_for(
    case: Case, instructions: str, made: ToolCall | None = None
) -> tuple[list[ChatMessage], str]:
    """The conversation up to the tool's result, and the result. The call is ``made`` (the
    engine's own, with all its values) if given, else one with the case's labelled values
    (only those: a refund's reason, not labelled, is missing from it)."""
    args = {k: first_value(v) for k, v in case.args.items()}
    if made is not None:
        args = made.parsed_arguments() or args
    result = RESULTS[str(case.tool)].format_map(_Blank(args))
    call = ToolCall(str(case.tool), json.dumps(args, ensure_ascii=False), call_id="call_r")
    messages = conversation(case, instructions)
    messages += [
        ChatMessage("user", case.text),
        ChatMessage("assistant", "", tool_calls=(call,)),
        ChatMessage("tool", result, tool_call_id="call_r"),
    ]
    return messages, result


def made_up(text: str, facts: str) -> bool:
    """Whether ``text`` has a number in digits that ``facts`` does not."""

    def numbers(t: str) -> set[int]:
        return {int(d) for d in _DIGITS.findall(unicodedata.normalize("NFKC", t))}

    return bool(numbers(text) - numbers(facts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--lang", choices=["en", "ja", "all"], default="all")
    parser.add_argument("--show", action="store_true", help="print every reply")
    parser.add_argument(
        "--labelled",
        action="store_true",
        help="give every case the call with its labelled values (as before 2026-12-05's "
        "seventh session), not the engine's own call where it made the right one",
    )
    args = parser.parse_args()
    cases = [
        c
        for c in load(CASES.glob("*.jsonl"))
        if args.half in ("all", c.half) and args.lang in ("all", c.lang) and c.tool in RESULTS
    ]
    cases.sort(key=lambda c: (c.agent, c.lang))
    from kaiwa.engine.llm import LocalLLM

    llm = LocalLLM()
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    given = {True: 0, False: 0}
    for i, case in enumerate(cases, 1):
        agent = setup(case.agent, case.lang)
        made = None
        if not args.labelled:
            # The call the engine itself makes for the request, if it is to the right tool:
            # the labelled values alone miss the rest (a refund's reason), which the model
            # then calls again to give.
            asked = [*conversation(case, agent.instructions), ChatMessage("user", case.text)]
            own = [d.tool_call for d in llm.stream(asked, agent.tools) if d.tool_call]
            made = own[0] if own and own[0].name == case.tool else None
            given[made is not None] += 1
        messages, result = messages_for(case, agent.instructions, made)
        start, first = time.perf_counter(), None
        text, calls = "", []
        for delta in llm.stream(messages, agent.tools, max_tokens=80):
            if first is None and (delta.text.strip() or delta.tool_call):
                first = time.perf_counter()
            if delta.tool_call is not None:
                calls.append(f"{delta.tool_call.name}({delta.tool_call.arguments})")
            text += delta.text
        called = bool(calls)
        words = not called and bool(text.strip())
        japanese = bool(_KANA_KANJI.search(text))
        row = {
            "words": words,
            "language": words and (japanese if case.lang == "ja" else not japanese),
            "made_up": words and made_up(text, result + " " + case.text),
            "ms": ((first or time.perf_counter()) - start) * 1000,
        }
        for key in (f"{case.half} {case.lang}", f"{case.half} {case.agent}"):
            rows[key].append(row)
        if args.show:
            marks = [k for k in ("language", "made_up") if row[k] == (k == "made_up")]
            said = f"{text[:120]!r}" + (f" calls {', '.join(calls)}" if calls else "")
            print(f"\n{case.id}: {said} {marks}", end="")
        print(f"\r{i}/{len(cases)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if args.show:
        print("\n")
    if not args.labelled:
        print(
            f"the engine's own call given: {given[True]} of {len(cases)} cases "
            f"(the rest: the labelled call, the engine's was another)\n"
        )
    print(f"{'group':<22} {'n':>3}  {'words':>13}  {'language':>13}  {'made up':>13}  p50 ms")
    for key, group in sorted(rows.items(), key=lambda kv: (kv[0][-2:] not in ("en", "ja"), kv[0])):
        n = len(group)
        said = [r for r in group if r["words"]]
        print(
            f"{key:<22} {n:>3}  {pct(len(said), n):>13}  "
            f"{pct(sum(r['language'] for r in group), n):>13}  "
            f"{pct(sum(r['made_up'] for r in said), len(said)):>13}  "
            f"{statistics.median(r['ms'] for r in group):6.0f}"
        )


if __name__ == "__main__":
    main()
