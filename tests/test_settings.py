"""Model settings: mapping to the GA session payload, validation, precedence."""

from __future__ import annotations

import pytest
from openai.types.realtime import RealtimeSessionCreateRequest

from kaiwa import FunctionTool, RealtimeAgent, UserError, function_tool, realtime_handoff
from kaiwa.settings import merge_settings, session_payload


def nulls(value: object, path: str = "") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in nulls(v, f"{path}[{i}]")]
    return []


def test_defaults_match_the_reference_sdk() -> None:
    payload = session_payload({})
    assert payload["audio"]["output"]["voice"] == "ash"
    assert payload["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert payload["audio"]["input"]["turn_detection"] == {
        "type": "semantic_vad",
        "interrupt_response": True,
    }
    assert payload["audio"]["input"]["transcription"] == {"model": "gpt-4o-mini-transcribe"}
    assert payload["output_modalities"] == ["audio"]
    RealtimeSessionCreateRequest.model_validate(payload)


def test_seed_settings_map_to_ga_shape() -> None:
    payload = session_payload(
        {
            "model_name": "gpt-realtime",
            "voice": "ash",
            "modalities": ["audio"],
            "input_audio_format": "g711_ulaw",
            "output_audio_format": "g711_alaw",
            "input_audio_transcription": {"model": "whisper-1", "language": "en"},
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.6,
                "silence_duration_ms": 400,
                "prefix_padding_ms": 200,
                "interrupt_response": False,
                "create_response": True,
            },
            "speed": 1.1,
            "tool_choice": "required",
            "max_output_tokens": 200,
            "tracing": "auto",
        }
    )
    audio = payload["audio"]
    assert audio["input"]["format"] == {"type": "audio/pcmu"}
    assert audio["output"]["format"] == {"type": "audio/pcma"}
    assert audio["input"]["turn_detection"]["silence_duration_ms"] == 400
    assert audio["output"]["speed"] == 1.1
    assert payload["tool_choice"] == "required" and payload["max_output_tokens"] == 200
    assert payload["tracing"] == "auto"


def test_optional_fields_are_omitted_not_null() -> None:
    payload = session_payload({"voice": "sage"})
    assert nulls(payload) == []
    assert "speed" not in payload["audio"]["output"]
    assert "instructions" not in payload


def test_null_turns_off_transcription_and_turn_detection() -> None:
    payload = session_payload({"input_audio_transcription": None, "turn_detection": None})
    assert payload["audio"]["input"]["transcription"] is None
    assert payload["audio"]["input"]["turn_detection"] is None


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"output_audio_format": "mp3"}, "output_audio_format"),
        ({"input_audio_format": {"type": "audio/pcm", "rate": 16000}}, "input_audio_format"),
        ({"turn_detection": {"type": "magic_vad"}}, "turn_detection.type"),
        ({"turn_detection": {"type": "semantic_vad", "threshold": 0.5}}, "turn_detection"),
        ({"modalities": ["audio", "video"]}, "modalities"),
        ({"voise": "ash"}, "voise"),
        ({"speed": "fast"}, "speed"),
        ({"tool_choice": 7}, "tool_choice"),
    ],
)
def test_wrong_values_name_the_field(settings: dict, field: str) -> None:
    with pytest.raises(UserError, match=field.replace(".", r"\.")):
        session_payload(settings)


def test_tools_and_handoffs_become_function_tools() -> None:
    @function_tool
    def lookup(order_id: int) -> str:
        """Find an order."""
        return ""

    handoff = realtime_handoff(RealtimeAgent(name="Billing Desk"))
    payload = session_payload({"tools": [lookup], "handoffs": [handoff]})
    names = [t["name"] for t in payload["tools"]]
    assert names == ["lookup", "transfer_to_billing_desk"]
    assert payload["tools"][0]["parameters"]["properties"]["order_id"]["type"] == "integer"


def test_duplicate_tool_names_are_refused() -> None:
    tool = FunctionTool("same", "", {"type": "object"}, on_invoke_tool=lambda c, a: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError, match="same"):
        session_payload({"tools": [tool, tool]})


def test_merge_later_layers_win() -> None:
    merged = merge_settings({"voice": "a", "speed": 1.0}, None, {"voice": "b"})
    assert merged == {"voice": "b", "speed": 1.0}
