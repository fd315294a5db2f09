"""The `RealtimeModel` interface: what a session needs from a transport.

Implementations: `OpenAIRealtimeWebSocketModel` (any server that speaks the OpenAI Realtime
protocol) and, later, the embedded engine. A model pushes `RealtimeModelEvent`s to listeners
and takes `RealtimeModelSendEvent`s.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from typing_extensions import NotRequired, TypedDict

from ..audio.playback import RealtimePlaybackTracker
from ..config import RealtimeSessionModelSettings
from .model_events import RealtimeModelEvent
from .model_inputs import RealtimeModelSendEvent

__all__ = ["RealtimeModel", "RealtimeModelConfig", "RealtimeModelListener"]


class RealtimeModelListener(abc.ABC):
    """Receives a model's events."""

    @abc.abstractmethod
    async def on_event(self, event: RealtimeModelEvent) -> None:
        """Called for each event, in order; a slow listener slows the model (backpressure)."""


class RealtimeModelConfig(TypedDict):
    """How to connect; every key is optional."""

    api_key: NotRequired[str | Callable[[], Any]]
    """A key, or a (sync or async) function returning one. Default: ``OPENAI_API_KEY``."""
    url: NotRequired[str]
    """WebSocket URL. Default: OpenAI's, with ``?model=<model_name>``."""
    headers: NotRequired[dict[str, str]]
    """Headers to send; replaces the ``Authorization`` header (Azure: ``{"api-key": ...}``)."""
    initial_model_settings: NotRequired[RealtimeSessionModelSettings]
    """Settings for this session, above the agent's and the run config's."""
    playback_tracker: NotRequired[RealtimePlaybackTracker]
    """Tells the session how much audio was really played, for truncation on interrupt."""
    call_id: NotRequired[str]
    """Attach to an existing call (OpenAI SIP) instead of creating a session."""


class RealtimeModel(abc.ABC):
    """A connection to a realtime model."""

    @abc.abstractmethod
    async def connect(self, options: RealtimeModelConfig) -> None:
        """Connect and send the initial session settings."""

    @abc.abstractmethod
    def add_listener(self, listener: RealtimeModelListener) -> None:
        """Start sending events to ``listener``."""

    @abc.abstractmethod
    def remove_listener(self, listener: RealtimeModelListener) -> None:
        """Stop sending events to ``listener``."""

    @abc.abstractmethod
    async def send_event(self, event: RealtimeModelSendEvent) -> None:
        """Send something to the model."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close the connection; safe to call twice."""
