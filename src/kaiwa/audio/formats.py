"""Audio formats of the Realtime protocol and their sizes.

The GA protocol names formats ``{"type": "audio/pcm", "rate": 24000}`` (16-bit little-endian
mono), ``{"type": "audio/pcmu"}`` and ``{"type": "audio/pcma"}`` (G.711, 8 kHz, one byte a
sample). The older names ``pcm16``, ``g711_ulaw`` and ``g711_alaw`` are accepted everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..exceptions import UserError

__all__ = ["audio_duration_ms", "bytes_per_ms", "to_ga_format"]

_ALIASES: dict[str, dict[str, Any]] = {
    "pcm16": {"type": "audio/pcm", "rate": 24000},
    "audio/pcm": {"type": "audio/pcm", "rate": 24000},
    "g711_ulaw": {"type": "audio/pcmu"},
    "audio/pcmu": {"type": "audio/pcmu"},
    "g711_alaw": {"type": "audio/pcma"},
    "audio/pcma": {"type": "audio/pcma"},
}


def to_ga_format(value: object, field: str = "audio format") -> dict[str, Any]:
    """Normalise a format name or mapping to the GA shape; `UserError` naming ``field`` if bad."""
    if isinstance(value, str):
        try:
            return dict(_ALIASES[value])
        except KeyError:
            raise UserError(
                f"{field}: unknown audio format {value!r}; use one of "
                "'pcm16', 'g711_ulaw', 'g711_alaw' (or 'audio/pcm', 'audio/pcmu', 'audio/pcma')"
            ) from None
    if isinstance(value, Mapping):
        kind = value.get("type")
        if kind not in ("audio/pcm", "audio/pcmu", "audio/pcma"):
            raise UserError(f"{field}: unknown audio format type {kind!r}")
        fmt = dict(value)
        if kind == "audio/pcm":
            rate = fmt.setdefault("rate", 24000)
            if rate != 24000:
                raise UserError(f"{field}: audio/pcm must be 24000 Hz, got {rate!r}")
        return fmt
    if hasattr(value, "model_dump"):
        return to_ga_format(value.model_dump(exclude_none=True), field)
    raise UserError(f"{field}: expected a format name or mapping, got {type(value).__name__}")


def bytes_per_ms(fmt: object | None) -> float:
    """Bytes of audio per millisecond: 48 for 24 kHz pcm16, 8 for G.711 (pcm16 if unknown)."""
    if fmt is None:
        return 48.0
    kind = to_ga_format(fmt)["type"]
    return 48.0 if kind == "audio/pcm" else 8.0


def audio_duration_ms(fmt: object | None, data: bytes | int) -> float:
    """How long ``data`` (bytes, or a byte count) plays in format ``fmt``."""
    size = data if isinstance(data, int) else len(data)
    return size / bytes_per_ms(fmt)
