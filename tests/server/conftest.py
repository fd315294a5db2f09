"""`kaiwa serve` started as a real process on 127.0.0.1, once for the tests that use it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

API_KEY = "test-key"


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1"

    @property
    def url(self) -> str:
        return f"{self.ws_base}/realtime?model=gpt-realtime"

    @property
    def http_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(app: object) -> AsyncIterator[int]:
    """``app`` (an ASGI app) served by uvicorn on 127.0.0.1 in this event loop; its port."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(uv.serve(sockets=[sock]))
    while not uv.started:
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        uv.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)


def start_server(*args: str, src: Path | None = None) -> Served:
    """Run ``kaiwa serve`` and wait until it says it is ready (stderr goes to a file: a full
    pipe would stall it). ``src``: run the kaiwa package found there instead (a benchmark
    comparing two versions)."""
    port = free_port()
    env = {**os.environ, "KAIWA_PROGRESS": "0"}
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
    log = Path(tempfile.mkstemp(prefix="kaiwa-serve-", suffix=".log")[1])
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kaiwa.cli", "serve", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + 120
    while b"kaiwa serve: ready" not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"kaiwa serve did not start:\n{log.read_text()}")
        time.sleep(0.1)  # polling interval while the models load, not a fixed wait
    # "ready" is printed just before uvicorn listens on the already-bound socket
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return Served(port, proc, log)


def stop_server(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(10)
    except subprocess.TimeoutExpired:
        served.process.kill()


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    srv = start_server("--api-key", API_KEY)
    yield srv
    stop_server(srv)
