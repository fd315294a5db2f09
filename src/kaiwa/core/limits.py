"""How much a client may ask of a session: events per second (a token bucket)."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["EVENTS_BURST", "EVENTS_PER_SECOND", "EVENT_HEADROOM", "EventBudget"]

EVENTS_PER_SECOND = 100
"""Client events a session takes per second, sustained (audio appends aside: those are paced by
the input audio buffer, which holds at most 2 s of unprocessed audio)."""
EVENTS_BURST = 2_500
"""Events a session may send at once: a client replaying a whole conversation after a
reconnection (up to 2,000 items) fits."""

EVENT_HEADROOM = 2_048
"""Server events a session may hold, past its bound for responses, in answer to what its client
sent (echoes cannot wait): past that, the client is taken for one that stopped reading (1008)."""


class EventBudget:
    """A token bucket: ``burst`` events at once, refilled at ``rate`` a second.

    Args:
        clock: seconds, monotonic (tests pass their own).
    """

    def __init__(
        self,
        rate: float = EVENTS_PER_SECOND,
        burst: int = EVENTS_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst = rate, burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def take(self) -> bool:
        """Spend one event; False (nothing spent) when the budget is used up."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
