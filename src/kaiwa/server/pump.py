"""The WebSocket pump of one realtime session: frames in, events out, and the ways it ends.

`pump` runs a `RealtimeConnection` over a Starlette `WebSocket` until either side ends it: the
client disconnects, stops reading (the connection overruns its queue, or `watch_reader` sees it
take nothing for ``stall_timeout_s``: close code 1008 and a log line), the server leaves
(1001), or the socket fails. Any transport that carries the Realtime protocol's JSON events
over a Starlette WebSocket can use it (``kaiwa serve``'s route does).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from ..core import RealtimeConnection
from ..exceptions import ProtocolError
from ..protocol import load_frame

__all__ = ["pump", "read_events", "watch_reader", "write_events"]

logger = logging.getLogger("kaiwa.server")


async def pump(
    ws: WebSocket,
    connection: RealtimeConnection,
    *,
    stall_timeout_s: float = 20.0,
    leaving: asyncio.Event | None = None,
) -> None:
    """Carry ``connection``'s events over the accepted ``ws`` until one side ends it; then
    close both (1000; 1008 if the client stopped reading; 1001 once ``leaving`` is set)."""
    reader = asyncio.create_task(read_events(ws, connection))
    writer = asyncio.create_task(write_events(ws, connection))
    closed = asyncio.create_task(connection.wait_closed())
    stalled = asyncio.create_task(watch_reader(connection, stall_timeout_s))
    try:
        # Any side may end it: the client disconnects, the client stops reading (the
        # writer stalls: the connection closes itself on overrun, or the watch after
        # `stall_timeout_s`), or the socket fails.
        await asyncio.wait([reader, writer, closed, stalled], return_when=asyncio.FIRST_COMPLETED)
    finally:
        await connection.close()
        for task in (reader, writer, closed, stalled):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        code, reason = 1000, ""
        if connection.overrun:
            code, reason = 1008, "client is not reading its events"
            logger.warning("closed a session: %s", reason)
        elif leaving is not None and leaving.is_set():
            code, reason = 1001, "server shutting down"
        with contextlib.suppress(Exception):
            await ws.close(code=code, reason=reason)


async def watch_reader(connection: RealtimeConnection, timeout_s: float) -> None:
    """Return (having closed the connection) once its client has taken no event for
    ``timeout_s`` while events were waiting for it."""
    loop = asyncio.get_running_loop()
    taken, since = connection.events_taken, loop.time()
    while True:
        await asyncio.sleep(min(1.0, timeout_s / 4))
        if connection.events_taken != taken or connection.events_waiting == 0:
            taken, since = connection.events_taken, loop.time()
        elif loop.time() - since >= timeout_s:
            logger.warning(
                "closing a session: its client took no event for %.0f s (%d waiting)",
                timeout_s,
                connection.events_waiting,
            )
            connection.close_stalled()
            return


async def read_events(ws: WebSocket, connection: RealtimeConnection) -> None:
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        text, data = message.get("text"), message.get("bytes")
        if text is None:
            connection.reject(
                f"binary frames are not supported ({len(data or b'')} bytes): send each "
                "event as a JSON text frame",
                code="invalid_frame",
            )
            continue
        try:
            event = load_frame(text)
        except ProtocolError as exc:
            data = _json_object(text)
            if data is None:
                connection.reject(f"We could not parse the JSON body of your request: {exc}")
            else:  # an object, but no string 'type': OpenAI's answer, with its event_id
                event_id = data.get("event_id")
                connection.reject(
                    "Missing required parameter: 'type'.",
                    code="missing_required_parameter",
                    param="type",
                    event_id=event_id if isinstance(event_id, str) else None,
                )
            continue
        await connection.receive(event)


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


async def write_events(ws: WebSocket, connection: RealtimeConnection) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        async for event in connection.events():
            await ws.send_text(orjson.dumps(event).decode())
