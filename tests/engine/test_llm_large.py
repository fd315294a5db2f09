"""The large packaged LLM (Qwen2.5-Coder 1.5B, ``kaiwa[large]``) and how one is chosen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaiwa import ModelNotFoundError, UserError
from kaiwa.engine import engine, store
from kaiwa.engine.llm import ChatMessage, LocalLLM, ToolSpec

SYSTEM = ChatMessage("system", "You are a helpful voice assistant. Answer in one short sentence.")
WEATHER = ToolSpec(
    "get_weather",
    "Get the current weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


@pytest.fixture(scope="module")
def large() -> LocalLLM:
    llm = LocalLLM(engine.llm_model_path("large"))
    llm.temperature = 0.0  # words are sampled: greedy, they are the same every run
    return llm


def test_the_sizes_name_the_packaged_models() -> None:
    assert engine.llm_model_path("small") == store.materialize(store.QWEN_0_5B)
    path = engine.llm_model_path("large")
    assert path.name == store.QWEN_1_5B.filename and path.stat().st_size == store.QWEN_1_5B.size


def test_a_gguf_file_is_taken_as_it_is(tmp_path: Path) -> None:
    model = tmp_path / "mine.gguf"
    model.write_bytes(b"GGUF")
    assert engine.llm_model_path(str(model)) == model


def test_an_unknown_llm_names_the_choices() -> None:
    with pytest.raises(UserError, match="small, large or the path of a GGUF file"):
        engine.llm_model_path("medium")


def test_an_llm_and_a_server_are_not_both_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAIWA_LLM_URL", raising=False)
    with pytest.raises(UserError, match="not both"):
        engine.Engine.load(llm="large", llm_url="http://127.0.0.1:9/v1")
    monkeypatch.setenv("KAIWA_LLM", "medium")
    with pytest.raises(UserError, match=r"\$KAIWA_LLM is 'medium'"):
        engine.Engine.load()


def test_the_large_llm_not_installed_names_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = store.ChunkedModel(
        "gone.gguf", (("kaiwa_no_such_part", "data/part01.bin", "no-such-part==1.0"),), "0", 1
    )
    monkeypatch.setitem(engine.LLM_SIZES, "large", gone)
    with pytest.raises(ModelNotFoundError, match=r"pip install 'kaiwa\[large\]'"):
        engine.llm_model_path("large")


def test_the_large_llm_calls_a_tool_for_a_plain_request(large: LocalLLM) -> None:
    deltas = list(
        large.stream([SYSTEM, ChatMessage("user", "What's the weather in Oslo?")], [WEATHER])
    )
    calls = [d.tool_call for d in deltas if d.tool_call]
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [("get_weather", {"city": "Oslo"})]


@pytest.mark.parametrize(
    ("question", "answer"),
    # (dev half, ja-weather-15: the 0.5B model says "水は10度で沸騰します。")
    [("What is the capital of Italy?", "rome"), ("水は何度で沸騰しますか？", "100")],
)
def test_the_large_llm_answers_in_words(large: LocalLLM, question: str, answer: str) -> None:
    deltas = list(large.stream([SYSTEM, ChatMessage("user", question)], [WEATHER]))
    assert not any(d.tool_call for d in deltas)
    assert answer in "".join(d.text for d in deltas).lower()


def test_the_time_asked_for_calls_the_clock_with_the_large_llm(large: LocalLLM) -> None:
    """The model itself answered "What time is it?" with a time of its own (dev half,
    en-assistant-01): the engine calls the clock (`clock_asked`)."""
    clock = ToolSpec("get_current_time", "Get the current local date and time.", {})
    deltas = list(large.stream([SYSTEM, ChatMessage("user", "What time is it?")], [clock]))
    assert [d.tool_call.name for d in deltas if d.tool_call] == ["get_current_time"]
    assert not "".join(d.text for d in deltas).strip()
