"""Client overhead: CPU per audio delta through a realtime session, kaiwa vs openai-agents.

Both clients read the same stream from the same local server (the scripted Realtime test
double, run in its own process so its CPU is not counted), side by side, in alternating rounds
(this machine is noisy: only ratios measured in one run mean anything). Measured per client:

- CPU per 1,000 audio deltas (this process's CPU time, all threads), from WebSocket frame to
  the ``audio`` event handed to the application;
- session events per second delivered to the application.

A floor is measured too: the same frames read with ``websockets`` + ``json`` + ``base64`` and
nothing else.

    .venv/bin/python bench/client_overhead.py [--deltas 4000] [--rounds 5] [--chunk-ms 100]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import websockets


async def _count(session: Any, n: int) -> tuple[int, int]:
    """Ask for ``n`` deltas and read the session until the answer ends."""
    audio = events = 0
    async with session:
        await session.send_message(f"bench {n}")
        async for event in session:
            events += 1
            if event.type == "audio":
                audio += 1
            elif event.type == "agent_end":
                break
    return audio, events


async def kaiwa_client(url: str, n: int, compression: bool = False) -> tuple[int, int]:
    from kaiwa import OpenAIRealtimeWebSocketModel, RealtimeAgent, RealtimeRunner

    model = OpenAIRealtimeWebSocketModel(transport_config={"compression": compression})
    runner = RealtimeRunner(RealtimeAgent(name="bench"), model=model)
    return await _count(await runner.run(model_config={"url": url, "api_key": "k"}), n)


async def kaiwa_deflate_client(url: str, n: int) -> tuple[int, int]:
    return await kaiwa_client(url, n, compression=True)


async def agents_client(url: str, n: int) -> tuple[int, int]:
    from agents.realtime import RealtimeAgent, RealtimeRunner

    runner = RealtimeRunner(RealtimeAgent(name="bench"))
    return await _count(await runner.run(model_config={"url": url, "api_key": "k"}), n)


async def floor_client(url: str, n: int, compression: str | None = "deflate") -> tuple[int, int]:
    """websockets + json + base64 and nothing else: the cost of merely reading the stream."""
    audio = events = 0
    async with websockets.connect(
        url,
        additional_headers={"Authorization": "Bearer k"},
        max_size=2**24,
        compression=compression,
    ) as ws:
        await ws.send(
            json.dumps(
                {
                    "type": "conversation.item.create",
                    "item": {
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": f"bench {n}"}],
                    },
                }
            )
        )
        await ws.send(json.dumps({"type": "response.create"}))
        async for frame in ws:
            event = json.loads(frame)
            events += 1
            if event["type"] == "response.output_audio.delta":
                base64.b64decode(event["delta"])
                audio += 1
            elif event["type"] == "response.done":
                break
    return audio, events


async def floor_plain_client(url: str, n: int) -> tuple[int, int]:
    return await floor_client(url, n, compression=None)


Client = Callable[[str, int], Awaitable[tuple[int, int]]]
CLIENTS: dict[str, Client] = {
    "kaiwa": kaiwa_client,
    "kaiwa (deflate on)": kaiwa_deflate_client,
    "openai-agents": agents_client,
    "floor (websockets+json+base64)": floor_client,
    "floor, deflate off": floor_plain_client,
}


async def measure(client: Client, url: str, n: int) -> tuple[float, float]:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    audio, events = await client(url, n)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    if audio != n:
        raise RuntimeError(f"{client.__name__} got {audio} audio deltas, expected {n}")
    return cpu / n * 1e6, events / wall  # us CPU per delta, events per second


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltas", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chunk-ms", type=int, default=100)
    args = parser.parse_args()

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kaiwa.testing",
            "--no-validate",
            "--chunk-ms",
            str(args.chunk_ms),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip() + "?model=gpt-realtime"
        for client in CLIENTS.values():  # warm up imports and connections
            await measure(client, url, 200)
        cpu: dict[str, list[float]] = {name: [] for name in CLIENTS}
        rate: dict[str, list[float]] = {name: [] for name in CLIENTS}
        for _ in range(args.rounds):
            for name, client in CLIENTS.items():
                us, eps = await measure(client, url, args.deltas)
                cpu[name].append(us)
                rate[name].append(eps)
    finally:
        server.terminate()
        with contextlib.suppress(Exception):
            server.wait(5)

    ref = statistics.median(cpu["openai-agents"])
    print(
        f"{args.deltas} audio deltas of {args.chunk_ms} ms x {args.rounds} rounds, "
        "median per client\n"
    )
    print(
        f"{'client':34} {'CPU us/delta':>13} {'CPU ms/1000':>12} {'vs agents':>10} {'events/s':>10}"
    )
    for name in CLIENTS:
        us, eps = statistics.median(cpu[name]), statistics.median(rate[name])
        print(f"{name:34} {us:13.1f} {us:12.1f} {us / ref:10.2f} {eps:10.0f}")


if __name__ == "__main__":
    asyncio.run(main())
