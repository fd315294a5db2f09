"""The idle timeout between turns."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["IdleTimer"]


@dataclass
class IdleTimer:
    """server_vad's ``idle_timeout_ms``, on the input audio's clock: due once the VAD has
    heard the answer's length of audio and then ``idle_timeout_ms`` more, with no speech."""

    deadline_ms: int | None = None

    def arm(self, heard_ms: int, answer_ms: float, idle_ms: int) -> None:
        self.deadline_ms = heard_ms + int(answer_ms) + idle_ms

    def clear(self) -> None:
        self.deadline_ms = None

    def due(self, heard_ms: int, idle_ms: int | None) -> tuple[int, int] | None:
        """(start, end) of the idle span if the timeout is due now (it is then disarmed)."""
        deadline = self.deadline_ms
        if deadline is None or not idle_ms or heard_ms < deadline:
            return None
        self.deadline_ms = None
        return deadline - idle_ms, deadline
