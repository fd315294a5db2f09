"""`ScriptedRealtimeServer`: a **test double** of the OpenAI Realtime API.

A real WebSocket server on 127.0.0.1 that speaks the GA protocol, event for event, but answers
from a script instead of a model. It exists so the client can be tested over a real socket, in
the order and shapes the real API uses; it is never a default and never a substitute for a
model. Every event it sends is validated against ``openai.types.realtime`` (unless
``validate=False``, for benchmarks).

The script, keyed on the last conversation item when a response starts:

- user text ``call <tool> <json>``: a function call;
- user text ``transfer to <agent>``: a call to ``transfer_to_<agent>``;
- user text ``say: <text>``: says ``<text>``; ``long answer``: a long, slow answer;
- user text ``bench <n>``: ``n`` audio deltas as fast as possible (benchmarks);
- a ``function_call_output``: ``The tool said: <output>``;
- anything else: ``You said: <text>`` (audio turns use the next of ``transcripts``).

Input audio goes through an energy detector standing in for server VAD (RMS above a
threshold is speech), so VAD events come from the bytes actually sent.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import math
import struct
from collections import deque
from typing import Any

import orjson
import pydantic
import websockets
from websockets.asyncio.server import Server, ServerConnection
from websockets.http11 import Request, Response

from ..protocol import client_event_adapter, parse_server_event

__all__ = ["ScriptedRealtimeServer"]

BYTES_PER_MS = 48  # pcm16 mono 24 kHz


def _tone(ms: int) -> bytes:
    samples = 24 * ms
    return struct.pack(
        f"<{samples}h",
        *(int(3000 * math.sin(2 * math.pi * 440 * i / 24000)) for i in range(samples)),
    )


class _Connection:
    """One client's session, conversation and input buffer."""

    def __init__(self, server: ScriptedRealtimeServer, ws: ServerConnection, model: str) -> None:
        self.server = server
        self.ws = ws
        self.items: list[dict[str, Any]] = []
        self.audio_ms: dict[str, float] = {}
        self.buffer = bytearray()
        self.buffer_start_ms = 0.0
        self.total_ms = 0.0
        self.speaking = False
        self.silence_ms = 0.0
        self.speech_item: str | None = None
        self.response_task: asyncio.Task[None] | None = None
        self.response_id: str | None = None
        self.session: dict[str, Any] = {
            "type": "realtime",
            "object": "realtime.session",
            "id": f"sess_{next(server._ids)}",
            "model": model,
            "output_modalities": ["audio"],
            "instructions": "",
            "tools": [],
            "tool_choice": "auto",
            "max_output_tokens": "inf",
            "tracing": None,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "transcription": None,
                    "noise_reduction": None,
                    "turn_detection": {
                        "type": "server_vad",
                        "threshold": 0.5,
                        "prefix_padding_ms": 300,
                        "silence_duration_ms": 200,
                        "create_response": True,
                        "interrupt_response": True,
                    },
                },
                "output": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "voice": "alloy",
                    "speed": 1.0,
                },
            },
        }

    async def send(self, event: dict[str, Any]) -> None:
        event.setdefault("event_id", f"event_{next(self.server._ids)}")
        if self.server.validate:
            parse_server_event(event)
        self.server.sent.append(event)
        with contextlib.suppress(websockets.ConnectionClosed):
            await self.ws.send(orjson.dumps(event), text=True)

    async def error(
        self, message: str, *, code: str, event_id: str | None = None, param: str | None = None
    ) -> None:
        err: dict[str, Any] = {"type": "invalid_request_error", "code": code, "message": message}
        if event_id:
            err["event_id"] = event_id
        if param:
            err["param"] = param
        await self.send({"type": "error", "error": err})

    # -- client events ---------------------------------------------------------------------

    async def handle(self, frame: str | bytes) -> None:
        try:
            data = json.loads(frame)
        except ValueError:
            await self.error("frame is not valid JSON", code="invalid_json")
            return
        if not isinstance(data, dict):
            await self.error("frame is not an object", code="invalid_event")
            return
        self.server.received.append(data)
        try:
            client_event_adapter.validate_python(data)
        except pydantic.ValidationError as exc:
            await self.error(
                f"invalid event: {exc.errors()[0]['msg']}",
                code="invalid_event",
                event_id=data.get("event_id"),
                param=str(data.get("type")),
            )
            return
        kind = data["type"].replace(".", "_")
        await getattr(self, f"on_{kind}")(data)

    async def on_session_update(self, data: dict[str, Any]) -> None:
        update = data["session"]
        for key, value in update.items():
            if key == "audio":
                for side, conf in (value or {}).items():
                    self.session["audio"][side].update(conf or {})
            else:
                self.session[key] = value
        await self.send({"type": "session.updated", "session": self.session})

    async def on_conversation_item_create(self, data: dict[str, Any]) -> None:
        item = dict(data["item"])
        item.setdefault("id", f"item_{next(self.server._ids)}")
        item.setdefault("object", "realtime.item")
        item["status"] = "completed"
        await self.add_item(item)

    async def add_item(self, item: dict[str, Any]) -> None:
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        base: dict[str, Any] = {"item": item}
        if previous:
            base["previous_item_id"] = previous
        await self.send({"type": "conversation.item.added", **base})
        await self.send({"type": "conversation.item.done", **base})

    async def add_output_item(self, item: dict[str, Any]) -> None:
        previous = self.items[-1]["id"] if self.items else None
        self.items.append(item)
        event: dict[str, Any] = {"type": "conversation.item.added", "item": dict(item)}
        if previous:
            event["previous_item_id"] = previous
        await self.send(event)

    def find(self, item_id: str) -> dict[str, Any] | None:
        return next((i for i in self.items if i["id"] == item_id), None)

    async def on_conversation_item_retrieve(self, data: dict[str, Any]) -> None:
        item = self.find(data["item_id"])
        if item is None:
            await self.error(
                f"no item {data['item_id']!r}",
                code="item_not_found",
                event_id=data.get("event_id"),
                param="item_id",
            )
            return
        await self.send({"type": "conversation.item.retrieved", "item": item})

    async def on_conversation_item_delete(self, data: dict[str, Any]) -> None:
        item = self.find(data["item_id"])
        if item is None:
            await self.error(f"no item {data['item_id']!r}", code="item_not_found", param="item_id")
            return
        self.items.remove(item)
        await self.send({"type": "conversation.item.deleted", "item_id": item["id"]})

    async def on_conversation_item_truncate(self, data: dict[str, Any]) -> None:
        item = self.find(data["item_id"])
        total = self.audio_ms.get(data["item_id"], 0.0)
        if item is None or item.get("role") != "assistant":
            await self.error(
                "only assistant audio items can be truncated",
                code="item_not_found",
                param="item_id",
            )
            return
        end = data["audio_end_ms"]
        if end > total:
            await self.error(
                f"audio_end_ms {end} is past the audio's {total:.0f} ms",
                code="invalid_value",
                param="audio_end_ms",
            )
            return
        self.server.truncations.append((item["id"], end, total))
        for part in item.get("content", []):
            if part.get("transcript"):
                text = part["transcript"]
                part["transcript"] = text[: int(len(text) * end / total)] if total else ""
        self.audio_ms[item["id"]] = float(end)
        await self.send(
            {
                "type": "conversation.item.truncated",
                "item_id": item["id"],
                "content_index": data["content_index"],
                "audio_end_ms": end,
            }
        )

    async def on_input_audio_buffer_append(self, data: dict[str, Any]) -> None:
        chunk = base64.b64decode(data["audio"])
        self.buffer += chunk
        ms = len(chunk) / BYTES_PER_MS
        self.total_ms += ms
        td = self.session["audio"]["input"]["turn_detection"]
        if td is None:
            return
        samples = struct.unpack(f"<{len(chunk) // 2}h", chunk[: len(chunk) // 2 * 2])
        rms = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))
        if rms > self.server.speech_rms:
            self.silence_ms = 0.0
            if not self.speaking:
                self.speaking = True
                self.speech_item = f"item_{next(self.server._ids)}"
                self.buffer_start_ms = self.total_ms - ms
                await self.send(
                    {
                        "type": "input_audio_buffer.speech_started",
                        "item_id": self.speech_item,
                        "audio_start_ms": int(self.buffer_start_ms),
                    }
                )
                if td.get("interrupt_response", True) and self.response_task is not None:
                    await self.cancel_response()
        elif self.speaking:
            self.silence_ms += ms
            if self.silence_ms >= td.get("silence_duration_ms", 200):
                self.speaking = False
                await self.send(
                    {
                        "type": "input_audio_buffer.speech_stopped",
                        "item_id": self.speech_item,
                        "audio_end_ms": int(self.total_ms),
                    }
                )
                await self.commit(self.speech_item, auto=td.get("create_response", True))

    async def on_input_audio_buffer_commit(self, data: dict[str, Any]) -> None:
        if not self.buffer:
            await self.error(
                "buffer is empty",
                code="input_audio_buffer_commit_empty",
                event_id=data.get("event_id"),
            )
            return
        await self.commit(f"item_{next(self.server._ids)}", auto=False)

    async def commit(self, item_id: str | None, *, auto: bool) -> None:
        assert item_id is not None
        self.buffer.clear()
        await self.send(
            {
                "type": "input_audio_buffer.committed",
                "item_id": item_id,
                **({"previous_item_id": self.items[-1]["id"]} if self.items else {}),
            }
        )
        transcript = self.server.transcripts.popleft() if self.server.transcripts else "hello"
        item: dict[str, Any] = {
            "id": item_id,
            "type": "message",
            "role": "user",
            "object": "realtime.item",
            "status": "completed",
            "content": [{"type": "input_audio"}],
        }
        await self.add_item(item)
        if self.session["audio"]["input"].get("transcription"):
            item["content"][0]["transcript"] = transcript
            await self.send(
                {
                    "type": "conversation.item.input_audio_transcription.completed",
                    "item_id": item_id,
                    "content_index": 0,
                    "transcript": transcript,
                    "usage": {"type": "duration", "seconds": 1.0},
                }
            )
        else:
            item["content"][0]["transcript"] = transcript
        if auto:
            self.start_response()

    async def on_input_audio_buffer_clear(self, data: dict[str, Any]) -> None:
        self.buffer.clear()
        await self.send({"type": "input_audio_buffer.cleared"})

    async def on_output_audio_buffer_clear(self, data: dict[str, Any]) -> None:
        await self.send(
            {"type": "output_audio_buffer.cleared", "response_id": self.response_id or ""}
        )

    async def on_response_create(self, data: dict[str, Any]) -> None:
        if self.response_task is not None:
            await self.error(
                "Conversation already has an active response in progress: "
                f"{self.response_id}. Wait until the response is finished before "
                "creating a new one.",
                code="conversation_already_has_active_response",
                event_id=data.get("event_id"),
            )
            return
        self.start_response()

    async def on_response_cancel(self, data: dict[str, Any]) -> None:
        if self.response_task is None:
            await self.error(
                "no active response to cancel",
                code="response_cancel_not_active",
                event_id=data.get("event_id"),
            )
            return
        await self.cancel_response()

    # -- responses ---------------------------------------------------------------------------

    def start_response(self) -> None:
        self.response_id = f"resp_{next(self.server._ids)}"
        self.server.responses_started += 1
        # Like a model, the response answers the conversation as it is when it starts.
        self.response_task = asyncio.create_task(self.respond(self.response_id, self.plan()))

    async def cancel_response(self) -> None:
        task = self.response_task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def plan(self) -> tuple[str, Any]:
        answered = [
            i for i in self.items if i.get("role") != "assistant" and i["type"] != "function_call"
        ]
        last = answered[-1] if answered else {}
        if last.get("type") == "function_call_output":
            return "say", f"The tool said: {last.get('output')}"
        text = ""
        for part in last.get("content", []):
            text = part.get("text") or part.get("transcript") or text
        if text.startswith("call "):
            _, name, *rest = text.split(" ", 2)
            return "call", (name, rest[0] if rest else "{}")
        if text.startswith("transfer to "):
            return "call", ("transfer_to_" + text[len("transfer to ") :].strip().lower(), "{}")
        if text.startswith("say: "):
            return "say", text[len("say: ") :]
        if text.startswith("bench "):
            return "bench", int(text.split()[1])
        if text == "long answer":
            return "long", " ".join(f"word{i}" for i in range(60))
        return "say", f"You said: {text}"

    async def respond(self, response_id: str, plan: tuple[str, Any]) -> None:
        response: dict[str, Any] = {
            "id": response_id,
            "object": "realtime.response",
            "status": "in_progress",
            "output": [],
        }
        await self.send({"type": "response.created", "response": dict(response)})
        status = "completed"
        try:
            kind, arg = plan
            if kind == "call":
                await self.function_call(response, *arg)
            elif kind == "bench":
                await self.say(response, "", chunks=arg, delay=0.0)
            elif kind == "long":
                await self.say(response, arg, chunks=40, delay=self.server.long_delay)
            else:
                await self.say(response, arg, chunks=self.server.chunks, delay=self.server.delay)
        except asyncio.CancelledError:
            status = "cancelled"
        finally:
            self.response_task = None
            self.response_id = None
            response["status"] = status
            if status == "cancelled":
                response["status_details"] = {"type": "cancelled", "reason": "client_cancelled"}
            response["usage"] = {"total_tokens": 15, "input_tokens": 10, "output_tokens": 5}
            await asyncio.shield(self.send({"type": "response.done", "response": response}))

    async def function_call(self, response: dict[str, Any], name: str, arguments: str) -> None:
        item = {
            "id": f"item_{next(self.server._ids)}",
            "type": "function_call",
            "object": "realtime.item",
            "status": "in_progress",
            "name": name,
            "call_id": f"call_{next(self.server._ids)}",
            "arguments": "",
        }
        base = {"response_id": response["id"], "output_index": 0}
        await self.send({"type": "response.output_item.added", **base, "item": dict(item)})
        await self.add_output_item(item)
        ids = {**base, "item_id": item["id"], "call_id": item["call_id"]}
        await self.send(
            {"type": "response.function_call_arguments.delta", **ids, "delta": arguments}
        )
        await self.send(
            {
                "type": "response.function_call_arguments.done",
                **ids,
                "name": name,
                "arguments": arguments,
            }
        )
        item.update(status="completed", arguments=arguments)
        response["output"].append(item)
        await self.send({"type": "response.output_item.done", **base, "item": item})
        await self.send({"type": "conversation.item.done", "item": item})

    async def say(self, response: dict[str, Any], text: str, *, chunks: int, delay: float) -> None:
        item_id = f"item_{next(self.server._ids)}"
        text_only = self.session.get("output_modalities") == ["text"]
        part_type = "text" if text_only else "audio"
        item: dict[str, Any] = {
            "id": item_id,
            "type": "message",
            "role": "assistant",
            "object": "realtime.item",
            "status": "in_progress",
            "content": [],
        }
        base = {"response_id": response["id"], "output_index": 0}
        await self.send({"type": "response.output_item.added", **base, "item": dict(item)})
        await self.add_output_item(item)
        self.audio_ms[item_id] = 0.0
        ids = {**base, "item_id": item_id, "content_index": 0}
        await self.send({"type": "response.content_part.added", **ids, "part": {"type": part_type}})
        words = text.split(" ") if text else []
        per_chunk = max(1, math.ceil(len(words) / max(chunks, 1)))
        sent: list[str] = []
        chunk_b64 = self.server.chunk_b64
        for i in range(chunks if not text_only else math.ceil(len(words) / per_chunk)):
            piece = " ".join(words[i * per_chunk : (i + 1) * per_chunk])
            if piece:
                piece = (" " if sent else "") + piece
                sent.append(piece)
            if text_only:
                await self.send({"type": "response.output_text.delta", **ids, "delta": piece})
            else:
                await self.send({"type": "response.output_audio.delta", **ids, "delta": chunk_b64})
                self.audio_ms[item_id] += self.server.chunk_ms
                if piece:
                    await self.send(
                        {"type": "response.output_audio_transcript.delta", **ids, "delta": piece}
                    )
            item["content"] = [
                {"type": "output_text", "text": "".join(sent)}
                if text_only
                else {"type": "output_audio", "transcript": "".join(sent)}
            ]
            if delay:
                await asyncio.sleep(delay)
        full = "".join(sent)
        if text_only:
            await self.send({"type": "response.output_text.done", **ids, "text": full})
            part = {"type": "text", "text": full}
        else:
            await self.send({"type": "response.output_audio.done", **ids})
            await self.send(
                {"type": "response.output_audio_transcript.done", **ids, "transcript": full}
            )
            part = {"type": "audio", "transcript": full}
        await self.send({"type": "response.content_part.done", **ids, "part": part})
        item["status"] = "completed"
        response["output"].append(item)
        await self.send({"type": "response.output_item.done", **base, "item": item})
        await self.send({"type": "conversation.item.done", "item": item})


class ScriptedRealtimeServer:
    """A scripted stand-in for the Realtime API on 127.0.0.1 (see the module docstring).

    Args:
        api_key: when set, connections without ``Authorization: Bearer <api_key>`` get HTTP 401.
        chunks: audio deltas per ordinary answer; ``chunk_ms``: audio per delta.
        delay: seconds between deltas of an ordinary answer; ``long_delay``: of a long one.
        validate: check every sent event against ``openai.types.realtime`` (off for benchmarks).

    Attributes:
        received: every client event received, in order. ``sent``: every server event sent.
        truncations: ``(item_id, audio_end_ms, audio_ms)`` of each truncation.
        transcripts: what the next spoken turns "said" (the double cannot transcribe).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        chunks: int = 3,
        chunk_ms: int = 100,
        delay: float = 0.0,
        long_delay: float = 0.05,
        validate: bool = True,
        speech_rms: float = 500.0,
    ) -> None:
        self.api_key = api_key
        self.chunks, self.chunk_ms, self.delay, self.long_delay = (
            chunks,
            chunk_ms,
            delay,
            long_delay,
        )
        self.chunk_b64 = base64.b64encode(_tone(chunk_ms)).decode()
        self.validate = validate
        self.speech_rms = speech_rms
        self.received: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.truncations: list[tuple[str, int, float]] = []
        self.transcripts: deque[str] = deque()
        self.responses_started = 0
        self.connections: list[_Connection] = []
        self._ids = itertools.count(1)
        self._server: Server | None = None
        self.url = ""

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
        conn = _Connection(self, ws, model)
        self.connections.append(conn)
        await conn.send({"type": "session.created", "session": conn.session})
        try:
            async for frame in ws:
                await conn.handle(frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            await conn.cancel_response()

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
        for conn in self.connections:
            await conn.ws.send(frame)

    def drop_connections(self) -> None:
        """Cut every connection without a close frame, as a network failure would."""
        for conn in self.connections:
            conn.ws.transport.abort()

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
