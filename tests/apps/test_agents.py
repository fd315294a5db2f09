"""The apps' default agent: its clock speaks the agent's language."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

from kaiwa.apps.agents import default_agent, now_in_english, now_in_japanese
from kaiwa.context import RunContextWrapper


def test_the_english_clock_says_the_time_as_people_say_it() -> None:
    # what is spoken when the model's reading of it is refused: "16:49" and "07" were not
    assert now_in_english(datetime.datetime(2026, 12, 7, 16, 49)) == (
        "4:49 PM on Monday, 7 December 2026"
    )
    assert (
        now_in_english(datetime.datetime(2027, 1, 4, 0, 5)) == "12:05 AM on Monday, 4 January 2027"
    )
    assert (
        now_in_english(datetime.datetime(2027, 1, 4, 12, 0)) == "12:00 PM on Monday, 4 January 2027"
    )


def test_the_japanese_clock_says_the_time_as_japanese_writes_it() -> None:
    now = datetime.datetime(2026, 12, 5, 12, 44)
    assert now_in_japanese(now) == "2026年12月5日（土曜日）12時44分"
    assert now_in_japanese(datetime.datetime(2027, 1, 4, 9, 5)) == "2027年1月4日（月曜日）9時5分"


async def test_the_default_agents_clock_is_one_tool_in_either_language() -> None:
    ctx = RunContextWrapper(SimpleNamespace())
    english, japanese = default_agent(), default_agent("ja")
    (en_clock,) = await english.get_all_tools(ctx)
    (ja_clock,) = await japanese.get_all_tools(ctx)
    # The model sees the same tool; only what it returns differs.
    assert en_clock.name == ja_clock.name == "get_current_time"
    assert en_clock.params_json_schema == ja_clock.params_json_schema
    assert en_clock.description == ja_clock.description
    said = await ja_clock.on_invoke_tool(ctx, json.dumps({}))
    assert "年" in said and "時" in said and "分" in said
    said = await en_clock.on_invoke_tool(ctx, json.dumps({}))
    assert said.count(":") == 1 and (" AM on " in said or " PM on " in said)
    assert "Always answer in Japanese." in japanese.instructions
