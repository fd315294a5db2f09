"""History items: the conversation as the session keeps it (``history_added`` / ``_updated``).

Same shapes as ``agents.realtime.items``: user, assistant and system messages, and tool calls.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AssistantAudio",
    "AssistantMessageItem",
    "AssistantText",
    "InputAudio",
    "InputImage",
    "InputText",
    "RealtimeItem",
    "RealtimeMessageItem",
    "RealtimeResponse",
    "RealtimeToolCallItem",
    "SystemMessageItem",
    "UserMessageItem",
]

_EXTRA = ConfigDict(extra="allow")


class InputText(BaseModel):
    """Text the user typed."""

    model_config = _EXTRA
    type: Literal["input_text"] = "input_text"
    text: str | None = None


class InputAudio(BaseModel):
    """Audio the user spoke; ``transcript`` fills in when transcription arrives."""

    model_config = _EXTRA
    type: Literal["input_audio"] = "input_audio"
    audio: str | None = None
    transcript: str | None = None


class InputImage(BaseModel):
    """An image the user sent."""

    model_config = _EXTRA
    type: Literal["input_image"] = "input_image"
    image_url: str | None = None
    detail: str | None = None


class AssistantText(BaseModel):
    """Text the assistant wrote."""

    model_config = _EXTRA
    type: Literal["text"] = "text"
    text: str | None = None


class AssistantAudio(BaseModel):
    """Audio the assistant spoke, with its transcript."""

    model_config = _EXTRA
    type: Literal["audio"] = "audio"
    audio: str | None = None
    transcript: str | None = None


class SystemMessageItem(BaseModel):
    """A system message in the conversation."""

    model_config = _EXTRA
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["system"] = "system"
    content: list[InputText]


class UserMessageItem(BaseModel):
    """What the user said or typed."""

    model_config = _EXTRA
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["user"] = "user"
    content: list[Annotated[InputText | InputAudio | InputImage, Field(discriminator="type")]]


class AssistantMessageItem(BaseModel):
    """What the assistant said or wrote."""

    model_config = _EXTRA
    item_id: str
    previous_item_id: str | None = None
    type: Literal["message"] = "message"
    role: Literal["assistant"] = "assistant"
    status: Literal["in_progress", "completed", "incomplete"] | None = None
    content: list[Annotated[AssistantText | AssistantAudio, Field(discriminator="type")]]


RealtimeMessageItem: TypeAlias = Annotated[
    SystemMessageItem | UserMessageItem | AssistantMessageItem, Field(discriminator="role")
]


class RealtimeToolCallItem(BaseModel):
    """A tool call and, once it ran, its output."""

    model_config = _EXTRA
    item_id: str
    previous_item_id: str | None = None
    call_id: str | None
    type: Literal["function_call"] = "function_call"
    status: Literal["in_progress", "completed"]
    arguments: str
    name: str
    output: str | None = None


RealtimeItem: TypeAlias = (
    SystemMessageItem | UserMessageItem | AssistantMessageItem | RealtimeToolCallItem
)


class RealtimeResponse(BaseModel):
    """A response's id and its message items."""

    id: str
    output: list[RealtimeMessageItem]
