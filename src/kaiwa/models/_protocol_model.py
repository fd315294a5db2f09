"""What the models that speak the protocol through a `ClientProtocol` share.

`OpenAIRealtimeWebSocketModel` carries the events over a WebSocket, `LocalRealtimeModel`
hands them to a `RealtimeConnection` in-process; everything else (listeners, sending through
the protocol, handling what comes back) is here, once.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from typing import Any, Literal

from ..audio.playback import RealtimePlaybackTracker
from ..core.connection import Observation, Observer
from ..exceptions import InvalidState
from ._client_protocol import ClientProtocol
from .interface import RealtimeModel, RealtimeModelListener
from .model_events import RealtimeModelEvent
from .model_inputs import RealtimeModelSendEvent

__all__ = ["ProtocolModel"]

logger = logging.getLogger(__name__)


class ProtocolModel(RealtimeModel):
    """A `RealtimeModel` whose decisions are a `ClientProtocol`'s; subclasses move events."""

    def __init__(self) -> None:
        self._listeners: list[RealtimeModelListener] = []
        self._protocol: ClientProtocol | None = None
        self._send_lock = asyncio.Lock()
        self.observer: Observer | None = None
        """Told of every client event sent and server event received, with its time (as
        `kaiwa.core.Observation`s): how `RealtimeSession` measures each turn."""

    def _observe(
        self, kind: Literal["client_event", "server_event"], event: dict[str, Any]
    ) -> None:
        observer = self.observer
        if observer is None:
            return
        try:
            observer(Observation(time.perf_counter(), kind, str(event.get("type")), event))
        except Exception:
            logger.exception("the model's observer failed; it is dropped")
            self.observer = None

    def add_listener(self, listener: RealtimeModelListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: RealtimeModelListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def _emit(self, events: list[RealtimeModelEvent]) -> None:
        for event in events:
            for listener in list(self._listeners):
                await listener.on_event(event)

    @abc.abstractmethod
    def _is_open(self) -> bool:
        """Whether events can be delivered now."""

    @abc.abstractmethod
    async def _deliver(self, event: dict[str, Any]) -> None:
        """Carry one client event to the server."""

    async def send_event(self, event: RealtimeModelSendEvent) -> None:
        """Send a session request (audio, a message, a tool output, an interrupt...).

        Raises:
            InvalidState: not connected.
            ModelConnectionError: the connection is gone.
        """
        if self._protocol is None or not self._is_open():
            raise InvalidState("not connected: use the session as `async with session:` first")
        self._check_room()
        self._protocol.send(event)
        await self._emit(self._protocol.events_to_emit())
        await self._flush()

    async def attach_playback(
        self, tracker: RealtimePlaybackTracker, *, handles_interruptions: bool = False
    ) -> None:
        """Report playback with ``tracker`` from now on (a connected session's
        ``model_config["playback_tracker"]``, set late); with ``handles_interruptions`` the
        application decides barge-in (see `ClientProtocol.attach_playback`).

        Raises:
            InvalidState: not connected.
        """
        if self._protocol is None or not self._is_open():
            raise InvalidState("not connected: use the session as `async with session:` first")
        self._protocol.attach_playback(tracker, handles_interruptions=handles_interruptions)
        await self._flush()

    async def _handle(self, data: dict[str, Any]) -> None:
        """One server event: update the protocol, tell the listeners, send what it asks."""
        assert self._protocol is not None
        if self.observer is not None:
            self._observe("server_event", data)
        self._protocol.receive(data)
        await self._emit(self._protocol.events_to_emit())
        if self._protocol.wants_to_send:
            await self._flush()

    def _check_room(self) -> None:
        """Raise if no more events can be taken now (the default: always room)."""

    async def _flush(self) -> None:
        assert self._protocol is not None
        protocol = self._protocol
        async with self._send_lock:
            events = protocol.events_to_send()
            for i, event in enumerate(events):
                try:
                    await self._deliver(event)
                except BaseException:
                    protocol.put_back(events[i:])  # kept for a new connection, in order
                    raise
                if self.observer is not None:
                    self._observe("client_event", event)
                try:
                    # A socket with room never makes `send` wait: give the reader its turn,
                    # or a client sending many events (a replayed history, a loop of
                    # appends) reads none of the server's answers, and the server, whose
                    # queue for a client is bounded, takes it for one that stopped reading.
                    await asyncio.sleep(0)
                except BaseException:
                    protocol.put_back(events[i + 1 :])
                    raise
