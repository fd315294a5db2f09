"""``python -m kaiwa.testing``: run the scripted Realtime test double on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .scripted_server import ScriptedRealtimeServer


async def _main(port: int, validate: bool, chunk_ms: int) -> None:
    server = ScriptedRealtimeServer(validate=validate, chunk_ms=chunk_ms)
    url = await server.start(port)
    print(url, flush=True)
    await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m kaiwa.testing",
        description="Run ScriptedRealtimeServer, a scripted test double of the Realtime API.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--no-validate", action="store_true", help="skip validating sent events")
    parser.add_argument("--chunk-ms", type=int, default=100, help="audio per delta (ms)")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args.port, not args.no_validate, args.chunk_ms))
