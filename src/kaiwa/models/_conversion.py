"""Conversions between protocol objects and kaiwa's history items and model events."""

from __future__ import annotations

from typing import Any

import pybase64
import pydantic

from ..context import Usage
from ..items import RealtimeItem, RealtimeMessageItem, RealtimeToolCallItem
from .model_events import (
    RealtimeModelCachedTokensDetails,
    RealtimeModelInputTokensDetails,
    RealtimeModelOutputTokensDetails,
    RealtimeModelUsageEvent,
)
from .model_inputs import RealtimeModelUserInput

_message_adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(RealtimeMessageItem)

# Items carry output_text/output_audio; history items keep the reference SDK's text/audio.
_CONTENT_TYPES = {"output_text": "text", "output_audio": "audio"}


def item_to_history(
    item: dict[str, Any], previous_item_id: str | None = None
) -> RealtimeItem | None:
    """A GA conversation item (as a dict) as a history item; None for kinds history skips."""
    kind = item.get("type")
    if kind == "message":
        content = []
        for part in item.get("content") or []:
            part = {k: v for k, v in part.items() if v is not None}
            part["type"] = _CONTENT_TYPES.get(part.get("type", ""), part.get("type"))
            content.append(part)
        return _message_adapter.validate_python(  # type: ignore[no-any-return]
            {
                "item_id": item.get("id") or "",
                "previous_item_id": previous_item_id,
                "role": item.get("role"),
                "content": content,
                "status": item.get("status") or "in_progress",
            }
        )
    if kind == "function_call":
        return RealtimeToolCallItem(
            item_id=item.get("id") or "",
            previous_item_id=previous_item_id,
            call_id=item.get("call_id"),
            status="in_progress",
            arguments=item.get("arguments") or "",
            name=item.get("name") or "",
        )
    return None


def user_input_item(user_input: RealtimeModelUserInput) -> dict[str, Any]:
    """A ``conversation.item.create`` item for text or a structured message with images."""
    if isinstance(user_input, str):
        return {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": user_input}],
        }
    content: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = list(user_input.get("content", []))  # type: ignore[arg-type]
    for part in parts:
        kind = part.get("type")
        if kind == "input_text" and isinstance(part.get("text"), str):
            content.append({"type": "input_text", "text": part["text"]})
        elif kind == "input_image" and isinstance(part.get("image_url"), str):
            image = {"type": "input_image", "image_url": part["image_url"]}
            if part.get("detail") in ("auto", "low", "high"):
                image["detail"] = part["detail"]
            content.append(image)
        else:
            raise ValueError(f"send_message: unsupported content part {kind!r}")
    return {"type": "message", "role": "user", "content": content}


def usage_event(usage: dict[str, Any]) -> RealtimeModelUsageEvent:
    """``response.usage`` as a usage event."""
    inp = usage.get("input_tokens") or 0
    out = usage.get("output_tokens") or 0
    total = usage.get("total_tokens")
    in_d = usage.get("input_token_details")
    out_d = usage.get("output_token_details")
    cached = (in_d or {}).get("cached_tokens_details")
    return RealtimeModelUsageEvent(
        usage=Usage(
            requests=1,
            input_tokens=inp,
            output_tokens=out,
            total_tokens=total if total is not None else inp + out,
        ),
        input_tokens_details=RealtimeModelInputTokensDetails(
            text_tokens=in_d.get("text_tokens"),
            audio_tokens=in_d.get("audio_tokens"),
            image_tokens=in_d.get("image_tokens"),
            cached_tokens=in_d.get("cached_tokens"),
            cached_tokens_details=RealtimeModelCachedTokensDetails(**cached) if cached else None,
        )
        if in_d
        else None,
        output_tokens_details=RealtimeModelOutputTokensDetails(
            text_tokens=out_d.get("text_tokens"), audio_tokens=out_d.get("audio_tokens")
        )
        if out_d
        else None,
    )


def b64(data: bytes) -> str:
    """Base64 text of ``data``."""
    return pybase64.b64encode_as_string(data)
