"""`OpenAIRealtimeWebSocketModel`: a `RealtimeModel` over the OpenAI Realtime WebSocket protocol.

It talks to OpenAI, Azure OpenAI, ``kaiwa serve``, or any server that speaks the GA protocol.
All protocol decisions live in `ClientProtocol`; this module only moves frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import websockets
from typing_extensions import TypedDict
from websockets.asyncio.client import ClientConnection

from .._util import maybe_await
from ..exceptions import InvalidState, ModelConnectionError, ProtocolError, UserError
from ..protocol import dump_event, load_frame
from ..settings import DEFAULT_MODEL_NAME
from ._client_protocol import ClientProtocol
from ._protocol_model import ProtocolModel
from .interface import RealtimeModelConfig, ReconnectPolicy
from .model_events import (
    RealtimeModelConnectionStatusEvent,
    RealtimeModelEndOfStreamEvent,
    RealtimeModelErrorEvent,
    RealtimeModelExceptionEvent,
    RealtimeModelReconnectedEvent,
)

__all__ = ["OpenAIRealtimeWebSocketModel", "TransportConfig", "get_api_key"]

logger = logging.getLogger("kaiwa.models")

OPENAI_REALTIME_URL = "wss://api.openai.com/v1/realtime"
MAX_FRAME_BYTES = 8 * 1024 * 1024  # what openai-agents accepts; a bigger frame is refused
RECONNECT_DEFAULTS: ReconnectPolicy = {"attempts": 5, "first_delay": 0.5, "max_delay": 8.0}
RETRIED_CLOSE_CODES = {1001, 1006, 1011, 1012, 1013, 1014}
"""Closes worth another connection: going away, dropped (no close frame), server error, service
restart, try again later, bad gateway. Not 1000 (a normal end) nor 1008 (policy: the server
closed on purpose, it would again)."""
FINAL_STATUSES = {400, 401, 403, 404}
"""Refusals that another attempt would get again (bad request, key, permission, URL)."""
HEALTHY_AFTER = 30.0
"""Seconds a connection must stay up before its drop starts a fresh count of attempts."""
MAX_HELD_EVENTS = 4_000
"""Events sent while reconnecting, kept for the new connection (~160 s of 40 ms audio)."""


class TransportConfig(TypedDict, total=False):
    """Low-level WebSocket settings."""

    ping_interval: float | None
    ping_timeout: float | None
    handshake_timeout: float
    max_size: int
    compression: bool
    """Offer permessage-deflate (default False: base64 audio barely compresses, and inflating
    every audio delta costs more CPU than the bytes it saves on a fast link)."""


async def get_api_key(key: str | Callable[[], Any] | None) -> str | None:
    """The key given (or returned by a sync/async function), else ``OPENAI_API_KEY``."""
    if isinstance(key, str):
        return key
    if callable(key):
        return await maybe_await(key())  # type: ignore[no-any-return]
    return os.environ.get("OPENAI_API_KEY")


class _GiveUp(Exception):
    """A refusal another attempt would get again."""


class OpenAIRealtimeWebSocketModel(ProtocolModel):
    """A realtime model reached over WebSocket with the OpenAI Realtime (GA) protocol.

    The URL is ``model_config["url"]``, else ``$KAIWA_REALTIME_URL?model=<model_name>``, else
    OpenAI's. The key is ``model_config["api_key"]``, else ``OPENAI_API_KEY``.
    """

    def __init__(self, *, transport_config: TransportConfig | None = None) -> None:
        super().__init__()
        self.model = DEFAULT_MODEL_NAME
        self._transport = transport_config or {}
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._closing = False
        self._reconnecting = False
        self._streak = 0  # reconnection attempts since the last healthy connection
        self._replay: asyncio.Task[None] | None = None
        self._connected_at = 0.0
        self._url = ""
        self._headers: dict[str, str] = {}
        self._options: RealtimeModelConfig = {}

    # -- connecting --------------------------------------------------------------------------

    async def connect(self, options: RealtimeModelConfig) -> None:
        """Open the WebSocket and send the session settings.

        Raises:
            ModelConnectionError: refused (``status`` holds the HTTP status) or unreachable.
            UserError: no API key and no headers, or a bad setting.
        """
        if self._ws is not None or self._reconnecting:
            raise InvalidState("already connected; close() first")
        settings: dict[str, Any] = dict(options.get("initial_model_settings") or {})
        if options.get("call_id") and settings.get("model_name"):
            raise UserError("give call_id or model_name, not both")
        self.model = settings.get("model_name") or self.model
        protocol = ClientProtocol(self.model, options.get("playback_tracker"))
        protocol.update_session(settings)  # validates settings before any I/O
        base = os.environ.get("KAIWA_REALTIME_URL") or OPENAI_REALTIME_URL
        url = options.get("url") or (
            f"{base}?call_id={quote(options['call_id'])}"
            if options.get("call_id")
            else f"{base}?model={quote(self.model)}"
        )
        headers = await self._headers_for(options)
        self._url, self._options = url, options
        await self._emit([RealtimeModelConnectionStatusEvent("connecting")])
        self._ws = await self._open(url, headers)
        self._protocol = protocol
        self._closing = False
        self._reader = asyncio.create_task(self._read_loop(), name="kaiwa-realtime-reader")
        await self._emit([RealtimeModelConnectionStatusEvent("connected")])
        await self._flush()

    @staticmethod
    async def _headers_for(options: RealtimeModelConfig) -> dict[str, str]:
        """The handshake's headers (the key is asked for again on every connection: a
        short-lived client secret may have been replaced)."""
        headers = dict(options.get("headers") or {})
        if not headers:
            api_key = await get_api_key(options.get("api_key"))
            if not api_key:
                raise UserError(
                    "no API key: pass model_config={'api_key': ...} or set OPENAI_API_KEY "
                    "(for Azure, pass headers={'api-key': ...})"
                )
            headers["Authorization"] = f"Bearer {api_key}"
        return headers

    async def _open(self, url: str, headers: dict[str, str]) -> ClientConnection:
        t = self._transport
        try:
            return await websockets.connect(
                url,
                additional_headers=headers,
                max_size=t.get("max_size", MAX_FRAME_BYTES),
                ping_interval=t.get("ping_interval", 20),
                ping_timeout=t.get("ping_timeout", 20),
                open_timeout=t.get("handshake_timeout", 10),
                compression="deflate" if t.get("compression", False) else None,
                user_agent_header="kaiwa",
            )
        except websockets.InvalidStatus as exc:
            status = exc.response.status_code
            body = exc.response.body.decode("utf-8", "replace")[:300] if exc.response.body else ""
            hint = " (check the API key)" if status in (401, 403) else ""
            raise ModelConnectionError(
                f"{url} refused the connection: HTTP {status}{hint} {body}".strip(), status=status
            ) from exc
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as exc:
            raise ModelConnectionError(f"cannot connect to {url}: {exc}") from exc

    # -- reading -----------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        while self._ws is not None:
            ws = self._ws
            self._connected_at = asyncio.get_running_loop().time()
            try:
                while True:
                    # Bytes, not str: orjson parses UTF-8 directly; decoding first is wasted.
                    frame = await ws.recv(decode=False)
                    try:
                        data = load_frame(frame)
                    except ProtocolError as exc:
                        await self._emit([RealtimeModelErrorEvent(error=exc)])
                        continue
                    await self._handle(data)
            except websockets.ConnectionClosed as exc:
                closed: websockets.ConnectionClosed = exc
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a listener failed: report it, the session decides
                logger.exception("realtime reader failed")
                await self._emit([RealtimeModelExceptionEvent(exc, context="reading events")])
                return
            if self._closing:
                return
            code = closed.rcvd.code if closed.rcvd is not None else 1006
            if code in RETRIED_CLOSE_CODES and await self._reconnect(code):
                continue
            if isinstance(closed, websockets.ConnectionClosedOK):
                # The server closed cleanly: no more events will come.
                await self._emit(
                    [
                        RealtimeModelConnectionStatusEvent("disconnected"),
                        RealtimeModelEndOfStreamEvent(),
                    ]
                )
            else:
                await self._emit(
                    [
                        RealtimeModelConnectionStatusEvent("disconnected"),
                        RealtimeModelExceptionEvent(
                            ModelConnectionError(f"connection dropped: {closed}"),
                            context="the model's WebSocket closed",
                        ),
                    ]
                )
            return

    def _policy(self) -> ReconnectPolicy:
        given = self._options.get("reconnect", True)
        if given is False:
            return {**RECONNECT_DEFAULTS, "attempts": 0}
        return {**RECONNECT_DEFAULTS, **(given if isinstance(given, dict) else {})}

    async def _reconnect(self, code: int) -> bool:
        """Replace a dropped connection: new socket, settings and history sent again.

        Attempts count across drops until a connection has stayed up `HEALTHY_AFTER` seconds
        (a server that accepts and drops again at once is not retried forever). Returns
        whether it worked; events the session sends meanwhile are held for it.
        """
        policy = self._policy()
        attempts = policy.get("attempts", 5)
        if attempts <= 0 or self._protocol is None:
            return False
        loop = asyncio.get_running_loop()
        if loop.time() - self._connected_at >= HEALTHY_AFTER:
            self._streak = 0
        self._ws, self._reconnecting = None, True
        logger.warning("the realtime connection dropped (close code %d): reconnecting", code)
        try:
            await self._emit([RealtimeModelConnectionStatusEvent("reconnecting")])
            while self._streak < attempts:
                self._streak += 1
                delay = min(
                    policy.get("first_delay", 0.5) * 2 ** (self._streak - 1),
                    policy.get("max_delay", 8.0),
                )
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # jitter: not in step
                if self._closing:
                    return False
                try:
                    if await self._attempt():
                        return True
                except _GiveUp:
                    return False
                except Exception as exc:  # a failed attempt, whatever failed
                    logger.warning("reconnection attempt %d failed: %s", self._streak, exc)
            return False
        finally:
            self._reconnecting = False

    async def _attempt(self) -> bool:
        """One connection attempt; True once the new connection carries the session."""
        assert self._protocol is not None
        try:
            ws = await self._open(self._url, await self._headers_for(self._options))
        except ModelConnectionError as exc:
            if exc.status in FINAL_STATUSES:
                logger.warning("reconnection refused for good: %s", exc)
                raise _GiveUp from exc
            raise
        if self._closing:
            await ws.close()
            return False
        # A SIP call's conversation lives on at OpenAI: only its settings are sent again.
        replayed, skipped = self._protocol.resume(replay_items=not self._options.get("call_id"))
        await self._emit(self._protocol.events_to_emit())  # the lost response's end
        self._ws = ws
        self._reconnecting = False
        # Sent while the reader goes back to reading: the server echoes every replayed item,
        # and a long history unread would fill its queue for this client (it closes 1008).
        self._replay = asyncio.create_task(self._send_replay(ws, replayed, skipped))
        return True

    async def _send_replay(self, ws: ClientConnection, replayed: int, skipped: int) -> None:
        try:
            await super()._flush()
        except ModelConnectionError:
            return  # gone again: kept (`put_back`); the reader reconnects
        except Exception:
            logger.exception("sending the replay failed")
            await ws.close(1011)
            return
        logger.warning("reconnected after %d attempt(s): %d items replayed", self._streak, replayed)
        await self._emit(
            [
                RealtimeModelConnectionStatusEvent("connected"),
                RealtimeModelReconnectedEvent(self._streak, replayed, skipped),
            ]
        )

    # -- sending -----------------------------------------------------------------------------

    def _is_open(self) -> bool:
        return self._ws is not None or self._reconnecting

    def _check_room(self) -> None:
        assert self._protocol is not None
        if self._protocol.pending >= MAX_HELD_EVENTS:
            raise ModelConnectionError(
                f"reconnecting: {MAX_HELD_EVENTS} events sent meanwhile are held already; "
                "this one was not taken. Wait for the connection (a 'reconnected' event)"
            )

    async def _flush(self) -> None:
        if self._ws is None and self._reconnecting:
            return  # held for the new connection (sent after the settings and history)
        try:
            await super()._flush()
        except ModelConnectionError:
            if self._closing or self._policy().get("attempts", 5) <= 0:
                raise
            # The socket is gone and the reader will reconnect: what was not sent is kept
            # (`ClientProtocol.put_back`) and goes to the new connection.

    async def _deliver(self, event: dict[str, Any]) -> None:
        ws = self._ws
        if ws is None:
            raise ModelConnectionError("connection closed")
        try:
            await ws.send(dump_event(event), text=True)
        except websockets.ConnectionClosed as exc:
            raise ModelConnectionError(f"connection closed: {exc}") from exc

    # -- closing -----------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the connection (idempotent)."""
        self._closing = True
        if self._replay is not None:
            self._replay.cancel()
        ws, reader = self._ws, self._reader
        self._ws = None
        self._reader = None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if reader is not None and reader is not asyncio.current_task():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        self._protocol = None
