"""The airline demo's tools (`kaiwa.apps.airline`), called as the model calls them."""

from __future__ import annotations

import json

import pytest

from kaiwa.apps import airline
from kaiwa.context import RunContextWrapper


async def lookup(question: str) -> str:
    tool = airline.faq_lookup_tool
    return str(
        await tool.on_invoke_tool(RunContextWrapper(None), json.dumps({"question": question}))
    )


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Is there wifi on the plane?", "wifi"),  # got the seat plan, for "plane"
        # the model copies the tool's description into the question
        ("How many bags can I bring on the plane? (baggage, seats, wifi)", "bag"),
        ("How many seats are there?", "seats"),
        ("Does the plane have wifi?", "wifi"),  # not the seats, for "plane"
        ("On the plane, how many bags can I bring?", "bag"),
        ("Tomorrow, can I bring two bags?", "bag"),  # not "row" in "tomorrow"
        ("Can I throw my bag in the overhead bin?", "bag"),
        ("機内でWi-Fiは使えますか？", "wifi"),
        ("機内でＷｉＦｉは使えますか？", "wifi"),  # full-width
        ("機内に持ち込める荷物はいくつまでですか？", "bag"),
    ],
)
async def test_the_faq_answers_the_topic_the_question_names_first(
    question: str, topic: str
) -> None:
    assert topic in await lookup(question)


async def test_the_faq_says_it_does_not_know_what_it_does_not() -> None:
    assert "don't know" in await lookup("What's the capital of France?")
