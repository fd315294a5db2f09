"""`ScriptedRealtimeServer`: a **test double** of the OpenAI Realtime API.

A real WebSocket server on 127.0.0.1 running kaiwa's own protocol (`kaiwa.core`, the same
code as ``kaiwa serve``) on scripted stages (`kaiwa.testing.FakeStages`): everything the server
decides is the real protocol's, only what the "model" says is scripted. It exists so the
client can be tested over a real socket quickly and deterministically; it is never a default
and never a substitute for a model. Every event it sends is validated against
``openai.types.realtime`` (unless ``validate=False``, for benchmarks).

The script (`ScriptedLLM`), keyed on the last message when a response starts:

- user text ``call <tool> <json>``: a function call;
- user text ``transfer to <agent>``: a call to ``transfer_to_<agent>``;
- user text ``say: <text>``: says ``<text>``; ``long answer``: twenty short sentences, slowly;
- user text ``bench <n>``: ``n`` audio deltas at once (benchmarks);
- a ``function_call_output``: ``The tool said: <output>``;
- anything else: ``You said: <text>`` (audio turns "say" the next of ``transcripts``).

Input audio goes through an energy detector standing in for the VAD (RMS above
``speech_rms`` is speech), so VAD events come from the bytes actually sent.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
from typing import Any

import orjson
import websockets
from websockets.asyncio.server import Server, ServerConnection
from websockets.http11 import Request, Response

from ..audio.formats import audio_duration_ms
from ..core import RealtimeConnection
from ..exceptions import ProtocolError
from ..protocol import load_frame, parse_server_event
from .stages import FakeStages, ScriptedLLM, ScriptedRecognizer, ToneVoice

__all__ = ["ScriptedRealtimeServer"]


class _Session:
    """One client: its socket and its `RealtimeConnection`."""

    def __init__(self, ws: ServerConnection, connection: RealtimeConnection) -> None:
        self.ws, self.connection = ws, connection
        self.output_format: object = None  # the current response's (None: pcm16)


class ScriptedRealtimeServer:
    """kaiwa's protocol on scripted stages, on 127.0.0.1 (see the module docstring).

    Args:
        api_key: when set, connections without ``Authorization: Bearer <api_key>`` get HTTP 401.
        chunks: audio deltas per spoken clause; ``chunk_ms``: audio per delta.
        long_delay: seconds per word of the long answer.
        validate: check every sent event against ``openai.types.realtime`` (off for benchmarks).
        speech_rms: the pcm16 RMS above which input audio is speech.

    Attributes:
        received: every client event received (valid JSON objects), in order. ``sent``: every
            server event sent.
        truncations: ``(item_id, audio_end_ms, audio_ms sent for the item)`` of each
            ``conversation.item.truncate`` received.
        transcripts: what the next spoken turns "said" (the double cannot transcribe).
        connections: the clients connected now.
        stages: the scripted stages (``stages.llm.calls``: what each reply was asked).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        chunks: int = 3,
        chunk_ms: int = 100,
        long_delay: float = 0.05,
        validate: bool = True,
        speech_rms: float = 500.0,
    ) -> None:
        if not 10 <= chunk_ms <= 10_000:
            raise ValueError(f"chunk_ms must be 10-10,000 ms, not {chunk_ms}")
        self.api_key = api_key
        self.chunks, self.chunk_ms = chunks, chunk_ms
        self.validate = validate
        self.stages = FakeStages(
            llm=ScriptedLLM(delay=long_delay),
            tts=ToneVoice(clause_ms=chunks * chunk_ms, bench_ms=chunk_ms),
            asr=ScriptedRecognizer(),
            threshold=speech_rms / 32768,
        )
        self.received: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.truncations: list[tuple[str, int, float]] = []
        self.connections: list[_Session] = []
        self._audio_ms: collections.defaultdict[str, float] = collections.defaultdict(float)
        self._server: Server | None = None
        self.url = ""

    @property
    def transcripts(self) -> collections.deque[str]:
        return self.stages.asr.transcripts

    @property
    def responses_started(self) -> int:
        return sum(e["type"] == "response.created" for e in self.sent)

    def _check_auth(self, connection: ServerConnection, request: Request) -> Response | None:
        if not request.path.startswith("/v1/realtime"):
            return connection.respond(404, "not found: use /v1/realtime?model=...\n")
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return connection.respond(401, '{"error": {"message": "Incorrect API key provided"}}\n')
        return None

    async def _serve(self, ws: ServerConnection) -> None:
        model = "gpt-realtime"
        if ws.request is not None and "model=" in ws.request.path:
            model = ws.request.path.split("model=", 1)[1].split("&")[0]
        connection = RealtimeConnection(self.stages, model=model, delta_ms=self.chunk_ms)
        session = _Session(ws, connection)
        self.connections.append(session)
        reader = asyncio.create_task(self._read(session))
        writer = asyncio.create_task(self._write(session))
        closed = asyncio.create_task(connection.wait_closed())
        try:
            # As kaiwa serve's pump: whichever ends first (the client leaves, an event fails
            # its check, the connection closes itself) ends the session.
            await asyncio.wait([reader, writer, closed], return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.connections.remove(session)
            await connection.close()
            failed = writer.done() and not writer.cancelled() and writer.exception() is not None
            for task in (reader, writer, closed):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            code, reason = 1000, ""
            if failed:
                code, reason = 1011, "a server event failed its openai.types.realtime check"
            elif connection.overrun:
                code, reason = 1008, "client is not reading its events"
            with contextlib.suppress(Exception):
                await ws.close(code, reason)

    async def _read(self, session: _Session) -> None:
        connection = session.connection
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in session.ws:
                if isinstance(frame, bytes):
                    connection.reject(
                        "binary frames are not supported: send each event as a JSON text frame",
                        code="invalid_frame",
                    )
                    continue
                try:
                    event = load_frame(frame)
                except ProtocolError as exc:
                    connection.reject(str(exc))
                    continue
                self.received.append(event)
                if event.get("type") == "conversation.item.truncate":
                    item_id = str(event.get("item_id"))
                    end = event.get("audio_end_ms")
                    if isinstance(end, int):
                        self.truncations.append((item_id, end, self._audio_ms[item_id]))
                await connection.receive(event)

    async def _write(self, session: _Session) -> None:
        async for event in session.connection.events():
            if self.validate:
                parse_server_event(event)  # a failure ends the session with 1011
            self.sent.append(event)
            kind = event["type"]
            if kind == "response.created":  # its format: the session's, or its own override
                output = (event["response"].get("audio") or {}).get("output") or {}
                session.output_format = output.get("format")
            elif kind == "response.output_audio.delta":
                data = base64.b64decode(event["delta"])
                self._audio_ms[event["item_id"]] += audio_duration_ms(session.output_format, data)
            with contextlib.suppress(websockets.ConnectionClosed):
                await session.ws.send(orjson.dumps(event).decode())

    async def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1; returns the ``ws://.../v1/realtime`` base URL."""
        self._server = await websockets.serve(
            self._serve, "127.0.0.1", port, process_request=self._check_auth, max_size=16 * 2**20
        )
        host, real_port = self._server.sockets[0].getsockname()[:2]
        self.url = f"ws://{host}:{real_port}/v1/realtime"
        return self.url

    async def inject(self, frame: str) -> None:
        """Send ``frame`` as is to every client (to test how clients take malformed input)."""
        for session in list(self.connections):
            await session.ws.send(frame)

    def drop_connections(self) -> None:
        """Cut every connection without a close frame, as a network failure would."""
        for session in list(self.connections):
            session.ws.transport.abort()

    async def close(self) -> None:
        """Stop listening and close every connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> ScriptedRealtimeServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
