"""A session's configuration, as the protocol shapes it: defaults, partial updates, checks.

The session is kept as the GA ``session`` object (the dict a client sends in
``session.update`` and receives in ``session.updated``). Updates merge key by key, nested
sections included, so ``{"audio": {"output": {"voice": "sage"}}}`` changes the voice and
nothing else; an explicit ``null`` clears a setting (``"transcription": null`` turns input
transcription off). Every update is checked whole before it is applied: a bad value leaves
the session as it was and names the field.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pydantic
from openai.types.realtime import RealtimeSessionCreateRequest

from ..audio.formats import to_ga_format
from ..engine.tts import OPENAI_VOICES
from ..engine.vad import VadConfig
from ..exceptions import UserError

__all__ = [
    "ClientError",
    "ConfigError",
    "TurnSettings",
    "apply_update",
    "default_session",
    "turn_settings",
]

DEFAULT_INSTRUCTIONS = (
    "You are a helpful, friendly voice assistant. Answer briefly, in one or two short "
    "sentences, in plain spoken language."
)
OUR_VOICES = ("joe",)


class ClientError(UserError):
    """Something a client sent that the server cannot take; becomes an ``error`` event with
    OpenAI's ``code`` and the ``param`` it concerns."""

    def __init__(self, message: str, *, code: str = "invalid_value", param: str | None = None):
        super().__init__(message)
        self.code, self.param = code, param


class ConfigError(ClientError):
    """A session setting the server cannot take; ``param`` names it as the protocol does."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message, param=param)


def default_session(model: str) -> dict[str, Any]:
    """A new session's settings (OpenAI's defaults, with our instructions)."""
    return {
        "type": "realtime",
        "object": "realtime.session",
        "id": f"sess_{uuid.uuid4().hex[:20]}",
        "model": model,
        "output_modalities": ["audio"],
        "instructions": DEFAULT_INSTRUCTIONS,
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": 24000},
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": {
                    "type": "server_vad",
                    "threshold": 0.5,
                    "prefix_padding_ms": 300,
                    "silence_duration_ms": 500,
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


def _merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict) and key not in _WHOLE:
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# Sections replaced whole: a new turn_detection of another type must not keep the old type's
# keys, and a format {"type": "audio/pcmu"} must not keep a pcm rate.
_WHOLE = frozenset({"turn_detection", "format", "transcription", "tool_choice", "tracing"})


def apply_update(session: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """The session after ``update`` (a partial GA session object); ``session`` is unchanged.

    Raises:
        ConfigError: a value that is malformed or not supported here, naming the field.
    """
    if update.get("type", "realtime") != "realtime":
        raise ConfigError(
            f"session.type {update.get('type')!r} is not supported; use 'realtime'",
            "session.type",
        )
    fixed = {k: v for k, v in update.items() if k not in ("id", "object")}
    merged = _merge(session, fixed)
    _check(merged)
    return merged


_FIELDS = frozenset(RealtimeSessionCreateRequest.model_fields) | {"id", "object"}
MAX_TOOLS = 128  # OpenAI's limit on functions
MAX_TOOL_SCHEMA_BYTES = 16_384
# (low, high) of numeric settings, as OpenAI documents them or as this server can honour them.
_RANGES: dict[tuple[str, ...], tuple[float, float]] = {
    ("audio", "output", "speed"): (0.25, 1.5),
    ("audio", "input", "turn_detection", "threshold"): (0.0, 1.0),
    ("audio", "input", "turn_detection", "prefix_padding_ms"): (0, 5_000),
    ("audio", "input", "turn_detection", "silence_duration_ms"): (0, 30_000),
    ("audio", "input", "turn_detection", "idle_timeout_ms"): (5_000, 30_000),
}


def _check_ranges(session: Mapping[str, Any]) -> None:
    for path, (low, high) in _RANGES.items():
        value: Any = session
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if not low <= value <= high:
            param = "session." + ".".join(path)
            raise ConfigError(
                f"Invalid value for '{param}': {value} is out of range; expected a value "
                f"between {low:g} and {high:g}.",
                param,
            )


def _check_tools(tools: Any) -> None:
    import jsonschema
    import orjson

    if not isinstance(tools, list):
        return  # the shape check names it
    if len(tools) > MAX_TOOLS:
        raise ConfigError(
            f"Too many tools: {len(tools)}; at most {MAX_TOOLS} are allowed.", "session.tools"
        )
    for i, tool in enumerate(tools):
        if not isinstance(tool, Mapping) or tool.get("type", "function") != "function":
            continue
        parameters = tool.get("parameters")
        param = f"session.tools[{i}].parameters"
        if parameters is None:
            continue
        if len(orjson.dumps(parameters)) > MAX_TOOL_SCHEMA_BYTES:
            raise ConfigError(
                f"The parameters of tool {tool.get('name')!r} are larger than "
                f"{MAX_TOOL_SCHEMA_BYTES} bytes.",
                param,
            )
        try:
            validator = jsonschema.validators.validator_for(
                parameters, default=jsonschema.Draft202012Validator
            )
            validator.check_schema(parameters)  # by the draft its $schema names
        except jsonschema.SchemaError as exc:
            raise ConfigError(
                f"Invalid schema for function {tool.get('name')!r}: {exc.message}", param
            ) from None
        if not isinstance(parameters, Mapping) or parameters.get("type", "object") != "object":
            raise ConfigError(
                f"Invalid schema for function {tool.get('name')!r}: the parameters must be a "
                "JSON schema of type 'object'.",
                param,
            )


def _check(session: dict[str, Any]) -> None:
    unknown = sorted(set(session) - _FIELDS)
    if unknown:
        param = f"session.{unknown[0]}"
        raise ConfigError(f"Unknown parameter: '{param}'.", param)
    shape = {k: v for k, v in session.items() if k not in ("id", "object")}
    try:
        RealtimeSessionCreateRequest.model_validate(_drop_nulls(shape))
    except pydantic.ValidationError as exc:
        err = exc.errors()[0]
        param = "session." + ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"Invalid value for {param}: {err['msg']}", param) from None
    _check_ranges(session)
    _check_tools(session.get("tools"))
    modalities = session.get("output_modalities")
    if modalities not in (["audio"], ["text"]):
        raise ConfigError(
            f"output_modalities must be ['audio'] or ['text'], got {modalities!r}",
            "session.output_modalities",
        )
    audio = session.get("audio") or {}
    for side in ("input", "output"):
        fmt = (audio.get(side) or {}).get("format")
        if fmt is not None:
            try:
                to_ga_format(fmt)
            except ValueError as exc:
                raise ConfigError(str(exc), f"session.audio.{side}.format") from None
    voice = (audio.get("output") or {}).get("voice")
    if isinstance(voice, Mapping) or (
        voice is not None and voice not in OPENAI_VOICES and voice not in OUR_VOICES
    ):
        raise ConfigError(
            f"voice {voice!r} is not available here; use one of {', '.join(OPENAI_VOICES)}",
            "session.audio.output.voice",
        )
    transcription = (audio.get("input") or {}).get("transcription") or {}
    language = transcription.get("language")
    if language not in (None, "", "en", "ja") and not str(language).startswith("en-"):
        raise ConfigError(
            f"transcription language {language!r} is not available offline; use 'en' or 'ja'",
            "session.audio.input.transcription.language",
        )


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def public_session(session: dict[str, Any]) -> dict[str, Any]:
    """The session as sent in ``session.created|updated``: optional fields omitted, not null."""
    return _drop_nulls(session)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class TurnSettings:
    """What the listener needs from the session."""

    mode: Literal["server_vad", "semantic_vad"] | None
    vad: VadConfig
    eagerness: Literal["low", "medium", "high", "auto"]
    create_response: bool
    interrupt_response: bool
    transcribe: bool
    language: str | None
    prompt: str | None
    idle_timeout_ms: int | None = None


def turn_settings(session: Mapping[str, Any]) -> TurnSettings:
    """The turn-taking part of a session."""
    audio_in = (session.get("audio") or {}).get("input") or {}
    td = audio_in.get("turn_detection")
    transcription = audio_in.get("transcription")
    language = (transcription or {}).get("language") or None
    prompt = (transcription or {}).get("prompt") or None
    if not td:
        return TurnSettings(
            None, VadConfig(), "auto", False, False, bool(transcription), language, prompt
        )
    vad = VadConfig(
        threshold=float(td.get("threshold") or 0.5),
        prefix_padding_ms=int(td.get("prefix_padding_ms") or 300),
        silence_duration_ms=int(td.get("silence_duration_ms") or 500),
    )
    return TurnSettings(
        mode=td["type"],
        vad=vad,
        eagerness=td.get("eagerness") or "auto",
        create_response=td.get("create_response", True) is not False,
        interrupt_response=td.get("interrupt_response", True) is not False,
        transcribe=bool(transcription),
        language=language,
        prompt=prompt,
        idle_timeout_ms=td.get("idle_timeout_ms") if td["type"] == "server_vad" else None,
    )
