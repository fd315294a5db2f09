"""The session's copy of the conversation, kept as the reference SDK keeps it.

Pure functions over a list of items, so the rules are testable without a session.
"""

from __future__ import annotations

from typing import Any

from .items import (
    AssistantAudio,
    AssistantMessageItem,
    InputAudio,
    RealtimeItem,
    UserMessageItem,
)

__all__ = ["apply_item", "apply_transcript", "delete_item", "set_assistant_transcript"]


def _keep_transcripts(old: RealtimeItem, new: RealtimeItem) -> RealtimeItem:
    """An update without transcripts keeps the ones already known for the same content part."""
    if old.type != "message" or new.type != "message":
        return new
    old_content: list[Any] = list(old.content)
    merged: list[Any] = []
    changed = False
    for i, part in enumerate(new.content):
        if (
            isinstance(part, InputAudio | AssistantAudio)
            and not part.transcript
            and i < len(old_content)
        ):
            previous = old_content[i]
            if isinstance(previous, InputAudio | AssistantAudio) and previous.transcript:
                part = part.model_copy(update={"transcript": previous.transcript})
                changed = True
        merged.append(part)
    if isinstance(new, AssistantMessageItem) and not new.content and old_content:
        return new.model_copy(update={"content": old_content})
    return new.model_copy(update={"content": merged}) if changed else new


def apply_item(history: list[RealtimeItem], item: RealtimeItem) -> tuple[list[RealtimeItem], bool]:
    """Add or update ``item``; returns the new history and whether the item is new.

    An existing item (same id) is replaced in place, keeping known transcripts. A new item goes
    after its ``previous_item_id`` when that is known, else at the end.
    """
    for i, existing in enumerate(history):
        if existing.item_id == item.item_id:
            updated = _keep_transcripts(existing, item)
            if item.previous_item_id is None and existing.previous_item_id is not None:
                updated = updated.model_copy(update={"previous_item_id": existing.previous_item_id})
            return [*history[:i], updated, *history[i + 1 :]], False
    if item.previous_item_id:
        for i, existing in enumerate(history):
            if existing.item_id == item.previous_item_id:
                return [*history[: i + 1], item, *history[i + 1 :]], True
    return [*history, item], True


def apply_transcript(
    history: list[RealtimeItem], item_id: str, transcript: str
) -> tuple[list[RealtimeItem], bool]:
    """Fill in the transcript of the user's audio item; returns (history, item_was_new)."""
    for i, existing in enumerate(history):
        if existing.item_id == item_id and isinstance(existing, UserMessageItem):
            content: list[Any] = []
            filled = False
            for part in existing.content:
                if isinstance(part, InputAudio) and not filled:
                    part = part.model_copy(update={"transcript": transcript})
                    filled = True
                content.append(part)
            if not filled:
                content.append(InputAudio(transcript=transcript))
            updated = existing.model_copy(update={"content": content})
            return [*history[:i], updated, *history[i + 1 :]], False
    item = UserMessageItem(item_id=item_id, content=[InputAudio(transcript=transcript)])
    return [*history, item], True


def delete_item(history: list[RealtimeItem], item_id: str) -> list[RealtimeItem]:
    """The history without ``item_id``."""
    return [item for item in history if item.item_id != item_id]


def set_assistant_transcript(
    history: list[RealtimeItem], item_id: str, transcript: str
) -> list[RealtimeItem]:
    """Set the live transcript of an assistant item as its audio streams (unknown id: no-op)."""
    for i, existing in enumerate(history):
        if existing.item_id == item_id and isinstance(existing, AssistantMessageItem):
            content: list[Any] = list(existing.content)
            for j, part in enumerate(content):
                if isinstance(part, AssistantAudio):
                    content[j] = part.model_copy(update={"transcript": transcript})
                    break
            else:
                content.append(AssistantAudio(transcript=transcript))
            updated = existing.model_copy(update={"content": content})
            return [*history[:i], updated, *history[i + 1 :]]
    return history
