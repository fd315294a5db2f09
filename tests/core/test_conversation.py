"""The conversation store and the session settings of the server core (no engine needed)."""

from __future__ import annotations

import pytest

from kaiwa.core.config import ConfigError, apply_update, default_session, public_session
from kaiwa.core.conversation import Conversation, ItemError, to_messages


def message(item_id: str, role: str, text: str) -> dict:
    kind = "output_text" if role == "assistant" else "input_text"
    return {
        "id": item_id,
        "type": "message",
        "role": role,
        "content": [{"type": kind, "text": text}],
    }


def test_items_go_where_previous_item_id_says() -> None:
    conv = Conversation()
    assert conv.add(message("a", "user", "one")) is None
    assert conv.add(message("c", "user", "three")) == "a"
    assert conv.add(message("b", "user", "two"), previous_item_id="a") == "a"
    assert conv.add(message("z", "system", "first"), previous_item_id="root") is None
    assert [i["id"] for i in conv.items()] == ["z", "a", "b", "c"]
    with pytest.raises(ItemError) as missing:
        conv.add(message("d", "user", "?"), previous_item_id="nope")
    assert missing.value.param == "previous_item_id"
    with pytest.raises(ItemError) as twice:
        conv.add(message("a", "user", "again"))
    assert twice.value.code == "duplicate_item_id"
    conv.delete("b")
    assert "b" not in conv
    with pytest.raises(ItemError):
        conv.delete("b")


def test_the_oldest_items_go_past_the_limit_and_the_client_is_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kaiwa.core import conversation

    monkeypatch.setattr(conversation, "MAX_ITEMS", 3)
    evicted: list[str] = []
    conv = Conversation(on_evict=evicted.append)
    for i in range(5):
        conv.add(message(f"m{i}", "user", str(i)))
    assert [i["id"] for i in conv.items()] == ["m2", "m3", "m4"]
    assert evicted == ["m0", "m1"]


def test_truncation_keeps_the_words_that_were_heard() -> None:
    conv = Conversation()
    item = {
        "id": "a1",
        "type": "message",
        "role": "assistant",
        "content": [
            {"type": "output_audio", "transcript": "Once upon a time. There was a dragon."}
        ],
    }
    conv.add(item)
    conv.spoke("a1", "Once upon a time.", 1000)
    conv.spoke("a1", "There was a dragon.", 1000)
    conv.truncate("a1", 0, 1500)  # half of the second clause
    assert conv.get("a1")["content"][0]["transcript"] == "Once upon a time. There was"
    conv.truncate("a1", 0, 10_000)  # past the end: nothing more to cut
    assert conv.get("a1")["content"][0]["transcript"] == "Once upon a time. There was"
    conv.add(message("u1", "user", "hi"))
    with pytest.raises(ItemError):
        conv.truncate("u1", 0, 100)  # only assistant audio can be truncated


def test_function_calls_fold_into_the_assistant_turn() -> None:
    items = [
        message("u", "user", "Weather in Paris and Rome?"),
        {"id": "f1", "type": "function_call", "call_id": "c1", "name": "w", "arguments": "{}"},
        {"id": "f2", "type": "function_call", "call_id": "c2", "name": "w", "arguments": "{}"},
        {"id": "o1", "type": "function_call_output", "call_id": "c1", "output": "sunny"},
    ]
    messages = to_messages("Be brief.", items)
    assert [m.role for m in messages] == ["system", "user", "assistant", "tool"]
    assert [c.call_id for c in messages[2].tool_calls] == ["c1", "c2"]
    assert messages[3].tool_call_id == "c1" and messages[3].content == "sunny"


def test_session_updates_merge_and_bad_ones_change_nothing() -> None:
    session = default_session("gpt-realtime")
    voice = apply_update(session, {"type": "realtime", "audio": {"output": {"voice": "sage"}}})
    assert voice["audio"]["output"]["voice"] == "sage"
    assert voice["audio"]["output"]["format"] == session["audio"]["output"]["format"]
    manual = apply_update(voice, {"type": "realtime", "audio": {"input": {"turn_detection": None}}})
    assert "turn_detection" not in public_session(manual)["audio"]["input"]
    semantic = apply_update(
        voice,
        {"type": "realtime", "audio": {"input": {"turn_detection": {"type": "semantic_vad"}}}},
    )
    # replaced whole: no server_vad knobs left over on a semantic_vad config
    assert semantic["audio"]["input"]["turn_detection"] == {"type": "semantic_vad"}
    with pytest.raises(ConfigError) as bad:
        apply_update(voice, {"type": "realtime", "output_modalities": ["audio", "text"]})
    assert bad.value.param == "session.output_modalities"
    with pytest.raises(ConfigError) as rate:
        apply_update(
            voice,
            {
                "type": "realtime",
                "audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}},
            },
        )
    assert rate.value.param.startswith("session.audio.input.format")
    assert voice["audio"]["output"]["voice"] == "sage"  # unchanged by the failed updates
