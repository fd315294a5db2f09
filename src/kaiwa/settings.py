"""Model settings: precedence, validation, and the GA ``session.update`` payload.

Everything about turning `RealtimeSessionModelSettings` into what goes on the wire lives here,
so a wrong value fails with a `UserError` naming the setting before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pydantic
from openai.types.realtime import RealtimeSessionCreateRequest

from .audio.formats import to_ga_format
from .config import RealtimeSessionModelSettings
from .exceptions import UserError
from .handoff import Handoff
from .tool import FunctionTool

__all__ = [
    "DEFAULT_MODEL_NAME",
    "DEFAULT_MODEL_SETTINGS",
    "SETTING_NAMES",
    "check_settings",
    "merge_settings",
    "session_payload",
]

DEFAULT_MODEL_NAME = "gpt-realtime"

DEFAULT_MODEL_SETTINGS: RealtimeSessionModelSettings = {
    "voice": "ash",
    "modalities": ["audio"],
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": {"model": "gpt-4o-mini-transcribe"},
    "turn_detection": {"type": "semantic_vad", "interrupt_response": True},
}
"""What a session uses for settings nobody gave (the same defaults as the reference SDK)."""

SETTING_NAMES = frozenset(RealtimeSessionModelSettings.__annotations__)

_TURN_DETECTION_KEYS = {
    "server_vad": {
        "type",
        "threshold",
        "prefix_padding_ms",
        "silence_duration_ms",
        "create_response",
        "interrupt_response",
        "idle_timeout_ms",
        "model_version",
    },
    "semantic_vad": {"type", "eagerness", "create_response", "interrupt_response", "model_version"},
}


def merge_settings(*layers: Mapping[str, Any] | None) -> RealtimeSessionModelSettings:
    """Merge settings, later layers winning key by key (pass them lowest precedence first)."""
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return cast(RealtimeSessionModelSettings, merged)


def check_settings(settings: Mapping[str, Any], where: str = "model_settings") -> None:
    """Raise `UserError` for unknown keys; the values are checked by `session_payload`."""
    unknown = sorted(set(settings) - SETTING_NAMES)
    if unknown:
        raise UserError(
            f"{where}: unknown setting(s) {', '.join(map(repr, unknown))}; "
            f"known settings are {', '.join(sorted(SETTING_NAMES))}"
        )


def _turn_detection(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise UserError("turn_detection: expected a mapping or None")
    td = dict(value)
    kind = td.setdefault("type", "server_vad")
    allowed = _TURN_DETECTION_KEYS.get(kind)
    if allowed is None:
        raise UserError(
            f"turn_detection.type: expected 'server_vad' or 'semantic_vad', got {kind!r}"
        )
    extra = sorted(set(td) - allowed)
    if extra:
        raise UserError(f"turn_detection: {', '.join(extra)} not valid with type {kind!r}")
    return td


def _tools(tools: list[FunctionTool], handoffs: list[Handoff[Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, description, schema in [
        *((t.name, t.description, t.params_json_schema) for t in tools),
        *((h.tool_name, h.tool_description, h.input_json_schema) for h in handoffs),
    ]:
        if name in seen:
            raise UserError(f"tools: two tools are named {name!r}; tool names must be unique")
        seen.add(name)
        out.append(
            {"type": "function", "name": name, "description": description, "parameters": schema}
        )
    return out


def session_payload(
    settings: Mapping[str, Any], *, default_model: str = DEFAULT_MODEL_NAME
) -> dict[str, Any]:
    """The GA ``session`` object of a ``session.update`` for ``settings`` (defaults filled in).

    Optional values are omitted rather than sent as ``null``, except where ``null`` means
    something (``transcription``, ``turn_detection``, ``noise_reduction``: turned off).

    Raises:
        UserError: a setting has a wrong value; the message names it.
    """
    check_settings(settings)
    s = merge_settings(DEFAULT_MODEL_SETTINGS, settings)
    audio = cast(Mapping[str, Any], s.get("audio") or {})
    a_in = cast(Mapping[str, Any], audio.get("input") or {})
    a_out = cast(Mapping[str, Any], audio.get("output") or {})

    def pick(section: Mapping[str, Any], key: str, flat: str) -> Any:
        return section[key] if key in section else s.get(flat)

    audio_in: dict[str, Any] = {
        "format": to_ga_format(pick(a_in, "format", "input_audio_format"), "input_audio_format"),
        "transcription": pick(a_in, "transcription", "input_audio_transcription"),
        "turn_detection": _turn_detection(pick(a_in, "turn_detection", "turn_detection")),
    }
    if "noise_reduction" in a_in or "input_audio_noise_reduction" in s:
        audio_in["noise_reduction"] = pick(a_in, "noise_reduction", "input_audio_noise_reduction")
    audio_out: dict[str, Any] = {
        "format": to_ga_format(pick(a_out, "format", "output_audio_format"), "output_audio_format"),
        "voice": pick(a_out, "voice", "voice"),
    }
    speed = pick(a_out, "speed", "speed")
    if speed is not None:
        audio_out["speed"] = speed
    payload: dict[str, Any] = {
        "type": "realtime",
        "model": s.get("model_name") or default_model,
        "output_modalities": s.get("output_modalities") or s.get("modalities"),
        "audio": {"input": audio_in, "output": audio_out},
        "tools": _tools(list(s.get("tools") or []), list(s.get("handoffs") or [])),
    }
    for key in (
        "instructions",
        "max_output_tokens",
        "tool_choice",
        "parallel_tool_calls",
        "reasoning",
        "prompt",
    ):
        if s.get(key) is not None:
            payload[key] = s[key]  # type: ignore[literal-required,unused-ignore]
    if "tracing" in s:
        payload["tracing"] = s["tracing"]
    _validate(payload)
    return payload


_FIELD_NAMES = {
    ("audio", "input", "format"): "input_audio_format",
    ("audio", "output", "format"): "output_audio_format",
    ("audio", "input", "transcription"): "input_audio_transcription",
    ("audio", "input", "turn_detection"): "turn_detection",
    ("audio", "input", "noise_reduction"): "input_audio_noise_reduction",
    ("audio", "output", "voice"): "voice",
    ("audio", "output", "speed"): "speed",
    ("output_modalities",): "modalities",
}


def _validate(payload: dict[str, Any]) -> None:
    if payload["output_modalities"] not in (["audio"], ["text"]):
        raise UserError(
            f"modalities: expected ['audio'] or ['text'], got {payload['output_modalities']!r}"
        )
    try:
        RealtimeSessionCreateRequest.model_validate(payload)
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(str(p) for p in err["loc"])
        name = next(
            (n for prefix, n in _FIELD_NAMES.items() if loc[: len(prefix)] == prefix),
            ".".join(loc),
        )
        raise UserError(f"{name}: {err['msg']} (got {err.get('input')!r})") from exc
