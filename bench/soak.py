"""`kaiwa serve` over a long run: many sessions talking, interrupting, calling tools, stalling and
vanishing, with think time between turns, as people would.

Reported: the server's memory (RSS) and threads over time, errors by code, responses by status,
how sessions ended (close codes), lost items (every item a client created is looked up again
before it leaves: one the server no longer has is lost), and the latency of well-behaved turns
(a spoken question's end of speech -> first audio; a typed question -> first audio) against the
same turns on the idle server, measured first.

What each session does, again and again until the time is up (weights in ``ACTIONS``): a spoken
question streamed at real time; a typed question; a question that calls a tool, whose result
the client sends; a long answer interrupted by speech (barge-in); a long answer whose client
then stops reading (the server cuts it after ``--stall-timeout``, 20 s); a long answer whose
client vanishes (no close frame). A session that ended starts again.

Run: ``.venv/bin/python bench/soak.py [--sessions 50 --minutes 30]`` (the issue's target; a
short run: ``--sessions 8 --minutes 4``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import random
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.serve import CHUNK_BYTES, CHUNK_MS, pcm24, pct
from tests.server.conftest import start_server, stop_server
from tests.speech import espeak, piper, silence

SPOKEN = [
    "What is the capital of France?",
    "How many legs does a spider have?",
    "Can you recommend a good book?",
    "What colour is the sky on a clear day?",
]
TYPED = ["Say hello.", "What is two plus three?", "Which planet is closest to the sun?"]
CITIES = ["Paris", "Oslo", "Kyoto", "Lima", "Cairo"]
LONG = "Tell me a long story about a dragon and a village, in ten sentences."
ACTIONS = {"spoken": 30, "typed": 20, "tool": 20, "barge_in": 15, "stall": 5, "vanish": 10}
TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


class Stats:
    def __init__(self) -> None:
        self.errors: collections.Counter[str] = collections.Counter()
        self.responses: collections.Counter[str] = collections.Counter()
        self.closes: collections.Counter[str] = collections.Counter()
        self.actions: collections.Counter[str] = collections.Counter()
        self.latency: dict[str, list[float]] = {"spoken": [], "typed": []}
        self.items_created = 0
        self.items_lost: list[str] = []


class Client:
    """One session over a real WebSocket; every server event is kept in order."""

    def __init__(self, ws: Any, stats: Stats) -> None:
        self.ws, self.stats = ws, stats
        self.events: list[dict[str, Any]] = []
        self.changed = asyncio.Event()
        self.created: list[str] = []
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                event = orjson.loads(frame)
                event["_at"] = time.perf_counter()
                self.events.append(event)
                if event["type"] == "error":
                    self.stats.errors[event["error"].get("code") or "?"] += 1
                elif event["type"] == "response.done":
                    self.stats.responses[event["response"]["status"]] += 1
                self.changed.set()
        except websockets.ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else 1006
            self.stats.closes[str(code)] += 1
        finally:
            self.changed.set()

    async def send(self, event: dict[str, Any]) -> None:
        await self.ws.send(orjson.dumps(event).decode())

    async def wait(self, kind: str, after: int, timeout: float = 180) -> dict[str, Any]:
        """The first ``kind`` event at or after index ``after``."""
        deadline = time.perf_counter() + timeout
        while True:
            for event in self.events[after:]:
                if event["type"] == kind:
                    return event
            if self.reader.done():
                raise ConnectionError("closed")
            self.changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(kind)
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def say(self, text: str) -> None:
        item_id = f"item_{random.getrandbits(48):012x}"
        self.created.append(item_id)
        self.stats.items_created += 1
        content = [{"type": "input_text", "text": text}]
        item = {"id": item_id, "type": "message", "role": "user", "content": content}
        await self.send({"type": "conversation.item.create", "item": item})

    async def stream(self, pcm: bytes) -> float:
        """Stream audio at real time; returns when its last chunk was sent."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        for n, i in enumerate(range(0, len(pcm), CHUNK_BYTES)):
            chunk = pcm[i : i + CHUNK_BYTES].ljust(CHUNK_BYTES, b"\0")
            audio = base64.b64encode(chunk).decode()
            await self.ws.send('{"type":"input_audio_buffer.append","audio":"' + audio + '"}')
            await asyncio.sleep(max(0.0, start + (n + 1) * CHUNK_MS / 1000 - loop.time()))
        return time.perf_counter()

    async def check_items(self) -> None:
        """Look every created item up again: one the server no longer has is lost."""
        for item_id in self.created:
            mark = len(self.events)
            await self.send({"type": "conversation.item.retrieve", "item_id": item_id})
            while True:
                event = await self.wait_any(("conversation.item.retrieved", "error"), mark)
                mark = self.events.index(event) + 1
                if event["type"] == "conversation.item.retrieved":
                    break
                if event["error"].get("code") == "item_not_found":
                    self.stats.items_lost.append(item_id)
                    break
        self.created.clear()

    async def wait_any(self, kinds: tuple[str, ...], after: int) -> dict[str, Any]:
        done, pending = await asyncio.wait(
            [asyncio.ensure_future(self.wait(k, after)) for k in kinds],
            return_when=asyncio.FIRST_COMPLETED,
        )
        for task in pending:
            task.cancel()
        return min((t.result() for t in done), key=lambda e: self.events.index(e))


async def open_client(url: str, stats: Stats) -> Client:
    ws = await websockets.connect(url, max_size=None, compression=None)
    client = Client(ws, stats)
    await client.wait("session.created", 0)
    session = {
        "type": "realtime",
        "instructions": "You are a helpful voice assistant. Answer in one short sentence.",
        "tools": [TOOL],
    }
    mark = len(client.events)
    await client.send({"type": "session.update", "session": session})
    await client.wait("session.updated", mark)
    return client


async def act(client: Client, action: str, speech: dict[str, bytes], stats: Stats) -> bool:
    """One action; False when the session is over (stalled or vanished)."""
    mark = len(client.events)
    if action == "spoken":
        quiet = pcm24(silence(1200))
        end = await client.stream(random.choice(list(speech.values())))
        streaming = asyncio.ensure_future(client.stream(quiet))
        first = await client.wait("response.output_audio.delta", mark)
        stats.latency["spoken"].append(first["_at"] - end)
        await client.wait("response.done", mark)
        await streaming
    elif action == "typed":
        await client.say(random.choice(TYPED))
        asked = time.perf_counter()
        await client.send({"type": "response.create"})
        first = await client.wait("response.output_audio.delta", mark)
        stats.latency["typed"].append(first["_at"] - asked)
        await client.wait("response.done", mark)
    elif action == "tool":
        await client.say(f"What's the weather in {random.choice(CITIES)}?")
        await client.send({"type": "response.create"})
        done = await client.wait("response.done", mark)
        calls = [o for o in done["response"].get("output", []) if o["type"] == "function_call"]
        if calls:
            item_id = f"item_{random.getrandbits(48):012x}"
            client.created.append(item_id)
            stats.items_created += 1
            output = {"temperature_c": random.randint(-5, 30), "sky": "clear"}
            item = {
                "id": item_id,
                "type": "function_call_output",
                "call_id": calls[0]["call_id"],
                "output": orjson.dumps(output).decode(),
            }
            mark = len(client.events)
            await client.send({"type": "conversation.item.create", "item": item})
            await client.send({"type": "response.create"})
            await client.wait("response.done", mark)
    elif action == "barge_in":
        await client.say(LONG)
        await client.send({"type": "response.create"})
        await client.wait("response.output_audio.delta", mark)
        await client.stream(random.choice(list(speech.values())))
        await client.stream(pcm24(silence(1200)))
        story = await client.wait("response.done", mark)  # the story's (cancelled)
        await client.wait("response.done", client.events.index(story) + 1)  # the new answer
    else:  # stall or vanish: check the items first, then misbehave
        await client.check_items()
        mark = len(client.events)
        await client.say(LONG)
        await client.send({"type": "response.create"})
        await client.wait("response.output_audio.delta", mark)
        if action == "vanish":
            client.ws.transport.abort()
        else:
            client.reader.cancel()  # reads nothing more: the server should cut it
            try:
                await asyncio.wait_for(client.ws.wait_closed(), 120)
                code = client.ws.close_code
                stats.closes[f"{code} (stalled)"] += 1
            except asyncio.TimeoutError:
                stats.closes["stalled, never cut"] += 1
                client.ws.transport.abort()
        return False
    return True


async def session_loop(
    url: str, deadline: float, speech: dict[str, bytes], stats: Stats, think: float
) -> None:
    await asyncio.sleep(random.uniform(0, think))  # not all at once
    while time.perf_counter() < deadline:
        try:
            client = await open_client(url, stats)
        except Exception as exc:
            stats.errors[f"connect: {type(exc).__name__}"] += 1
            await asyncio.sleep(1)
            continue
        alive = True
        try:
            while alive and time.perf_counter() < deadline:
                action = random.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
                stats.actions[action] += 1
                alive = await act(client, action, speech, stats)
                if alive:
                    await asyncio.sleep(random.uniform(0.5, 1.5) * think)
            if alive:
                await client.check_items()
                await client.ws.close()
        except (ConnectionError, TimeoutError, websockets.ConnectionClosed) as exc:
            stats.errors[f"client: {type(exc).__name__}"] += 1
        finally:
            client.reader.cancel()
            client.ws.transport.abort()


def memory(pid: int) -> tuple[float, int]:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


async def idle_baseline(url: str, speech: dict[str, bytes], turns: int) -> dict[str, list[float]]:
    stats = Stats()
    client = await open_client(url, stats)
    for i in range(turns):
        await act(client, "typed" if i % 2 else "spoken", speech, stats)
    await client.ws.close()
    return stats.latency


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--think", type=float, default=8.0, help="seconds between turns (mean)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)
    voices = {f"piper:{q}": pcm24(piper(q)) for q in SPOKEN}
    voices.update({f"espeak:{q}": pcm24(espeak(q)) for q in SPOKEN[:2]})
    srv = start_server("--max-sessions", str(args.sessions * 2))
    try:
        url = srv.url
        idle = await idle_baseline(url, voices, 10)
        print(
            f"idle server: spoken p50/p95 {pct(idle['spoken'], 0.5) * 1000:.0f} / "
            f"{pct(idle['spoken'], 0.95) * 1000:.0f} ms, typed "
            f"{pct(idle['typed'], 0.5) * 1000:.0f} / {pct(idle['typed'], 0.95) * 1000:.0f} ms",
            flush=True,
        )
        rest, rest_threads = memory(srv.process.pid)
        quiet = [await open_client(url, Stats()) for _ in range(args.sessions)]
        await asyncio.sleep(2)
        opened, _ = memory(srv.process.pid)
        for client in quiet:
            client.reader.cancel()
            await client.ws.close()
        print(
            f"at rest after warm-up: RSS {rest:.0f} MB, {rest_threads} threads; with "
            f"{args.sessions} idle sessions open: {opened:.0f} MB "
            f"({(opened - rest) / args.sessions * 1024:.0f} KB a session)",
            flush=True,
        )
        stats = Stats()
        start = time.perf_counter()
        deadline = start + args.minutes * 60
        samples: list[tuple[float, float, int]] = []
        workers = [
            asyncio.ensure_future(session_loop(url, deadline, voices, stats, args.think))
            for _ in range(args.sessions)
        ]
        while time.perf_counter() < deadline:
            await asyncio.sleep(10)
            rss, threads = memory(srv.process.pid)
            samples.append((time.perf_counter() - start, rss, threads))
            if len(samples) % 6 == 0:
                print(
                    f"{samples[-1][0] / 60:5.1f} min: RSS {rss:.0f} MB, {threads} threads, "
                    f"{sum(stats.actions.values())} actions, errors {dict(stats.errors)}",
                    flush=True,
                )
        await asyncio.wait(workers, timeout=240)
        await asyncio.sleep(5)
        after, after_threads = memory(srv.process.pid)
    finally:
        stop_server(srv)
    warm = [s for s in samples if s[0] >= 0.2 * args.minutes * 60] or samples
    rss = [s[1] for s in warm]
    print(f"\n{args.sessions} sessions for {args.minutes:g} minutes (think time ~{args.think:g} s)")
    print(f"actions: {dict(stats.actions)}")
    print(
        f"RSS after warm-up (the first 20 % left out): {rss[0]:.0f} -> {rss[-1]:.0f} MB "
        f"(min {min(rss):.0f}, max {max(rss):.0f}, change {100 * (rss[-1] / rss[0] - 1):+.1f} %); "
        f"threads {warm[0][2]} -> {warm[-1][2]} (max {max(s[2] for s in samples)})"
    )
    print(
        f"after the run, every session closed: RSS {after:.0f} MB, {after_threads} threads "
        f"(at rest before it: {rest:.0f} MB, {rest_threads} threads)"
    )
    print(f"responses by status: {dict(stats.responses)}")
    print(f"errors by code: {dict(stats.errors)}")
    print(f"sessions ended by: {dict(stats.closes)}")
    print(f"items created {stats.items_created}, lost {len(stats.items_lost)}")
    for kind in ("spoken", "typed"):
        xs, base = stats.latency[kind], idle[kind]
        print(
            f"{kind} turns: p50 / p95 {pct(xs, 0.5) * 1000:.0f} / {pct(xs, 0.95) * 1000:.0f} ms "
            f"over {len(xs)} (idle {pct(base, 0.5) * 1000:.0f} / {pct(base, 0.95) * 1000:.0f}); "
            f"p95 x idle: {pct(xs, 0.95) / pct(base, 0.95):.2f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
