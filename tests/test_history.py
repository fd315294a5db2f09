"""History rules, as pure functions."""

from __future__ import annotations

from kaiwa import AssistantAudio, AssistantMessageItem, InputAudio, UserMessageItem
from kaiwa._history import apply_item, apply_transcript, delete_item, set_assistant_transcript


def user(item_id: str, previous: str | None = None) -> UserMessageItem:
    return UserMessageItem(item_id=item_id, previous_item_id=previous, content=[InputAudio()])


def test_new_item_goes_after_its_previous_item() -> None:
    history, _ = apply_item([], user("a"))
    history, _ = apply_item(history, user("c"))
    history, is_new = apply_item(history, user("b", previous="a"))
    assert is_new and [i.item_id for i in history] == ["a", "b", "c"]


def test_update_keeps_a_known_transcript() -> None:
    history, _ = apply_item([], user("a"))
    history, _ = apply_transcript(history, "a", "hello")
    history, is_new = apply_item(history, user("a"))
    assert not is_new
    assert history[0].content[0].transcript == "hello"


def test_transcript_for_an_unknown_item_adds_it() -> None:
    history, is_new = apply_transcript([], "x", "hi")
    assert is_new and history[0].content[0].transcript == "hi"


def test_assistant_transcript_streams_into_the_item() -> None:
    item = AssistantMessageItem(item_id="a", status="in_progress", content=[AssistantAudio()])
    history = set_assistant_transcript([item], "a", "Hello wor")
    assert history[0].content[0].transcript == "Hello wor"
    assert history[0].status == "in_progress"
    assert set_assistant_transcript([], "zz", "x") == []


def test_delete() -> None:
    history, _ = apply_item([], user("a"))
    assert delete_item(history, "a") == []
