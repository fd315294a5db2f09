"""When to run output guardrails, and which responses they already stopped.

Pure bookkeeping (no I/O), so the debounce rules are testable with plain calls: the session
asks `on_delta` / `on_turn_end` whether a check is due, runs the check, and records a trip with
`trip`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GuardrailCheck", "GuardrailMonitor"]


@dataclass(frozen=True)
class GuardrailCheck:
    """Run the guardrails on ``text``, the transcript so far of an item of ``response_id``."""

    text: str
    response_id: str


class GuardrailMonitor:
    """Accumulates output text per item and says when guardrails are due.

    A check is due each time an item's text grows past another multiple of ``debounce``
    characters, and once more at the end of the response for any text not yet checked (so short
    answers are checked too). A response trips at most once.
    """

    def __init__(self, debounce: int = 100) -> None:
        if debounce < 1:
            raise ValueError("debounce_text_length must be >= 1")
        self._debounce = debounce
        self._text: dict[str, str] = {}
        self._checked: dict[str, int] = {}
        self._response: dict[str, str] = {}
        self._tripped: set[str] = set()

    def text(self, item_id: str) -> str:
        """The item's text so far."""
        return self._text.get(item_id, "")

    def on_delta(self, item_id: str, response_id: str, delta: str) -> GuardrailCheck | None:
        """Record a delta; a check if one is due now."""
        text = self._text.get(item_id, "") + delta
        self._text[item_id] = text
        self._response[item_id] = response_id
        checked = self._checked.get(item_id, 0)
        if len(text) < (checked // self._debounce + 1) * self._debounce:
            return None
        self._checked[item_id] = len(text)
        return self._check(text, response_id, checked)

    def on_turn_end(self, response_id: str | None) -> list[GuardrailCheck]:
        """The response ended: forget its items, returning checks for unchecked text."""
        checks = []
        for item_id in [i for i, r in self._response.items() if r == response_id]:
            text = self._text.pop(item_id)
            del self._response[item_id]
            check = self._check(text, response_id or "", self._checked.pop(item_id, 0))
            if check is not None:
                checks.append(check)
        return checks

    def _check(self, text: str, response_id: str, checked: int) -> GuardrailCheck | None:
        if response_id in self._tripped or len(text) <= checked:
            return None
        return GuardrailCheck(text=text, response_id=response_id)

    def trip(self, response_id: str) -> bool:
        """Mark the response stopped; False if it already was (a response trips once)."""
        if response_id in self._tripped:
            return False
        self._tripped.add(response_id)
        return True

    def tripped(self, response_id: str) -> bool:
        """Whether guardrails stopped this response."""
        return response_id in self._tripped
