"""``kaiwa serve``: the OpenAI Realtime protocol over WebSocket, on the offline engine.

Any OpenAI Realtime client works against it unchanged: the official ``openai`` package
(``websocket_base_url="ws://HOST:PORT/v1"``), ``openai-agents``
(``model_config={"url": "ws://HOST:PORT/v1/realtime?model=gpt-realtime"}``), kaiwa's own
`OpenAIRealtimeWebSocketModel`, a browser.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Sequence

from ..exceptions import UserError
from .app import RealtimeServer, ServerConfig, create_app
from .auth import is_loopback
from .logs import hide_secrets

__all__ = ["RealtimeServer", "ServerConfig", "create_app", "is_loopback", "serve"]


async def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    api_keys: Sequence[str] = (),
    max_sessions: int = 200,
    llm_url: str | None = None,
    llm: str | None = None,
    log_level: str = "warning",
    allowed_origins: Sequence[str] = (),
    stall_timeout_s: float = 20.0,
    grace_s: float = 10.0,
    metrics: bool = False,
) -> None:
    """Load the engine, then serve until cancelled, or until SIGTERM / Ctrl-C: then new
    sessions are refused, answers under way get ``grace_s`` seconds to finish, every socket is
    closed with 1001, and it returns (a second signal stops at once).

    ``llm`` names the engine's packaged LLM (`Engine.load`).

    Raises:
        UserError: no API key while listening beyond this machine.
    """
    import uvicorn

    from ..engine.engine import Engine
    from ._uvicorn import GentleServer

    if not api_keys and not is_loopback(host):
        raise UserError(
            f"refusing to serve on {host} with no API key: anyone on the network could use it. "
            "Pass --api-key (or set KAIWA_API_KEY), or listen on 127.0.0.1."
        )
    started = time.perf_counter()
    engine = Engine.load(llm_url=llm_url, llm=llm, progress=True)
    loaded = time.perf_counter() - started
    app = create_app(
        engine,
        ServerConfig(
            api_keys=tuple(api_keys),
            max_sessions=max_sessions,
            allowed_origins=tuple(allowed_origins),
            stall_timeout_s=stall_timeout_s,
            metrics=metrics,
        ),
    )
    if app.state.server.metrics is not None:
        app.state.server.metrics.load.set(loaded)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level=log_level,
        ws_max_size=16 * 1024 * 1024,  # an append of 15 MiB of audio, as OpenAI allows
        ws_per_message_deflate=True,  # openai-agents offers it
        lifespan="off",
    )
    hide_secrets("uvicorn", "uvicorn.error", "uvicorn.access")  # uvicorn.Config set them up
    server = GentleServer(config, app.state.drain, grace_s)
    print(
        f"kaiwa serve: ws://{host}:{bound}/v1/realtime (max {max_sessions} sessions)",
        file=sys.stderr,
    )
    if metrics:
        print(f"kaiwa serve: metrics at http://{host}:{bound}/metrics", file=sys.stderr)
    if not api_keys:
        print(
            "kaiwa serve: no API key set: open to anyone on this machine (loopback only)",
            file=sys.stderr,
        )
    print("kaiwa serve: ready", file=sys.stderr, flush=True)
    await server.serve(sockets=[sock])
