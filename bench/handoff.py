"""A handoff's first reply, with and without the handoffs prepared ahead.

The airline demo (`kaiwa.apps.airline`): the triage agent hands a request to the FAQ agent or
the seat booking agent, whose instructions and tools the LLM has not read yet. With the
handoffs prepared (the default: the session has the engine evaluate each agent it can hand
off to while idle, `RealtimeModel.prepare`), the new agent's first reply should not wait for
that; without (``unprepared``: a `LocalRealtimeModel` whose ``prepare`` does nothing, as
before), it does.

Each round opens one session each way on the same engine, the two ways alternating (A B B A),
with the LLM's store of saved states emptied before each session (no session finds another's
prompt). Each session waits ``--idle`` seconds (a user about to speak), then sends a request
in text. Measured: the handoff event -> the new agent's first act (its first audio, or its
tool call), and the request -> that act. A request the model did not hand off is counted, not
timed. Requests in English and Japanese (the page's language: its instructions differ).
Run: ``.venv/bin/python bench/handoff.py [--rounds 6] [--idle 6]`` (~3 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kaiwa import LocalRealtimeModel, RealtimeRunner
from kaiwa.apps import airline
from kaiwa.config import RealtimeSessionModelSettings
from kaiwa.engine.engine import Engine

REQUESTS = [
    ("en", "I'd like to change my seat, please."),
    ("en", "How many bags can I bring on the plane?"),
    ("ja", "座席を変更したいんですが。"),
    ("ja", "機内に持ち込める荷物はいくつまでですか？"),
    ("en", "Can I switch to a window seat?"),
    ("en", "Is there wifi on the plane?"),
    ("ja", "窓側の席に替えてもらえますか？"),
    ("ja", "機内でWi-Fiは使えますか？"),
]


class UnpreparedModel(LocalRealtimeModel):
    """The engine as it was before handoffs were prepared: ``prepare`` does nothing."""

    async def prepare(self, settings: RealtimeSessionModelSettings) -> None:
        del settings


async def one(engine: Engine, prepared: bool, language: str, text: str, idle: float) -> Any:
    """One session: wait ``idle`` seconds, send ``text``; the times after the handoff."""
    engine.llm.reset()  # no session finds another's prompt evaluated
    model = LocalRealtimeModel(engine=engine) if prepared else UnpreparedModel(engine=engine)
    runner = RealtimeRunner(airline.triage_agent, model=model)
    async with await runner.run(context=SimpleNamespace(language=language)) as session:
        await model.warmed()
        await asyncio.sleep(idle)
        sent = time.perf_counter()
        await session.send_message(text)
        handed: float | None = None
        async with asyncio.timeout(60):
            async for event in session:
                now = time.perf_counter()
                if event.type == "handoff":
                    handed = now
                elif handed is not None and event.type in (
                    "audio",
                    "tool_start",
                    "tool_approval_required",
                ):
                    return (now - handed) * 1000, (now - sent) * 1000
                elif event.type == "agent_end" and handed is None and event.agent is not None:
                    if event.agent is airline.triage_agent:
                        return None  # answered without a handoff
    return None


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=6, help="requests, each both ways")
    parser.add_argument("--idle", type=float, default=6.0, help="seconds before speaking")
    args = parser.parse_args()
    engine = await asyncio.to_thread(Engine.load)
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    missed = {True: 0, False: 0}
    for n in range(args.rounds):
        language, text = REQUESTS[n % len(REQUESTS)]
        order = (True, False) if n % 2 == 0 else (False, True)
        for prepared in order:
            got = await one(engine, prepared, language, text, args.idle)
            way = "prepared" if prepared else "unprepared"
            if got is None:
                missed[prepared] += 1
                print(f"{n:2d} {way:10s} {text!r}: no handoff")
                continue
            results[prepared].append(got)
            print(f"{n:2d} {way:10s} {text!r}: handoff -> first act {got[0]:6.0f} ms")
    print()
    print("handoff -> the new agent's first act (audio or a tool call), ms:")
    print(f"{'':12s}{'n':>4s}{'p50':>8s}{'p95':>8s}   request -> act p50")
    for prepared in (False, True):
        times = results[prepared]
        if not times:
            continue
        after = [t[0] for t in times]
        total = [t[1] for t in times]
        name = "prepared" if prepared else "unprepared"
        print(
            f"{name:12s}{len(times):4d}{_p(after, 0.5):8.0f}{_p(after, 0.95):8.0f}"
            f"   {statistics.median(total):8.0f}   (no handoff: {missed[prepared]})"
        )
    if results[True] and results[False]:
        ratio = _p([t[0] for t in results[True]], 0.5) / _p([t[0] for t in results[False]], 0.5)
        print(f"prepared / unprepared, p50: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
