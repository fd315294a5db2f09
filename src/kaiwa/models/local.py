"""`LocalRealtimeModel`: the offline engine in-process, as a `RealtimeModel`.

It speaks the same protocol as `OpenAIRealtimeWebSocketModel` and makes the same client-side
decisions (the shared `ClientProtocol`), but the events go straight to a `RealtimeConnection`
in this process instead of over a socket: ``kaiwa serve`` and this model are two doors into
the same room. No key, no network; the models load once per process (with a progress bar).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from ..config import RealtimeSessionModelSettings
from ..core import RealtimeConnection
from ..engine.engine import Engine
from ..exceptions import InvalidState, UserError
from ..settings import DEFAULT_MODEL_NAME, session_payload
from ._client_protocol import ClientProtocol
from ._protocol_model import ProtocolModel
from .interface import RealtimeModelConfig
from .model_events import (
    RealtimeModelConnectionStatusEvent,
    RealtimeModelExceptionEvent,
)

__all__ = ["LocalRealtimeModel"]

logger = logging.getLogger("kaiwa.models")


class LocalRealtimeModel(ProtocolModel):
    """The offline realtime engine, embedded (the default when ``OPENAI_API_KEY`` is unset).

    Args:
        engine: the stages to use; default: the process's shared `Engine` (loaded on connect).
        llm: the shared engine's LLM (`Engine.load`: ``"small"``, ``"large"`` or a GGUF
            file; default ``$KAIWA_LLM``, else small). Not with ``engine``.
    """

    def __init__(self, engine: Engine | None = None, *, llm: str | None = None) -> None:
        super().__init__()
        self.model = DEFAULT_MODEL_NAME
        self._engine = engine
        self._llm = llm
        self._connection: RealtimeConnection | None = None
        self._reader: asyncio.Task[None] | None = None

    async def connect(self, options: RealtimeModelConfig) -> None:
        """Load the engine (once per process) and open a session on it.

        Raises:
            UserError: a bad setting, or options that only make sense for a remote model.
        """
        if self._connection is not None:
            raise InvalidState("already connected; close() first")
        if options.get("call_id"):
            raise UserError("call_id attaches to an OpenAI SIP call; the local model has none")
        settings: dict[str, Any] = dict(options.get("initial_model_settings") or {})
        self.model = settings.get("model_name") or self.model
        protocol = ClientProtocol(self.model, options.get("playback_tracker"))
        protocol.update_session(settings)  # validates settings before loading anything
        await self._emit([RealtimeModelConnectionStatusEvent("connecting")])
        if self._engine is None:
            self._engine = await asyncio.to_thread(lambda: Engine.load(llm=self._llm))
        engine = self._engine
        self._protocol = protocol
        self._connection = RealtimeConnection(engine, model=self.model)
        self._reader = asyncio.create_task(self._read_loop(), name="kaiwa-local-reader")
        await self._emit([RealtimeModelConnectionStatusEvent("connected")])
        await self._flush()

    async def _read_loop(self) -> None:
        assert self._connection is not None
        connection = self._connection
        try:
            async for event in connection.events():
                await self._handle(event)
            if self._connection is connection:  # it closed itself (its events went unread)
                await self._emit(
                    [
                        RealtimeModelConnectionStatusEvent("disconnected"),
                        RealtimeModelExceptionEvent(
                            InvalidState("the local session closed: its events were not read"),
                            context="the local session",
                        ),
                    ]
                )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a listener failed: report it, the session decides
            logger.exception("local model reader failed")
            await self._emit([RealtimeModelExceptionEvent(exc, context="reading events")])

    def _is_open(self) -> bool:
        return self._connection is not None

    async def _deliver(self, event: dict[str, Any]) -> None:
        if self._connection is None:
            raise InvalidState("the session is closed")
        await self._connection.receive(event)

    async def warmed(self) -> None:
        """Prime the engine for the session's settings and return once it is done: the LLM
        has read the instructions and tools, the language's recognizer and voice are loaded,
        so the first answer does not wait for that (and again after each settings change,
        e.g. a handoff). `AudioIO` and ``kaiwa chat`` call this before they listen."""
        if self._connection is not None:
            await self._connection.warmed()

    async def prepare(self, settings: RealtimeSessionModelSettings) -> None:
        """Have the engine's LLM evaluate the instructions and tools of ``settings`` (an agent
        the session may hand off to) while it is idle, so the handoff's first reply does not
        wait for them (~4.5 ms a token on 2 cores: a few hundred tokens for an agent with
        tools). Best effort; the session's settings do not change.

        Raises:
            UserError: a bad setting.
        """
        connection = self._connection
        if connection is None:
            return
        payload = session_payload(settings, default_model=self.model)
        evaluated = await connection.prepare(
            payload.get("instructions") or "", payload.get("tools") or []
        )
        logger.debug("prepared other settings: %d tokens evaluated", evaluated)

    async def close(self) -> None:
        """End the session (idempotent); the engine stays loaded for the next one."""
        connection, reader = self._connection, self._reader
        self._connection = self._reader = None
        if connection is not None:
            await connection.close()
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        self._protocol = None
        await self._emit([RealtimeModelConnectionStatusEvent("disconnected")])
