"""The server of ``kaiwa web`` (Starlette, run by uvicorn, as ``kaiwa serve``).

Routes:

- ``GET /``: the page, with a fresh page token in it (one per page load);
- ``GET /static/...``: its scripts and styles, from the package (no CDN: works offline);
- ``GET /status``: whether the engine is loaded (JSON);
- ``GET /ws?token=...`` (WebSocket): the page's conversation. The Origin must be this server's
  own (or one given with ``--allow-origin``) and the token one this server issued.

The page's protocol. The browser sends microphone audio as binary frames (PCM16, 24 kHz,
mono, at most 1 s each) and JSON text frames: ``{"type": "text", "text"}``,
``{"type": "approve" | "reject", "call_id"}``, ``{"type": "played", "item_id",
"content_index", "ms"}`` (how much of an answer's audio it has played: truncation on barge-in
uses it), ``{"type": "interrupt"}``, ``{"type": "language", "language": "en" | "ja"}``,
``{"type": "bye"}`` (the tab is leaving: its conversation ends now). Close codes 4000-4002 say
the conversation ended, moved to a newer socket, or could not start: do not reconnect.
The server sends the answer's audio as binary frames, each preceded (when the item changes) by
``{"type": "audio_item", "item_id", "content_index"}``, and JSON: ``hello`` (the whole
transcript, on every (re)connection), ``entry`` / ``update`` (the transcript as it grows),
``status``, ``agent``, ``interrupted`` (stop playing now), ``loading`` / ``ready``, ``raw``
(the model's events, for the inspector), ``error``.

A tab's conversation outlives its socket for `WebConfig.grace_s`: a page that reconnects with
its token gets its transcript back and goes on. Nothing the browser sends is trusted: sizes,
types and values are checked, and a page that stops reading loses its socket (its
conversation is kept), never slowing the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from ...agent import RealtimeAgent
from ...audio.playback import RealtimePlaybackTracker
from ...exceptions import UserError
from ...models.interface import RealtimeModelListener
from ...models.model_events import RealtimeModelEvent

__all__ = ["WebConfig", "create_web_app", "run_web"]

logger = logging.getLogger("kaiwa.web")

MAX_TEXT_FRAME = 16 * 1024
"""Bytes in one JSON frame from the page."""
MAX_AUDIO_FRAME = 48_000
"""Bytes in one audio frame from the page: 1 s of PCM16 at 24 kHz."""
MAX_MESSAGE_CHARS = 2_000
"""Characters in one typed message."""
MAX_ENTRIES = 2_000
"""Transcript entries kept for a page's reconnections (the session's history is whole)."""
CLOSE_ENDED = 4000
"""Close code: the conversation has ended (the page does not reconnect)."""
CLOSE_REPLACED = 4001
"""Close code: the tab's conversation was taken by a newer socket."""
CLOSE_FAILED = 4002
"""Close code: the conversation could not start."""
MESSAGES_PER_S = 20.0
"""JSON messages a page may send per second (bursts of twice that)."""
AUDIO_SPEED = 1.5
"""A page may send audio at most this much faster than real time (beyond `AUDIO_BURST_S`): the
engine is shared, and a page flooding it would slow the others."""
AUDIO_BURST_S = 10.0
"""Seconds of audio a page may send at once, beyond the steady rate."""
OUTBOX = 1_024
"""Frames queued for a page; a page that falls this far behind loses its socket (and reconnects)."""
LANGUAGES = ("en", "ja")
TOKEN_TTL_S = 600.0
"""A page token not used to connect within this long expires (reload the page)."""
MAX_TOKENS = 4_096
"""Page tokens kept at most (the oldest unused go first)."""


@dataclass
class WebConfig:
    """What ``kaiwa web`` serves.

    Args:
        agent: the starting agent (default: the airline demo's triage agent).
        url: an OpenAI Realtime WebSocket URL to use instead of the offline engine.
        api_key: the key for ``url`` (or OpenAI's); it stays on the server.
        model: the model name sent to ``url``.
        offline: the embedded engine (the default without ``url`` or key).
        allowed_origins: pages from these origins may connect too (besides this server's).
        max_pages: conversations at once; more are refused.
        grace_s: how long a tab's conversation waits for its page to reconnect.
        language: the page's starting language.
        llm: the offline engine's LLM (`Engine.load`: ``small``, ``large`` or a GGUF file;
            default ``$KAIWA_LLM``, else small).
    """

    agent: RealtimeAgent[Any] | None = None
    url: str | None = None
    api_key: str | None = None
    model: str = "gpt-realtime"
    offline: bool = True
    allowed_origins: tuple[str, ...] = ()
    max_pages: int = 16
    grace_s: float = 60.0
    language: str = "en"
    llm: str | None = None
    host: str = "127.0.0.1"
    """The address served: requests must name it (or localhost, or an allowed origin's host)."""


@dataclass
class WebContext:
    """The context the page's sessions run with: agents may read ``language``."""

    language: str = "en"


class _EngineLoader:
    """Loads the offline engine in the background and tells how far it got."""

    def __init__(self, llm: str | None = None) -> None:
        self.llm = llm
        self.step = "starting"
        self.done = 0
        self.total = 4
        self.error: str | None = None
        self.ready = threading.Event()
        self.engine: Any = None

    def start(self) -> None:
        threading.Thread(target=self._load, name="kaiwa-web-load", daemon=True).start()

    def _progress(self, step: str, done: int, total: int) -> None:
        self.step, self.done, self.total = step, done, total

    def _load(self) -> None:
        from ...engine.engine import Engine

        try:
            self.engine = Engine.load(
                llm=self.llm, progress=sys.stderr.isatty(), on_step=self._progress
            )
            self.step, self.done = "ready", self.total
        except Exception as exc:  # shown on the page and in the log
            logger.exception("loading the engine failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.ready.set()

    def state(self) -> dict[str, Any]:
        if self.error:
            return {"state": "error", "error": self.error}
        if self.ready.is_set():
            return {"state": "ready"}
        return {"state": "loading", "step": self.step, "done": self.done, "total": self.total}


class _Bucket:
    """A token bucket: ``rate`` per second, up to ``burst`` at once."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.level = burst
        self.at = time.monotonic()

    def take(self, amount: float = 1.0) -> bool:
        now = time.monotonic()
        self.level = min(self.burst, self.level + (now - self.at) * self.rate)
        self.at = now
        if self.level < amount:
            return False
        self.level -= amount
        return True


class _PagePlayback(RealtimePlaybackTracker):
    """Where the page's player is: it reports the milliseconds played of each answer."""

    def played(self, item_id: str, content_index: int, ms: float) -> None:
        self._current = (item_id, content_index)
        self._elapsed_ms = ms


class _Socket:
    """One WebSocket of a page, with its bounded outbox and the task that writes it."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.outbox: asyncio.Queue[str | bytes | None] = asyncio.Queue(OUTBOX)
        self.overrun = asyncio.Event()
        self.replaced = False

    def close(self) -> None:
        """End this socket (the page's handler sees ``overrun`` and lets it go)."""
        self.overrun.set()

    def put(self, frame: str | bytes) -> None:
        try:
            self.outbox.put_nowait(frame)
        except asyncio.QueueFull:
            self.overrun.set()  # the page is not reading: drop the socket, keep the talk

    async def write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while (frame := await self.outbox.get()) is not None:
                if isinstance(frame, bytes):
                    await self.ws.send_bytes(frame)
                else:
                    await self.ws.send_text(frame)


def _json(data: dict[str, Any]) -> str:
    return orjson.dumps(data).decode()


def _clip(value: Any) -> Any:
    """A raw event for the inspector: audio replaced by its size, long strings cut."""
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if key in ("delta", "audio") and isinstance(v, str) and len(v) > 200:
                out[key] = f"<{len(v) * 3 // 4} bytes of audio>"
            else:
                out[key] = _clip(v)
        return out
    if isinstance(value, list):
        return [_clip(v) for v in value[:50]]
    if isinstance(value, str) and len(value) > 500:
        return value[:500] + "…"
    return value


class Page(RealtimeModelListener):
    """One browser tab's conversation: its session, transcript and (current) socket."""

    def __init__(self, token: str, config: WebConfig, engine: Any) -> None:
        self.token = token
        self.config = config
        self.engine = engine
        self.context = WebContext(language=config.language)
        self.entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.socket: _Socket | None = None
        self.session: Any = None
        self.playback = _PagePlayback()
        self.approvals: dict[str, dict[str, Any]] = {}
        self.status = "listening"
        self.agent_name = ""
        self.closed = asyncio.Event()
        self.detached_at: float | None = time.monotonic()  # no socket yet
        self.ended = False
        self._settings: dict[str, Any] = {}
        self._audio_item: tuple[str, int] | None = None
        self._speech_stopped_at: float | None = None
        self._first_audio: OrderedDict[str, None] = OrderedDict()
        self._tools = 0
        self._task: asyncio.Task[None] | None = None
        self._warming: asyncio.Task[None] | None = None
        self._messages = _Bucket(MESSAGES_PER_S, 2 * MESSAGES_PER_S)
        # Bytes of 24 kHz PCM16. The burst lets a page catch up after a stall (its frames
        # queue while the agent warms up, or on a slow network) without being cut.
        self._audio = _Bucket(AUDIO_SPEED * 48_000, AUDIO_BURST_S * 48_000)

    # -- the session ---------------------------------------------------------------------------

    async def start(self) -> None:
        from ...runner import RealtimeRunner

        agent = self.config.agent
        if agent is None:
            from ..airline import triage_agent

            agent = triage_agent
        self.agent_name = agent.name
        self._settings = {
            "model_name": self.config.model,
            "modalities": ["audio"],
            "input_audio_transcription": {
                "model": "gpt-4o-mini-transcribe",
                "language": self.context.language,
            },
            "turn_detection": {"type": "server_vad", "interrupt_response": True},
        }
        model_config: dict[str, Any] = {"playback_tracker": self.playback}
        model = None
        if self.config.offline:
            from ...models.local import LocalRealtimeModel

            model = LocalRealtimeModel(self.engine)
        else:
            model_config["api_key"] = self.config.api_key or "none"
            if self.config.url:
                url = self.config.url
                model_config["url"] = url if "?" in url else f"{url}?model={self.config.model}"
        runner = RealtimeRunner(
            agent,
            model=model,
            config={"model_settings": self._settings},  # type: ignore[arg-type]
        )
        self.session = await runner.run(context=self.context, model_config=model_config)  # type: ignore[arg-type]
        await self.session.__aenter__()
        self.session.model.add_listener(self)
        self._task = asyncio.create_task(self._pump())
        warmed = getattr(self.session.model, "warmed", None)
        if warmed is not None:  # the first answer must not wait for the LLM to read its prompt
            self._set_status("warming up")
            await warmed()
            self._set_status("listening")

    async def close(self) -> None:
        self.closed.set()
        for task in (self._task, self._warming):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self.session is not None:
            with contextlib.suppress(Exception):
                await self.session.close()
        if self.socket is not None:
            self.socket.close()

    async def _pump(self) -> None:
        try:
            async for event in self.session:
                try:
                    self._on_session_event(event)
                except Exception:
                    logger.exception("showing a session event failed")
        except Exception as exc:
            self._entry({"kind": "error", "text": f"the session failed: {exc}"})
        finally:
            self.ended = True
            self._entry({"kind": "notice", "text": "the session ended"})
            self.closed.set()

    # -- to the page ---------------------------------------------------------------------------

    def attach(self, sock: _Socket) -> None:
        """``sock`` is the page's socket from now on (its audio starts with a fresh header)."""
        self.socket, self.detached_at = sock, None
        self._audio_item = None

    def detach(self) -> None:
        self.socket, self.detached_at = None, time.monotonic()

    def send(self, data: dict[str, Any]) -> None:
        if self.socket is not None:
            self.socket.put(_json(data))

    def _entry(self, entry: dict[str, Any]) -> dict[str, Any]:
        entry.setdefault("id", f"e{len(self.entries)}-{secrets.token_hex(3)}")
        entry.setdefault("time", time.time())
        self.entries[entry["id"]] = entry
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)
        self.send({"type": "entry", "entry": entry})
        return entry

    def _update(self, entry_id: str, **fields: Any) -> None:
        entry = self.entries.get(entry_id)
        if entry is None:
            return
        entry.update(fields)
        self.send({"type": "update", "id": entry_id, **fields})

    def _set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.send({"type": "status", "state": status})

    def hello(self, resumed: bool) -> dict[str, Any]:
        return {
            "type": "hello",
            "resumed": resumed,
            "entries": list(self.entries.values()),
            "agent": self.agent_name,
            "status": self.status,
            "language": self.context.language,
            "engine": "offline engine"
            if self.config.offline
            else (self.config.url or "OpenAI Realtime API"),
            "approvals": [a for a in self.approvals.values() if a.get("state") == "pending"],
        }

    # -- raw model events: the words as they come, status, latency, the inspector ------------

    async def on_event(self, event: RealtimeModelEvent) -> None:
        if event.type != "raw_server_event":
            return
        data = event.data
        kind = data.get("type", "")
        if kind != "response.output_audio.delta":
            self.send({"type": "raw", "event": _clip(data)})
        item_id = str(data.get("item_id", ""))
        if kind == "input_audio_buffer.speech_started":
            self._set_status("hearing you")
            self._user(item_id)
        elif kind == "input_audio_buffer.speech_stopped":
            self._speech_stopped_at = time.monotonic()
            self._set_status("thinking")
        elif kind == "conversation.item.input_audio_transcription.delta":
            entry = self._user(item_id)
            self._update(entry["id"], text=entry["text"] + str(data.get("delta", "")))
        elif kind == "conversation.item.input_audio_transcription.completed":
            entry = self._user(item_id)
            self._update(entry["id"], text=str(data.get("transcript", "")).strip(), final=True)
        elif kind == "conversation.item.input_audio_transcription.failed":
            entry = self._user(item_id)
            self._update(entry["id"], text="(not understood)", final=True)
        elif kind == "conversation.item.added":
            self._typed(data.get("item") or {})
        elif kind in ("response.output_audio_transcript.delta", "response.output_text.delta"):
            entry = self._agent(item_id)
            self._update(entry["id"], text=entry["text"] + str(data.get("delta", "")))
        elif kind == "response.output_audio.delta" and item_id not in self._first_audio:
            self._first_audio[item_id] = None
            if len(self._first_audio) > 16:
                self._first_audio.popitem(last=False)
            entry = self._agent(item_id)
            if self._speech_stopped_at is not None:
                ms = (time.monotonic() - self._speech_stopped_at) * 1000
                self._speech_stopped_at = None
                self._update(entry["id"], latency_ms=round(ms))
            self._set_status("speaking")
        elif kind in ("response.output_audio_transcript.done", "response.output_text.done"):
            entry = self._agent(item_id)
            self._update(entry["id"], final=True)
        elif kind == "response.done":
            self._set_status("listening")

    def _user(self, item_id: str) -> dict[str, Any]:
        key = f"user-{item_id}"
        return self.entries.get(key) or self._entry(
            {"id": key, "kind": "user", "text": "", "final": False}
        )

    def _agent(self, item_id: str) -> dict[str, Any]:
        key = f"agent-{item_id}"
        return self.entries.get(key) or self._entry(
            {"id": key, "kind": "agent", "agent": self.agent_name, "text": "", "final": False}
        )

    def _typed(self, item: dict[str, Any]) -> None:
        if item.get("role") != "user":
            return
        texts = [
            c.get("text", "") for c in item.get("content") or [] if c.get("type") == "input_text"
        ]
        if texts:
            key = f"user-{item.get('id', '')}"
            if key not in self.entries:
                self._entry({"id": key, "kind": "user", "text": " ".join(texts), "final": True})
                self._speech_stopped_at = time.monotonic()  # the answer's latency counts from here

    # -- session events: audio, tools, approvals, handoffs, guardrails, errors ----------------

    def _on_session_event(self, event: Any) -> None:
        kind = event.type
        if kind == "audio":
            key = (event.item_id, event.content_index)
            if key != self._audio_item:
                self._audio_item = key
                self.send({"type": "audio_item", "item_id": key[0], "content_index": key[1]})
            if self.socket is not None:
                self.socket.put(bytes(event.audio.data))
        elif kind == "audio_interrupted":
            self._audio_item = None
            self.send({"type": "interrupted"})
            entry = self.entries.get(f"agent-{event.item_id}")
            if entry is not None:
                self._update(entry["id"], interrupted=True)
        elif kind == "agent_start":
            self._set_agent(event.agent.name)
        elif kind == "tool_start":
            self._tools += 1
            self._entry(
                {
                    "id": f"tool-{self._tools}",
                    "kind": "tool",
                    "agent": event.agent.name,
                    "name": event.tool.name,
                    "arguments": event.arguments,
                    "output": None,
                }
            )
        elif kind == "tool_end":
            for entry in reversed(self.entries.values()):
                if (
                    entry["kind"] == "tool"
                    and entry["output"] is None
                    and entry["name"] == event.tool.name
                    and entry["arguments"] == event.arguments
                ):
                    self._update(entry["id"], output=str(event.output)[:2000])
                    break
        elif kind == "tool_approval_required":
            entry = self._entry(
                {
                    "id": f"approval-{event.call_id}",
                    "kind": "approval",
                    "call_id": event.call_id,
                    "agent": event.agent.name,
                    "tool": event.tool.name,
                    "arguments": event.arguments,
                    "state": "pending",
                }
            )
            self.approvals[event.call_id] = entry
            self._speech_stopped_at = None  # waiting for a person is not the engine's latency
            while len(self.approvals) > MAX_ENTRIES:
                self.approvals.pop(next(iter(self.approvals)))
        elif kind == "handoff":
            self._entry(
                {"kind": "handoff", "from": event.from_agent.name, "to": event.to_agent.name}
            )
            self._set_agent(event.to_agent.name)
        elif kind == "guardrail_tripped":
            names = ", ".join(r.guardrail.get_name() for r in event.guardrail_results)
            self._entry({"kind": "guardrail", "text": f"{names}: {event.message}"})
        elif kind == "error":
            self._entry({"kind": "error", "text": _error_text(event.error)})

    def _set_agent(self, name: str) -> None:
        if name != self.agent_name:
            self.agent_name = name
        self.send({"type": "agent", "name": name})

    # -- from the page -------------------------------------------------------------------------

    async def receive_audio(self, data: bytes) -> None:
        if len(data) > MAX_AUDIO_FRAME or len(data) % 2:
            raise ValueError(
                f"audio frames are PCM16 (an even number of bytes) of at most {MAX_AUDIO_FRAME} "
                f"bytes; got {len(data)}"
            )
        if not self._audio.take(len(data)):
            raise ValueError(
                f"audio is sent faster than {AUDIO_SPEED}x real time: this frame was not heard"
            )
        await self.session.send_audio(data)

    async def receive(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind != "played" and not self._messages.take():
            raise ValueError(
                f"more than {MESSAGES_PER_S:.0f} messages a second: this {kind!r} was not taken"
            )
        if kind == "text":
            text = message.get("text")
            if not isinstance(text, str) or not text.strip():
                raise ValueError("a text message needs some 'text'")
            if len(text) > MAX_MESSAGE_CHARS:
                raise ValueError(f"a message is at most {MAX_MESSAGE_CHARS} characters")
            await self.session.send_message(text.strip())
        elif kind in ("approve", "reject"):
            call_id = message.get("call_id")
            entry = self.approvals.get(call_id) if isinstance(call_id, str) else None
            if entry is None or entry["state"] != "pending":
                raise ValueError(f"no tool call {call_id!r} waits for approval")
            try:
                if kind == "approve":
                    await self.session.approve_tool_call(entry["call_id"])
                else:
                    await self.session.reject_tool_call(entry["call_id"])
            except Exception:
                self._update(entry["id"], state="expired")
                raise
            self._update(entry["id"], state="approved" if kind == "approve" else "rejected")
        elif kind == "played":
            item_id, index, ms = (
                message.get("item_id"),
                message.get("content_index"),
                message.get("ms"),
            )
            if (
                not isinstance(item_id, str)
                or len(item_id) > 128
                or not isinstance(index, int)
                or not 0 <= index < 64
                or not isinstance(ms, (int, float))
                or not math.isfinite(ms)
                or not 0 <= ms <= 3_600_000
            ):
                raise ValueError("'played' needs item_id, content_index and ms (0 to 3,600,000)")
            self.playback.played(item_id, index, float(ms))
        elif kind == "interrupt":
            self.send({"type": "interrupted"})
            await self.session.interrupt()
        elif kind == "language":
            language = message.get("language")
            if language not in LANGUAGES:
                raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
            if language != self.context.language:
                await self.set_language(str(language))
        elif kind == "bye":  # the tab closes or disconnects on purpose: free its place now
            self.ended = True
            self.closed.set()
        else:
            raise ValueError(
                f"unknown message type {kind!r}: expected text, approve, reject, played, "
                "interrupt, language or bye"
            )

    async def set_language(self, language: str) -> None:
        """Switch what the user speaks and the agents answer in; the conversation goes on."""
        self.context.language = language
        self._settings["input_audio_transcription"]["language"] = language
        await self.session.update_agent(self.session.current_agent)
        name = "日本語 (Japanese)" if language == "ja" else "English"
        self._entry({"kind": "notice", "text": f"Language: {name}"})
        warmed = getattr(self.session.model, "warmed", None)
        if warmed is not None:  # load the language's recognizer and voice now, not at the answer
            if self._warming is not None:
                self._warming.cancel()
            self._warming = asyncio.create_task(warmed())


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)
    message = getattr(error, "message", None)
    return str(message or error)


_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def _host_ok(headers: Any, config: WebConfig) -> bool:
    """Whether the request names this server: a page served under another name (a DNS
    rebinding attack: evil.example resolving to 127.0.0.1) must not reach the agents."""
    host = headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if name in _LOOPBACK_NAMES or name == config.host:
        return True
    allowed = {urlsplit(o).hostname for o in config.allowed_origins}
    return name.strip("[]") in allowed


def _origin_ok(ws: WebSocket, config: WebConfig) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return False
    host = ws.headers.get("host", "")
    own = {f"http://{host}", f"https://{host}"}
    return origin in own or origin in config.allowed_origins


def create_web_app(config: WebConfig | None = None, *, engine: Any = None) -> Starlette:
    """The ASGI app of ``kaiwa web`` (see the module docstring).

    Args:
        config: what to serve.
        engine: the offline engine to use (default: loaded in the background at start, with
            its progress shown on the pages).
    """
    cfg = config or WebConfig()
    loader = _EngineLoader(cfg.llm)
    if engine is not None:
        loader.engine = engine
        loader.ready.set()
    elif cfg.offline:
        loader.start()
    else:
        loader.ready.set()
    tokens: OrderedDict[str, float] = OrderedDict()
    pages: dict[str, Page] = {}
    page_html = (resources.files(__package__) / "static" / "index.html").read_text("utf-8")

    def forget_old_tokens() -> None:
        """Tokens of pages never connected expire after `TOKEN_TTL_S`; at most `MAX_TOKENS`."""
        now = time.monotonic()
        for token, issued in list(tokens.items()):
            if token in pages or token in opening:
                continue
            if now - issued > TOKEN_TTL_S or len(tokens) > MAX_TOKENS:
                del tokens[token]

    async def index(request: Request) -> Response:
        if not _host_ok(request.headers, cfg):
            return JSONResponse({"error": "unknown host name"}, status_code=421)
        forget_old_tokens()
        token = secrets.token_urlsafe(24)
        tokens[token] = time.monotonic()
        html = page_html.replace("{{token}}", token).replace("{{language}}", cfg.language)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def status(request: Request) -> Response:
        return JSONResponse({"engine": loader.state(), "pages": len(pages)})

    async def reaper() -> None:
        while True:
            await asyncio.sleep(min(5.0, max(0.5, cfg.grace_s / 2)))
            now = time.monotonic()
            for token, page in list(pages.items()):
                gone = page.detached_at is not None and now - page.detached_at > cfg.grace_s
                if gone or page.ended or (page.closed.is_set() and page.socket is None):
                    del pages[token]
                    tokens.pop(token, None)
                    await page.close()

    reaping: list[asyncio.Task[None]] = []
    opening: dict[str, asyncio.Future[Page | None]] = {}

    async def deny(ws: WebSocket, status: int, message: str) -> None:
        await ws.send_denial_response(JSONResponse({"error": message}, status_code=status))

    async def socket(ws: WebSocket) -> None:
        if not reaping:
            reaping.append(asyncio.create_task(reaper()))
        if not _host_ok(ws.headers, cfg) or not _origin_ok(ws, cfg):
            return await deny(ws, 403, "this page's origin may not connect")
        token = ws.query_params.get("token", "")
        if token not in tokens:
            return await deny(ws, 403, "unknown or expired page token: reload the page")
        page = pages.get(token)
        if page is not None and page.ended:
            return await deny(ws, 410, "this conversation has ended: reload the page")
        if page is None and token not in opening and len(pages) + len(opening) >= cfg.max_pages:
            return await deny(
                ws, 429, f"this server is at its limit of {cfg.max_pages} conversations"
            )
        await ws.accept()
        sock = _Socket(ws)
        writer = asyncio.create_task(sock.write())
        code, reason = 1000, ""
        try:
            if page is None:
                page = await _page_for(token, sock)
                if page is None:
                    code, reason = CLOSE_FAILED, "the conversation could not start"
                    return
            resumed = page.socket is not None or bool(page.entries)
            if page.socket is not None:  # a second socket for the tab: the newer one wins
                page.socket.replaced = True
                page.socket.close()
            page.attach(sock)
            sock.put(_json(page.hello(resumed)))
            reader = asyncio.create_task(_read(ws, page))
            overrun = asyncio.create_task(sock.overrun.wait())
            closed = asyncio.create_task(page.closed.wait())
            done, _ = await asyncio.wait(
                [reader, overrun, closed, writer], return_when=asyncio.FIRST_COMPLETED
            )
            for task in (reader, overrun, closed):
                task.cancel()
            await asyncio.gather(reader, overrun, closed, return_exceptions=True)
            if reader in done and not reader.cancelled() and reader.exception() is not None:
                logger.error("reading a page failed", exc_info=reader.exception())
            if sock.replaced:
                code, reason = CLOSE_REPLACED, "the page connected again elsewhere"
            elif page.ended:
                code, reason = CLOSE_ENDED, "the conversation has ended"
            elif overrun in done:
                logger.warning("a page stopped reading: its socket is closed, its talk kept")
                code, reason = 1013, "the page fell behind: reconnect"
        finally:
            if page is not None and page.socket is sock:
                page.detach()
            with contextlib.suppress(asyncio.QueueFull):
                sock.outbox.put_nowait(None)
            if not sock.overrun.is_set() or sock.replaced:
                # Let the last words out (an error, "the session ended"), briefly.
                with contextlib.suppress(asyncio.TimeoutError, Exception):
                    await asyncio.wait_for(asyncio.shield(writer), 2.0)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
            with contextlib.suppress(Exception):
                await ws.close(code=code, reason=reason)

    async def _page_for(token: str, sock: _Socket) -> Page | None:
        """The page of ``token``, opened once even if two sockets ask at the same time."""
        if token in opening:
            return await asyncio.shield(opening[token])
        future: asyncio.Future[Page | None] = asyncio.get_running_loop().create_future()
        opening[token] = future
        page = None
        try:
            page = await _open_page(sock, token)
        finally:
            del opening[token]
            future.set_result(page)
        return page

    async def _open_page(sock: _Socket, token: str) -> Page | None:
        while not loader.ready.is_set():
            sock.put(_json({"type": "loading", **loader.state()}))
            await asyncio.sleep(0.25)
        if loader.error:
            sock.put(
                _json({"type": "error", "message": f"the engine failed to load: {loader.error}"})
            )
            return None
        sock.put(_json({"type": "ready"}))
        sock.put(_json({"type": "loading", "step": "preparing the agent", "done": 4, "total": 4}))
        page = Page(token, cfg, loader.engine)
        try:
            await page.start()
        except Exception as exc:
            logger.exception("starting a conversation failed")
            sock.put(
                _json({"type": "error", "message": f"could not start the conversation: {exc}"})
            )
            await page.close()
            return None
        pages[token] = page  # reaped after the grace period unless a socket attaches
        return page

    async def _read(ws: WebSocket, page: Page) -> None:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            try:
                data = message.get("bytes")
                if data is not None:
                    await page.receive_audio(data)
                    continue
                text = message.get("text") or ""
                if len(text) > MAX_TEXT_FRAME:
                    raise ValueError(f"a message frame is at most {MAX_TEXT_FRAME} bytes")
                try:
                    parsed = orjson.loads(text)
                except orjson.JSONDecodeError as exc:
                    raise ValueError(
                        f"each message is a JSON object; this is not JSON: {exc}"
                    ) from None
                if not isinstance(parsed, dict):
                    raise ValueError("each message is a JSON object")
                await page.receive(parsed)
            except ValueError as exc:
                page.send({"type": "error", "message": str(exc)})
            except Exception as exc:  # the session refused it: say so, keep the page
                logger.warning("a page's message failed", exc_info=True)
                page.send({"type": "error", "message": f"{type(exc).__name__}: {exc}"})

    async def shutdown() -> None:
        for task in reaping:
            task.cancel()
        for page in list(pages.values()):
            await page.close()
        pages.clear()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await shutdown()

    static = resources.files(__package__) / "static"
    app = Starlette(
        routes=[
            Route("/", index),
            Route("/status", status),
            WebSocketRoute("/ws", socket),
            Mount("/static", StaticFiles(directory=str(static)), name="static"),
        ],
        lifespan=lifespan,
    )
    app.state.pages = pages
    app.state.loader = loader
    return app


async def run_web(
    config: WebConfig,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    log_level: str = "warning",
    open_browser: bool = False,
) -> None:
    """Serve ``kaiwa web`` until cancelled (Ctrl-C)."""
    import socket as sockets

    import uvicorn

    from ...server import is_loopback

    if not is_loopback(host) and not config.allowed_origins:
        print(
            f"kaiwa web: listening on {host}: pages from other machines connect only if their "
            "origin is this server's address (check --allow-origin)",
            file=sys.stderr,
        )
    config.host = host
    app = create_web_app(config)
    sock = sockets.socket(sockets.AF_INET6 if ":" in host else sockets.AF_INET)
    sock.setsockopt(sockets.SOL_SOCKET, sockets.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror} (try --port 0)") from exc
    sock.listen(128)  # connectable from now on: requests wait for the server to start
    bound = sock.getsockname()[1]
    shown = "localhost" if is_loopback(host) else host
    url = f"http://{shown}:{bound}/"
    server = uvicorn.Server(
        uvicorn.Config(app, log_level=log_level, ws_max_size=1024 * 1024, lifespan="on")
    )
    where = "offline engine" if config.offline else (config.url or "OpenAI Realtime API")
    print(f"kaiwa web: open {url} ({where}); Ctrl-C quits", file=sys.stderr, flush=True)
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, (url,)).start()
    await server.serve(sockets=[sock])
