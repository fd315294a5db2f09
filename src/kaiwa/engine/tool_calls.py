"""The model's tool calls: read from what it wrote, checked against the tools' schemas, and
against the conversation (a small model calls tools it should not, with values of its own).
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from .chat import ChatMessage, ToolCall, ToolSpec
from .text import is_japanese

__all__ = ["answered", "call_schema", "made_up", "names_no_tool", "parse_calls"]

_CALL_BLOCK = re.compile(r"<(tool_call|tools)>\s*(.*?)\s*(?:</\1>|$)", re.S)
"""A call in Qwen's tag; Qwen2.5-Coder 1.5B writes ``<tools>`` instead."""
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
    bodies = [body for _, body in _CALL_BLOCK.findall(text)] or [text]
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
    body = body.strip().removeprefix("```json").removeprefix("```").strip()
    for attempt in (body, _single_braces(body)):
        try:
            data, _ = json.JSONDecoder().raw_decode(attempt)  # ignores a trailing tag or fence
        except ValueError:
            continue
        return data if isinstance(data, dict) else None
    return None


def _single_braces(body: str) -> str:
    """``{{"name": ..., "arguments": {{...}}}}`` (braces doubled, as in a format string, a
    habit of Qwen2.5-Coder 1.5B) as plain JSON."""
    return body.replace("{{", "{").replace("}}", "}") if body.startswith("{{") else body


_WORDS = re.compile(r"[^\W_]+")


def _words(text: str) -> set[str]:
    """Lower-case words without accents ("Zürich" -> "zurich"), leaving out any with a digit:
    numbers, times and dates are said in words and written in digits ("seven am" -> "7am")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return {w.lower() for w in _WORDS.findall(plain) if not any(c.isdigit() for c in w)}


def names_no_tool(text: str, tools: Sequence[ToolSpec]) -> bool:
    """Whether the model's (unusable) call names a function unlike any of ``tools``.

    A small model asked something no tool does writes a call to a function it makes up ("Say
    hello." -> ``say_hello``): it wants to answer, not to call. A name close to a tool's
    (``get_current_weather`` for ``get_weather``) is taken as that tool.
    """
    ours = [_plain_name(t.name) for t in tools]
    for body in [body for _, body in _CALL_BLOCK.findall(text)] or [text]:
        data = _call_json(body)
        name = data.get("name") if data is not None else None
        if isinstance(name, str) and not difflib.get_close_matches(
            _plain_name(name), ours, n=1, cutoff=0.7
        ):
            return True
    return False


def _plain_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def made_up(call: ToolCall, tool: ToolSpec, messages: Sequence[ChatMessage]) -> bool:
    """Whether no required free-text argument of ``call`` shares a word with the conversation.

    A small model offered a tool calls it for questions it does not fit, with a value of its
    own ("How are you today?" -> ``get_weather(city="London")``). A value the user gave, even
    reworded ("remind me to buy milk" -> "Buy milk"), shares a word with what was said; one
    such value grounds the call (the model may fill in others: a state for a city). An
    identifier (capitals and digits: a booking number, a seat) must itself have been said by
    the user (not read in the instructions or a tool's result). Not
    checked: optional arguments, values the schema constrains (``enum``, ``const``,
    ``format``), numbers, and conversations in Japanese (no spaces between words, and names
    are transliterated). Names the model rewrites ("Munich" -> "München") are not recognised.
    """
    said_text = " ".join(m.content for m in messages)
    if is_japanese(said_text):
        return False
    try:
        arguments = json.loads(call.arguments or "{}")
    except ValueError:
        return False
    if not isinstance(arguments, dict):
        return False
    properties = tool.parameters.get("properties", {})
    values = []
    for key in tool.parameters.get("required", ()):
        schema = properties.get(key, {}) if isinstance(properties, dict) else {}
        if isinstance(schema, dict) and {"enum", "const", "format"} & schema.keys():
            continue
        value = arguments.get(key)
        values += [value] if isinstance(value, str) else []
        values += [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    said_code = _code(" ".join(m.content for m in messages if m.role == "user"))
    if any(_is_code(v) and _code(v) not in said_code for v in values):
        return True  # a booking number or seat nobody said ("1234567890", "12A")
    checkable = [words for words in map(_words, values) if words]
    said = _words(said_text)
    return bool(checkable) and not any(words & said for words in checkable)


_CODE = re.compile(r"(?=[A-Z0-9-]*[A-Z])(?=[A-Z0-9-]*\d)[A-Z0-9-]{2,}|\d{6,}")


def _is_code(value: str) -> bool:
    """Whether ``value`` is an identifier (a confirmation number, a seat, a flight): capitals
    and digits ("ABC123", "12A", "BA-117"), or six digits or more. Such values are copied,
    not paraphrased: each must have been said (times like "7am" and dates are not codes)."""
    return bool(_CODE.fullmatch(value.strip()))


def _code(text: str) -> str:
    """``text`` as an identifier is compared: letters and digits only, lower-case ("ABC 123",
    "abc-123" -> "abc123")."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


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
