"""The conversation: an ordered list of items in the protocol's shapes, and what the LLM sees.

Items are stored as the GA item dicts the server sends (``conversation.item.added|done``,
``conversation.item.retrieved``), so what a client retrieves is exactly what it was told.
Assistant audio items also remember how long each spoken clause lasted, so a truncation can
cut the transcript where the listener stopped hearing.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.chat import SILENT_TURN, ChatMessage, ToolCall, ToolSpec
from .config import ClientError

__all__ = ["Conversation", "ItemError", "new_id", "to_messages", "tool_specs"]

MAX_ITEMS = 2_000
"""Items kept per conversation; the oldest go first, each with a `conversation.item.deleted`
so the client knows (the LLM sees only the recent ones anyway)."""


def new_id(prefix: str) -> str:
    """An id in OpenAI's style (``item_...``, ``resp_...``, ``event_...``)."""
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


class ItemError(ClientError):
    """An item reference that does not resolve; ``param`` names the field."""

    def __init__(self, message: str, param: str, code: str = "item_not_found") -> None:
        super().__init__(message, code=code, param=param)


@dataclass
class _Spoken:
    """The clauses of an assistant audio item, with their audio length."""

    clauses: list[tuple[str, float]] = field(default_factory=list)

    @property
    def duration_ms(self) -> float:
        return sum(ms for _, ms in self.clauses)

    def heard(self, audio_end_ms: float) -> str:
        """The transcript of the first ``audio_end_ms`` of the audio (whole words)."""
        out, start = [], 0.0
        for text, ms in self.clauses:
            if start + ms <= audio_end_ms:
                out.append(text)
            elif audio_end_ms > start and ms > 0:
                words = text.split()
                keep = int(len(words) * (audio_end_ms - start) / ms)
                out.append(" ".join(words[:keep]))
                break
            else:
                break
            start += ms
        return " ".join(t for t in out if t)


class Conversation:
    """The items of one session, in order.

    Args:
        on_evict: called with the id of each item dropped to keep `MAX_ITEMS` (the client is
            told, as if it had deleted the item).
    """

    def __init__(self, on_evict: Callable[[str], None] | None = None) -> None:
        self._on_evict = on_evict
        self._items: dict[str, dict[str, Any]] = {}  # insertion order is conversation order
        self._spoken: dict[str, _Spoken] = {}
        self._cut_at: dict[str, int] = {}  # truncations of replies still in progress
        self.version = 0
        """Bumped on every change (a speculative reply is only valid for the same version)."""

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._items

    def __len__(self) -> int:
        return len(self._items)

    @property
    def last_id(self) -> str | None:
        return next(reversed(self._items), None)

    def get(self, item_id: str) -> dict[str, Any]:
        """The item (a copy), or `ItemError`."""
        try:
            return copy.deepcopy(self._items[item_id])
        except KeyError:
            raise ItemError(f"Item with item_id not found: {item_id}", "item_id") from None

    def items(self) -> list[dict[str, Any]]:
        return list(self._items.values())

    def add(self, item: dict[str, Any], previous_item_id: str | None = None) -> str | None:
        """Insert ``item`` after ``previous_item_id`` (default: at the end; ``"root"``: first).

        Returns the id of the item before it (None at the start).
        """
        if item["id"] in self._items:
            raise ItemError(
                f"Item with id {item['id']} already exists", "item.id", "duplicate_item_id"
            )
        self.version += 1
        if previous_item_id is None or previous_item_id == self.last_id:
            before = self.last_id
            self._items[item["id"]] = item
        else:
            if previous_item_id != "root" and previous_item_id not in self._items:
                raise ItemError(
                    f"previous_item_id not found: {previous_item_id}", "previous_item_id"
                )
            old = list(self._items.items())
            at = (
                0 if previous_item_id == "root" else [k for k, _ in old].index(previous_item_id) + 1
            )
            old.insert(at, (item["id"], item))
            self._items = dict(old)
            before = None if at == 0 else old[at - 1][0]
        while len(self._items) > MAX_ITEMS:
            oldest = next(iter(self._items))
            del self._items[oldest]
            self._spoken.pop(oldest, None)
            if self._on_evict is not None:
                self._on_evict(oldest)
        return before

    def replace(self, item: dict[str, Any]) -> None:
        """Store the newer state of an existing item (e.g. its transcript arrived, or the
        reply finished: a cut asked for while it was in progress applies now)."""
        if item["id"] in self._items:
            self._items[item["id"]] = item
            self.version += 1
            cut = self._cut_at.pop(item["id"], None)
            content = item.get("content") or [{}]
            if (
                cut is not None
                and item.get("status") != "in_progress"
                and content[0].get("type") == "output_audio"
            ):
                self.truncate(item["id"], 0, cut)
            # (A text answer has no audio to cut: a cut asked for while it was made lapses.)

    def delete(self, item_id: str) -> None:
        if item_id not in self._items:
            raise ItemError(f"Item with item_id not found: {item_id}", "item_id")
        del self._items[item_id]
        self._spoken.pop(item_id, None)
        self._cut_at.pop(item_id, None)
        self.version += 1

    def spoke(self, item_id: str, text: str, duration_ms: float) -> None:
        """Record one spoken clause of an assistant item (no ``text``: more audio of the
        clause before)."""
        clauses = self._spoken.setdefault(item_id, _Spoken()).clauses
        if not text and clauses:
            said, ms = clauses[-1]
            clauses[-1] = (said, ms + duration_ms)
        else:
            clauses.append((text, duration_ms))

    def truncate(self, item_id: str, content_index: int, audio_end_ms: int) -> None:
        """Cut an assistant audio item at ``audio_end_ms``: its transcript keeps what was heard.

        A position past the end of the audio is taken as the end (OpenAI rejects it; clients
        that estimate the played position from the wall clock overshoot, and lose nothing).
        """
        item = self._items.get(item_id)
        if item is None:
            raise ItemError(f"Item with item_id not found: {item_id}", "item_id")
        if item.get("role") != "assistant" or item.get("type") != "message":
            raise ItemError("Only assistant messages can be truncated", "item_id", "invalid_value")
        content = item.get("content") or []
        in_progress = item.get("status") == "in_progress" and not content and content_index == 0
        if not in_progress and (
            not 0 <= content_index < len(content)
            or content[content_index].get("type") != "output_audio"
        ):
            raise ItemError(
                f"content_index {content_index} is not an audio part of {item_id}",
                "content_index",
                "invalid_value",
            )
        if audio_end_ms < 0:
            raise ItemError("audio_end_ms must be >= 0", "audio_end_ms", "invalid_value")
        if item.get("status") == "in_progress" and not content and content_index == 0:
            # The reply is still being made (its parts come when it ends): cut it then.
            self._cut_at[item_id] = audio_end_ms
            return
        spoken = self._spoken.get(item_id)
        if spoken is None or audio_end_ms >= spoken.duration_ms:
            return  # all of it was heard
        content[content_index]["transcript"] = spoken.heard(audio_end_ms)
        spoken.clauses = [(content[content_index]["transcript"], float(audio_end_ms))]
        self.version += 1


def _text_of(item: Mapping[str, Any]) -> str:
    parts = []
    for part in item.get("content") or []:
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text"):
            parts.append(part.get("text") or "")
        elif kind in ("input_audio", "output_audio", "audio"):
            parts.append(part.get("transcript") or "")
    return " ".join(p for p in parts if p).strip()


def to_messages(instructions: str, items: Iterable[Mapping[str, Any]]) -> list[ChatMessage]:
    """The conversation as chat messages: instructions first, function calls folded into the
    assistant turn that made them."""
    messages = [ChatMessage("system", instructions)] if instructions else []
    for item in items:
        kind = item.get("type")
        if kind == "message":
            role = item.get("role")
            text = _text_of(item)
            if not text and role == "user" and item.get("content"):
                text = SILENT_TURN  # a turn without words (an idle timeout, noise)
            if not text:
                continue
            messages.append(ChatMessage("system" if role == "system" else role, text))  # type: ignore[arg-type]
        elif kind == "function_call":
            call = ToolCall(
                item.get("name", ""), item.get("arguments") or "{}", item.get("call_id", "")
            )
            last = messages[-1] if messages else None
            if last is not None and last.role == "assistant" and not last.content:
                messages[-1] = ChatMessage("assistant", "", (*last.tool_calls, call))
            else:
                messages.append(ChatMessage("assistant", "", (call,)))
        elif kind == "function_call_output":
            messages.append(
                ChatMessage("tool", str(item.get("output", "")), tool_call_id=item.get("call_id"))
            )
    return messages


def tool_specs(tools: Sequence[Mapping[str, Any]] | None) -> list[ToolSpec]:
    """The session's function tools for the LLM (other tool types are not offered)."""
    specs = []
    for tool in tools or []:
        if tool.get("type", "function") != "function":
            continue
        params = tool.get("parameters") or {"type": "object", "properties": {}}
        if isinstance(params, str):
            params = json.loads(params)
        specs.append(ToolSpec(tool["name"], tool.get("description") or "", params))
    return specs
