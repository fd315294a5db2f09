"""Checks shared by the tests: a server event as strict clients read it."""

from __future__ import annotations

from typing import Any

import orjson

from kaiwa.protocol import parse_server_event

__all__ = ["strict"]


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path or "<event>"]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _nulls(v, f"{path}[{i}]")]
    return []


def strict(raw: bytes | str) -> dict[str, Any]:
    """A server frame, checked as strict clients check it: valid for its
    ``openai.types.realtime`` model, with an ``event_id``, and no ``null`` anywhere."""
    data: dict[str, Any] = orjson.loads(raw)
    parse_server_event(data)
    assert data.get("event_id"), data
    assert not _nulls(data), f"nulls in {data['type']}: {_nulls(data)}"
    return data
