"""The airline demo's tools (`kaiwa.apps.airline`), called as the model calls them."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

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


async def test_a_japanese_speaker_gets_the_answers_in_japanese() -> None:
    # given English, the 0.5B model read the wifi answer out as "ウェブWi-Fiが 利用可能です。"
    ja = RunContextWrapper(SimpleNamespace(language="ja"))

    async def run(tool: Any, **values: str) -> str:
        return str(await tool.on_invoke_tool(ja, json.dumps(values)))

    for tool in (airline.faq_lookup_tool, airline.get_weather, airline.update_seat):
        assert "context" not in tool.params_json_schema["properties"]  # not the model's
    assert "Wi-Fi" in await run(airline.faq_lookup_tool, question="機内でWi-Fiは使えますか？")
    assert "1つまで" in await run(airline.faq_lookup_tool, question="荷物はいくつまで？")
    assert "分かりません" in await run(airline.faq_lookup_tool, question="パリの首都は？")
    assert "東京の天気は晴れ" in await run(airline.get_weather, city="東京")
    seat = await run(airline.update_seat, confirmation_number="abc123", new_seat="14c")
    assert seat == "予約ABC123の座席を14Cに変更しました。"
