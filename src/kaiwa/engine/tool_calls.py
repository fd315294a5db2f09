"""The model's tool calls: read from what it wrote, checked against the tools' schemas, and
against the conversation (a small model calls tools it should not, with values of its own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .chat import ChatMessage, ToolCall, ToolSpec
from .text import is_japanese

__all__ = ["answered", "call_schema", "made_up", "parse_calls"]

_CALL_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


def _fits(value: Any, schema: Mapping[str, Any]) -> bool:
    """A shallow check of ``value`` against a JSON schema (types, required keys, enums)."""
    kind = schema.get("type")
    expected = _JSON_TYPES.get(kind) if isinstance(kind, str) else None
    if expected is not None and (
        not isinstance(value, expected)
        or (kind in ("integer", "number") and isinstance(value, bool))
    ):
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, dict):
        props = schema.get("properties", {})
        if any(key not in value for key in schema.get("required", [])):
            return False
        if schema.get("additionalProperties") is False and any(k not in props for k in value):
            return False
        return all(_fits(v, props[k]) for k, v in value.items() if k in props)
    return True


def parse_calls(text: str, tools: Sequence[ToolSpec]) -> list[ToolCall] | None:
    """Tool calls written freely by the model, if every one is valid for its tool's schema."""
    bodies = _CALL_BLOCK.findall(text) or [text]
    by_name = {t.name: t for t in tools}
    calls = []
    for body in bodies:
        data = _call_json(body)
        tool = by_name.get(str(data.get("name"))) if data is not None else None
        args = data.get("arguments", {}) if data is not None else None
        if tool is None or not isinstance(args, dict) or not _fits(args, tool.parameters):
            return None
        calls.append(ToolCall(name=tool.name, arguments=json.dumps(args, ensure_ascii=False)))
    return calls or None


def _call_json(body: str) -> dict[str, Any] | None:
    body = body.strip().removeprefix("```json").strip()
    try:
        data, _ = json.JSONDecoder().raw_decode(body)  # ignores a trailing tag or fence
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


_WORDS = re.compile(r"[^\W_]+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORDS.findall(text)}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def made_up(call: ToolCall, tool: ToolSpec, messages: Sequence[ChatMessage]) -> bool:
    """Whether a required text argument of ``call`` shares no word with the conversation.

    A small model offered a tool calls it for questions it does not fit, with a value of its
    own ("How are you today?" -> ``get_weather(city="London")``). A value the user gave, even
    reworded ("remind me to buy milk" -> "Buy milk"), shares a word with what was said.
    Optional arguments are the model's to choose (a unit, a default). Not checked: numbers
    (said in words, written in digits), and conversations in Japanese (no spaces between
    words, and names are transliterated).
    """
    said_text = " ".join(m.content for m in messages)
    if is_japanese(said_text):
        return False
    said = _words(said_text)
    try:
        arguments = json.loads(call.arguments or "{}")
    except ValueError:
        return False
    if not isinstance(arguments, dict):
        return False
    for key in tool.parameters.get("required", ()):
        for value in _strings(arguments.get(key)):
            words = {w for w in _words(value) if not w.isdigit()}
            if words and not words & said:
                return True
    return False


def answered(call: ToolCall, messages: Sequence[ChatMessage]) -> bool:
    """Whether the conversation already holds this exact call and a result for it."""
    answered = {m.tool_call_id for m in messages if m.role == "tool"}
    for m in messages:
        for earlier in m.tool_calls:
            if (
                earlier.name == call.name
                and earlier.call_id in answered
                and json.loads(earlier.arguments or "{}") == json.loads(call.arguments or "{}")
            ):
                return True
    return False


def call_schema(tools: Sequence[ToolSpec]) -> dict[str, Any]:
    options = [
        {
            "type": "object",
            "properties": {"name": {"const": t.name}, "arguments": dict(t.parameters)},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for t in tools
    ]
    return options[0] if len(options) == 1 else {"anyOf": options}
