"""`kaiwa serve` started as a real process on 127.0.0.1, once for the tests that use it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from kaiwa.protocol import parse_server_event

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


def start_server(*args: str) -> Served:
    """Run ``kaiwa serve`` and wait until it says it is ready (stderr goes to a file: a full
    pipe would stall it)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="kaiwa-serve-", suffix=".log")[1])
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kaiwa.cli", "serve", "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "KAIWA_PROGRESS": "0"},
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


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path or "<event>"]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _nulls(v, f"{path}[{i}]")]
    return []


def strict(raw: bytes | str) -> dict[str, Any]:
    """A server frame, checked as strict clients check it: valid for its
    ``openai.types.realtime`` model, with an ``event_id``, and no ``null`` anywhere."""
    data: dict[str, Any] = orjson.loads(raw)
    parse_server_event(data)
    assert data.get("event_id"), data
    assert not _nulls(data), f"nulls in {data['type']}: {_nulls(data)}"
    return data
