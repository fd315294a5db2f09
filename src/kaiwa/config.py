"""Settings for sessions and runs, with the same names and shapes as ``agents.realtime``.

Precedence, highest first: the session's ``initial_model_settings`` (from ``model_config``), the
agent (instructions, tools, handoffs, voice), the run config's ``model_settings``, then
`DEFAULT_MODEL_SETTINGS`. `kaiwa.settings` computes it in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

from typing_extensions import NotRequired, TypedDict

from .guardrail import OutputGuardrail
from .handoff import Handoff
from .tool import FunctionTool, ToolErrorFunction

__all__ = [
    "RealtimeAudioConfig",
    "RealtimeAudioFormat",
    "RealtimeAudioInputConfig",
    "RealtimeAudioOutputConfig",
    "RealtimeClientMessage",
    "RealtimeGuardrailsSettings",
    "RealtimeInputAudioNoiseReductionConfig",
    "RealtimeInputAudioTranscriptionConfig",
    "RealtimeModelName",
    "RealtimeModelTracingConfig",
    "RealtimeReasoningConfig",
    "RealtimeReasoningEffort",
    "RealtimeRunConfig",
    "RealtimeSessionModelSettings",
    "RealtimeToolExecutionConfig",
    "RealtimeTurnDetectionConfig",
    "RealtimeUserInput",
    "RealtimeUserInputImage",
    "RealtimeUserInputMessage",
    "RealtimeUserInputText",
    "RealtimeVoice",
]

RealtimeModelName: TypeAlias = (
    Literal["gpt-realtime", "gpt-realtime-mini", "gpt-4o-realtime-preview", "kaiwa-local"] | str
)
"""A realtime model's name."""

RealtimeAudioFormat: TypeAlias = (
    Literal["pcm16", "g711_ulaw", "g711_alaw"] | str | Mapping[str, Any]
)
"""``pcm16`` (24 kHz), ``g711_ulaw``, ``g711_alaw``, or a GA format mapping."""

RealtimeVoice: TypeAlias = str | Mapping[str, Any]
"""A voice name (alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar...)."""

RealtimeReasoningEffort: TypeAlias = Literal["minimal", "low", "medium", "high", "xhigh"] | str
"""How hard a reasoning model thinks before answering."""


class RealtimeClientMessage(TypedDict):
    """A raw client event: ``type`` plus fields merged from ``other_data``."""

    type: str
    other_data: NotRequired[dict[str, Any]]


class RealtimeInputAudioTranscriptionConfig(TypedDict):
    """Transcription of the user's audio."""

    language: NotRequired[str]
    model: NotRequired[str]
    prompt: NotRequired[str]
    keywords: NotRequired[list[str]]
    languages: NotRequired[list[str]]
    delay: NotRequired[Literal["minimal", "low", "medium", "high", "xhigh"]]


class RealtimeInputAudioNoiseReductionConfig(TypedDict):
    """Noise reduction of the user's audio."""

    type: NotRequired[Literal["near_field", "far_field"]]


class RealtimeTurnDetectionConfig(TypedDict):
    """How the end of the user's turn is detected."""

    type: NotRequired[Literal["semantic_vad", "server_vad"]]
    create_response: NotRequired[bool]
    eagerness: NotRequired[Literal["auto", "low", "medium", "high"]]
    interrupt_response: NotRequired[bool]
    prefix_padding_ms: NotRequired[int]
    silence_duration_ms: NotRequired[int]
    threshold: NotRequired[float]
    idle_timeout_ms: NotRequired[int]
    model_version: NotRequired[str]


class RealtimeAudioInputConfig(TypedDict, total=False):
    """GA-shaped input audio settings."""

    format: RealtimeAudioFormat
    noise_reduction: RealtimeInputAudioNoiseReductionConfig | None
    transcription: RealtimeInputAudioTranscriptionConfig | None
    turn_detection: RealtimeTurnDetectionConfig | None


class RealtimeAudioOutputConfig(TypedDict, total=False):
    """GA-shaped output audio settings."""

    format: RealtimeAudioFormat
    voice: RealtimeVoice
    speed: float


class RealtimeAudioConfig(TypedDict, total=False):
    """GA-shaped audio settings."""

    input: RealtimeAudioInputConfig
    output: RealtimeAudioOutputConfig


class RealtimeReasoningConfig(TypedDict, total=False):
    """Reasoning settings."""

    effort: RealtimeReasoningEffort


class RealtimeModelTracingConfig(TypedDict):
    """OpenAI's server-side tracing settings (ignored by kaiwa's local engine)."""

    workflow_name: NotRequired[str]
    group_id: NotRequired[str]
    metadata: NotRequired[dict[str, Any]]


class RealtimeSessionModelSettings(TypedDict):
    """Model settings of a session. Every key is optional."""

    model_name: NotRequired[RealtimeModelName]
    instructions: NotRequired[str]
    prompt: NotRequired[Any]
    modalities: NotRequired[list[Literal["text", "audio"]]]
    output_modalities: NotRequired[list[Literal["text", "audio"]]]
    audio: NotRequired[RealtimeAudioConfig]
    voice: NotRequired[RealtimeVoice]
    speed: NotRequired[float]
    max_output_tokens: NotRequired[int | Literal["inf"]]
    input_audio_format: NotRequired[RealtimeAudioFormat]
    output_audio_format: NotRequired[RealtimeAudioFormat]
    input_audio_transcription: NotRequired[RealtimeInputAudioTranscriptionConfig | None]
    input_audio_noise_reduction: NotRequired[RealtimeInputAudioNoiseReductionConfig | None]
    turn_detection: NotRequired[RealtimeTurnDetectionConfig | None]
    tool_choice: NotRequired[Literal["auto", "none", "required"] | str | Mapping[str, Any]]
    parallel_tool_calls: NotRequired[bool]
    reasoning: NotRequired[RealtimeReasoningConfig]
    tools: NotRequired[list[FunctionTool]]
    handoffs: NotRequired[list[Handoff[Any]]]
    tracing: NotRequired[RealtimeModelTracingConfig | Literal["auto"] | None]


class RealtimeGuardrailsSettings(TypedDict):
    """How often output guardrails run."""

    debounce_text_length: NotRequired[int]
    """Run the guardrails each time this many more characters of transcript arrive (100)."""


class RealtimeToolExecutionConfig(TypedDict):
    """How tools are run (kaiwa adds the bounds)."""

    pre_approval_tool_input_guardrails: NotRequired[bool]
    max_concurrent_tools: NotRequired[int]
    """At most this many tool calls run at once; more wait their turn (default 8)."""
    default_timeout_seconds: NotRequired[float]
    """Timeout for tools that set none (default: none)."""


class RealtimeRunConfig(TypedDict):
    """Settings for a whole run (every session `RealtimeRunner.run` starts)."""

    model_settings: NotRequired[RealtimeSessionModelSettings]
    output_guardrails: NotRequired[list[OutputGuardrail[Any]]]
    guardrails_settings: NotRequired[RealtimeGuardrailsSettings]
    tracing_disabled: NotRequired[bool]
    async_tool_calls: NotRequired[bool]
    """Run tools as background tasks so audio keeps flowing (default True)."""
    tool_execution: NotRequired[RealtimeToolExecutionConfig]
    tool_error_formatter: NotRequired[ToolErrorFunction]


class RealtimeUserInputText(TypedDict):
    """Text content of a user message."""

    type: Literal["input_text"]
    text: str


class RealtimeUserInputImage(TypedDict, total=False):
    """Image content of a user message (a data: or https: URL)."""

    type: Literal["input_image"]
    image_url: str
    detail: NotRequired[str]


class RealtimeUserInputMessage(TypedDict):
    """A structured user message: text and images."""

    type: Literal["message"]
    role: Literal["user"]
    content: list[RealtimeUserInputText | RealtimeUserInputImage]


RealtimeUserInput: TypeAlias = str | RealtimeUserInputMessage
"""What ``session.send_message`` takes."""
