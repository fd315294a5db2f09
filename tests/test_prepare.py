"""Handoffs prepared ahead: the session has the model get ready for each agent it can hand
off to (`RealtimeModel.prepare`), the offline engine over its test doubles (`FakeStages`)."""

from __future__ import annotations

import asyncio
from typing import Any

from kaiwa import LocalRealtimeModel, RealtimeAgent, RealtimeRunner, realtime_handoff
from kaiwa.testing import FakeStages

from .conftest import collect, count_agent_end


def _agents() -> tuple[RealtimeAgent[Any], RealtimeAgent[Any], RealtimeAgent[Any]]:
    billing = RealtimeAgent(name="Billing", instructions="You handle bills.")
    seats = RealtimeAgent(name="Seats", instructions="You change seats.")
    triage = RealtimeAgent(
        name="Triage", instructions="Route calls.", handoffs=[billing, realtime_handoff(seats)]
    )
    billing.handoffs.append(triage)
    return triage, billing, seats


async def _until(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_the_agents_a_session_can_hand_off_to_are_prepared_when_it_starts() -> None:
    stages = FakeStages()
    triage, _, _ = _agents()
    runner = RealtimeRunner(triage, model=LocalRealtimeModel(engine=stages))  # type: ignore[arg-type]
    async with await runner.run():
        await _until(lambda: len(stages.llm.log) >= 2)
    assert stages.llm.log == [("prepare", "You handle bills."), ("prepare", "You change seats.")]


async def test_after_a_handoff_the_new_agent_s_handoffs_are_prepared_after_its_first_reply() -> (
    None
):
    stages = FakeStages()
    triage, billing, _ = _agents()
    runner = RealtimeRunner(triage, model=LocalRealtimeModel(engine=stages))  # type: ignore[arg-type]
    async with await runner.run() as session:
        await _until(lambda: len(stages.llm.log) >= 2)
        await session.send_message("transfer to billing")
        await collect(session, count_agent_end(2))
        assert session.current_agent is billing
        await _until(lambda: stages.llm.log[-1][0] == "prepare")
    log = stages.llm.log[2:]
    # the handoff asked for, the new agent's first reply, then (not before) its handoff back
    assert log[0] == ("reply", "transfer to billing")
    assert log[1][0] == "reply"
    assert log[2:] == [("prepare", "Route calls.")]


async def test_an_agent_without_handoffs_prepares_nothing() -> None:
    stages = FakeStages()
    agent = RealtimeAgent(name="Solo", instructions="Alone.")
    runner = RealtimeRunner(agent, model=LocalRealtimeModel(engine=stages))  # type: ignore[arg-type]
    async with await runner.run() as session:
        await session.send_message("hello")
        await collect(session, count_agent_end(1))
    assert [kind for kind, _ in stages.llm.log] == ["reply"]
