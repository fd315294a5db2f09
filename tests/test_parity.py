"""API parity with ``agents.realtime`` (openai-agents is a test-only dependency).

Every public name the reference exports for realtime agents exists in ``kaiwa`` and accepts
the reference's parameters, so code moves over by changing its import line.
"""

from __future__ import annotations

import inspect
import typing

import agents.realtime as ref
import pytest
import typing_extensions

import kaiwa

NOT_MIRRORED = {
    # SIP calls attach to OpenAI's telephony service, which has no counterpart in kaiwa.
    "OpenAIRealtimeSIPModel": "OpenAI SIP telephony",
}


def _params(obj: object) -> dict[str, inspect.Parameter]:
    try:
        return dict(inspect.signature(obj).parameters)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return {}


def _is_typeddict(obj: object) -> bool:
    return isinstance(obj, type) and typing_extensions.is_typeddict(obj)


REALTIME_NAMES = [n for n in ref.__all__ if n not in NOT_MIRRORED]


@pytest.mark.parametrize("name", REALTIME_NAMES)
def test_name_exists_with_compatible_parameters(name: str) -> None:
    theirs = getattr(ref, name)
    assert hasattr(kaiwa, name), f"kaiwa lacks {name}"
    ours = getattr(kaiwa, name)
    if _is_typeddict(theirs):
        assert _is_typeddict(ours), f"{name} should be a TypedDict"
        missing = set(typing.get_type_hints(theirs)) - set(ours.__annotations__)
        assert not missing, f"{name} lacks keys {missing}"
        return
    if not callable(theirs) or not callable(ours) or typing.get_origin(theirs) is not None:
        return  # a type alias: existing is enough
    their_params, our_params = _params(theirs), _params(ours)
    missing = {p for p in their_params if p not in our_params and p not in ("args", "kwargs")}
    assert not missing, f"{name} lacks parameters {missing}"
    for pname, param in our_params.items():
        if param.default is inspect.Parameter.empty and param.kind not in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        ):
            assert (
                pname in their_params and their_params[pname].default is inspect.Parameter.empty
            ), f"{name}: {pname} is required in kaiwa but not in the reference"


@pytest.mark.parametrize(
    ("cls", "methods"),
    [
        (
            "RealtimeSession",
            [
                "send_message",
                "send_audio",
                "interrupt",
                "update_agent",
                "approve_tool_call",
                "reject_tool_call",
                "close",
                "enter",
                "__aenter__",
                "__aexit__",
                "__aiter__",
            ],
        ),
        ("RealtimeRunner", ["run"]),
        (
            "RealtimePlaybackTracker",
            ["on_play_bytes", "on_play_ms", "on_interrupted", "set_audio_format", "get_state"],
        ),
        ("RealtimeAgent", ["clone", "get_system_prompt"]),
        (
            "OpenAIRealtimeWebSocketModel",
            ["connect", "add_listener", "remove_listener", "send_event", "close"],
        ),
    ],
)
def test_methods_accept_the_reference_parameters(cls: str, methods: list[str]) -> None:
    for method in methods:
        theirs = _params(getattr(getattr(ref, cls), method))
        ours = _params(getattr(getattr(kaiwa, cls), method))
        missing = set(theirs) - set(ours) - {"_exc_type", "_exc_val", "_exc_tb"}
        assert not missing, f"{cls}.{method} lacks {missing}"


def test_session_events_have_the_same_fields() -> None:
    import dataclasses

    for name in [n for n in REALTIME_NAMES if n.startswith("Realtime")]:
        theirs, ours = getattr(ref, name), getattr(kaiwa, name)
        if dataclasses.is_dataclass(theirs):
            their_fields = {f.name for f in dataclasses.fields(theirs)}
            our_fields = {f.name for f in dataclasses.fields(ours)}
            assert their_fields <= our_fields, f"{name}: {their_fields - our_fields}"


def test_function_tool_accepts_the_reference_options() -> None:
    import agents

    theirs = set(_params(agents.function_tool))
    ours = set(_params(kaiwa.function_tool))
    # Options for the Responses API's other tool kinds do not apply to realtime function tools.
    responses_only = {
        "tool_input_guardrails",
        "tool_output_guardrails",
        "timeout_behavior",
        "timeout_error_function",
        "defer_loading",
        "custom_data_extractor",
        "allowed_callers",
        "output_type",
        "output_json_schema",
    }
    missing = theirs - ours - responses_only
    assert not missing, f"function_tool lacks {missing}"
