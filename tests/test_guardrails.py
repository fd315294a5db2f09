"""GuardrailMonitor: when output guardrails are due, with plain calls."""

from __future__ import annotations

import pytest

from kaiwa._guardrails import GuardrailMonitor


def test_checks_are_due_at_each_multiple_of_the_debounce() -> None:
    m = GuardrailMonitor(debounce=10)
    assert m.on_delta("i", "r", "12345") is None
    check = m.on_delta("i", "r", "67890")
    assert check is not None and check.text == "1234567890" and check.response_id == "r"
    assert m.on_delta("i", "r", "abc") is None
    assert m.on_delta("i", "r", "defghij").text == "1234567890abcdefghij"  # type: ignore[union-attr]


def test_turn_end_checks_short_answers_once() -> None:
    m = GuardrailMonitor(debounce=100)
    assert m.on_delta("i", "r", "short") is None
    assert [c.text for c in m.on_turn_end("r")] == ["short"]
    assert m.on_turn_end("r") == []


def test_turn_end_skips_text_already_checked() -> None:
    m = GuardrailMonitor(debounce=3)
    assert m.on_delta("i", "r", "abc") is not None
    assert m.on_turn_end("r") == []


def test_a_response_trips_once_and_is_not_checked_again() -> None:
    m = GuardrailMonitor(debounce=2)
    assert m.trip("r") and not m.trip("r")
    assert m.tripped("r")
    assert m.on_delta("i", "r", "long enough") is None


def test_debounce_must_be_positive() -> None:
    with pytest.raises(ValueError):
        GuardrailMonitor(debounce=0)
