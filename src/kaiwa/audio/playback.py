"""Tracking how much of the agent's audio the listener has actually heard.

Audio arrives much faster than it plays. When the user interrupts, the assistant's item must be
truncated where playback stopped, not where the download stopped, or the model believes it said
things nobody heard. The session asks a tracker where playback is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from typing_extensions import TypedDict

from .formats import bytes_per_ms

__all__ = ["RealtimePlaybackState", "RealtimePlaybackTracker", "WallClockPlaybackTracker"]


class RealtimePlaybackState(TypedDict):
    """Where playback is: which item and content part, and how many ms of it were played."""

    current_item_id: str | None
    current_item_content_index: int | None
    elapsed_ms: float | None


_NOTHING: RealtimePlaybackState = {
    "current_item_id": None,
    "current_item_content_index": None,
    "elapsed_ms": None,
}


class RealtimePlaybackTracker:
    """Give one to the session (``model_config={"playback_tracker": ...}``) when you play audio
    yourself, and call `on_play_bytes` or `on_play_ms` as audio is really played."""

    def __init__(self) -> None:
        self._bytes_per_ms = 48.0  # pcm16 at 24 kHz until told otherwise
        self._current: tuple[str, int] | None = None
        self._elapsed_ms = 0.0

    def set_audio_format(self, format: object) -> None:
        """Called by the model with the session's output format."""
        self._bytes_per_ms = bytes_per_ms(format)

    def on_play_bytes(self, item_id: str, item_content_index: int, bytes: bytes) -> None:
        """``bytes`` of the item's audio were played."""
        self.on_play_ms(item_id, item_content_index, len(bytes) / self._bytes_per_ms)

    def on_play_ms(self, item_id: str, item_content_index: int, ms: float) -> None:
        """``ms`` milliseconds of the item's audio were played."""
        if self._current != (item_id, item_content_index):
            self._current = (item_id, item_content_index)
            self._elapsed_ms = 0.0
        self._elapsed_ms += ms

    def on_interrupted(self) -> None:
        """Playback was cut: forget the current item."""
        self._current = None
        self._elapsed_ms = 0.0

    def get_state(self) -> RealtimePlaybackState:
        """Where playback is now."""
        if self._current is None:
            return dict(_NOTHING)  # type: ignore[return-value]
        return {
            "current_item_id": self._current[0],
            "current_item_content_index": self._current[1],
            "elapsed_ms": self._elapsed_ms,
        }


class WallClockPlaybackTracker(RealtimePlaybackTracker):
    """The default when you give none: assumes audio plays in real time from its first byte.

    Elapsed time is wall-clock time since the item's first audio, capped at the audio received,
    so a truncation never claims more than was sent. It also counts the audio received for
    the last few items (`received_ms`), whoever tracks playback.
    """

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self._clock = clock or time.monotonic
        self._started = 0.0
        self._received: dict[str, float] = {}

    def on_audio_received(self, item_id: str, item_content_index: int, data: bytes) -> None:
        """An audio delta arrived from the model."""
        key = (item_id, item_content_index)
        if self._current != key:
            self._current = key
            self._started = self._clock()
            self._received.pop(item_id, None)
            while len(self._received) >= _ITEMS_KEPT:
                del self._received[next(iter(self._received))]
        self._received[item_id] = self._received.get(item_id, 0.0) + len(data) / self._bytes_per_ms

    def get_state(self) -> RealtimePlaybackState:
        if self._current is None:
            return dict(_NOTHING)  # type: ignore[return-value]
        elapsed = min((self._clock() - self._started) * 1000.0, self.received_ms())
        return {
            "current_item_id": self._current[0],
            "current_item_content_index": self._current[1],
            "elapsed_ms": elapsed,
        }

    def received_ms(self, item_id: str | None = None) -> float:
        """Milliseconds of audio received for ``item_id`` (default: the current item)."""
        if item_id is None:
            if self._current is None:
                return 0.0
            item_id = self._current[0]
        return self._received.get(item_id, 0.0)


_ITEMS_KEPT = 8
