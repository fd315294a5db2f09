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

__all__ = ["RealtimeModel", "RealtimeModelConfig", "RealtimeModelListener", "ReconnectPolicy"]


class RealtimeModelListener(abc.ABC):
    """Receives a model's events."""

    @abc.abstractmethod
    async def on_event(self, event: RealtimeModelEvent) -> None:
        """Called for each event, in order; a slow listener slows the model (backpressure)."""


class ReconnectPolicy(TypedDict, total=False):
    """How a dropped connection is replaced (every key is optional)."""

    attempts: int
    """Connection attempts before giving up (default 5; 0 turns reconnection off)."""
    first_delay: float
    """Seconds before the first attempt (default 0.5); each next one waits twice as long."""
    max_delay: float
    """The longest wait between attempts, in seconds (default 8)."""


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
    reconnect: NotRequired[ReconnectPolicy | bool]
    """After a dropped connection, connect again, send the session's settings and replay its
    conversation (default: on, see `ReconnectPolicy`; ``False``: the session ends with an
    error, as in the reference SDK)."""


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

    async def prepare(self, settings: RealtimeSessionModelSettings) -> None:
        """A hint that the session may switch to ``settings`` (those of an agent it can hand
        off to). A model that can get ready for them ahead does so without changing the
        session (the offline engine evaluates their instructions and tools while it is idle,
        so a handoff's first reply does not wait for that); the default ignores it."""
        del settings
