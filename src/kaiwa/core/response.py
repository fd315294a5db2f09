"""One response: the engine's reply (clauses with audio, or tool calls) as protocol events.

The order and shapes are OpenAI's: ``response.created``; per output item
``output_item.added`` (+ ``conversation.item.added``), ``content_part.added``, the deltas with
the transcript of each clause just before its audio, then the ``done`` events; finally
``response.done`` with the status (``completed``, ``cancelled``, ``failed``) and usage. A
cancelled response still closes every item it opened, so a client never waits for an end
that will not come.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pybase64

from ..audio.codecs import encode_audio
from ..audio.formats import to_ga_format
from ..engine.chat import ToolCall, choose_tools
from ..engine.responder import ResponseChunk
from ..engine.tts import resolve_voice
from ..exceptions import EngineError, UserError
from .config import ConfigError
from .conversation import Conversation, new_id, tool_specs

__all__ = ["Response", "ResponseOptions", "ResponsePhase", "resolve_options"]

Emit = Callable[[dict[str, Any]], None]
DELTA_MS = 200
"""Audio per ``output_audio.delta``: small enough to start playing early, big enough to be cheap."""


@dataclass
class ResponseOptions:
    """What one response does, resolved from the session and the ``response.create`` options."""

    instructions: str
    tools: list[dict[str, Any]]
    tool_choice: Any
    modalities: list[str]
    output_format: dict[str, Any]
    voice: str
    speed: float
    max_output_tokens: int | Literal["inf"]
    in_conversation: bool = True
    input_items: list[dict[str, Any]] | None = None
    metadata: dict[str, str] | None = None
    conversation_id: str | None = None

    @property
    def audio(self) -> bool:
        return "audio" in self.modalities

    @property
    def rate(self) -> int:
        return 24000 if self.output_format["type"] == "audio/pcm" else 8000

    @property
    def max_tokens(self) -> int:
        # A spoken answer longer than ~400 tokens is a lecture; cap what "inf" means.
        return 400 if self.max_output_tokens == "inf" else int(self.max_output_tokens)


def resolve_options(
    session: Mapping[str, Any], request: Mapping[str, Any] | None, conversation_id: str
) -> ResponseOptions:
    """A response's options: ``response.create``'s, falling back to the session's.

    Raises:
        ConfigError: an option this server cannot honour, naming it.
    """
    s, r = session, dict(request or {})
    out = s["audio"]["output"]
    r_out = ((r.get("audio") or {}).get("output")) or {}
    if r.get("output_modalities") not in (None, ["audio"], ["text"]):
        raise ConfigError(
            "output_modalities must be ['audio'] or ['text']", "response.output_modalities"
        )
    conversation = r.get("conversation") or "auto"
    if conversation not in ("auto", "none"):
        raise ConfigError(
            f"conversation {conversation!r} is not supported; use 'auto' or 'none'",
            "response.conversation",
        )
    voice = r_out.get("voice") or out.get("voice") or "alloy"
    try:
        resolve_voice(voice)
    except EngineError as exc:
        raise ConfigError(str(exc), "response.audio.output.voice") from None
    tools = r["tools"] if r.get("tools") is not None else s.get("tools") or []
    tool_choice = r.get("tool_choice") or s.get("tool_choice") or "auto"
    try:
        choose_tools(tool_choice, tool_specs(tools))
    except UserError as exc:
        raise ConfigError(str(exc), "response.tool_choice") from None
    try:
        output_format = to_ga_format(r_out.get("format") or out["format"])
    except UserError as exc:
        raise ConfigError(str(exc), "response.audio.output.format") from None
    return ResponseOptions(
        instructions=r["instructions"]
        if r.get("instructions") is not None
        else s.get("instructions", ""),
        tools=tools,
        tool_choice=tool_choice,
        modalities=r.get("output_modalities") or s["output_modalities"],
        output_format=output_format,
        voice=voice,
        speed=float(out.get("speed") or 1.0),
        max_output_tokens=r.get("max_output_tokens") or s.get("max_output_tokens") or "inf",
        in_conversation=conversation == "auto",
        input_items=r.get("input"),
        metadata=r.get("metadata"),
        conversation_id=conversation_id,
    )


@dataclass
class _Item:
    item: dict[str, Any]
    index: int
    text: str = ""
    audio_ms: float = 0.0


class ResponsePhase(enum.Enum):
    """Where a response is in its life."""

    STREAMING = "streaming"
    """Its reply arrives piece by piece."""
    STOPPING = "stopping"
    """Cancelled: its reply is being stopped; it ends when the stage says it has."""
    DONE = "done"
    """``response.done`` is sent."""


@dataclass
class Response:
    """A response being produced, as events: feed it the reply's pieces (`take`), then
    `finish` it; `cancel` asks it to stop (it still needs `finish`, once its stage stopped)."""

    options: ResponseOptions
    conversation: Conversation
    emit: Emit
    id: str = field(default_factory=lambda: new_id("resp"))
    status: str = "in_progress"
    phase: ResponsePhase = ResponsePhase.STREAMING
    cancel_reason: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    output: list[dict[str, Any]] = field(default_factory=list)
    audio_ms: float = 0.0
    """How long the audio sent so far plays."""
    delta_ms: int = DELTA_MS
    """Audio per ``output_audio.delta``."""
    _message: _Item | None = None

    def shape(self) -> dict[str, Any]:
        """The ``response`` object of ``response.created|done``."""
        o = self.options
        out: dict[str, Any] = {
            "id": self.id,
            "object": "realtime.response",
            "status": self.status,
            "output": self.output,
            "output_modalities": o.modalities,
            "max_output_tokens": o.max_output_tokens,
            "audio": {"output": {"format": o.output_format, "voice": o.voice}},
        }
        if o.conversation_id and o.in_conversation:
            out["conversation_id"] = o.conversation_id
        if o.metadata:
            out["metadata"] = o.metadata
        return out

    def cancel(self, reason: Literal["turn_detected", "client_cancelled"]) -> bool:
        """Stop taking the reply; the response will end ``cancelled``. False if it was
        already stopping or over (nothing to do)."""
        if self.phase is not ResponsePhase.STREAMING:
            return False
        self.cancel_reason = reason
        self.phase = ResponsePhase.STOPPING
        return True

    def take(self, chunk: ResponseChunk) -> None:
        """One piece of the reply: a spoken clause (or text), or a tool call. Ignored once
        the response is stopping."""
        if self.phase is not ResponsePhase.STREAMING:
            return
        if chunk.tool_call is not None:
            self._close_message()
            self._function_call(chunk.tool_call)
        elif chunk.text or chunk.audio is not None:
            self._clause(chunk.text, chunk.audio)

    def finish(self, error: Exception | None = None) -> None:
        """The reply is over (``error``: it failed): close every item it opened, then
        ``response.done`` with the status and usage."""
        if self.phase is ResponsePhase.DONE:
            return
        if self.cancel_reason is not None:
            self.status = "cancelled"
        elif error is not None:
            self.status = "failed"
        else:
            self.status = "completed"
        self.phase = ResponsePhase.DONE
        self._close_message()
        done = self.shape()
        if self.status == "cancelled":
            done["status_details"] = {"type": "cancelled", "reason": self.cancel_reason}
        elif error is not None:
            done["status_details"] = {
                "type": "failed",
                "error": {"type": "server_error", "code": "engine_error"},
            }
            self.emit(
                {
                    "type": "error",
                    "error": {
                        "type": "server_error",
                        "code": "engine_error",
                        "message": f"The response failed: {error}",
                    },
                }
            )
        if self.usage:
            done["usage"] = _usage(self.usage)
        self.emit({"type": "response.done", "response": done})

    # -- message items -------------------------------------------------------------------------

    def _open_message(self) -> _Item:
        if self._message is None:
            item = {
                "id": new_id("item"),
                "object": "realtime.item",
                "type": "message",
                "role": "assistant",
                "status": "in_progress",
                "content": [],
            }
            self._message = _Item(item, len(self.output))
            self.output.append(item)
            self._added(self._message)
            part = (
                {"type": "audio", "transcript": ""}
                if self.options.audio
                else {"type": "text", "text": ""}
            )
            self.emit(
                {"type": "response.content_part.added", **self._where(self._message), "part": part}
            )
        return self._message

    def _clause(self, text: str, audio: np.ndarray | None) -> None:
        """A clause's words and audio; a piece with no words is more audio of the clause
        before (a driver hands a long clause's audio over in pieces)."""
        m = self._open_message()
        where = self._where(m)
        if text:
            delta = text if not m.text else " " + text
            m.text += delta
            kind = "output_audio_transcript" if self.options.audio else "output_text"
            self.emit({"type": f"response.{kind}.delta", **where, "delta": delta})
        if not self.options.audio or audio is None or audio.size == 0:
            return
        step = self.options.rate * self.delta_ms // 1000
        samples = audio  # already at the output rate
        for i in range(0, samples.size, step):
            data = encode_audio(
                samples[i : i + step], self.options.rate, self.options.output_format
            )
            self.emit(
                {
                    "type": "response.output_audio.delta",
                    **where,
                    "delta": pybase64.b64encode(data).decode("ascii"),
                }
            )
        ms = samples.size * 1000 / self.options.rate
        m.audio_ms += ms
        self.audio_ms += ms
        if self.options.in_conversation:
            self.conversation.spoke(m.item["id"], text, ms)

    def _close_message(self) -> None:
        m, self._message = self._message, None
        if m is None:
            return
        where = self._where(m)
        cancelled = self.cancel_reason is not None
        if self.options.audio:
            self.emit({"type": "response.output_audio.done", **where})
            self.emit(
                {"type": "response.output_audio_transcript.done", **where, "transcript": m.text}
            )
            part = {"type": "audio", "transcript": m.text}
            content = {"type": "output_audio", "transcript": m.text}
        else:
            self.emit({"type": "response.output_text.done", **where, "text": m.text})
            part = {"type": "text", "text": m.text}
            content = {"type": "output_text", "text": m.text}
        self.emit({"type": "response.content_part.done", **where, "part": part})
        m.item["content"] = [content]
        m.item["status"] = "incomplete" if cancelled else "completed"
        self._done(m)

    # -- function calls ------------------------------------------------------------------------

    def _function_call(self, call: ToolCall) -> None:
        item = {
            "id": new_id("item"),
            "object": "realtime.item",
            "type": "function_call",
            "status": "in_progress",
            "call_id": call.call_id,
            "name": call.name,
            "arguments": "",
        }
        entry = _Item(item, len(self.output))
        self.output.append(item)
        self._added(entry)
        where = {"response_id": self.id, "item_id": item["id"], "output_index": entry.index}
        self.emit(
            {
                "type": "response.function_call_arguments.delta",
                **where,
                "call_id": call.call_id,
                "delta": call.arguments,
            }
        )
        self.emit(
            {
                "type": "response.function_call_arguments.done",
                **where,
                "call_id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            }
        )
        item["arguments"] = call.arguments
        item["status"] = "completed"  # openai-agents runs a tool only on a completed call
        self._done(entry)

    # -- shared --------------------------------------------------------------------------------

    def _where(self, m: _Item) -> dict[str, Any]:
        return {
            "response_id": self.id,
            "item_id": m.item["id"],
            "output_index": m.index,
            "content_index": 0,
        }

    def _added(self, entry: _Item) -> None:
        self.emit(
            {
                "type": "response.output_item.added",
                "response_id": self.id,
                "output_index": entry.index,
                "item": _copy(entry.item),
            }
        )
        if self.options.in_conversation:
            previous = self.conversation.add(entry.item)
            event: dict[str, Any] = {"type": "conversation.item.added", "item": _copy(entry.item)}
            if previous is not None:
                event["previous_item_id"] = previous
            self.emit(event)

    def _done(self, entry: _Item) -> None:
        self.emit(
            {
                "type": "response.output_item.done",
                "response_id": self.id,
                "output_index": entry.index,
                "item": _copy(entry.item),
            }
        )
        if self.options.in_conversation:
            self.conversation.replace(entry.item)
            self.emit({"type": "conversation.item.done", "item": _copy(entry.item)})


def _copy(item: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in item.items()}


def _usage(counts: dict[str, int]) -> dict[str, Any]:
    inp, out = counts.get("input_tokens", 0), counts.get("output_tokens", 0)
    return {
        "total_tokens": inp + out,
        "input_tokens": inp,
        "output_tokens": out,
        "input_token_details": {
            "cached_tokens": counts.get("cached_tokens", 0),
            "text_tokens": inp,
            "audio_tokens": 0,
        },
        "output_token_details": {"text_tokens": out, "audio_tokens": 0},
    }
