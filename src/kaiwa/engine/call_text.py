"""Tool calls as the model writes them: read from its text (in Qwen's tag, fenced, or bare
JSON), checked against a tool's schema, and the schema a grammar writes them under. What the
calls may hold is judged in `tool_calls`."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from .chat import ToolCall, ToolSpec

__all__ = [
    "GRAMMAR_MAX_STRING",
    "MAX_CALLS",
    "call_schema",
    "copied_tool",
    "first_name",
    "grammar_schema",
    "names_no_tool",
    "parse_calls",
    "tagged",
    "takes_no_values",
    "unoffered_name",
    "valid_arguments",
    "written_calls",
]

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
    bodies = _bodies(text)
    by_name = {t.name: t for t in tools}
    calls = []
    for body in bodies:
        data = _call_json(body)
        tool = by_name.get(str(data.get("name"))) if data is not None else None
        args = data.get("arguments", {}) if data is not None else None
        if tool is not None and takes_no_values(tool.parameters):
            args = {}  # transfer_to_...(city="Tokyo"): made up, for a tool that takes none
        if tool is None or not isinstance(args, dict) or not _fits(args, tool.parameters):
            return None
        calls.append(ToolCall(name=tool.name, arguments=json.dumps(args, ensure_ascii=False)))
    return calls or None


_OTHER_VALUES = ("anyOf", "oneOf", "allOf", "$ref", "patternProperties", "items")
"""Ways a schema can take values besides its ``properties``."""


def takes_no_values(schema: Mapping[str, Any]) -> bool:
    """Whether a tool's ``schema`` takes no values: no properties, and none allowed
    (``additionalProperties: false``, as a handoff's or a function tool's without
    parameters), and no other way to take some (a handoff's ``input_type`` may be ``anyOf``;
    an MCP tool's free-form ``{"type": "object"}`` takes any). The 0.5B model gives such
    tools values of its own (``transfer_to_seat_booking_agent(city="New York")``): they are
    dropped, not written again under the grammar (~0.5 s for the same call)."""
    return (
        schema.get("properties") == {}
        and schema.get("additionalProperties") is False
        and not any(key in schema for key in _OTHER_VALUES)
    )


def valid_arguments(call: ToolCall, tool: ToolSpec) -> bool:
    """Whether ``call``'s arguments parse as a JSON object that fits ``tool``'s schema."""
    arguments = call.parsed_arguments()
    return arguments is not None and _fits(arguments, tool.parameters)


MAX_CALLS = 8
"""Calls read from one reply at most (a small model may go on writing calls to its budget)."""


def written_calls(text: str) -> list[dict[str, Any]]:
    """The whole JSON objects in a call the model is still writing, in order; tags, fences
    and whatever lies between them are skipped, and reading stops at an unfinished one."""
    found: list[dict[str, Any]] = []
    decoder = json.JSONDecoder()
    at = text.find("{")
    while at >= 0:
        try:
            data, end = decoder.raw_decode(text, at)
        except ValueError:
            break
        if isinstance(data, dict):
            found.append(data)
        at = text.find("{", end)
    return found


def names_no_tool(text: str, tools: Sequence[ToolSpec]) -> str | None:
    """The name of a function unlike any of ``tools`` the model's (unusable) call names, if
    it names one.

    A small model asked something no tool does writes a call to a function it makes up ("Say
    hello." -> ``say_hello``): mostly it wants to answer, not to call (`LocalLLM` takes it for
    a tool only when the request names that tool and the names are alike:
    ``weather_lookup_tool`` for ``get_weather``). A name close to a tool's
    (``get_current_weather`` for ``get_weather``) is taken as that tool.
    """
    for body in _bodies(text):
        data = _call_json(body)
        name = data.get("name") if data is not None else None
        if isinstance(name, str) and _unlike_any(name, tools):
            return name
    return None


def _plain_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def tagged(text: str) -> str:
    """The distinct whole calls of ``text`` (see `written_calls`), each in Qwen's tag: what is
    left to parse once reading stopped early."""
    distinct = {json.dumps(d, ensure_ascii=False, sort_keys=True): d for d in written_calls(text)}
    return "".join(
        f"<tool_call>\n{json.dumps(d, ensure_ascii=False)}\n</tool_call>\n"
        for d in distinct.values()
    )


_ECHO = re.compile(
    r"\s*(?:(?:<tool_call>|<tools>|```(?:json)?)\s*)?\[?\s*"
    r'\{\s*"type"\s*:\s*"function"\s*,\s*"function"\s*:\s*'
    r'\{\s*"name"\s*:\s*"([^"]*)"'
)


def copied_tool(text: str, tools: Sequence[ToolSpec]) -> list[ToolSpec] | None:
    """The tool whose entry in the prompt's tool list ``text`` copies out (``{"type":
    "function", "function": {"name": "faq_lookup_tool", "description": ...``), as a list of
    one (all of ``tools`` if the name is none of theirs); None when ``text`` is no such copy
    or its name is not written yet.

    The 0.5B model does this now and then instead of a call: to its token budget it copied the
    schema, description and all (~4-6 s on two cores), then was written again under the
    grammar. Read as soon as the name is: that tool's call is written under the grammar."""
    found = _ECHO.match(text)
    if found is None:
        return None
    return [t for t in tools if t.name == found.group(1)] or list(tools)


_FIRST_NAME = re.compile(
    r'\s*(?:(?:<tool_call>|<tools>|```(?:json)?)\s*)?\{\s*"name"\s*:\s*"([^"]*)"\s*,'
)
"""A call's opening up to its name (Qwen's tag, the 1.5B's ``<tools>``, a fence, or bare)."""


def first_name(text: str) -> str | None:
    """The name of the call ``text`` begins (in Qwen's tag, fenced or bare), once written
    whole; None before."""
    found = _FIRST_NAME.match(text)
    return found.group(1) if found is not None else None


def unoffered_name(text: str, tools: Sequence[ToolSpec]) -> str | None:
    """The name of the call ``text`` begins, once written, when it is unlike any of
    ``tools``' (see `names_no_tool`): ``weather_lookup_tool`` for an agent whose tool is
    ``get_weather``. None while the name is not written yet, or when it is a tool's."""
    name = first_name(text)
    if name is None or not _unlike_any(name, tools):
        return None
    return name


def _unlike_any(name: str, tools: Sequence[ToolSpec]) -> bool:
    ours = [_plain_name(t.name) for t in tools]
    return not difflib.get_close_matches(_plain_name(name), ours, n=1, cutoff=0.7)


def _bodies(text: str) -> list[str]:
    """What each call of ``text`` holds: the inside of each tag, or the whole text."""
    return [body for _, body in _CALL_BLOCK.findall(text)] or [text]


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


GRAMMAR_MAX_STRING = 120
"""Characters a string argument may have under the grammar (unless its schema says): a small
model forced into a value may repeat a digit until the token budget runs out
("12345678901234567890...")."""


def _bounded(schema: Any) -> Any:
    """``schema`` with a ``maxLength`` on every string without one (for the grammar only;
    calls are still checked against the tool's own schema)."""
    if isinstance(schema, list):
        return [_bounded(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _bounded(v) for k, v in schema.items()}
    kind = out.get("type")
    if (
        (kind == "string" or (isinstance(kind, list) and "string" in kind))
        and "maxLength" not in out
        and not {"enum", "const"} & out.keys()
    ):
        out["maxLength"] = GRAMMAR_MAX_STRING
    return out


def grammar_schema(tools: Sequence[ToolSpec]) -> dict[str, Any]:
    """`call_schema` for the grammar a call is generated under (strings bounded)."""
    return cast(dict[str, Any], _bounded(call_schema(tools)))
