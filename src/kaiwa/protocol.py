"""The wire format: parsing and building Realtime events with ``openai.types.realtime``.

Every event shape comes from the official ``openai`` package; nothing is re-typed here. Audio
deltas, which arrive by the thousand, take a fast path that checks the few fields it reads
instead of building a pydantic model.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import pybase64
import pydantic
from openai.types.realtime import RealtimeClientEvent, RealtimeServerEvent

from .exceptions import ProtocolError

__all__ = [
    "AUDIO_DELTA",
    "KNOWN_SERVER_EVENTS",
    "client_event_adapter",
    "dump_event",
    "load_frame",
    "parse_server_event",
    "validate_client_event",
]

AUDIO_DELTA = "response.output_audio.delta"

_server_adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(
    Annotated[RealtimeServerEvent, pydantic.Field(discriminator="type")]
)
client_event_adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(
    Annotated[RealtimeClientEvent, pydantic.Field(discriminator="type")]
)


def _literal_types(union: Any) -> frozenset[str]:
    names = set()
    for cls in union.__args__[0].__args__:
        names.update(cls.model_fields["type"].annotation.__args__)
    return frozenset(names)


KNOWN_SERVER_EVENTS = _literal_types(RealtimeServerEvent)
KNOWN_CLIENT_EVENTS = _literal_types(RealtimeClientEvent)


def load_frame(frame: str | bytes) -> dict[str, Any]:
    """Decode one WebSocket frame into an event dict, or raise `ProtocolError`."""
    try:
        data = orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        raise ProtocolError(f"frame is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError("frame is not an event object with a string 'type'")
    return data


def parse_server_event(data: dict[str, Any]) -> Any:
    """Validate a server event dict into its ``openai.types.realtime`` model.

    Raises:
        ProtocolError: the event does not match its type's shape.
    """
    try:
        return _server_adapter.validate_python(data)
    except pydantic.ValidationError as exc:
        raise ProtocolError(f"invalid {data.get('type')!r} event: {exc}") from exc


def audio_delta_fields(data: dict[str, Any]) -> tuple[bytes, str, str, int]:
    """The fast path for ``response.output_audio.delta``: (audio, response_id, item_id, index).

    Checks exactly what it reads, so a malformed delta still fails loudly.
    """
    try:
        delta, response_id, item_id, index = (
            data["delta"],
            data["response_id"],
            data["item_id"],
            data["content_index"],
        )
        if not (isinstance(response_id, str) and isinstance(item_id, str) and type(index) is int):
            raise TypeError("wrong field types")
        return pybase64.b64decode(delta, validate=True), response_id, item_id, index
    except (KeyError, TypeError, ValueError) as exc:  # binascii.Error is a ValueError
        raise ProtocolError(f"invalid {AUDIO_DELTA!r} event: {exc!r}") from exc


def validate_client_event(event: dict[str, Any]) -> dict[str, Any]:
    """Check an outgoing client event against its model; return the dict unchanged.

    Raises:
        ProtocolError: the event does not match its type's shape.
    """
    try:
        client_event_adapter.validate_python(event)
    except pydantic.ValidationError as exc:
        raise ProtocolError(f"invalid client event {event.get('type')!r}: {exc}") from exc
    return event


def dump_event(event: dict[str, Any]) -> bytes:
    """Serialise an event (UTF-8 JSON bytes, to send as a text frame)."""
    return orjson.dumps(event)
