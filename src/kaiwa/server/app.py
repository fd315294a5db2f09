"""The HTTP and WebSocket face of ``kaiwa serve`` (Starlette, run by uvicorn).

Routes, as OpenAI's:

- ``GET /v1/realtime?model=...`` (WebSocket): a realtime session; ``Authorization: Bearer``
  with an API key or a client secret (browsers: the ``openai-insecure-api-key.<key>``
  subprotocol). Refusals happen before the upgrade, with OpenAI's HTTP statuses and a JSON body.
- ``POST /v1/realtime/client_secrets``: trade an API key for a short-lived client secret.
- ``GET /health``: liveness and the number of open sessions.

Everything about the protocol is in `kaiwa.core`; this module admits clients, and
`kaiwa.server.pump` moves their frames. `RealtimeServer.routes` mount into another app.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from ..core import ConfigError, RealtimeConnection
from ..core.config import apply_update, default_session, public_session
from ..engine.engine import Stages
from ..settings import DEFAULT_MODEL_NAME
from .auth import DEFAULT_TTL_S, ClientSecrets, bearer_token, is_loopback
from .pump import pump

__all__ = ["RealtimeServer", "ServerConfig", "create_app", "origin_allowed"]

from .metrics import ServerMetrics, SessionMetrics

logger = logging.getLogger("kaiwa.server")


@dataclass
class ServerConfig:
    """What ``kaiwa serve`` was asked for."""

    api_keys: tuple[str, ...] = ()
    max_sessions: int = 200
    max_events: int = 256
    """Server events queued per session before its responses wait for the client."""
    stall_timeout_s: float = 20.0
    """A client that takes no event for this long while events wait is disconnected (1008):
    its paused responses must not hold the session's resources forever."""
    allowed_origins: tuple[str, ...] = ()
    """Web pages from these origins may use an open server (no key), besides pages served
    from this machine (``http://localhost:*``, ``http://127.0.0.1:*``)."""
    metrics: bool = False
    """Serve Prometheus metrics at ``/metrics`` (`kaiwa.server.metrics`); with API keys, a
    scraper sends one as a Bearer token."""


def origin_allowed(origin: str | None, config: ServerConfig) -> bool:
    """Whether a request with this ``Origin`` may use the server.

    With a key, a page needs a credential (a client secret from its backend), so any origin
    may try. An open server has none: any web page the local user visits could drive it (a
    cross-site WebSocket), so a browser's request must come from a page on this machine or
    from an origin allowed with ``--allow-origin``. Programs send no ``Origin``.
    """
    if origin is None or config.api_keys:
        return True
    if origin in config.allowed_origins or "*" in config.allowed_origins:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and is_loopback((parts.hostname or "").strip("[]"))


def _error(status: int, message: str, code: str, kind: str = "invalid_request_error") -> Response:
    body = {"error": {"message": message, "type": kind, "code": code, "param": None}}
    return JSONResponse(body, status_code=status)


class RealtimeServer:
    """The realtime routes on ``engine`` (any `kaiwa.engine.engine.Stages`), to serve alone
    (`create_app`) or mount into another Starlette app::

        server = RealtimeServer(engine, ServerConfig(api_keys=("key",)))
        app = Starlette(routes=[Mount("/openai", routes=server.routes), ...])
        # clients connect to ws://HOST/openai/v1/realtime

    Attributes:
        routes: ``/v1/realtime`` (WebSocket), ``/v1/realtime/client_secrets``, ``/health``,
            and ``/metrics`` with ``config.metrics``.
        sessions: the sessions open now.
        metrics: the Prometheus metrics (with ``config.metrics``; else None). Every session's
            turns are logged either way (``kaiwa.metrics``, at INFO).
    """

    def __init__(self, engine: Stages, config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.sessions: set[RealtimeConnection] = set()
        self.metrics = ServerMetrics(self.sessions, engine) if self.config.metrics else None
        self.routes, self._drain = _routes(engine, self.config, self.sessions, self.metrics)

    async def drain(self, grace_s: float) -> None:
        """Shut down gently: refuse new sessions (503), let the responses under way finish
        for up to ``grace_s`` seconds, then close every session (its socket with 1001)."""
        await self._drain(grace_s)


def create_app(engine: Stages, config: ServerConfig | None = None) -> Starlette:
    """The ASGI app serving realtime sessions on ``engine`` (``app.state.server`` is its
    `RealtimeServer`; ``app.state.drain`` shuts it down gently)."""
    server = RealtimeServer(engine, config)
    app = Starlette(routes=server.routes)
    app.state.server = server
    app.state.sessions = server.sessions
    app.state.drain = server.drain
    return app


def _routes(
    engine: Stages,
    cfg: ServerConfig,
    sessions: set[RealtimeConnection],
    metrics: ServerMetrics | None = None,
) -> tuple[list[BaseRoute], Callable[[float], Awaitable[None]]]:
    secrets = ClientSecrets(cfg.api_keys)
    draining = asyncio.Event()

    async def drain(grace_s: float) -> None:
        """Shut down gently: refuse new sessions (503), let the responses under way finish
        for up to ``grace_s`` seconds, then close every session (its socket with 1001)."""
        draining.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        while any(c.responding for c in sessions) and loop.time() < deadline:
            await asyncio.sleep(0.05)
        left = [c for c in sessions if c.responding]
        if left:
            logger.warning("shutting down: %d responses cut after %.0f s", len(left), grace_s)
        for connection in list(sessions):
            await connection.close()
        deadline = loop.time() + 5.0
        while sessions and loop.time() < deadline:  # each closes its socket with 1001
            await asyncio.sleep(0.05)

    def unauthorized() -> Response:
        return _error(
            401,
            "Incorrect API key provided. Pass 'Authorization: Bearer <key>' with the key "
            "kaiwa serve was started with, or a client secret.",
            "invalid_api_key",
        )

    def foreign_origin(origin: str) -> Response:
        return _error(
            403,
            f"Pages from {origin} may not use this server: it has no API key, so only pages "
            "on this machine may. Start it with --allow-origin ORIGIN to let that site in, "
            "or with --api-key (browsers then use client secrets).",
            "origin_not_allowed",
        )

    async def realtime(ws: WebSocket) -> None:
        if draining.is_set():
            await ws.send_denial_response(
                _error(
                    503,
                    "This server is shutting down; connect again to another one, or in a moment.",
                    "server_shutting_down",
                    "server_error",
                )
            )
            return
        origin = ws.headers.get("origin")
        if not origin_allowed(origin, cfg):
            logger.warning("refused a WebSocket from origin %s", origin)
            await ws.send_denial_response(foreign_origin(origin or ""))
            return
        offered = [
            p.strip() for p in ws.headers.get("sec-websocket-protocol", "").split(",") if p.strip()
        ]
        token = bearer_token(ws.headers, offered)
        secret = secrets.lookup(token)
        if not (secrets.open or secrets.is_api_key(token) or secret is not None):
            await ws.send_denial_response(unauthorized())
            return
        if len(sessions) >= cfg.max_sessions:
            await ws.send_denial_response(
                _error(
                    429,
                    f"This server is at its limit of {cfg.max_sessions} sessions; try again "
                    "later or start another `kaiwa serve` behind your load balancer.",
                    "session_limit_reached",
                    "rate_limit_error",
                )
            )
            return
        model = ws.query_params.get("model") or DEFAULT_MODEL_NAME
        try:
            connection = RealtimeConnection(
                engine,
                model=model,
                session=secret.session if secret else None,
                max_events=cfg.max_events,
            )
        except ConfigError as exc:
            await ws.send_denial_response(_error(400, str(exc), "invalid_value"))
            return
        observer = SessionMetrics(str(connection.protocol.session["id"]), metrics)
        connection.observer = observer
        sessions.add(connection)  # before the upgrade's await: the limit holds under a rush
        try:
            await ws.accept(subprotocol="realtime" if "realtime" in offered else None)
        except BaseException:
            sessions.discard(connection)
            await connection.close()
            raise
        try:
            await pump(ws, connection, stall_timeout_s=cfg.stall_timeout_s, leaving=draining)
        finally:
            sessions.discard(connection)
            observer.close()

    async def client_secrets(request: Request) -> Response:
        origin = request.headers.get("origin")
        if not origin_allowed(origin, cfg):
            return foreign_origin(origin or "")
        token = bearer_token(request.headers)
        if not (secrets.open or secrets.is_api_key(token)):
            return unauthorized()
        try:
            body = orjson.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            ttl = int((body.get("expires_after") or {}).get("seconds", DEFAULT_TTL_S))
            session = body.get("session") or {}
            model = session.get("model") or DEFAULT_MODEL_NAME
            full = (
                apply_update(default_session(model), session) if session else default_session(model)
            )
            secret = secrets.create(session, ttl)
        except ConfigError as exc:
            return _error(400, str(exc), "invalid_value")
        except (ValueError, TypeError, AttributeError) as exc:
            return _error(400, f"Invalid request: {exc}", "invalid_value")
        except OverflowError as exc:
            return _error(429, str(exc), "rate_limit_exceeded", "rate_limit_error")
        return JSONResponse(
            {
                "value": secret.value,
                "expires_at": secret.expires_at,
                "session": public_session(full),
            }
        )

    async def health(request: Request) -> Response:
        return JSONResponse(
            {"status": "ok", "sessions": len(sessions), "max_sessions": cfg.max_sessions}
        )

    async def prometheus(request: Request) -> Response:
        assert metrics is not None
        if not (secrets.open or secrets.is_api_key(bearer_token(request.headers))):
            return unauthorized()
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    routes: list[BaseRoute] = [
        WebSocketRoute("/v1/realtime", realtime),
        Route("/v1/realtime/client_secrets", client_secrets, methods=["POST"]),
        Route("/health", health),
    ]
    if metrics is not None:
        routes.append(Route("/metrics", prometheus))
    return routes, drain
