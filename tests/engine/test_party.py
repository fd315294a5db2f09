"""How many people, when the user counts them out (`kaiwa.engine.party`)."""

from __future__ import annotations

import pytest

from kaiwa.engine.chat import ToolCall, ToolSpec
from kaiwa.engine.party import in_said_count, people_parameter, said_party
from tests.checks import judged_arguments

BOOK = ToolSpec(
    "book_table",
    "Book a table.",
    {
        "type": "object",
        "properties": {
            "party_size": {"type": "integer", "description": "how many people."},
            "time": {"type": "string"},
        },
        "required": ["party_size", "time"],
    },
)


@pytest.mark.parametrize(
    ("said", "people"),
    [
        ("two adults and three kids tomorrow at 6", 5),
        ("me, my wife and my two sons on friday at 7", 4),
        ("me, my husband and our three kids on sunday at 6pm", 5),
        ("my parents, my sister and me, saturday at 8pm", 4),
        ("it's me and my boss and two clients", 4),
        ("two of my friends and me", 3),
        ("my wife and i", 2),
        ("2 adults, 2 children", 4),
        ("大人2人と子ども1人で、土曜の夜7時に予約したいです", 3),
        ("私と妻と子ども2人で日曜の6時にお願いします", 4),
        ("大人二人と子供三人", 5),
        ("me and my wife and one child", 3),
        ("私と上司と取引先3名", 5),
    ],
)
def test_people_counted_out_are_added_up(said: str, people: int) -> None:
    assert said_party(said) == people


@pytest.mark.parametrize(
    "said",
    [
        "table for four at 7",  # no list: the model copies the number
        "a table for two at 8 tonight",
        "夫婦二人で",
        "my kids and me",  # how many kids?
        "両親と私の3人で金曜の夜8時",  # the total said after the list
        "me and my wife, so 2 people",
        "five people at 7, and my friend will join later",  # not one list
        "my son and his 3 friends",
        "four of us plus a baby, sunday noon",  # does the baby need a seat?
        # a review's: a total said elsewhere, part of a list, people not coming or added
        "a table for four please, my wife and i will be a bit late",
        "me and my wife and four friends, six of us",
        "me and my son, 2 people",
        "私と妻と友達で5人",
        "me and my brother and sister",
        "me and my wife and kids",
        "私と妻と子供たち",
        "私と妻と、あと友達が2人",
        "we're 4 adults, 2 of them vegetarian",
        "me and my wife, but my wife can't make it",
        "大人2人と子ども2人、うち1人は未就学児です",
        "my brother and my sister are joining too",
        "兄と姉も来ます",
        "dinner with my wife and 2 friends",
        "me and my wife, my wife is vegetarian",
        "me and my wife's sister",
        "What's the weather like?",
    ],
)
def test_no_list_or_its_total_said_is_none(said: str) -> None:
    assert said_party(said) is None


def test_the_sum_goes_in_the_parameter_for_people() -> None:
    call = ToolCall("book_table", '{"party_size": 2, "time": "tomorrow 6pm"}')
    made = in_said_count(call, BOOK, "two adults and three kids tomorrow at 6")
    assert made.parsed_arguments() == {"party_size": 5, "time": "tomorrow 6pm"}
    assert in_said_count(call, BOOK, "a table for two tomorrow at 6") is call
    same = ToolCall("book_table", '{"party_size": 5, "time": "6"}')
    assert in_said_count(same, BOOK, "two adults and three kids at 6") is same


def taking(name: str, schema: dict[str, object]) -> ToolSpec:
    """A tool whose one parameter is ``name``."""
    return ToolSpec("reserve", "Reserve.", {"type": "object", "properties": {name: schema}})


def test_only_an_integer_parameter_for_people() -> None:
    assert people_parameter(BOOK) == "party_size"
    assert people_parameter(taking("guests", {"type": "integer"})) == "guests"
    assert people_parameter(taking("size", {"type": "integer", "description": "人数"})) == "size"
    assert people_parameter(taking("party", {"type": "string"})) is None
    assert people_parameter(taking("rooms", {"type": "integer"})) is None


def test_the_policy_counts_people_but_leaves_values_taken_back_to_repairs() -> None:
    call = ToolCall("book_table", '{"party_size": 2, "time": "6pm tomorrow"}')
    assert (
        judged_arguments("two adults and three kids, tomorrow at 6pm", call, BOOK)["party_size"]
        == 5
    )
    # "4, no 5": the value taken back is put right by `repaired` and stays (a review's)
    call = ToolCall("book_table", '{"party_size": 4, "time": "6pm"}')
    said = "table for 4, no 5, me and my wife and 3 kids at 6pm"
    assert judged_arguments(said, call, BOOK)["party_size"] == 5
