"""The events-per-second budget, on a clock the test moves."""

from __future__ import annotations

import pytest

from kaiwa.core.limits import EventBudget


def test_a_burst_then_the_rate_then_nothing_more() -> None:
    now = [0.0]
    budget = EventBudget(rate=10, burst=5, clock=lambda: now[0])
    assert [budget.take() for _ in range(6)] == [True] * 5 + [False]
    now[0] += 0.25  # 2.5 events' worth
    assert [budget.take() for _ in range(3)] == [True, True, False]
    now[0] += 100  # a long quiet spell refills only up to the burst
    assert sum(budget.take() for _ in range(10)) == 5


def test_a_refused_event_costs_nothing() -> None:
    now = [0.0]
    budget = EventBudget(rate=1, burst=1, clock=lambda: now[0])
    assert budget.take() and not budget.take() and not budget.take()
    now[0] += 1.0
    assert budget.take()


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        EventBudget(rate=0)
    with pytest.raises(ValueError):
        EventBudget(burst=0)
